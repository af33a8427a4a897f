import Foundation
import RegistryRuntime
import XCTest

/// What an operator does to a running server: reload it, let hung or worn-out workers be
/// replaced, run it under systemd. Real binaries, real signals.
final class SupervisorOperationsTests: XCTestCase {
    func testStoppedWorkerIsKilledAfterWorkerTimeoutAndReplaced() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 2,
                                       environment: ["PYRMUTE_REGISTRY_WORKER_TIMEOUT": "2"])
        let original = try server.workerPIDs()
        // Beats keep a healthy worker alive well past the timeout.
        sleep(3)
        XCTAssertEqual(try server.workerPIDs(), original)

        kill(original[0], SIGSTOP)
        defer { kill(original[0], SIGCONT) }
        try server.waitUntil("the stopped worker replaced", timeout: 15) {
            let pids = try server.workerPIDs()
            return try server.liveness()["workers_running"] == 2 && pids.count == 2 && pids[0] != original[0] && pids[1] == original[1]
        }
        XCTAssertNotEqual(kill(original[0], 0), 0, "the hung worker is gone")
        XCTAssertTrue(server.log.contains("WORKER_TIMEOUT"), server.log)
        for _ in 0..<20 { XCTAssertEqual(try server.request("/health/live").status, 200) }
        XCTAssertEqual(try server.stop(), 0)
    }

    func testMaxRequestsRecyclesWorkersWithoutAFailedRequest() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1, environment: [
            "PYRMUTE_REGISTRY_MAX_REQUESTS": "200", "PYRMUTE_REGISTRY_MAX_REQUESTS_JITTER": "50",
        ])
        let original = try server.workerPIDs()
        let load = LoadGenerator(url: server.baseURL + "/health/live")
        load.start(threads: 2)
        try server.waitUntil("two recycles", timeout: 30) {
            let slot = try server.liveness()["slots"]?.arrayValue?.first
            return slot?["restarts"]?.intValue ?? 0 >= 2 && slot?["state"] == "running"
        }
        let result = load.stop()
        XCTAssertEqual(result.badResponses, [])
        XCTAssertEqual(result.connectionErrors, 0, "requests failed while recycling: \(result.errorSamples)")
        XCTAssertNotEqual(try server.workerPIDs(), original)
        XCTAssertTrue(server.log.contains("request budget"), server.log)
        try server.waitUntil("the recycles in the metrics", timeout: 5, poll: 0.2) {
            try PrometheusSample(server.request("/metrics").text)["pyrmute_worker_recycles_total"] ?? 0 >= 2
        }
        XCTAssertEqual(try server.stop(), 0)
    }

    func testHangupReReadsSettingsAndReplacesWorkersUnderLoad() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 2,
                                       dotEnv: "PYRMUTE_REGISTRY_WORKERS=2\nPYRMUTE_REGISTRY_APP_VERSION=1.0.0\n", workersFlag: false)
        let original = try server.workerPIDs()
        XCTAssertEqual(try server.request("/").json()["version"], "1.0.0")

        try "PYRMUTE_REGISTRY_WORKERS=3\nPYRMUTE_REGISTRY_APP_VERSION=2.5.0\n"
            .write(to: server.directory.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let load = LoadGenerator(url: server.baseURL + "/health/live")
        load.start(threads: 2)
        kill(server.supervisorPID, SIGHUP)
        try server.waitUntil("three new workers", timeout: 30) {
            let pids = try server.workerPIDs()
            return try server.liveness()["workers_running"] == 3 && pids.count == 3
                && Set(pids).isDisjoint(with: original) && server.log.contains("reload complete")
        }
        let result = load.stop()
        XCTAssertEqual(result.badResponses, [])
        XCTAssertEqual(result.connectionErrors, 0, "requests failed during the reload: \(result.errorSamples)")
        XCTAssertGreaterThan(result.succeeded, 0)
        for _ in 0..<10 { XCTAssertEqual(try server.request("/").json()["version"], "2.5.0") }

        // Settings that do not parse keep the running ones.
        try "PYRMUTE_REGISTRY_WORKERS=many\n".write(to: server.directory.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        kill(server.supervisorPID, SIGHUP)
        try server.waitUntil("the refusal logged", timeout: 10) { server.log.contains("settings are invalid") }
        XCTAssertTrue(server.log.contains("PYRMUTE_REGISTRY_WORKERS"), server.log)
        XCTAssertEqual(try server.liveness()["workers_running"], 3)
        XCTAssertEqual(try server.stop(), 0)
    }

    func testSystemdHearsReadyReloadingAndStopping() throws {
        let notify = try NotifySocket()
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 2,
                                       environment: ["NOTIFY_SOCKET": notify.path], waitForWorkers: false)
        let startup = try notify.waitFor("READY=1", timeout: 20)
        XCTAssertTrue(startup.last?.contains("STATUS=2 of 2 workers running") ?? false, "\(startup)")
        XCTAssertEqual(try server.liveness()["workers_running"], 2, "READY=1 only once every worker serves")
        XCTAssertEqual(try server.request("/health/live").status, 200)

        kill(server.supervisorPID, SIGHUP)
        let reload = try notify.waitFor("READY=1", timeout: 20)
        XCTAssertTrue(reload.contains { $0.contains("RELOADING=1") && $0.contains("MONOTONIC_USEC=") }, "\(reload)")

        kill(server.supervisorPID, SIGTERM)
        XCTAssertFalse(try notify.waitFor("STOPPING=1", timeout: 10).isEmpty)
        XCTAssertEqual(try server.stop(), 0)
    }

    func testWorkersDoNotInheritTheNotifySocket() throws {
        let notify = try NotifySocket()
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1,
                                       environment: ["NOTIFY_SOCKET": notify.path])
        let pid = try XCTUnwrap(server.workerPIDs().first)
        let environment = try String(contentsOfFile: "/proc/\(pid)/environ", encoding: .utf8)
        XCTAssertFalse(environment.contains("NOTIFY_SOCKET"))
        XCTAssertEqual(try server.stop(), 0)
    }
}

/// A Prometheus text exposition, by series (`name{labels}` exactly as printed).
struct PrometheusSample {
    private(set) var values: [String: Double] = [:]
    private(set) var types: [String: String] = [:]

    init(_ text: String) throws {
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count == 4 { types[String(parts[2])] = String(parts[3]) }
                continue
            }
            if line.hasPrefix("#") { continue }
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                throw TestTimeout(what: "a parsable metrics line, not \(line)")
            }
            values[String(line[..<space])] = value
        }
    }

    subscript(series: String) -> Double? { values[series] }
}
