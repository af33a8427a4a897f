import Foundation
import XCTest

/// The prefork model through the real binaries: workers share the load, a killed worker is
/// replaced at once, and SIGTERM drains in-flight requests before everything exits 0.
final class ProcessModelTests: XCTestCase {
    func testRequestsSpreadOverWorkers_sqlite() throws { try requestsSpreadOverWorkers(.sqlite) }
    func testRequestsSpreadOverWorkers_postgres() throws { try requestsSpreadOverWorkers(.postgres) }
    func testKilledWorkerIsReplacedAndRequestsKeepSucceeding_sqlite() throws { try killedWorkerIsReplaced(.sqlite) }
    func testKilledWorkerIsReplacedAndRequestsKeepSucceeding_postgres() throws { try killedWorkerIsReplaced(.postgres) }
    func testSigtermDrainsInFlightRequestsAndExitsZero_sqlite() throws { try sigtermDrains(.sqlite) }
    func testSigtermDrainsInFlightRequestsAndExitsZero_postgres() throws { try sigtermDrains(.postgres) }
    func testScaleDownLosesNoNewConnection() throws { try scaleDownUnderLoad(keepAlive: false) }
    func testScaleDownLosesNoKeepAliveRequest() throws { try scaleDownUnderLoad(keepAlive: true) }

    private func requestsSpreadOverWorkers(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 3)
        let pids = Set(try server.workerPIDs())
        XCTAssertEqual(pids.count, 3)
        for _ in 0..<60 {
            let response = try server.request("/health")
            XCTAssertEqual(response.status, 200)
            XCTAssertEqual(try response.json()["database"]?["type"]?.stringValue, backend.scheme)
        }
        // Each worker logs the requests it served under its own pid.
        let servedBy = Set(server.log.split(separator: "\n").filter { $0.contains("request_completed") && $0.contains("path=/health ") }
            .compactMap { line -> pid_t? in
                guard let range = line.range(of: "[worker ") else { return nil }
                return pid_t(line[range.upperBound...].prefix { $0.isNumber })
            })
        XCTAssertGreaterThan(servedBy.count, 1, "all requests went to one worker: \(servedBy)")
        XCTAssertTrue(servedBy.isSubset(of: pids))
        XCTAssertEqual(try server.stop(), 0)
    }

    private func killedWorkerIsReplaced(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        let before = try server.workerPIDs()
        XCTAssertEqual(before.count, 2)
        let victim = before[0]

        var statuses: [Int] = []
        for _ in 0..<20 { statuses.append(try server.request("/health/ready").status) }
        let killedAt = Date()
        XCTAssertEqual(kill(victim, SIGKILL), 0)
        // Requests go on while the slot is empty: the supervisor keeps the slot's socket open,
        // so connections routed to it wait for the replacement instead of failing.
        var replacement: pid_t?
        while Date().timeIntervalSince(killedAt) < 5 {
            statuses.append(try server.request("/health/ready").status)
            let slot = try server.liveness()["slots"]?.arrayValue?.first { $0["slot"]?.intValue == 0 }
            if let pid = slot?["pid"]?.intValue, pid_t(pid) != victim, slot?["state"]?.stringValue == "running" {
                replacement = pid_t(pid)
                break
            }
        }
        let elapsed = Date().timeIntervalSince(killedAt)
        XCTAssertNotNil(replacement, "no replacement worker. Log:\n\(server.log)")
        XCTAssertLessThan(elapsed, 1.0, "replacement took \(elapsed) s")
        for _ in 0..<40 { statuses.append(try server.request("/health/ready").status) }
        XCTAssertEqual(statuses.filter { $0 != 200 }, [], "some requests failed around the kill")
        XCTAssertEqual(try server.liveness()["slots"]?.arrayValue?.first?["restarts"]?.intValue, 1)
        XCTAssertTrue(try server.workerPIDs().contains(before[1]), "the other worker was disturbed")
        XCTAssertEqual(try server.stop(), 0)
    }

    private func sigtermDrains(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)

        // In-flight requests: each connection has sent its head and half its body when SIGTERM
        // arrives; the workers must still answer them in full.
        let inFlight = try (0..<4).map { _ -> RawConnection in
            let connection = try RawConnection(port: server.port)
            try connection.send("GET /health/ready HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234")
            return connection
        }
        // And a background load of complete requests.
        let load = LoadGenerator(url: server.baseURL + "/health")
        load.start(threads: 3)
        usleep(400_000)   // the in-flight heads reach their workers
        kill(server.supervisorPID, SIGTERM)
        usleep(300_000)
        for connection in inFlight {
            try connection.send("56789")
            let response = try connection.readResponse()
            XCTAssertTrue(response.hasPrefix("HTTP/1.1 200 OK"), "in-flight request got: \(response)")
            XCTAssertTrue(response.contains("{\"ready\":true}"), response)
            XCTAssertTrue(response.lowercased().contains("connection: close"), response)
        }
        let status = try server.stop(timeout: 20)
        let result = load.stop()
        XCTAssertEqual(status, 0, server.log)
        XCTAssertGreaterThan(result.succeeded, 0)
        // A started response is always finished: no request sees a half answer or a non-200.
        XCTAssertEqual(result.badResponses, [], "load saw bad responses")
        let exits = server.log.split(separator: "\n").filter { $0.contains("worker exited") }
        XCTAssertEqual(exits.count, 2, server.log)
        XCTAssertTrue(exits.allSatisfy { $0.contains("status=exit 0") }, exits.joined(separator: "\n"))
        XCTAssertTrue(server.log.contains("Shutting down gracefully..."))
    }

    /// The operator's experiment (issue 19): 4 workers, TTIN twice then TTOU twice, three times
    /// over, then HUPs that lower WORKERS from 3 to 2 and raise it again, while clients hammer
    /// the server: with one new connection per request, or with keep-alive connections that send
    /// a GET again once when the server had closed a reused idle connection (as common clients
    /// do). A retired slot must not close its socket with connections still queued on it (the
    /// kernel resets them): not one request may fail.
    private func scaleDownUnderLoad(keepAlive: Bool) throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 4,
                                       dotEnv: "PYRMUTE_REGISTRY_WORKERS=4\n", workersFlag: false)
        let perRequest = LoadGenerator(url: server.baseURL + "/health/live")
        // Pools that open new connections often (the new workers get some) and pools that keep
        // theirs for seconds (a retiring worker still holds some when it drains).
        let pooled = [KeepAliveLoad(port: server.port, path: "/health/live", requestsPerConnection: 1...30),
                      KeepAliveLoad(port: server.port, path: "/health/live", requestsPerConnection: 200...2000)]
        if keepAlive { pooled.forEach { $0.start(threads: 3) } } else { perRequest.start(threads: 4) }
        usleep(300_000)

        func slots() throws -> (count: Int, running: Int, expected: Int) {
            let document = try server.liveness()
            return (document["slots"]?.arrayValue?.count ?? -1, document["workers_running"]?.intValue ?? -1,
                    document["workers_expected"]?.intValue ?? -1)
        }
        func settle(at workers: Int, _ what: String) throws {
            try server.waitUntil(what, timeout: 30) {
                let now = try slots()
                return now.count == workers && now.running == workers && now.expected == workers
            }
        }
        // One signal at a time: a second one sent before the first is taken would merge with it.
        func signal(_ number: Int32, expecting expected: Int, _ what: String) throws {
            kill(server.supervisorPID, number)
            try server.waitUntil(what, timeout: 30) { try slots().expected == expected }
        }
        for round in 1...3 {
            try signal(SIGTTIN, expecting: 5, "round \(round): a fifth worker")
            try signal(SIGTTIN, expecting: 6, "round \(round): a sixth worker")
            try settle(at: 6, "round \(round): six workers serving")
            usleep(300_000)   // the new workers get connections of their own
            try signal(SIGTTOU, expecting: 5, "round \(round): a slot retiring")
            try signal(SIGTTOU, expecting: 4, "round \(round): a second slot retiring")
            try settle(at: 4, "round \(round): back to four workers")
        }
        let env = server.directory.appendingPathComponent(".env")
        var reloads = 0
        func reload(to workers: Int) throws {
            try "PYRMUTE_REGISTRY_WORKERS=\(workers)\n".write(to: env, atomically: true, encoding: .utf8)
            kill(server.supervisorPID, SIGHUP)
            reloads += 1
            let expected = reloads
            try server.waitUntil("reload \(expected) to \(workers) workers", timeout: 60) {
                let now = try slots()
                return now.count == workers && now.running == workers
                    && server.log.components(separatedBy: "reload complete").count - 1 >= expected
            }
        }
        try reload(to: 3)
        for _ in 1...2 {
            try reload(to: 2)
            try reload(to: 3)
        }
        usleep(300_000)
        if keepAlive {
            let results = pooled.map { $0.stop() }
            var result = results[0]
            result.succeeded += results[1].succeeded
            result.retried += results[1].retried
            result.closedByServer += results[1].closedByServer
            result.failures += results[1].failures
            result.failureSamples += results[1].failureSamples
            print("scale-down with keep-alive clients: \(result.succeeded) answered (\(result.closedByServer) closing their connection, \(result.retried) sent again after an idle close), \(result.failures) failed")
            XCTAssertEqual(result.failures, 0, "requests failed while scaling down: \(result.failureSamples)")
            XCTAssertGreaterThan(result.succeeded, 1000)
        } else {
            let result = perRequest.stop()
            print("scale-down with a new connection per request: \(result.succeeded) answered, \(result.connectionErrors) failed, \(result.badResponses.count) bad")
            XCTAssertEqual(result.connectionErrors, 0, "requests failed while scaling down: \(result.errorSamples)")
            XCTAssertEqual(result.badResponses, [])
            XCTAssertGreaterThan(result.succeeded, 1000)
        }
        XCTAssertFalse(server.log.contains("cannot steer"), server.log)
        // 6 retirements by TTOU, 3 by HUP (4 → 3, then 3 → 2 twice); a late arrival may add a round.
        let drained = server.log.components(separatedBy: "retiring slot's socket is empty").count - 1
        let late = server.log.components(separatedBy: "connections still queued on a retiring slot's socket").count - 1
        print("retired slots drained once their socket was empty: \(drained); workers started again for late arrivals: \(late)")
        XCTAssertEqual(drained, 9 + late, server.log)
        XCTAssertEqual(try server.stop(), 0)
    }
}
