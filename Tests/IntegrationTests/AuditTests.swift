import Foundation
import RegistryJSON
import RegistryRuntime
import XCTest

/// The audit trail through the real server, on both databases (contract §7.9, with the port's
/// changes: 401s are audited too, the client address honours trusted proxies, rows carry
/// `duration_ms`, and `GET /audit-logs` reads them).
final class AuditTests: XCTestCase {
    func testRowsForSuccessAndFailure_sqlite() throws { try rowsForSuccessAndFailure(.sqlite) }
    func testRowsForSuccessAndFailure_postgres() throws { try rowsForSuccessAndFailure(.postgres) }
    func testAuditEndpointFiltersAndPages_sqlite() throws { try filters(.sqlite) }
    func testAuditEndpointFiltersAndPages_postgres() throws { try filters(.postgres) }
    func testClientAddressAndTrustedProxies_sqlite() throws { try clientAddress(.sqlite) }
    func testClientAddressAndTrustedProxies_postgres() throws { try clientAddress(.postgres) }
    func testAuditSettings_sqlite() throws { try auditSettings(.sqlite) }
    func testAuditSettings_postgres() throws { try auditSettings(.postgres) }

    static let rowFields = ["id", "timestamp", "api_key_id", "api_key_name", "permission_level", "action", "resource_type",
                            "resource_id", "method", "path", "status_code", "client_ip", "user_agent", "correlation_id",
                            "duration_ms"]

    private struct Expected {
        let method: String, path: String, status: Int
        let key: (id: Int, name: String, permission: String)?
        let action: String, resourceID: String?
        let userAgent: String?, correlationID: String
    }

    // MARK: - rows

    private func rowsForSuccessAndFailure(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 2)
        let adminID = try XCTUnwrap(try server.call("/api-keys", key: admin).json()["keys"]?[0]?["id"]?.intValue)
        let adminInfo = (id: adminID, name: "admin", permission: "admin")
        var expected: [Expected] = []

        /// Sends one request and notes the audit row it must leave.
        @discardableResult
        func send(_ method: String, _ path: String, as who: (info: (id: Int, name: String, permission: String), key: String)?,
                  json: String? = nil, rawKey: String? = nil, status: Int, action: String, resourceID: String?,
                  userAgent: String? = nil, correlationID: String? = nil) throws -> HTTPClientResponse {
            var headers: [(String, String)] = []
            if let userAgent { headers.append(("User-Agent", userAgent)) }
            if let correlationID { headers.append(("X-Correlation-ID", correlationID)) }
            let response = try server.call(method, path, key: who?.key ?? rawKey, json: json, headers: headers)
            XCTAssertEqual(response.status, status, "\(method) \(path): \(response.text)")
            let echoed = try XCTUnwrap(response.header("X-Correlation-ID"))
            if let correlationID { XCTAssertEqual(echoed, correlationID) }
            expected.append(Expected(method: method, path: String(path.prefix { $0 != "?" }), status: status, key: who?.info,
                                     action: action, resourceID: resourceID, userAgent: userAgent, correlationID: echoed))
            return response
        }
        let asAdmin = (info: adminInfo, key: admin)
        let schema = #"{"version":"1.0.0","json_schema":{},"registered_by":"audit"}"#

        let created = try send("POST", "/api-keys", as: asAdmin, json: #"{"name":"writer","permission":"write"}"#,
                               status: 201, action: "post_key", resourceID: nil, userAgent: "audit-tests/1.0")
        let writerRecord = try created.json()
        let writerID = try XCTUnwrap(writerRecord["id"]?.intValue)
        let asWriter = (info: (id: writerID, name: "writer", permission: "write"), key: try XCTUnwrap(writerRecord["api_key"]?.stringValue))

        try send("POST", "/schemas/ns/User/versions", as: asWriter, json: schema, status: 201, action: "post_schema",
                 resourceID: "ns::User", userAgent: "audit-tests/1.0", correlationID: "audit-corr-1")
        try send("POST", "/schemas/User/versions", as: asWriter, json: schema, status: 201, action: "post_schema", resourceID: "User")
        try send("POST", "/schemas/ns/User/versions", as: asWriter, json: schema, status: 409, action: "post_schema", resourceID: "ns::User")
        try send("POST", "/schemas/ns/User/versions", as: asWriter, json: #"{"version":"bad"}"#, status: 422,
                 action: "post_schema", resourceID: "ns::User")
        try send("POST", "/schemas/ns/User/versions/1.0.0/deprecate?message=old", as: asWriter, status: 200,
                 action: "post_schema", resourceID: "ns::User@1.0.0")
        try send("DELETE", "/schemas/ns/User/versions/1.0.0?force=true", as: asWriter, status: 403,
                 action: "delete_schema", resourceID: "ns::User@1.0.0")
        try send("DELETE", "/schemas/ns/User/versions/1.0.0?force=true", as: asAdmin, status: 200,
                 action: "delete_schema", resourceID: "ns::User@1.0.0")
        try send("DELETE", "/schemas/ns/User/versions/1.0.0?force=true", as: asAdmin, status: 404,
                 action: "delete_schema", resourceID: "ns::User@1.0.0")
        try send("DELETE", "/schemas/User/versions/1.0.0?force=true", as: asAdmin, status: 200,
                 action: "delete_schema", resourceID: "User")   // the reference's rule for global paths (§7.9)
        try send("POST", "/schemas/ns/User/versions", as: nil, json: schema, status: 401, action: "post_schema",
                 resourceID: "ns::User", userAgent: "anonymous/0.1")
        try send("POST", "/schemas/User/versions", as: nil, json: schema, rawKey: AuthSupport.garbageKey(), status: 401,
                 action: "post_schema", resourceID: "User")
        try send("POST", "/api-keys", as: (info: asWriter.info, key: asWriter.key), json: "{}", status: 403, action: "post_key", resourceID: nil)
        try send("POST", "/api-keys", as: asAdmin, json: #"{"name":"writer"}"#, status: 409, action: "post_key", resourceID: nil)
        try send("POST", "/api-keys/\(writerID)/revoke", as: asAdmin, json: #"{"revoked_by":"audit"}"#, status: 200,
                 action: "post_key", resourceID: String(writerID))
        try send("DELETE", "/api-keys/\(writerID)", as: asAdmin, status: 204, action: "delete_key", resourceID: String(writerID))
        try send("PUT", "/schemas/ns/User/versions", as: nil, status: 405, action: "put_schema", resourceID: "ns::User")

        // Never audited: reads, health, the audit endpoint itself, paths outside AUDIT_PATHS.
        XCTAssertEqual(try server.call("/schemas", key: admin).status, 200)
        XCTAssertEqual(try server.call("/api-keys", key: admin).status, 200)
        XCTAssertEqual(try server.call("/api-keys/stats", key: admin).status, 200)
        XCTAssertEqual(try server.call("/health", key: nil).status, 200)
        XCTAssertEqual(try server.call("POST", "/health", key: admin).status, 405)
        XCTAssertEqual(try server.call("GET", "/schemas", key: nil).status, 401)

        let response = try server.call("/audit-logs", key: admin)
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.header("Content-Type"), "application/json")
        XCTAssertEqual(try response.json().objectValue?.keys, ["logs", "total", "limit", "offset"])
        let (logs, _) = try server.auditLogs(admin: admin, count: expected.count)
        usleep(600_000)   // nothing else trickles in
        let (settled, _) = try server.auditLogs(admin: admin, count: expected.count)
        XCTAssertEqual(settled.count, logs.count)
        XCTAssertEqual(try server.call("/audit-logs", key: admin).json()["limit"], 100)

        for (row, want) in zip(logs, expected.reversed()) {   // newest first
            let context = "\(want.method) \(want.path) → \(want.status): \(row)"
            XCTAssertEqual(row.objectValue?.keys, Self.rowFields, context)
            XCTAssertEqual(row["method"]?.stringValue, want.method, context)
            XCTAssertEqual(row["path"]?.stringValue, want.path, context)
            XCTAssertEqual(row["status_code"]?.intValue, want.status, context)
            XCTAssertEqual(row["api_key_id"]?.intValue, want.key?.id, context)
            XCTAssertEqual(row["api_key_name"]?.stringValue, want.key?.name, context)
            XCTAssertEqual(row["permission_level"]?.stringValue, want.key?.permission, context)
            XCTAssertEqual(row["action"]?.stringValue, want.action, context)
            XCTAssertEqual(row["resource_type"]?.stringValue, want.path.hasPrefix("/api-keys") ? "key" : "schema", context)
            XCTAssertEqual(row["resource_id"]?.stringValue, want.resourceID, context)
            XCTAssertEqual(row["client_ip"]?.stringValue, "127.0.0.1", context)
            XCTAssertEqual(row["user_agent"]?.stringValue, want.userAgent, context)
            XCTAssertEqual(row["correlation_id"]?.stringValue, want.correlationID, context)
            XCTAssertTrue(row["timestamp"]?.stringValue?.hasSuffix("Z") == true, context)
            XCTAssertTrue((row["duration_ms"]?.doubleValue ?? -1) >= 0, context)
            XCTAssertNotNil(row["id"]?.intValue, context)
        }
        let ids = logs.compactMap { $0["id"]?.intValue }
        XCTAssertEqual(Set(ids).count, expected.count)
        let times = logs.compactMap { $0["timestamp"]?.stringValue.flatMap(Timestamp.init(iso:)) }
        XCTAssertEqual(times, times.sorted(by: >), "newest first")
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - the endpoint

    private func filters(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend)
        let writer = try server.createKey("writer", permission: "write", admin: admin)                // 201 admin
        XCTAssertEqual(try server.register("/schemas/ns/A/versions", version: "1.0.0", key: writer.key).status, 201)
        XCTAssertEqual(try server.register("/schemas/ns/B/versions", version: "1.0.0", key: writer.key).status, 201)
        XCTAssertEqual(try server.call("DELETE", "/schemas/ns/A/versions/1.0.0?force=true", key: writer.key).status, 403)
        XCTAssertEqual(try server.call("POST", "/api-keys", key: admin, json: #"{"name":"x"}"#).status, 422)
        XCTAssertEqual(try server.register("/schemas/ns/A/versions", version: "2.0.0", key: nil).status, 401)
        let all = try server.auditLogs(admin: admin, count: 6).logs
        XCTAssertEqual(all.map { $0["status_code"]?.intValue }, [401, 422, 403, 201, 201, 201])

        func ids(_ query: String, total expectedTotal: Int? = nil) throws -> [Int] {
            let response = try server.call("/audit-logs?" + query, key: admin)
            XCTAssertEqual(response.status, 200, "\(query): \(response.text)")
            let body = try response.json()
            let logs = body["logs"]?.arrayValue ?? []
            XCTAssertEqual(body["total"]?.intValue, expectedTotal ?? logs.count, query)
            return logs.compactMap { $0["id"]?.intValue }
        }
        let id = all.compactMap { $0["id"]?.intValue }
        XCTAssertEqual(try ids("api_key_id=\(writer.id)"), [id[2], id[3], id[4]])
        XCTAssertEqual(try ids("api_key_id=999999"), [])
        XCTAssertEqual(try ids("path_prefix=/api-keys"), [id[1], id[5]])
        XCTAssertEqual(try ids("path_prefix=/schemas/ns/A"), [id[0], id[2], id[4]])
        XCTAssertEqual(try ids("status_code=403"), [id[2]])
        XCTAssertEqual(try ids("status_code=201"), [id[3], id[4], id[5]])
        XCTAssertEqual(try ids("api_key_id=\(writer.id)&status_code=201&path_prefix=/schemas/ns/B"), [id[3]])

        let stamp = all.map { $0["timestamp"]?.stringValue ?? "" }
        XCTAssertEqual(try ids("since=\(stamp[2])"), [id[0], id[1], id[2]])
        XCTAssertEqual(try ids("until=\(stamp[2])"), [id[2], id[3], id[4], id[5]])
        XCTAssertEqual(try ids("since=\(stamp[3])&until=\(stamp[1])"), [id[1], id[2], id[3]])
        XCTAssertEqual(try ids("since=2000-01-01T00:00:00Z&until=2001-01-01T00:00:00Z"), [])
        XCTAssertEqual(try ids("since=2000-01-01T00:00:00%2B00:00"), id)

        XCTAssertEqual(try ids("limit=2", total: 6), [id[0], id[1]])
        XCTAssertEqual(try ids("limit=2&offset=2", total: 6), [id[2], id[3]])
        XCTAssertEqual(try ids("offset=5", total: 6), [id[5]])
        XCTAssertEqual(try ids("offset=10", total: 6), [])
        let paged = try server.call("/audit-logs?limit=3&offset=1", key: admin).json()
        XCTAssertEqual(paged["limit"], 3)
        XCTAssertEqual(paged["offset"], 1)

        for query in ["limit=0", "limit=1001", "offset=-1", "limit=x", "since=yesterday", "until=2024-13-01T00:00:00Z",
                      "api_key_id=abc", "status_code=abc"] {
            let response = try server.call("/audit-logs?" + query, key: admin)
            XCTAssertEqual(response.status, 422, "\(query): \(response.text)")
        }
        try server.call("/audit-logs", key: writer.key).assertForbidden("admin", "write key reading the audit log")
        try server.call("/audit-logs", key: nil).assertUnauthorized(AuthSupport.required, "no key")
        // Reading the audit log is not audited.
        XCTAssertEqual(try server.auditLogs(admin: admin).total, 6)
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - client address

    private func clientAddress(_ backend: Backend) throws {
        let schema = #"{"version":"1.0.0","json_schema":{},"registered_by":"ip"}"#
        // The peer is not a trusted proxy: X-Forwarded-For is ignored.
        do {
            let (server, admin) = try AuthSupport.server(backend)
            XCTAssertEqual(try server.call("POST", "/schemas/ns/A/versions", key: admin, json: schema,
                                           headers: [("X-Forwarded-For", "203.0.113.7")]).status, 201)
            let logs = try server.auditLogs(admin: admin, count: 1).logs
            XCTAssertEqual(logs.first?["client_ip"], "127.0.0.1")
            XCTAssertEqual(try server.stop(), 0)
        }
        // The peer is trusted: the right-most untrusted X-Forwarded-For entry.
        let (server, admin) = try AuthSupport.server(backend, environment: [
            "PYRMUTE_REGISTRY_TRUSTED_PROXIES": #"["127.0.0.1","10.0.0.0/8"]"#,
        ])
        let cases: [(String?, String)] = [
            (nil, "127.0.0.1"),
            ("203.0.113.7", "203.0.113.7"),
            ("198.51.100.1, 203.0.113.7", "203.0.113.7"),
            ("203.0.113.9, 10.1.2.3", "203.0.113.9"),
            ("198.51.100.2,203.0.113.9,127.0.0.1", "203.0.113.9"),
        ]
        var expected: [String: String] = [:]
        for (index, (forwarded, client)) in cases.enumerated() {
            let correlation = "ip-case-\(index)"
            var headers = [("X-Correlation-ID", correlation)]
            if let forwarded { headers.append(("X-Forwarded-For", forwarded)) }
            XCTAssertEqual(try server.call("POST", "/schemas/ns/M\(index)/versions", key: admin, json: schema, headers: headers).status, 201)
            expected[correlation] = client
        }
        let logs = try server.auditLogs(admin: admin, count: cases.count).logs
        for row in logs {
            let correlation = row["correlation_id"]?.stringValue ?? ""
            XCTAssertEqual(row["client_ip"]?.stringValue, expected[correlation], "\(correlation): \(row)")
        }
        XCTAssertEqual(Set(logs.compactMap { $0["correlation_id"]?.stringValue }), Set(expected.keys))
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - settings

    private func auditSettings(_ backend: Backend) throws {
        let schema = #"{"version":"1.0.0","json_schema":{},"registered_by":"settings"}"#
        // AUDIT_ENABLED=false: no rows, the endpoint still answers.
        do {
            let (server, admin) = try AuthSupport.server(backend, environment: ["PYRMUTE_REGISTRY_AUDIT_ENABLED": "false"])
            XCTAssertEqual(try server.call("POST", "/schemas/ns/A/versions", key: admin, json: schema).status, 201)
            XCTAssertEqual(try server.call("POST", "/schemas/ns/A/versions", key: nil, json: schema).status, 401)
            usleep(600_000)
            XCTAssertEqual(try server.auditLogs(admin: admin).total, 0)
            XCTAssertEqual(try AuthSupport.withDatabase(server.databaseURL) { try $0.scalarInt("SELECT count(*) FROM audit_logs") }, 0)
            XCTAssertEqual(try server.stop(), 0)
        }
        // Only DELETE (given in lower case: upper-cased) under /api-keys.
        let (server, admin) = try AuthSupport.server(backend, environment: [
            "PYRMUTE_REGISTRY_AUDIT_METHODS": #"["delete"]"#, "PYRMUTE_REGISTRY_AUDIT_PATHS": #"["/api-keys"]"#,
        ])
        let victim = try server.createKey("victim", admin: admin)
        XCTAssertEqual(try server.call("POST", "/schemas/ns/A/versions", key: admin, json: schema).status, 201)
        XCTAssertEqual(try server.call("DELETE", "/schemas/ns/A/versions/1.0.0?force=true", key: admin).status, 200)
        XCTAssertEqual(try server.call("DELETE", "/api-keys/\(victim.id)", key: admin).status, 204)
        let logs = try server.auditLogs(admin: admin, count: 1).logs
        XCTAssertEqual(logs.first?["action"], "delete_key")
        XCTAssertEqual(logs.first?["resource_id"]?.stringValue, String(victim.id))
        XCTAssertEqual(try server.stop(), 0)
    }
}
