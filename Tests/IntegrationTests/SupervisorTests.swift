import Foundation
import XCTest

/// The arbiter's own behaviour: liveness document, crash-loop backoff, HUP/TTIN/TTOU,
/// and workers that do not outlive it.
final class SupervisorTests: XCTestCase {
    func testLivenessDescribesEverySlot() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 2)
        let document = try server.liveness()
        XCTAssertEqual(try server.livenessStatus(), 200)
        XCTAssertEqual(document["status"], "ok")
        XCTAssertEqual(document["supervisor_pid"]?.intValue, Int(server.supervisorPID))
        XCTAssertEqual(document["workers_running"], 2)
        let slots = try XCTUnwrap(document["slots"]?.arrayValue)
        XCTAssertEqual(slots.map { $0["slot"]?.intValue }, [0, 1])
        for slot in slots {
            XCTAssertEqual(slot.objectValue?.keys, ["slot", "pid", "state", "started_at", "restarts"])
            XCTAssertEqual(slot["state"], "running")
            XCTAssertEqual(slot["restarts"], 0)
            let pid = try XCTUnwrap(slot["pid"]?.intValue)
            XCTAssertEqual(kill(pid_t(pid), 0), 0, "worker \(pid) not alive")
            XCTAssertNotNil(ISO8601DateFormatter.withFractions.date(from: slot["started_at"]?.stringValue ?? ""))
        }
        XCTAssertEqual(try server.stop(), 0)
    }

    func testCrashingWorkersBackOffAndLivenessSays503() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1,
                                       environment: ["PYRMUTE_REGISTRY_WORKER_BINARY": "/bin/false"], waitForWorkers: false)
        try server.waitUntil("the supervisor's liveness listener", timeout: 10) { (try? server.livenessStatus()) != nil }
        sleep(2)
        XCTAssertEqual(try server.livenessStatus(), 503)
        let document = try server.liveness()
        XCTAssertEqual(document["status"], "unavailable")
        XCTAssertEqual(document["workers_running"], 0)
        let restarts = try XCTUnwrap(document["slots"]?.arrayValue?.first?["restarts"]?.intValue)
        // 0.1 + 0.2 + 0.4 + 0.8 s of backoff fit in two seconds: a handful, not a spin.
        XCTAssertGreaterThanOrEqual(restarts, 3)
        XCTAssertLessThanOrEqual(restarts, 8)
        XCTAssertTrue(server.isRunning)
        XCTAssertEqual(try server.stop(), 0)
    }

    func testSignalsAddRetireAndReplaceWorkers() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 2)
        let original = try server.workerPIDs()

        kill(server.supervisorPID, SIGTTIN)
        try server.waitUntil("a third worker", timeout: 10) { try server.liveness()["workers_running"] == 3 }
        XCTAssertEqual(Array(try server.workerPIDs().prefix(2)), original)

        kill(server.supervisorPID, SIGTTOU)
        try server.waitUntil("back to two workers", timeout: 10) {
            try server.liveness()["slots"]?.arrayValue?.count == 2 && server.liveness()["workers_running"] == 2
        }
        XCTAssertEqual(try server.workerPIDs(), original)

        let load = LoadGenerator(url: server.baseURL + "/health/live")
        load.start(threads: 2)
        kill(server.supervisorPID, SIGHUP)
        try server.waitUntil("every worker replaced", timeout: 15) {
            let document = try server.liveness()
            let pids = document["slots"]?.arrayValue?.compactMap { $0["pid"]?.intValue } ?? []
            return document["workers_running"] == 2 && pids.count == 2 && Set(pids).isDisjoint(with: original.map(Int.init))
        }
        let result = load.stop()
        XCTAssertEqual(result.badResponses, [])
        XCTAssertEqual(result.connectionErrors, 0, "requests failed during the rolling replacement: \(result.errorSamples)")
        XCTAssertGreaterThan(result.succeeded, 0)
        XCTAssertEqual(try server.stop(), 0)
    }

    func testWorkersExitWhenTheSupervisorIsKilled() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 2)
        let workers = try server.workerPIDs()
        kill(server.supervisorPID, SIGKILL)
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, !workers.allSatisfy({ kill($0, 0) != 0 }) { usleep(20_000) }
        XCTAssertTrue(workers.allSatisfy { kill($0, 0) != 0 }, "workers outlived their supervisor")
    }

    func testSecondServerOnTheSamePortIsRefused() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1)
        let second = try CommandRunner.cli(["serve", "--host", "127.0.0.1", "--port", String(server.port)],
                                           environment: ["PYRMUTE_REGISTRY_DATABASE_URL": server.databaseURL,
                                                         "PYRMUTE_REGISTRY_SUPERVISOR_PORT": "0"])
        XCTAssertEqual(second.status, 1)
        XCTAssertTrue(second.output.contains("Address already in use"), second.output)
        XCTAssertEqual(try server.stop(), 0)
    }
}

/// `serve --reload`: a new worker binary replaces the running worker.
final class ReloadTests: XCTestCase {
    func testReloadReplacesTheWorkerWhenItsBinaryChanges() throws {
        let copy = Paths.temporaryDirectory("reload").appendingPathComponent("pyrmute-registry-worker")
        try FileManager.default.copyItem(at: Paths.binaries.appendingPathComponent("pyrmute-registry-worker"), to: copy)
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1,
                                       environment: ["PYRMUTE_REGISTRY_WORKER_BINARY": copy.path], arguments: ["--reload"])
        let before = try server.workerPIDs()
        sleep(1)
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: copy.path)
        try server.waitUntil("a new worker", timeout: 10) {
            let document = try server.liveness()
            let pids = try server.workerPIDs()
            return document["workers_running"] == 1 && pids.count == 1 && pids != before
        }
        XCTAssertEqual(try server.request("/health/live").status, 200)
        XCTAssertTrue(server.log.contains("worker binary changed"), server.log)
        XCTAssertEqual(try server.stop(), 0)
    }
}
