import Foundation
import RegistryDomain
import RegistryJSON
import XCTest

/// Authentication and authorization through the real server, on both databases (contract §2,
/// with the port's deliberate changes: namespaced registration needs WRITE, key endpoints answer
/// 400 with authentication off, revocation reaches every worker within a second).
final class AuthTests: XCTestCase {
    func testCredentialsHeadersAndPrecedence_sqlite() throws { try credentials(.sqlite) }
    func testCredentialsHeadersAndPrecedence_postgres() throws { try credentials(.postgres) }
    func testPermissionMatrix_sqlite() throws { try permissionMatrix(.sqlite) }
    func testPermissionMatrix_postgres() throws { try permissionMatrix(.postgres) }
    func testAuthDisabled_sqlite() throws { try authDisabled(.sqlite) }
    func testAuthDisabled_postgres() throws { try authDisabled(.postgres) }
    func testExpiredKeyIsRefused_sqlite() throws { try expiry(.sqlite) }
    func testExpiredKeyIsRefused_postgres() throws { try expiry(.postgres) }
    func testRevocationAndDeletionReachEveryWorker_sqlite() throws { try revocationReachesEveryWorker(.sqlite) }
    func testRevocationAndDeletionReachEveryWorker_postgres() throws { try revocationReachesEveryWorker(.postgres) }
    func testRevocationDuringFirstUseIsNotLost_sqlite() throws { try revocationDuringFirstUse(.sqlite) }
    func testRevocationDuringFirstUseIsNotLost_postgres() throws { try revocationDuringFirstUse(.postgres) }
    func testReferenceKeysWithoutLookupID_sqlite() throws { try referenceKeys(.sqlite) }
    func testReferenceKeysWithoutLookupID_postgres() throws { try referenceKeys(.postgres) }
    func testGarbageKeysAreRefused_sqlite() throws { try garbageKeys(.sqlite) }
    func testGarbageKeysAreRefused_postgres() throws { try garbageKeys(.postgres) }
    func testNoKeyOrHashInTheLog_sqlite() throws { try logScan(.sqlite) }
    func testNoKeyOrHashInTheLog_postgres() throws { try logScan(.postgres) }

    // MARK: - credentials

    private func credentials(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend)
        let reader = try server.createKey("reader", admin: admin)

        for path in ["/", "/health", "/health/live", "/health/ready"] {
            XCTAssertEqual(try server.call(path, key: nil).status, 200, "\(path) is public")
            XCTAssertEqual(try server.call(path, key: AuthSupport.garbageKey()).status, 200, "\(path) ignores credentials")
        }

        let missing = try server.call("/schemas", key: nil)
        missing.assertUnauthorized(AuthSupport.required, "no key")
        XCTAssertNotNil(missing.header("X-Correlation-ID"))
        let absentCases: [(String, [(String, String)])] = [
            ("empty X-API-Key", [("X-API-Key", "")]),
            ("Basic scheme", [("Authorization", "Basic \(reader.key)")]),
            ("Bearer without token", [("Authorization", "Bearer")]),
            ("bare token", [("Authorization", reader.key)]),
        ]
        for (what, headers) in absentCases {
            try server.call("GET", "/schemas", key: nil, headers: headers).assertUnauthorized(AuthSupport.required, what)
        }
        let invalidCases: [(String, [(String, String)])] = [
            ("unknown X-API-Key", [("X-API-Key", AuthSupport.garbageKey())]),
            ("unknown Bearer", [("Authorization", "Bearer \(AuthSupport.garbageKey())")]),
            ("X-API-Key wins over a valid Bearer", [("X-API-Key", AuthSupport.garbageKey()), ("Authorization", "Bearer \(reader.key)")]),
            ("key with a trailing character", [("X-API-Key", reader.key + "x")]),
            ("key cut short", [("X-API-Key", String(reader.key.dropLast()))]),
            ("over 72 bytes", [("X-API-Key", reader.key + reader.key)]),
        ]
        for (what, headers) in invalidCases {
            try server.call("GET", "/schemas", key: nil, headers: headers).assertUnauthorized(AuthSupport.invalid, what)
        }
        let acceptedCases: [(String, [(String, String)])] = [
            ("X-API-Key", [("X-API-Key", reader.key)]),
            ("lower-case header name", [("x-api-key", reader.key)]),
            ("Bearer", [("Authorization", "Bearer \(reader.key)")]),
            ("bearer", [("Authorization", "bearer \(reader.key)")]),
            ("BEARER", [("Authorization", "BEARER \(reader.key)")]),
            ("X-API-Key wins over an unknown Bearer", [("X-API-Key", reader.key), ("Authorization", "Bearer \(AuthSupport.garbageKey())")]),
            ("empty X-API-Key falls back to Bearer", [("X-API-Key", ""), ("Authorization", "Bearer \(reader.key)")]),
        ]
        for (what, headers) in acceptedCases {
            let response = try server.call("GET", "/schemas", key: nil, headers: headers)
            XCTAssertEqual(response.status, 200, "\(what): \(response.text)")
        }

        // Order of checks: 401 → 403 → 422.
        let badBody = #"{"version":"bad"}"#
        try server.call("POST", "/schemas/ns/User/versions", key: nil, json: badBody).assertUnauthorized(AuthSupport.required, "bad body, no key")
        try server.call("/schemas?limit=0", key: nil).assertUnauthorized(AuthSupport.required, "bad query, no key")
        try server.call("POST", "/schemas/ns/User/versions", key: reader.key, json: badBody).assertForbidden("write", "bad body, read key")
        XCTAssertEqual(try server.call("/schemas?limit=0", key: reader.key).status, 422)
        let forbidden = try server.call("POST", "/schemas/User/versions", key: reader.key, json: badBody)
        forbidden.assertForbidden("write", "global register, read key")
        XCTAssertEqual(forbidden.header("Content-Type"), "application/json")
        XCTAssertNotNil(forbidden.header("X-Correlation-ID"))
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - permissions (§2.5 with namespaced registration at WRITE)

    private struct Cell {
        let method: String
        let path: String
        let body: (() -> String)?
        let required: String
        let allowedStatus: Int
    }

    private func permissionMatrix(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend)
        var keys = ["admin": admin]
        for level in ["read", "write", "delete"] { keys[level] = try server.createKey("\(level)-key", permission: level, admin: admin).key }
        XCTAssertEqual(try server.register("/schemas/ns/User/versions", version: "1.0.0", key: admin).status, 201)
        XCTAssertEqual(try server.register("/schemas/User/versions", version: "1.0.0", key: admin).status, 201)

        var next = 0
        let schema: () -> String = {
            next += 1
            return #"{"version":"2.0.\#(next)","json_schema":{},"registered_by":"matrix"}"#
        }
        func cell(_ method: String, _ path: String, _ required: String, _ status: Int, _ body: (() -> String)? = nil) -> Cell {
            Cell(method: method, path: path, body: body, required: required, allowedStatus: status)
        }
        let cells = [
            cell("GET", "/schemas", "read", 200),
            cell("GET", "/schemas/ns/User/versions", "read", 200),
            cell("GET", "/schemas/ns/User/versions/latest", "read", 200),
            cell("GET", "/schemas/ns/User/versions/1.0.0", "read", 200),
            cell("GET", "/schemas/ns/User/compare?from_version=1.0.0&to_version=1.0.0", "read", 200),
            cell("GET", "/schemas/User/versions", "read", 200),
            cell("GET", "/schemas/User/versions/latest", "read", 200),
            cell("GET", "/schemas/User/versions/1.0.0", "read", 200),
            cell("GET", "/schemas/User/compare?from_version=1.0.0&to_version=1.0.0", "read", 200),
            cell("GET", "/schemas/User/namespaces", "read", 200),
            cell("POST", "/schemas/ns/User/versions", "write", 201, schema),   // READ in the reference (§13.3)
            cell("POST", "/schemas/User/versions", "write", 201, schema),
            cell("POST", "/schemas/ns/User/versions/1.0.0/deprecate", "write", 200),
            cell("POST", "/schemas/ns/User/versions/1.0.0/undeprecate", "write", 200),
            cell("POST", "/schemas/User/versions/1.0.0/deprecate", "write", 200),
            cell("POST", "/schemas/User/versions/1.0.0/undeprecate", "write", 200),
            cell("DELETE", "/schemas/ns/User/versions/9.9.9?force=true", "delete", 404),
            cell("DELETE", "/schemas/User/versions/9.9.9?force=true", "delete", 404),
            cell("POST", "/api-keys", "admin", 422, { #"{"name":"x"}"# }),
            cell("GET", "/api-keys", "admin", 200),
            cell("GET", "/api-keys/stats", "admin", 200),
            cell("GET", "/api-keys/999999", "admin", 404),
            cell("POST", "/api-keys/999999/revoke", "admin", 404, { #"{"revoked_by":"matrix"}"# }),
            cell("POST", "/api-keys/999999/rotate", "admin", 404, { "{}" }),
            cell("DELETE", "/api-keys/999999", "admin", 404),
            cell("GET", "/audit-logs", "admin", 200),
        ]
        let levels = ["read", "write", "delete", "admin"]
        for cell in cells {
            let requiredLevel = levels.firstIndex(of: cell.required)!
            for (index, level) in levels.enumerated() {
                let response = try server.call(cell.method, cell.path, key: keys[level], json: cell.body?())
                let context = "\(level) key: \(cell.method) \(cell.path)"
                if index >= requiredLevel {
                    XCTAssertEqual(response.status, cell.allowedStatus, "\(context): \(response.text)")
                } else {
                    response.assertForbidden(cell.required, context)
                }
            }
        }

        // A real deletion with the delete key.
        XCTAssertEqual(try server.call("DELETE", "/schemas/ns/User/versions/1.0.0?force=true", key: keys["delete"]).status, 200)
        XCTAssertEqual(try server.call("DELETE", "/schemas/User/versions/1.0.0?force=true", key: keys["delete"]).status, 200)
        XCTAssertEqual(try server.call("/schemas/ns/User/versions/1.0.0", key: keys["read"]).status, 404)
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - authentication off

    private func authDisabled(_ backend: Backend) throws {
        let url = try backend.freshDatabaseURL()
        let server = try ServerProcess(databaseURL: url, workers: 1)
        // Schema endpoints need no key; a presented key is not even looked at.
        XCTAssertEqual(try server.register("/schemas/ns/User/versions", version: "1.0.0").status, 201)
        XCTAssertEqual(try server.call("POST", "/schemas/User/versions", key: AuthSupport.garbageKey(),
                                       json: #"{"version":"1.0.0","json_schema":{},"registered_by":"x"}"#).status, 201)
        XCTAssertEqual(try server.call("/schemas", key: AuthSupport.garbageKey()).status, 200)
        XCTAssertEqual(try server.call("DELETE", "/schemas/ns/User/versions/1.0.0?force=true", key: nil).status, 200)

        let endpoints: [(String, String, String?)] = [
            ("POST", "/api-keys", #"{"name":"valid-name","permission":"admin"}"#),
            ("GET", "/api-keys", nil),
            ("GET", "/api-keys?include_revoked=true", nil),
            ("GET", "/api-keys/stats", nil),
            ("GET", "/api-keys/1", nil),
            ("POST", "/api-keys/1/revoke", #"{"revoked_by":"someone"}"#),
            ("DELETE", "/api-keys/1", nil),
            ("POST", "/api-keys/1/rotate", "{}"),
            ("GET", "/audit-logs", nil),
        ]
        for (method, path, body) in endpoints {
            for key in [nil, AuthSupport.garbageKey()] {
                let response = try server.call(method, path, key: key, json: body)
                XCTAssertEqual(response.status, 400, "\(method) \(path): \(response.text)")
                XCTAssertEqual(response.text, #"{"detail":"\#(AuthSupport.disabled)"}"#, "\(method) \(path)")
            }
        }
        // Validation comes first.
        XCTAssertEqual(try server.call("POST", "/api-keys", key: nil, json: #"{"name":"x"}"#).status, 422)
        XCTAssertEqual(try server.call("POST", "/api-keys/1/rotate", key: nil, json: #"{"grace_period_hours":500}"#).status, 422)

        // No audit trail without authentication.
        usleep(600_000)
        XCTAssertEqual(try AuthSupport.withDatabase(url) { try $0.scalarInt("SELECT count(*) FROM audit_logs") }, 0)
        XCTAssertEqual(try AuthSupport.withDatabase(url) { try $0.scalarInt("SELECT count(*) FROM api_keys") }, 0)
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - expiry

    private func expiry(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 2)
        let key = try server.createKey("short-lived", admin: admin, extra: #","expires_in_days":1"#)
        XCTAssertNotEqual(key.record["expires_at"], .null)
        XCTAssertEqual(try server.call("/schemas", key: key.key).status, 200)

        try AuthSupport.backdate("expires_at", keyID: key.id, databaseURL: server.databaseURL)
        let refused = try server.waitForStatus(401, "expired key") { try server.call("/schemas", key: key.key) }
        refused.assertUnauthorized(AuthSupport.invalid, "expired key")
        // Every later request, on whichever worker, is refused too.
        for _ in 0..<10 { try server.call("/schemas", key: key.key).assertUnauthorized(AuthSupport.invalid, "expired key") }
        try server.call("GET", "/schemas", bearer: key.key)
            .assertUnauthorized(AuthSupport.invalid, "expired key as Bearer")

        let record = try server.keyRecord(key.id, admin: admin)
        XCTAssertEqual(record["expires_at"], "2020-01-01T00:00:00Z")
        XCTAssertEqual(record["is_expired"], true)
        XCTAssertEqual(record["is_active"], false)
        XCTAssertEqual(record["revoked"], false)
        XCTAssertEqual(try server.call("/api-keys/stats", key: admin).text,
                       #"{"total_keys":2,"active_keys":1,"revoked_keys":0,"expired_keys":1,"by_permission":{"read":1,"write":0,"delete":0,"admin":1}}"#)
        // Still listed (expired is not revoked).
        XCTAssertEqual(try server.call("/api-keys", key: admin).json()["total"], 2)
        // Expiry is checked on every request, also for a key a worker has cached: a key expiring
        // shortly after its last use is refused once the time has come, with no further change.
        let soon = try server.createKey("expires-soon", admin: admin)
        let expiry = Timestamp(microseconds: Timestamp.now().microseconds + 5_000_000)   // room for a bcrypt on a loaded machine
        try AuthSupport.withDatabase(server.databaseURL) { db in
            try db.execute("UPDATE api_keys SET expires_at = $1 WHERE id = $2", [.text(expiry.storageText), .int(Int64(soon.id))])
            try db.execute("UPDATE registry_state SET version = version + 1 WHERE name = 'api_keys'", [])
        }
        usleep(600_000)   // every worker has dropped its cache
        var usedBeforeExpiry = 0
        while Timestamp.now() < expiry {
            let status = try server.call("/schemas", key: soon.key).status
            if Timestamp.now() < expiry {   // answered before the expiry: must have been accepted
                XCTAssertEqual(status, 200, "before its expiry")
                usedBeforeExpiry += 1
            }
            usleep(100_000)
        }
        XCTAssertGreaterThan(usedBeforeExpiry, 0)
        for _ in 0..<10 { try server.call("/schemas", key: soon.key).assertUnauthorized(AuthSupport.invalid, "after its expiry") }
        XCTAssertEqual(try server.keyRecord(soon.id, admin: admin)["is_expired"], true)

        // Rotating it would mint a key born expired: refused (deviation from §8.8).
        let rotate = try server.call("POST", "/api-keys/\(key.id)/rotate", key: admin, json: "{}")
        XCTAssertEqual(rotate.status, 400)
        XCTAssertEqual(rotate.detail, "Cannot rotate expired key 'short-lived'")
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - revocation on every worker

    private func revocationReachesEveryWorker(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 2)
        let revoked = try server.createKey("to-revoke", admin: admin)
        let deleted = try server.createKey("to-delete", admin: admin)
        let pids = Set(try server.workerPIDs())
        XCTAssertEqual(pids.count, 2)

        // Use both keys until every worker has served (and cached) each.
        for key in [revoked.key, deleted.key] {
            var ids: [String] = []
            for _ in 0..<30 {
                for _ in 0..<10 {
                    let id = "warm-\(UUID().uuidString)"
                    XCTAssertEqual(try server.call("GET", "/schemas", key: key, headers: [("X-Correlation-ID", id)]).status, 200)
                    ids.append(id)
                }
                let served = servingWorkers(server.log)
                if Set(ids.compactMap { served[$0] }) == pids { break }
            }
            let served = servingWorkers(server.log)
            XCTAssertEqual(Set(ids.compactMap { served[$0] }), pids, "the key did not reach every worker")
        }

        XCTAssertEqual(try server.call("POST", "/api-keys/\(revoked.id)/revoke", key: admin, json: #"{"revoked_by":"ops"}"#).status, 200)
        XCTAssertEqual(try server.call("DELETE", "/api-keys/\(deleted.id)", key: admin).status, 204)
        let changed = Date()

        struct Attempt { let id: String; let after: Double; let status: Int; let text: String }
        var attempts: [Attempt] = []
        var lateWorkers = Set<pid_t>()
        while Date().timeIntervalSince(changed) < 1.5 || (lateWorkers != pids && Date().timeIntervalSince(changed) < 6) {
            for key in [revoked.key, deleted.key] {
                let id = "after-\(UUID().uuidString)"
                let after = Date().timeIntervalSince(changed)
                let response = try server.call("GET", "/schemas", key: key, headers: [("X-Correlation-ID", id)])
                attempts.append(Attempt(id: id, after: after, status: response.status, text: response.text))
            }
            if Date().timeIntervalSince(changed) >= 1.5 {
                let served = servingWorkers(server.log)
                lateWorkers = Set(attempts.filter { $0.after >= 1.0 }.compactMap { served[$0.id] })
            }
        }
        let late = attempts.filter { $0.after >= 1.0 }
        XCTAssertFalse(late.isEmpty)
        for attempt in late {
            XCTAssertEqual(attempt.status, 401, "\(String(format: "%.3f", attempt.after)) s after the change: \(attempt.text)")
            XCTAssertEqual(attempt.text, #"{"detail":"Invalid API key"}"#)
        }
        XCTAssertEqual(lateWorkers, pids, "the requests a second after the change did not reach every worker")
        XCTAssertTrue(attempts.allSatisfy { $0.status == 200 || $0.status == 401 }, "\(attempts.map(\.status))")
        XCTAssertEqual(try server.stop(), 0)
    }

    /// A key revoked while a worker is still verifying its first use (database read done, bcrypt
    /// running) must not end up cached as valid on that worker.
    private func revocationDuringFirstUse(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 1)
        for round in 0..<2 {
            let key = try server.createKey("raced-\(round)", admin: admin)
            usleep(600_000)   // the creation's key-state change has emptied the worker's cache
            XCTAssertEqual(try server.call("/api-keys", key: admin).status, 200)   // the admin key is cached again: revoking is quick
            let firstUse = DispatchGroup()
            var firstStatus = -1
            firstUse.enter()
            Thread {
                firstStatus = (try? server.call("/schemas", key: key.key).status) ?? -1
                firstUse.leave()
            }.start()
            usleep(60_000)   // the worker has read the key's row and is running bcrypt
            let revoked = try server.call("POST", "/api-keys/\(key.id)/revoke", key: admin, json: #"{"revoked_by":"race"}"#)
            XCTAssertEqual(revoked.status, 200, revoked.text)
            firstUse.wait()
            XCTAssertTrue([200, 401].contains(firstStatus), "first use: \(firstStatus)")
            usleep(1_200_000)
            let later = try (0..<5).map { _ in try server.call("/schemas", key: key.key).status }
            XCTAssertEqual(later, [401, 401, 401, 401, 401],
                           "round \(round): a key revoked during its first use (answered \(firstStatus)) still works 1.2 s later")
        }
        XCTAssertEqual(try server.stop(), 0)
    }

    /// Which worker answered each request, by its correlation id (the worker's access log line).
    private func servingWorkers(_ log: String) -> [String: pid_t] {
        var result: [String: pid_t] = [:]
        for line in log.split(separator: "\n") where line.contains("request_completed") {
            guard let worker = line.range(of: "[worker "), let id = line.range(of: "correlation_id=") else { continue }
            let pid = pid_t(line[worker.upperBound...].prefix { $0.isNumber })
            result[String(line[id.upperBound...].prefix { $0 != " " })] = pid
        }
        return result
    }

    // MARK: - keys made by the reference

    /// Rows as the Python reference wrote them (bcrypt hash, no lookup id) keep working.
    private func referenceKeys(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend)
        let active = KeyMaterial.generate(), revoked = KeyMaterial.generate()
        try AuthSupport.withDatabase(server.databaseURL) { db in
            for (name, key, permission, isRevoked) in [("legacy-writer", active, "write", false), ("legacy-revoked", revoked, "read", true)] {
                try db.execute("""
                    INSERT INTO api_keys (name, key_hash, permission, created_at, created_by, use_count, revoked, description)
                    VALUES ($1, $2, $3, $4, 'cli', 0, $5, NULL)
                    """, [.text(name), .text(BCrypt.hash(key)!), .text(permission), .text("2024-01-01 00:00:00.000000"), .bool(isRevoked)])
            }
        }
        func lookupID(_ name: String) throws -> String? {
            try AuthSupport.withDatabase(server.databaseURL) { db in
                try db.query("SELECT lookup_id FROM api_keys WHERE name = $1", [.text(name)]).first?.string(0)
            }
        }
        XCTAssertNil(try lookupID("legacy-writer"))

        XCTAssertEqual(try server.call("/schemas", key: active).status, 200)
        XCTAssertEqual(try server.register("/schemas/ns/User/versions", version: "1.0.0", key: active).status, 201)
        try server.call("/api-keys", key: active).assertForbidden("admin", "legacy write key on /api-keys")
        XCTAssertEqual(try lookupID("legacy-writer"), String(active.prefix(12)), "the key got its lookup id")
        try server.call("/schemas", key: revoked).assertUnauthorized(AuthSupport.invalid, "revoked legacy key")
        try server.call("/schemas", key: AuthSupport.garbageKey()).assertUnauthorized(AuthSupport.invalid, "garbage with legacy keys around")
        XCTAssertNil(try lookupID("legacy-revoked"))

        let id = try XCTUnwrap(try server.call("/api-keys?permission=write", key: admin).json()["keys"]?[0]?["id"]?.intValue)
        try server.waitForKey(id, admin: admin, "use_count 3") { $0["use_count"] == 3 }
        XCTAssertEqual(try server.call("POST", "/api-keys/\(id)/revoke", key: admin, json: #"{"revoked_by":"ops"}"#).status, 200)
        try server.waitForStatus(401, "revoked legacy key") { try server.call("/schemas", key: active) }
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - garbage keys

    private func garbageKeys(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 2)
        // 50 distinct unknown keys: each is refused (and, by design, without a bcrypt check:
        // no lookup id matches; this test asserts correctness only, never timing).
        for _ in 0..<50 {
            try server.call("/schemas", key: AuthSupport.garbageKey()).assertUnauthorized(AuthSupport.invalid, "garbage key")
        }
        for odd in ["x", String(repeating: "a", count: 200), "not a key at all", "ÿÿÿ"] {
            try server.call("/schemas", key: odd).assertUnauthorized(AuthSupport.invalid, "odd key \(odd.prefix(10))")
        }
        // Same first 12 characters (the lookup id) as the admin key, different rest.
        let impostor = String(admin.prefix(12)) + String(AuthSupport.garbageKey().prefix(31))
        try server.call("/schemas", key: impostor).assertUnauthorized(AuthSupport.invalid, "admin's lookup id, wrong key")
        try server.call("/schemas", key: impostor).assertUnauthorized(AuthSupport.invalid, "the same impostor again")
        // The real key is unaffected.
        XCTAssertEqual(try server.call("/schemas", key: admin).status, 200)
        XCTAssertEqual(try server.call("/api-keys", key: admin).status, 200)
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - the log

    private func logScan(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 2, environment: [
            "PYRMUTE_REGISTRY_LOG_LEVEL": "DEBUG", "PYRMUTE_REGISTRY_ENABLE_REQUEST_LOGGING": "true",
        ])
        var secrets = [admin]
        XCTAssertEqual(try server.call("/schemas", key: admin).status, 200)
        XCTAssertEqual(try server.call("GET", "/schemas", bearer: admin).status, 200)
        let writer = try server.createKey("writer", permission: "write", admin: admin)
        secrets.append(writer.key)
        XCTAssertEqual(try server.call("POST", "/schemas/ns/User/versions", bearer: writer.key,
                                       json: #"{"version":"1.0.0","json_schema":{},"registered_by":"x"}"#).status, 201)
        let rotation = try server.call("POST", "/api-keys/\(writer.id)/rotate", key: admin, json: #"{"grace_period_hours":0}"#)
        XCTAssertEqual(rotation.status, 200)
        let rotated = try XCTUnwrap(try rotation.json()["new_key"]?["api_key"]?.stringValue)
        secrets.append(rotated)
        XCTAssertEqual(try server.call("GET", "/schemas", bearer: rotated, scheme: "bearer").status, 200)
        XCTAssertEqual(try server.call("/schemas", key: writer.key).status, 401)   // revoked by the rotation
        let garbage = AuthSupport.garbageKey()
        secrets.append(garbage)
        XCTAssertEqual(try server.call("GET", "/schemas", bearer: garbage).status, 401)
        XCTAssertEqual(try server.call("POST", "/schemas/ns/User/versions", key: garbage, json: "{}").status, 401)
        XCTAssertEqual(try server.call("/api-keys/stats", key: rotated).status, 403)
        usleep(600_000)   // batched usage and audit writes
        XCTAssertEqual(try server.stop(), 0)

        let log = server.log
        XCTAssertTrue(log.contains("request_completed"), "request logging was off?\n\(log)")
        for secret in secrets {
            XCTAssertFalse(log.contains(secret), "a key appears in the log")
            XCTAssertFalse(log.contains(String(secret.prefix(12))), "a key's lookup id appears in the log")
        }
        XCTAssertFalse(log.contains("$2b$"), "a bcrypt hash appears in the log")
        let hashes = try AuthSupport.withDatabase(server.databaseURL) { db in
            try db.query("SELECT key_hash FROM api_keys").compactMap { $0.string(0) }
        }
        XCTAssertEqual(hashes.count, 3)
        for hash in hashes { XCTAssertFalse(log.contains(String(hash.suffix(31))), "a hash digest appears in the log") }
    }
}
