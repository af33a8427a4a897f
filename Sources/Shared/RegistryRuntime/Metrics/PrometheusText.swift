import Foundation

/// Renders the server's metrics in the Prometheus text format (version 0.0.4).
public enum PrometheusText {
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// A counter or gauge: its help text and type; names without the `pyrmute_` prefix.
    public struct Family: Sendable {
        public let name: String
        public let help: String
        public let type: String

        public init(_ name: String, _ type: String, _ help: String) {
            self.name = name
            self.type = type
            self.help = help
        }
    }

    /// The families workers report and the supervisor adds; anything else a snapshot carries is
    /// rendered as untyped.
    public static let families: [Family] = [
        Family("auth_cache_hits_total", "counter", "API key checks answered from the worker's cache."),
        Family("auth_cache_misses_total", "counter", "API key checks that had to reach the database."),
        Family("response_cache_hits_total", "counter", "Reads answered from a worker's response cache."),
        Family("response_cache_misses_total", "counter", "Cacheable reads that had to reach the database."),
        Family("response_cache_entries", "gauge", "Responses held in the workers' caches."),
        Family("response_cache_bytes", "gauge", "Bytes the workers' response caches hold (bodies, tags and bookkeeping)."),
        Family("rate_limit_rejections_total", "counter", "Requests refused with 429 by the rate limiter."),
        Family("worker_recycles_total", "counter", "Workers replaced after MAX_REQUESTS requests."),
        Family("worker_restarts_total", "counter", "Worker processes started again after dying, timing out or being recycled."),
        Family("db_pool_connections_open", "gauge", "Database connections open, over all workers."),
        Family("db_pool_connections_in_use", "gauge", "Database connections lent out right now, over all workers."),
        Family("db_pool_capacity", "gauge", "Largest number of database connections, over all workers."),
        Family("sqlite_memory_bytes", "gauge", "Memory SQLite holds (page caches, statements), over all workers (SQLite only)."),
        Family("workers_running", "gauge", "Worker processes serving requests."),
        Family("workers_expected", "gauge", "Worker processes the supervisor keeps."),
    ]

    public static func render(_ snapshot: MetricsSnapshot) -> String {
        var out = ""
        out += "# HELP pyrmute_http_requests_total HTTP requests answered, by method, route pattern and status.\n"
        out += "# TYPE pyrmute_http_requests_total counter\n"
        let series = snapshot.requests.sorted { ($0.key.route, $0.key.method, $0.key.status) < ($1.key.route, $1.key.method, $1.key.status) }
        for (key, histogram) in series {
            out += "pyrmute_http_requests_total{\(labels(key))} \(histogram.count)\n"
        }
        out += "# HELP pyrmute_http_request_duration_seconds Time from request head to response, by method, route pattern and status.\n"
        out += "# TYPE pyrmute_http_request_duration_seconds histogram\n"
        for (key, histogram) in series {
            let base = labels(key)
            var cumulative = 0
            for (index, bound) in MetricsSnapshot.durationBuckets.enumerated() {
                cumulative += histogram.buckets[index]
                out += "pyrmute_http_request_duration_seconds_bucket{\(base),le=\"\(number(bound))\"} \(cumulative)\n"
            }
            out += "pyrmute_http_request_duration_seconds_bucket{\(base),le=\"+Inf\"} \(histogram.count)\n"
            out += "pyrmute_http_request_duration_seconds_sum{\(base)} \(number(histogram.sum))\n"
            out += "pyrmute_http_request_duration_seconds_count{\(base)} \(histogram.count)\n"
        }
        let values = snapshot.counters.merging(snapshot.gauges) { a, _ in a }
        let known = Set(families.map(\.name))
        for family in families {
            out += "# HELP pyrmute_\(family.name) \(family.help)\n"
            out += "# TYPE pyrmute_\(family.name) \(family.type)\n"
            out += "pyrmute_\(family.name) \(number(values[family.name] ?? 0))\n"
        }
        for (name, value) in values.sorted(by: { $0.key < $1.key }) where !known.contains(name) {
            out += "pyrmute_\(name) \(number(value))\n"
        }
        return out
    }

    /// One process of the server, as the `process_*` families label it.
    public struct ProcessSample: Sendable {
        public let role: String
        public let slot: Int?
        public let statistics: ProcessStatistics

        public init(role: String, slot: Int?, statistics: ProcessStatistics) {
            self.role = role
            self.slot = slot
            self.statistics = statistics
        }
    }

    /// The Prometheus client libraries' standard process families (names without a prefix, as
    /// every exporter writes them), one sample per process labelled by `role` and `slot`.
    public static func renderProcesses(_ processes: [ProcessSample]) -> String {
        let families: [(String, String, String, (ProcessStatistics) -> Double)] = [
            ("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.", { $0.cpuSeconds }),
            ("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", { $0.residentBytes }),
            ("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", { $0.virtualBytes }),
            ("process_open_fds", "gauge", "Number of open file descriptors.", { $0.openFileDescriptors }),
            ("process_max_fds", "gauge", "Maximum number of open file descriptors.", { $0.maximumFileDescriptors }),
            ("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.", { $0.startTime }),
        ]
        var out = ""
        for (name, type, help, value) in families {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for process in processes {
                let slot = process.slot.map(String.init) ?? ""
                out += "\(name){role=\"\(process.role)\",slot=\"\(slot)\"} \(number(value(process.statistics)))\n"
            }
        }
        return out
    }

    /// A counter family with one label, one sample per value.
    public static func renderLabeledCounter(_ name: String, help: String, label: String, _ samples: [(String, Double)]) -> String {
        var out = "# HELP pyrmute_\(name) \(help)\n# TYPE pyrmute_\(name) counter\n"
        for (value, count) in samples { out += "pyrmute_\(name){\(label)=\"\(escape(value))\"} \(number(count))\n" }
        return out
    }

    private static func labels(_ series: MetricsSnapshot.Series) -> String {
        "method=\"\(escape(series.method))\",route=\"\(escape(series.route))\",status=\"\(series.status)\""
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    private static func number(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
