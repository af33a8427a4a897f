import Foundation
import RegistryJSON
import RegistryRuntime
import XCTest

/// `/metrics`: one scrape shows the whole server, summed over workers by the supervisor, and the
/// counts survive a worker's death. The access log names the worker that answered.
final class MetricsTests: XCTestCase {
    func testMetricsAreSummedOverWorkers_sqlite() throws { try metricsAreSummedOverWorkers(.sqlite) }
    func testMetricsAreSummedOverWorkers_postgres() throws { try metricsAreSummedOverWorkers(.postgres) }
    func testMetricsNeedAnAdminKeyWhenAuthIsOn_sqlite() throws { try metricsNeedAnAdminKey(.sqlite) }
    func testMetricsNeedAnAdminKeyWhenAuthIsOn_postgres() throws { try metricsNeedAnAdminKey(.postgres) }

    func testProcessMetricsAndRestartReasons_sqlite() throws { try processMetrics(.sqlite) }
    func testProcessMetricsAndRestartReasons_postgres() throws { try processMetrics(.postgres) }

    private static let versionRoute = "/schemas/{namespace}/{model_name}/versions/{version}"

    /// `process_*` for the supervisor and each worker, and restarts by reason, as read by
    /// prometheus-client's own parser (issue 19).
    private func processMetrics(_ backend: Backend) throws {
        let python = Paths.repositoryRoot.appendingPathComponent(".venv-tools/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw XCTSkip("no prometheus-client: run scripts/install-python-tools.sh")
        }
        let parser = Paths.repositoryRoot.appendingPathComponent("Tests/IntegrationTests/python/parse_metrics.py").path
        func scrape(_ server: ServerProcess) throws -> [JSONValue] {
            let parsed = try CommandRunner.run(python, [parser], input: try server.request("/metrics").text, timeout: 30)
            XCTAssertEqual(parsed.status, 0, parsed.output)
            return try JSONParser.parse(Array(parsed.output.utf8)).arrayValue ?? []
        }
        func value(_ samples: [JSONValue], _ name: String, _ labels: JSONValue) -> Double? {
            samples.first { $0["name"]?.stringValue == name && $0["labels"] == labels }?["value"]?.doubleValue
        }

        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        var samples: [JSONValue] = []
        try server.waitUntil("every process in the metrics", timeout: 10, poll: 0.3) {
            samples = try scrape(server)
            return samples.filter { $0["name"]?.stringValue == "process_open_fds" }.count == 3
        }
        let now = Date().timeIntervalSince1970
        let processes: [JSONValue] = [["role": "supervisor", "slot": ""], ["role": "worker", "slot": "0"], ["role": "worker", "slot": "1"]]
        for labels in processes {
            XCTAssertEqual(samples.first { $0["name"]?.stringValue == "process_cpu_seconds_total" && $0["labels"] == labels }?["type"],
                           "counter", "\(labels)")
            let resident = try XCTUnwrap(value(samples, "process_resident_memory_bytes", labels), "\(labels)")
            XCTAssertGreaterThan(resident, 1_000_000, "\(labels)")
            XCTAssertGreaterThan(try XCTUnwrap(value(samples, "process_virtual_memory_bytes", labels)), resident)
            let open = try XCTUnwrap(value(samples, "process_open_fds", labels))
            XCTAssertGreaterThanOrEqual(open, 3, "\(labels)")
            XCTAssertGreaterThan(try XCTUnwrap(value(samples, "process_max_fds", labels)), open)
            let started = try XCTUnwrap(value(samples, "process_start_time_seconds", labels))
            XCTAssertTrue((now - 120)...(now + 1) ~= started, "\(labels): started at \(started), now \(now)")
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(value(samples, "process_cpu_seconds_total", labels)), 0)
        }
        for reason in ["crashed", "timeout", "replaced"] {
            XCTAssertEqual(value(samples, "pyrmute_worker_restarts_by_reason_total", ["reason": .string(reason)]), 0, reason)
        }

        let victim = try XCTUnwrap(server.workerPIDs().first)
        kill(victim, SIGKILL)
        try server.waitUntil("the crash counted by reason", timeout: 10, poll: 0.3) {
            samples = try scrape(server)
            return value(samples, "pyrmute_worker_restarts_by_reason_total", ["reason": "crashed"]) == 1
        }
        XCTAssertEqual(value(samples, "pyrmute_worker_restarts_by_reason_total", ["reason": "timeout"]), 0)
        XCTAssertEqual(value(samples, "pyrmute_worker_restarts_by_reason_total", ["reason": "replaced"]), 0)
        XCTAssertEqual(try server.stop(), 0)
    }

    private func metricsAreSummedOverWorkers(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        XCTAssertEqual(try server.register("/schemas/shop/Order/versions", version: "1.0.0").status, 201)
        let reads = 60
        for index in 0..<reads {
            let response = try server.request("/schemas/shop/Order/versions/1.0.0", headers: [("X-Request-ID", "metrics-\(index)")])
            XCTAssertEqual(response.status, 200)
        }
        XCTAssertEqual(try server.request("/schemas/shop/Order/versions/9.9.9").status, 404)

        let series = "pyrmute_http_requests_total{method=\"GET\",route=\"\(Self.versionRoute)\",status=\"200\"}"
        var sample = try PrometheusSample("")
        try server.waitUntil("\(reads) reads in the metrics", timeout: 10, poll: 0.2) {
            sample = try PrometheusSample(server.request("/metrics").text)
            return sample[series] == Double(reads)
        }
        let workers = Set(server.log.split(separator: "\n")
            .filter { $0.contains("request_completed") && $0.contains("metrics-") }
            .compactMap { line in line.range(of: "[worker ").map { line[$0.upperBound...].prefix { $0.isNumber } } })
        XCTAssertEqual(workers.count, 2, "both workers answered some of the reads, so the figure is a sum")

        XCTAssertEqual(sample.types["pyrmute_http_requests_total"], "counter")
        XCTAssertEqual(sample.types["pyrmute_http_request_duration_seconds"], "histogram")
        XCTAssertEqual(sample["pyrmute_http_request_duration_seconds_count{method=\"GET\",route=\"\(Self.versionRoute)\",status=\"200\"}"], Double(reads))
        XCTAssertEqual(sample["pyrmute_http_request_duration_seconds_bucket{method=\"GET\",route=\"\(Self.versionRoute)\",status=\"200\",le=\"+Inf\"}"], Double(reads))
        XCTAssertEqual(sample["pyrmute_http_requests_total{method=\"GET\",route=\"\(Self.versionRoute)\",status=\"404\"}"], 1)
        XCTAssertEqual(sample["pyrmute_http_requests_total{method=\"POST\",route=\"/schemas/{namespace}/{model_name}/versions\",status=\"201\"}"], 1)
        XCTAssertEqual(sample["pyrmute_workers_running"], 2)
        XCTAssertEqual(sample["pyrmute_db_pool_capacity"], 8, "two workers × DATABASE_POOL_SIZE 4")
        XCTAssertGreaterThanOrEqual(sample["pyrmute_db_pool_connections_open"] ?? 0, 1)
        XCTAssertEqual(sample["pyrmute_worker_restarts_total"], 0)
        if backend == .sqlite {
            XCTAssertEqual(sample.types["pyrmute_sqlite_memory_bytes"], "gauge")
            XCTAssertGreaterThan(sample["pyrmute_sqlite_memory_bytes"] ?? 0, 50_000, "two workers' open SQLite connections hold memory")
        } else {
            XCTAssertEqual(sample["pyrmute_sqlite_memory_bytes"] ?? 0, 0)
        }

        // The supervisor's own listener serves the same figures.
        let direct = try PrometheusSample(SimpleHTTPClient.request("GET", "http://127.0.0.1:\(server.supervisorPort)/metrics").text)
        XCTAssertEqual(direct[series], Double(reads))

        // A killed worker's counts are kept; its restart is counted.
        let victim = try XCTUnwrap(server.workerPIDs().first)
        kill(victim, SIGKILL)
        try server.waitUntil("the worker replaced", timeout: 10) {
            try server.liveness()["workers_running"] == 2 && !server.workerPIDs().contains(victim)
        }
        try server.waitUntil("the restart counted", timeout: 10, poll: 0.2) {
            sample = try PrometheusSample(server.request("/metrics").text)
            return sample["pyrmute_worker_restarts_total"] == 1
        }
        XCTAssertEqual(sample[series], Double(reads), "counts of the dead worker survive it")
        XCTAssertEqual(try server.stop(), 0)
    }

    private func metricsNeedAnAdminKey(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 2)
        XCTAssertEqual(try server.call("/metrics", key: nil).status, 401)
        let reader = try server.createKey("metrics-reader", permission: "read", admin: admin)
        XCTAssertEqual(try server.call("/metrics", key: reader.key).status, 403)
        for _ in 0..<5 { XCTAssertEqual(try server.call("/schemas", key: reader.key).status, 200) }
        var sample = try PrometheusSample("")
        try server.waitUntil("the reads and cache hits counted", timeout: 10, poll: 0.2) {
            let response = try server.call("/metrics", key: admin)
            guard response.status == 200 else { return false }
            XCTAssertEqual(response.header("Content-Type"), PrometheusText.contentType)
            sample = try PrometheusSample(response.text)
            return sample["pyrmute_http_requests_total{method=\"GET\",route=\"/schemas\",status=\"200\"}"] == 5
        }
        XCTAssertGreaterThanOrEqual(sample["pyrmute_auth_cache_hits_total"] ?? 0, 3)
        XCTAssertGreaterThanOrEqual(sample["pyrmute_auth_cache_misses_total"] ?? 0, 1)
        XCTAssertTrue(server.log.contains("api_key_name=metrics-reader") || server.log.contains("\"api_key_name\":\"metrics-reader\""),
                      "the access line names the key")
        XCTAssertFalse(server.log.contains(reader.key), "keys never reach the log")
        XCTAssertTrue(server.log.contains("client_ip=127.0.0.1"), "the access line names the client")
        XCTAssertFalse(server.log.contains("Optional("), "no Swift optionals in the log")
        XCTAssertEqual(try server.stop(), 0)
    }
}
