import Foundation
import RegistryJSON
import RegistryRuntime
import RegistryStorage
import XCTest

/// Setup shared by the authentication, key, audit and key-CLI tests.
enum AuthSupport {
    static let required = "API key required. Provide via X-API-Key header or Bearer token."
    static let invalid = "Invalid API key"
    static let challenge = #"Bearer, ApiKey realm="Registry""#
    static let disabled = "Authentication is disabled. Enable it to manage API keys."

    /// ApiKeyResponse fields in contract order (§8.2).
    static let recordFields = ["id", "name", "permission", "created_at", "created_by", "last_used_at", "use_count",
                               "expires_at", "revoked", "revoked_at", "revoked_by", "description", "rotated_from_id",
                               "rotated_to_id", "rotation_scheduled_at", "is_active", "is_expired", "is_rotation_due"]

    /// `pyrmute-registry create-admin-key` on `databaseURL`; the printed plaintext key.
    static func cliKey(_ databaseURL: String, name: String = "admin", permission: String = "admin") throws -> String {
        let result = try CommandRunner.cli(["create-admin-key", "--name", name, "--permission", permission],
                                           environment: ["PYRMUTE_REGISTRY_DATABASE_URL": databaseURL])
        guard result.status == 0, let key = printedKey(result.output) else {
            throw TestTimeout(what: "create-admin-key failed (\(result.status)): \(result.output)")
        }
        return key
    }

    /// The line after `API Key (save this - it won't be shown again):`.
    static func printedKey(_ output: String) -> String? {
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        guard let index = lines.firstIndex(of: "API Key (save this - it won't be shown again):"), index + 1 < lines.count else {
            return nil
        }
        return String(lines[index + 1])
    }

    /// A fresh database holding a CLI-made admin key, and a server on it with authentication on.
    static func server(_ backend: Backend, workers: Int = 1, environment: [String: String] = [:]) throws -> (ServerProcess, String) {
        let url = try backend.freshDatabaseURL()
        let admin = try cliKey(url)
        let server = try ServerProcess(databaseURL: url, workers: workers,
                                       environment: ["PYRMUTE_REGISTRY_ENABLE_AUTH": "true"].merging(environment) { _, new in new })
        return (server, admin)
    }

    /// 43 random URL-safe characters: the shape of a key, but no key.
    static func garbageKey() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        return String((0..<43).map { _ in alphabet.randomElement()! })
    }

    static func isKeyShaped(_ key: String) -> Bool {
        key.count == 43 && key.range(of: "^[A-Za-z0-9_-]{43}$", options: .regularExpression) != nil
    }

    /// Runs `body` on a direct connection to the server's database.
    static func withDatabase<T>(_ url: String, _ body: (DatabaseConnection) throws -> T) throws -> T {
        let db = try Database.connect(DatabaseURL(parsing: url))
        defer { db.close() }
        return try body(db)
    }

    /// Sets one column of a key to a timestamp in the past and tells every worker (key-state version).
    static func backdate(_ column: String, keyID: Int, databaseURL: String) throws {
        precondition(["expires_at", "rotation_scheduled_at"].contains(column))
        try withDatabase(databaseURL) { db in
            try db.execute("UPDATE api_keys SET \(column) = $1 WHERE id = $2", [.text("2020-01-01 00:00:00.000000"), .int(Int64(keyID))])
            try db.execute("UPDATE registry_state SET version = version + 1 WHERE name = 'api_keys'", [])
        }
    }
}

extension ServerProcess {
    /// A request with `key` in `X-API-Key` (none when nil) and an optional JSON body.
    func call(_ method: String, _ path: String, key: String?, json: String? = nil,
              headers: [(String, String)] = []) throws -> HTTPClientResponse {
        var all = headers
        if let key { all.append(("X-API-Key", key)) }
        if json != nil { all.append(("Content-Type", "application/json")) }
        // A longer timeout than `request`'s: key creation and first uses run bcrypt, slow on a busy machine.
        return try SimpleHTTPClient.request(method, baseURL + path, headers: all, body: json.map { Array($0.utf8) }, timeout: 30)
    }

    func call(_ path: String, key: String?) throws -> HTTPClientResponse { try call("GET", path, key: key) }

    /// A request with the key in `Authorization: <scheme> <key>`.
    func call(_ method: String, _ path: String, bearer key: String, scheme: String = "Bearer", json: String? = nil) throws -> HTTPClientResponse {
        try call(method, path, key: nil, json: json, headers: [("Authorization", "\(scheme) \(key)")])
    }

    /// Registers an empty JSON Schema at `path` with `key`.
    func register(_ path: String, version: String, key: String?) throws -> HTTPClientResponse {
        try call("POST", path, key: key, json: #"{"version":"\#(version)","json_schema":{},"registered_by":"tester"}"#)
    }

    /// `POST /api-keys` as `admin`: the new key's id, plaintext and record.
    func createKey(_ name: String, permission: String = "read", admin: String, extra: String = "") throws -> (id: Int, key: String, record: JSONValue) {
        let response = try call("POST", "/api-keys", key: admin, json: #"{"name":"\#(name)","permission":"\#(permission)"\#(extra)}"#)
        guard response.status == 201, let record = try? response.json(), let id = record["id"]?.intValue,
              let key = record["api_key"]?.stringValue else {
            throw TestTimeout(what: "key creation: \(response.status) \(response.text)")
        }
        return (id, key, record)
    }

    func keyRecord(_ id: Int, admin: String) throws -> JSONValue {
        try call("/api-keys/\(id)", key: admin).json()
    }

    /// Polls `GET /api-keys/{id}` until `condition` holds (usage is written in batches); the last record.
    @discardableResult
    func waitForKey(_ id: Int, admin: String, _ what: String, timeout: Double = 3,
                    _ condition: @escaping (JSONValue) -> Bool) throws -> JSONValue {
        var last: JSONValue = .null
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            last = try keyRecord(id, admin: admin)
            if condition(last) { return last }
            usleep(50_000)
        }
        XCTFail("key \(id): \(what) not reached within \(timeout) s; last record: \(last)")
        return last
    }

    /// Polls `request` until it answers `status` (cached answers are dropped within a poll interval).
    func waitForStatus(_ status: Int, timeout: Double = 3, _ what: String, _ request: () throws -> HTTPClientResponse) throws -> HTTPClientResponse {
        var last = try request()
        let deadline = Date().addingTimeInterval(timeout)
        while last.status != status, Date() < deadline {
            usleep(50_000)
            last = try request()
        }
        XCTAssertEqual(last.status, status, "\(what): \(last.text)")
        return last
    }

    /// `GET /audit-logs?<query>` as `admin`, polled until `total` is `count` (rows arrive in batches).
    func auditLogs(admin: String, query: String = "", count: Int? = nil, timeout: Double = 3) throws -> (logs: [JSONValue], total: Int) {
        var body: JSONValue = .null
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            let response = try call("/audit-logs" + (query.isEmpty ? "" : "?" + query), key: admin)
            guard response.status == 200 else { throw TestTimeout(what: "audit logs: \(response.status) \(response.text)") }
            body = try response.json()
            if count == nil || body["total"]?.intValue == count { break }
            usleep(50_000)
        } while Date() < deadline
        let total = body["total"]?.intValue ?? -1
        if let count { XCTAssertEqual(total, count, "audit rows for ?\(query): \(body)") }
        return (body["logs"]?.arrayValue ?? [], total)
    }
}

extension HTTPClientResponse {
    /// The 401 of contract §2.2: exact body and the challenge header.
    func assertUnauthorized(_ detail: String, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(status, 401, "\(context): \(text)", file: file, line: line)
        XCTAssertEqual(text, #"{"detail":"\#(detail)"}"#, context, file: file, line: line)
        XCTAssertEqual(header("WWW-Authenticate"), AuthSupport.challenge, context, file: file, line: line)
        XCTAssertEqual(header("Content-Type"), "application/json", context, file: file, line: line)
    }

    /// The 403 of contract §2.4: exact body, no challenge.
    func assertForbidden(_ required: String, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(status, 403, "\(context): \(text)", file: file, line: line)
        XCTAssertEqual(text, #"{"detail":"Insufficient permissions. Required: \#(required)"}"#, context, file: file, line: line)
        XCTAssertNil(header("WWW-Authenticate"), context, file: file, line: line)
    }
}
