import Foundation
import RegistryJSON
import RegistryStorage
import XCTest

/// `GET /`, the health probes, 404/405, HEAD and the trailing-slash redirect (contract §1.1, §5),
/// as a client sees them on the wire.
final class HealthEndpointTests: XCTestCase {
    func testRootAndProbes_sqlite() throws { try rootAndProbes(.sqlite) }
    func testRootAndProbes_postgres() throws { try rootAndProbes(.postgres) }
    func testRoutingErrorsAndHead_sqlite() throws { try routingErrorsAndHead(.sqlite) }
    func testRoutingErrorsAndHead_postgres() throws { try routingErrorsAndHead(.postgres) }
    func testProductionHidesDocsAndInternals_sqlite() throws { try productionHidesDocs(.sqlite) }
    func testProductionHidesDocsAndInternals_postgres() throws { try productionHidesDocs(.postgres) }

    private func rootAndProbes(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)

        let root = try server.request("/")
        XCTAssertEqual(root.status, 200)
        XCTAssertEqual(root.header("Content-Type"), "application/json")
        XCTAssertEqual(root.text, #"{"name":"Pyrmute Schema Registry","version":"1.0.0","environment":"development","# +
            #""documentation":{"swagger":"/docs","redoc":"/redoc","openapi":"/openapi.json"},"# +
            #""endpoints":{"health":"/health","schemas":"/schemas"},"repository":"https://github.com/mferrera/pyrmute-registry"}"#)

        let live = try server.request("/health/live")
        XCTAssertEqual(live.status, 200)
        XCTAssertEqual(live.text, #"{"alive":true}"#)

        let ready = try server.request("/health/ready")
        XCTAssertEqual(ready.status, 200)
        XCTAssertEqual(ready.text, #"{"ready":true}"#)

        let first = try server.request("/health")
        XCTAssertEqual(first.status, 200)
        XCTAssertEqual(first.header("Content-Type"), "application/json")
        let health = try first.json()
        XCTAssertEqual(health.objectValue?.keys,
                       ["status", "version", "environment", "database", "schemas_count", "uptime_seconds", "timestamp", "healthy"])
        XCTAssertEqual(health["healthy"], true, "the Python client's RegistryPlugin reads it")
        XCTAssertEqual(health["status"], "healthy")
        XCTAssertEqual(health["version"], "1.0.0")
        XCTAssertEqual(health["environment"], "development")
        let database: JSONValue = ["type": .string(backend.scheme), "connected": true]
        XCTAssertEqual(health["database"], database)
        XCTAssertEqual(health["schemas_count"], 0)
        let timestamp = try XCTUnwrap(health["timestamp"]?.stringValue)
        XCTAssertTrue(timestamp.hasSuffix("+00:00"), timestamp)
        XCTAssertNotNil(ISO8601DateFormatter.withFractions.date(from: timestamp) ?? ISO8601DateFormatter().date(from: timestamp))
        usleep(20_000)
        let later = try server.request("/health").json()
        XCTAssertGreaterThan(try XCTUnwrap(later["uptime_seconds"]?.doubleValue), try XCTUnwrap(health["uptime_seconds"]?.doubleValue))

        // The database is really counted: rows added behind the server's back show up.
        try insertSchemaRows(databaseURL: server, count: 3, backend: backend)
        XCTAssertEqual(try server.request("/health").json()["schemas_count"], 3)

        // Correlation id: echoed when given, generated (UUIDv4) when not.
        XCTAssertEqual(try server.request("/health/live", headers: [("X-Correlation-ID", "abc_DEF-123")]).header("X-Correlation-ID"), "abc_DEF-123")
        XCTAssertEqual(try server.request("/", headers: [("X-Request-ID", "req-9")]).header("X-Correlation-ID"), "req-9")
        let longest = String(repeating: "a1-", count: 66) + "zz"   // 200 characters: echoed
        XCTAssertEqual(try server.request("/health/live", headers: [("X-Correlation-ID", longest)]).header("X-Correlation-ID"), longest)
        let tooLong = try XCTUnwrap(try server.request("/health/live", headers: [("X-Correlation-ID", longest + "z")]).header("X-Correlation-ID"))
        XCTAssertNotNil(UUID(uuidString: tooLong), "201 characters: replaced by a generated id, got \(tooLong)")
        let generated = try XCTUnwrap(try server.request("/health").header("X-Correlation-ID"))
        XCTAssertNotNil(UUID(uuidString: generated), generated)
        XCTAssertEqual(generated, generated.lowercased())
        XCTAssertEqual(try server.stop(), 0)
    }

    private func routingErrorsAndHead(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1)

        let missing = try server.request("/no/such/path")
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.text, #"{"detail":"Not Found"}"#)
        XCTAssertEqual(missing.header("Content-Type"), "application/json")
        XCTAssertNotNil(missing.header("X-Correlation-ID"))

        let wrongMethod = try server.request("PUT", "/")
        XCTAssertEqual(wrongMethod.status, 405)
        XCTAssertEqual(wrongMethod.text, #"{"detail":"Method Not Allowed"}"#)
        XCTAssertEqual(wrongMethod.header("Allow"), "GET, HEAD")
        XCTAssertEqual(try server.request("POST", "/health/ready", body: Array("{}".utf8)).status, 405)
        XCTAssertEqual(try server.request("DELETE", "/health").status, 405)

        for path in ["/", "/health", "/health/live", "/health/ready"] {
            let get = try server.request("GET", path)
            let head = try server.request("HEAD", path)
            XCTAssertEqual(head.status, 200, path)
            XCTAssertEqual(head.body, [], path)
            XCTAssertEqual(head.header("Content-Type"), "application/json", path)
            if path != "/health" {   // /health's body changes (uptime, timestamp) between requests
                XCTAssertEqual(head.header("Content-Length"), String(get.body.count), path)
            }
        }

        let redirect = try server.request("/health/")
        XCTAssertEqual(redirect.status, 307)
        XCTAssertEqual(redirect.header("Location"), "http://127.0.0.1:\(server.port)/health")
        let withQuery = try server.request("/health/live/?x=1")
        XCTAssertEqual(withQuery.header("Location"), "http://127.0.0.1:\(server.port)/health/live?x=1")

        // Keep-alive: several requests on one connection.
        let connection = try RawConnection(port: server.port)
        try connection.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\nGET /health/ready HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        let answers = try connection.readResponse()
        XCTAssertEqual(answers.components(separatedBy: "HTTP/1.1 200 OK").count - 1, 3, answers)

        // A malformed request gets a 400, not a crash; the worker keeps serving.
        let garbage = try RawConnection(port: server.port)
        try garbage.send("NOT HTTP AT ALL\r\n\r\n")
        XCTAssertTrue(try garbage.readResponse().hasPrefix("HTTP/1.1 400"))
        XCTAssertEqual(try server.request("/health/live").status, 200)
        XCTAssertEqual(try server.stop(), 0)
    }

    private func productionHidesDocs(_ backend: Backend) throws {
        let url = try backend.freshDatabaseURL()
        XCTAssertEqual(try CommandRunner.cli(["init-db"], environment: ["PYRMUTE_REGISTRY_DATABASE_URL": url]).status, 0)
        let server = try ServerProcess(databaseURL: url, workers: 1, environment: [
            "PYRMUTE_REGISTRY_ENVIRONMENT": "production", "PYRMUTE_REGISTRY_APP_NAME": "Prod Registry",
            "PYRMUTE_REGISTRY_APP_VERSION": "9.9.9",
        ])
        let root = try server.request("/").json()
        XCTAssertEqual(root["name"], "Prod Registry")
        XCTAssertEqual(root["version"], "9.9.9")
        XCTAssertEqual(root["environment"], "production")
        XCTAssertEqual(root["documentation"], ["swagger": nil, "redoc": nil, "openapi": "/openapi.json"])
        XCTAssertEqual(try server.request("/health").json()["version"], "9.9.9")
        XCTAssertFalse(server.log.contains("Docs: "))
        XCTAssertEqual(try server.stop(), 0)
    }
}

extension ISO8601DateFormatter {
    static let withFractions: ISO8601DateFormatter = {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }()
}

/// Inserts rows straight into `schemas`, the way the Python reference would have stored them.
func insertSchemaRows(databaseURL server: ServerProcess, count: Int, backend: Backend) throws {
    let url = try DatabaseURL(parsing: server.databaseURL)
    let db = try Database.connect(url)
    defer { db.close() }
    for i in 0..<count {
        try db.execute("""
            INSERT INTO schemas (namespace, model_name, version, json_schema, registered_at, registered_by, meta, deprecated)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, [.null, .text("Model\(i)"), .text("1.0.0"), .text("{}"), .text(Timestamp.now().storageText),
                  .text("test"), .text("{}"), .bool(false)])
    }
}
