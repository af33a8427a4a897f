import Foundation
import RegistryStorage
import XCTest

/// PostgreSQL goes away and comes back: readiness follows it without a restart of the server.
final class PostgresOutageTests: XCTestCase {
    func testReadinessFollowsPostgresDownAndUp() throws {
        _ = try PostgresCluster.shared()   // skips (or fails under CI) like every PostgreSQL test
        let cluster = try PostgresCluster.start()
        defer { cluster.discard() }
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
        XCTAssertEqual(body.objectValue?.keys, ["status", "error", "timestamp", "healthy"])
        XCTAssertEqual(body["healthy"], false)
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

    /// A database that goes silent (no reset: a partition, a dead host) is noticed because the
    /// pooled connections send keepalive probes after 15 s of silence (libpq's default leaves it
    /// to the system's two hours); a URL can still choose its own.
    func testPooledConnectionsProbeAQuietDatabase() throws {
        let cluster = try PostgresCluster.shared()
        let cases: [(url: String, idle: ClosedRange<Double>)] = [
            (try cluster.createDatabase(), 0...15),
            (try cluster.createDatabase() + "?keepalives_idle=600", 500...600),
        ]
        for (url, idle) in cases {
            let server = try ServerProcess(databaseURL: url, workers: 1)
            for _ in 0..<3 { XCTAssertEqual(try server.request("/health").status, 200) }
            let pid = try XCTUnwrap(server.workerPIDs().first)
            let timers = try keepaliveTimers(of: pid, toPort: cluster.port)
            XCTAssertFalse(timers.isEmpty, "the worker holds no connection to PostgreSQL")
            for timer in timers {
                let seconds = try XCTUnwrap(timer, "a connection without a keepalive timer (\(url))")
                XCTAssertTrue(idle.contains(seconds), "keepalive due in \(seconds) s, expected \(idle) (\(url))")
            }
            XCTAssertEqual(try server.stop(), 0)
        }
    }

    /// For each established TCP connection of `pid` to 127.0.0.1:`port`: the seconds until its
    /// keepalive timer fires, nil when none runs (`/proc/net/tcp`: `tr` 2, `tm->when` in 1/100 s).
    private func keepaliveTimers(of pid: pid_t, toPort port: Int) throws -> [Double?] {
        let fds = "/proc/\(pid)/fd"
        let sockets = Set(try FileManager.default.contentsOfDirectory(atPath: fds).compactMap { fd -> Substring? in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(fds)/\(fd)"),
                  target.hasPrefix("socket:[") else { return nil }
            return Substring(target.dropFirst(8).dropLast())
        })
        let remote = String(format: "0100007F:%04X", port)
        // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
        // Read to the end: a /proc file reports size 0, and a sized read gets only its first page.
        let table = try XCTUnwrap(FileHandle(forReadingAtPath: "/proc/net/tcp")).readToEnd() ?? Data()
        return String(decoding: table, as: UTF8.self).split(separator: "\n").dropFirst().compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count > 9, fields[2] == remote, fields[3] == "01", sockets.contains(fields[9]) else { return nil }
            let timer = fields[5].split(separator: ":")
            guard timer.count == 2, timer[0] == "02", let ticks = Int(timer[1], radix: 16) else { return .some(nil) }
            return Double(ticks) / 100
        }
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
