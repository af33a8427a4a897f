import Foundation
import Shared
import XCTest

/// PostgreSQL goes away and comes back: readiness follows it without a restart of the server.
final class PostgresOutageTests: XCTestCase {
    func testReadinessFollowsPostgresDownAndUp() throws {
        _ = try PostgresCluster.shared()   // skips (or fails under CI) like every PostgreSQL test
        let cluster = try PostgresCluster.start()
        defer { try? cluster.stop() }
        let server = try ServerProcess(databaseURL: try cluster.createDatabase(), workers: 2)
        let pidsBefore = try server.workerPIDs()
        for _ in 0..<6 { XCTAssertEqual(try server.request("/health/ready").status, 200) }

        try cluster.stop()
        for _ in 0..<6 {   // several requests, so that every worker is asked
            let ready = try server.request("/health/ready")
            XCTAssertEqual(ready.status, 503)
            XCTAssertEqual(ready.text, #"{"ready":false}"#)
        }
        let health = try server.request("/health")
        XCTAssertEqual(health.status, 503)
        let body = try health.json()
        XCTAssertEqual(body.objectValue?.keys, ["status", "error", "timestamp"])
        XCTAssertEqual(body["status"], "unhealthy")
        let error = try XCTUnwrap(body["error"]?.stringValue)
        XCTAssertTrue(error.hasPrefix("Database connection failed: "), error)
        XCTAssertEqual(try server.request("/health/live").status, 200, "liveness must not depend on the database")
        XCTAssertEqual(try server.livenessStatus(), 200)

        try cluster.restart()
        try server.waitUntil("readiness back to 200", timeout: 10) {
            try (0..<4).allSatisfy { _ in try server.request("/health/ready").status == 200 }
        }
        XCTAssertEqual(try server.request("/health").json()["status"], "healthy")
        XCTAssertEqual(try server.workerPIDs(), pidsBefore, "workers were restarted")
        XCTAssertEqual(try server.stop(), 0)
    }

    func testUnreachableDatabaseStopsStartupWithOneLineWithoutPassword() throws {
        let port = FreePort.next()
        let url = "postgresql://registry:s3cret-pass@127.0.0.1:\(port)/registry"
        let result = try CommandRunner.cli(["serve", "--port", String(FreePort.next())],
                                           environment: ["PYRMUTE_REGISTRY_DATABASE_URL": url,
                                                         "PYRMUTE_REGISTRY_SUPERVISOR_PORT": "0"])
        XCTAssertEqual(result.status, 1)
        XCTAssertFalse(result.output.contains("s3cret-pass"), result.output)
        let errorLines = result.output.split(separator: "\n").filter { $0.hasPrefix("✗") }
        XCTAssertEqual(errorLines.count, 1, result.output)
        XCTAssertTrue(errorLines[0].contains("postgresql://registry:***@127.0.0.1:\(port)/registry"), result.output)
        XCTAssertFalse(result.output.contains("Fatal error"), result.output)
    }
}
