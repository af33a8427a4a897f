import RegistryJSON

/// What one worker has counted since it started: request counts and durations by route and
/// status, plus named counters and gauges. Workers send it to the supervisor with every
/// heartbeat; the supervisor adds the snapshots of all workers (and of workers that have exited)
/// into one for `/metrics`.
public struct MetricsSnapshot: Sendable, Equatable {
    public struct Series: Hashable, Sendable {
        public var method: String
        /// The route's pattern (`/schemas/{model_name}/versions`), never the raw path, so the
        /// number of series stays bounded.
        public var route: String
        public var status: Int

        public init(method: String, route: String, status: Int) {
            self.method = method
            self.route = route
            self.status = status
        }
    }

    public struct Histogram: Sendable, Equatable {
        public var count: Int = 0
        public var sum: Double = 0
        /// Observations per bucket of `MetricsSnapshot.durationBuckets` (not cumulative); one more
        /// slot at the end for those above the last bound.
        public var buckets = [Int](repeating: 0, count: MetricsSnapshot.durationBuckets.count + 1)

        public init() {}

        public mutating func observe(_ seconds: Double) {
            count += 1
            sum += seconds
            let index = MetricsSnapshot.durationBuckets.firstIndex { seconds <= $0 } ?? MetricsSnapshot.durationBuckets.count
            buckets[index] += 1
        }

        public mutating func add(_ other: Histogram) {
            count += other.count
            sum += other.sum
            for index in buckets.indices where index < other.buckets.count { buckets[index] += other.buckets[index] }
        }
    }

    /// Upper bounds in seconds of the request-duration histogram.
    public static let durationBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    public var requests: [Series: Histogram] = [:]
    /// Totals that only grow (`auth_cache_hits_total`, …).
    public var counters: [String: Double] = [:]
    /// Levels that go up and down (`db_pool_connections_in_use`, …).
    public var gauges: [String: Double] = [:]

    public init() {}

    /// Adds `other` into this one. Gauges are added too: the sum over workers is the server's level.
    public mutating func add(_ other: MetricsSnapshot, includingGauges: Bool = true) {
        for (series, histogram) in other.requests { requests[series, default: Histogram()].add(histogram) }
        for (name, value) in other.counters { counters[name, default: 0] += value }
        if includingGauges {
            for (name, value) in other.gauges { gauges[name, default: 0] += value }
        }
    }

    // MARK: - wire form (compact JSON on the worker's control pipe)

    public var json: JSONValue {
        let rows: [JSONValue] = requests.map { series, histogram in
            [.string(series.method), .string(series.route), .int(series.status), .int(histogram.count),
             .double(histogram.sum), .array(histogram.buckets.map { .int($0) })]
        }
        return [
            "requests": .array(rows),
            "counters": .object(JSONObject(counters.map { ($0.key, JSONValue.double($0.value)) })),
            "gauges": .object(JSONObject(gauges.map { ($0.key, JSONValue.double($0.value)) })),
        ]
    }

    public init?(json: JSONValue) {
        guard let rows = json["requests"]?.arrayValue else { return nil }
        for row in rows {
            guard let fields = row.arrayValue, fields.count == 6, let method = fields[0].stringValue,
                  let route = fields[1].stringValue, let status = fields[2].intValue, let count = fields[3].intValue,
                  let sum = fields[4].doubleValue, let buckets = fields[5].arrayValue?.compactMap(\.intValue) else { return nil }
            var histogram = Histogram()
            histogram.count = count
            histogram.sum = sum
            for index in histogram.buckets.indices where index < buckets.count { histogram.buckets[index] = buckets[index] }
            requests[Series(method: method, route: route, status: status)] = histogram
        }
        for (name, value) in json["counters"]?.objectValue ?? [:] { counters[name] = value.doubleValue ?? 0 }
        for (name, value) in json["gauges"]?.objectValue ?? [:] { gauges[name] = value.doubleValue ?? 0 }
    }
}
