import Foundation
import RegistryJSON
import XCTest

/// The `/api-keys` endpoints through the real server, on both databases (contract §3.3, §7.11,
/// §8, with the port's changes: rotation grace enforced, expired keys cannot be rotated, exact
/// use counts, 409 for concurrent name clashes).
final class APIKeyTests: XCTestCase {
    func testCreateAndRecordShape_sqlite() throws { try createAndRecordShape(.sqlite) }
    func testCreateAndRecordShape_postgres() throws { try createAndRecordShape(.postgres) }
    func testListGetAndStats_sqlite() throws { try listGetStats(.sqlite) }
    func testListGetAndStats_postgres() throws { try listGetStats(.postgres) }
    func testRevokeAndDelete_sqlite() throws { try revokeAndDelete(.sqlite) }
    func testRevokeAndDelete_postgres() throws { try revokeAndDelete(.postgres) }
    func testRotationWithGracePeriod_sqlite() throws { try rotationWithGrace(.sqlite) }
    func testRotationWithGracePeriod_postgres() throws { try rotationWithGrace(.postgres) }
    func testImmediateRotationChain_sqlite() throws { try immediateRotationChain(.sqlite) }
    func testImmediateRotationChain_postgres() throws { try immediateRotationChain(.postgres) }
    func testConcurrentCreationsWithOneName_sqlite() throws { try concurrentNameConflicts(.sqlite) }
    func testConcurrentCreationsWithOneName_postgres() throws { try concurrentNameConflicts(.postgres) }
    func testCreationBacklogIsBounded_sqlite() throws { try boundedCreationBacklog(.sqlite) }
    func testCreationBacklogIsBounded_postgres() throws { try boundedCreationBacklog(.postgres) }
    func testUseCountIsExact_sqlite() throws { try useCounting(.sqlite) }
    func testUseCountIsExact_postgres() throws { try useCounting(.postgres) }

    // MARK: - create

    private func createAndRecordShape(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend)
        let response = try server.call("POST", "/api-keys", key: admin,
                                       json: #"{"name":"ci-writer","permission":"write","description":"for CI","expires_in_days":30}"#)
        XCTAssertEqual(response.status, 201, response.text)
        XCTAssertEqual(response.header("Content-Type"), "application/json")
        let created = try response.json()
        XCTAssertEqual(created.objectValue?.keys, AuthSupport.recordFields + ["api_key"])
        let key = try XCTUnwrap(created["api_key"]?.stringValue)
        XCTAssertTrue(AuthSupport.isKeyShaped(key), key)
        let id = try XCTUnwrap(created["id"]?.intValue)
        let expected: [(String, JSONValue)] = [
            ("name", "ci-writer"), ("permission", "write"), ("created_by", "admin"), ("last_used_at", .null), ("use_count", 0),
            ("revoked", false), ("revoked_at", .null), ("revoked_by", .null), ("description", "for CI"),
            ("rotated_from_id", .null), ("rotated_to_id", .null), ("rotation_scheduled_at", .null),
            ("is_active", true), ("is_expired", false), ("is_rotation_due", false),
        ]
        for (field, value) in expected { XCTAssertEqual(created[field], value, field) }
        let createdAt = try XCTUnwrap(created["created_at"]?.stringValue)
        let expiresAt = try XCTUnwrap(created["expires_at"]?.stringValue)
        XCTAssertTrue(createdAt.hasSuffix("Z") && expiresAt.hasSuffix("Z"), "\(createdAt) \(expiresAt)")
        XCTAssertEqual(try XCTUnwrap(Timestamp(iso: expiresAt)).microseconds - XCTUnwrap(Timestamp(iso: createdAt)).microseconds,
                       30 * 86_400_000_000)

        // Only a bcrypt hash is stored.
        let hash = try AuthSupport.withDatabase(server.databaseURL) { db in
            try db.query("SELECT key_hash FROM api_keys WHERE id = $1", [.int(Int64(id))]).first?.string(0)
        }
        XCTAssertTrue(hash?.hasPrefix("$2b$12$") == true, hash ?? "no hash")
        XCTAssertEqual(hash?.count, 60)
        XCTAssertFalse(hash?.contains(key) == true)

        // GET returns the same record without the key.
        let fetched = try server.call("/api-keys/\(id)", key: admin)
        XCTAssertEqual(fetched.status, 200)
        var withoutKey = try XCTUnwrap(created.objectValue)
        _ = withoutKey.removeValue(forKey: "api_key")
        XCTAssertEqual(try fetched.json(), .object(withoutKey))
        XCTAssertFalse(fetched.text.contains("key_hash") || fetched.text.contains(key))

        // The key works at its level.
        XCTAssertEqual(try server.register("/schemas/ns/User/versions", version: "1.0.0", key: key).status, 201)
        try server.call("/api-keys", key: key).assertForbidden("admin", "write key on /api-keys")

        // Defaults, and the largest accepted values.
        let defaults = try server.createKey("defaults", permission: "read", admin: admin).record
        let minimal = try server.call("POST", "/api-keys", key: admin, json: #"{"name":"abc","description":null,"expires_in_days":null}"#)
        XCTAssertEqual(minimal.status, 201)
        for record in [defaults, try minimal.json()] {
            XCTAssertEqual(record["permission"], "read")
            XCTAssertEqual(record["description"], .null)
            XCTAssertEqual(record["expires_at"], .null)
        }
        let longName = String(repeating: "n", count: 255), longText = String(repeating: "d", count: 1000)
        let largest = try server.call("POST", "/api-keys", key: admin,
                                      json: #"{"name":"\#(longName)","permission":"admin","description":"\#(longText)","expires_in_days":3650}"#)
        XCTAssertEqual(largest.status, 201, largest.text)

        let invalid = [
            #"{}"#, #"{"name":"ab"}"#, #"{"name":"\#(longName)x"}"#, #"{"name":123}"#, #"{"name":null}"#,
            #"{"name":"valid","permission":"Admin"}"#, #"{"name":"valid","permission":"superuser"}"#,
            #"{"name":"valid","expires_in_days":0}"#, #"{"name":"valid","expires_in_days":3651}"#,
            #"{"name":"valid","expires_in_days":-1}"#, #"{"name":"valid","expires_in_days":"ten"}"#,
            #"{"name":"valid","description":"\#(longText)x"}"#, #"[]"#, #"not json"#,
        ]
        for body in invalid {
            let rejected = try server.call("POST", "/api-keys", key: admin, json: body)
            XCTAssertEqual(rejected.status, 422, "\(body.prefix(60)): \(rejected.text.prefix(300))")
            XCTAssertNotNil(try? rejected.json()["detail"], body)
        }
        // The reference's field is `gt=0`: zero and negatives are `greater_than`, as Pydantic words it.
        for days in ["0", "-1"] {
            let rejected = try server.call("POST", "/api-keys", key: admin, json: #"{"name":"valid","expires_in_days":\#(days)}"#)
            let error = try XCTUnwrap(rejected.json()["detail"]?.arrayValue?.first)
            XCTAssertEqual(error["type"], "greater_than")
            XCTAssertEqual(error["msg"], "Input should be greater than 0")
            XCTAssertEqual(error["ctx"], ["gt": 0])
        }

        let duplicate = try server.call("POST", "/api-keys", key: admin, json: #"{"name":"ci-writer","permission":"admin"}"#)
        XCTAssertEqual(duplicate.status, 409)
        XCTAssertEqual(duplicate.text, #"{"detail":"API key with name 'ci-writer' already exists"}"#)
        // The CLI-made admin key's name is taken too.
        XCTAssertEqual(try server.call("POST", "/api-keys", key: admin, json: #"{"name":"admin"}"#).detail,
                       "API key with name 'admin' already exists")
        XCTAssertEqual(try server.call("/api-keys/stats", key: admin).json()["total_keys"], 5)
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - list, get, stats

    private func listGetStats(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend)
        let reader = try server.createKey("reader", permission: "read", admin: admin)
        let writer = try server.createKey("writer", permission: "write", admin: admin)
        let deleter = try server.createKey("deleter", permission: "delete", admin: admin)
        XCTAssertEqual(try server.call("POST", "/api-keys/\(writer.id)/revoke", key: admin, json: #"{"revoked_by":"ops"}"#).status, 200)

        func names(_ query: String) throws -> [String] {
            let response = try server.call("/api-keys" + query, key: admin)
            XCTAssertEqual(response.status, 200, "\(query): \(response.text)")
            let body = try response.json()
            XCTAssertEqual(body.objectValue?.keys, ["keys", "total"])
            let keys = body["keys"]?.arrayValue ?? []
            XCTAssertEqual(body["total"]?.intValue, keys.count)
            for key in keys {
                XCTAssertEqual(key.objectValue?.keys, AuthSupport.recordFields)
            }
            XCTAssertFalse(response.text.contains("key_hash") || response.text.contains("api_key") || response.text.contains("$2b$"))
            return keys.compactMap { $0["name"]?.stringValue }
        }
        XCTAssertEqual(try names(""), ["deleter", "reader", "admin"])   // newest first, revoked hidden
        XCTAssertEqual(try names("?include_revoked=false"), ["deleter", "reader", "admin"])
        XCTAssertEqual(try names("?include_revoked=true"), ["deleter", "writer", "reader", "admin"])
        XCTAssertEqual(try names("?permission=read"), ["reader"])
        XCTAssertEqual(try names("?permission=write"), [])
        XCTAssertEqual(try names("?permission=write&include_revoked=1"), ["writer"])
        XCTAssertEqual(try names("?permission=admin"), ["admin"])
        XCTAssertEqual(try server.call("/api-keys?permission=Admin", key: admin).status, 422)
        XCTAssertEqual(try server.call("/api-keys?include_revoked=maybe", key: admin).status, 422)

        let one = try server.call("/api-keys/\(deleter.id)", key: admin)
        XCTAssertEqual(one.status, 200)
        XCTAssertEqual(try one.json()["name"], "deleter")
        XCTAssertEqual(try one.json()["permission"], "delete")
        XCTAssertEqual(try server.call("/api-keys/\(writer.id)", key: admin).json()["revoked"], true)   // revoked still readable
        let missing = try server.call("/api-keys/999999", key: admin)
        XCTAssertEqual(missing.status, 404)
        XCTAssertEqual(missing.text, #"{"detail":"API key with ID 999999 not found"}"#)
        let notNumber = try server.call("/api-keys/abc", key: admin)
        XCTAssertEqual(notNumber.status, 422)
        XCTAssertEqual(try notNumber.json()["detail"]?[0]?["type"], "int_parsing")

        let stats = try server.call("/api-keys/stats", key: admin)
        XCTAssertEqual(stats.status, 200)
        XCTAssertEqual(stats.text, #"{"total_keys":4,"active_keys":3,"revoked_keys":1,"expired_keys":0,"# +
                       #""by_permission":{"read":1,"write":1,"delete":1,"admin":1}}"#)
        for key in [reader.key, deleter.key] {
            try server.call("/api-keys/stats", key: key).assertForbidden("admin", "stats with a non-admin key")
        }
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - revoke, delete

    private func revokeAndDelete(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 2)
        let described = try server.createKey("described", admin: admin, extra: #","description":"team key""#)
        let bare = try server.createKey("bare", admin: admin)
        XCTAssertEqual(try server.call("/schemas", key: described.key).status, 200)

        let revoked = try server.call("POST", "/api-keys/\(described.id)/revoke", key: admin,
                                      json: #"{"revoked_by":"security","reason":"leaked"}"#)
        XCTAssertEqual(revoked.status, 200, revoked.text)
        let record = try revoked.json()
        XCTAssertEqual(record.objectValue?.keys, AuthSupport.recordFields)
        XCTAssertEqual(record["revoked"], true)
        XCTAssertEqual(record["revoked_by"], "security")
        XCTAssertTrue(record["revoked_at"]?.stringValue?.hasSuffix("Z") == true, "\(record)")
        XCTAssertEqual(record["description"], "team key\n\nRevocation reason: leaked")
        XCTAssertEqual(record["is_active"], false)
        XCTAssertEqual(record["is_rotation_due"], false)
        try server.waitForStatus(401, "revoked key") { try server.call("/schemas", key: described.key) }
            .assertUnauthorized(AuthSupport.invalid, "revoked key")

        let again = try server.call("POST", "/api-keys/\(described.id)/revoke", key: admin, json: #"{"revoked_by":"security"}"#)
        XCTAssertEqual(again.status, 400)
        XCTAssertEqual(again.text, #"{"detail":"API key 'described' is already revoked"}"#)
        let unknown = try server.call("POST", "/api-keys/999999/revoke", key: admin, json: #"{"revoked_by":"x"}"#)
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(unknown.detail, "API key with ID 999999 not found")
        for body in [nil, "{}", #"{"revoked_by":""}"#, #"{"revoked_by":"x","reason":"\#(String(repeating: "r", count: 501))"}"#] {
            XCTAssertEqual(try server.call("POST", "/api-keys/\(bare.id)/revoke", key: admin, json: body).status, 422, body ?? "no body")
        }
        XCTAssertEqual(try server.call("POST", "/api-keys/abc/revoke", key: admin, json: #"{"revoked_by":"x"}"#).status, 422)
        // A reason on a key without description becomes the description; no reason leaves it null.
        let reasonOnly = try server.call("POST", "/api-keys/\(bare.id)/revoke", key: admin, json: #"{"revoked_by":"ops","reason":"unused"}"#)
        XCTAssertEqual(try reasonOnly.json()["description"], "Revocation reason: unused")

        // Delete: 204 without body or Content-Type; the key is gone and refused.
        let victim = try server.createKey("victim", permission: "write", admin: admin)
        XCTAssertEqual(try server.call("/schemas", key: victim.key).status, 200)
        let deleted = try server.call("DELETE", "/api-keys/\(victim.id)", key: admin)
        XCTAssertEqual(deleted.status, 204)
        XCTAssertTrue(deleted.body.isEmpty)
        XCTAssertNil(deleted.header("Content-Type"))
        XCTAssertNotNil(deleted.header("X-Correlation-ID"))
        try server.waitForStatus(401, "deleted key") { try server.call("/schemas", key: victim.key) }
            .assertUnauthorized(AuthSupport.invalid, "deleted key")
        XCTAssertEqual(try server.call("/api-keys/\(victim.id)", key: admin).status, 404)
        let twice = try server.call("DELETE", "/api-keys/\(victim.id)", key: admin)
        XCTAssertEqual(twice.status, 404)
        XCTAssertEqual(twice.detail, "API key with ID \(victim.id) not found")
        // A revoked key can be deleted too.
        XCTAssertEqual(try server.call("DELETE", "/api-keys/\(bare.id)", key: admin).status, 204)
        XCTAssertEqual(try server.call("/api-keys/stats", key: admin).text,
                       #"{"total_keys":2,"active_keys":1,"revoked_keys":1,"expired_keys":0,"by_permission":{"read":1,"write":0,"delete":0,"admin":1}}"#)
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - rotation

    private func rotationWithGrace(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 2)
        let old = try server.createKey("service", permission: "write", admin: admin,
                                       extra: #","description":"svc","expires_in_days":90"#)
        XCTAssertEqual(try server.call("/schemas", key: old.key).status, 200)

        let response = try server.call("POST", "/api-keys/\(old.id)/rotate", key: admin, json: #"{"reason":"quarterly"}"#)
        XCTAssertEqual(response.status, 200, response.text)
        let body = try response.json()
        XCTAssertEqual(body.objectValue?.keys, ["old_key", "new_key", "grace_period_ends_at", "message"])
        let oldRecord = try XCTUnwrap(body["old_key"]), newRecord = try XCTUnwrap(body["new_key"])
        XCTAssertEqual(oldRecord.objectValue?.keys, AuthSupport.recordFields)
        XCTAssertEqual(newRecord.objectValue?.keys, AuthSupport.recordFields + ["api_key"])
        let newKey = try XCTUnwrap(newRecord["api_key"]?.stringValue)
        let newID = try XCTUnwrap(newRecord["id"]?.intValue)
        XCTAssertTrue(AuthSupport.isKeyShaped(newKey))
        XCTAssertNotEqual(newKey, old.key)

        let name = try XCTUnwrap(newRecord["name"]?.stringValue)
        XCTAssertNotNil(name.range(of: #"^service-rotated-\d{8}-\d{6}$"#, options: .regularExpression), name)
        XCTAssertEqual(newRecord["permission"], "write")
        XCTAssertEqual(newRecord["expires_at"], old.record["expires_at"])
        XCTAssertEqual(newRecord["created_by"], "admin")
        XCTAssertEqual(newRecord["rotated_from_id"]?.intValue, old.id)
        XCTAssertEqual(newRecord["rotated_to_id"], .null)
        XCTAssertEqual(newRecord["description"], .string("Rotated from key ID \(old.id). quarterly"))
        XCTAssertEqual(newRecord["is_active"], true)

        let graceEnd = try XCTUnwrap(body["grace_period_ends_at"]?.stringValue)
        XCTAssertTrue(graceEnd.hasSuffix("Z"), graceEnd)
        XCTAssertEqual(try XCTUnwrap(Timestamp(iso: graceEnd)).microseconds
                       - XCTUnwrap(Timestamp(iso: newRecord["created_at"]?.stringValue ?? "")).microseconds, 24 * 3_600_000_000)
        XCTAssertEqual(oldRecord["rotation_scheduled_at"]?.stringValue, graceEnd)
        XCTAssertEqual(body["message"]?.stringValue,
                       "New key created. Old key will remain active until \(graceEnd.dropLast())+00:00")
        XCTAssertEqual(oldRecord["rotated_to_id"]?.intValue, newID)
        XCTAssertEqual(oldRecord["revoked"], false)
        XCTAssertEqual(oldRecord["is_active"], true)
        XCTAssertEqual(oldRecord["is_rotation_due"], false)
        XCTAssertEqual(oldRecord["description"], "svc\n\nRotation scheduled: quarterly")

        // During the grace period both keys work, on every worker.
        for _ in 0..<6 {
            XCTAssertEqual(try server.call("/schemas", key: old.key).status, 200)
            XCTAssertEqual(try server.call("GET", "/schemas", bearer: newKey).status, 200)
        }
        XCTAssertEqual(try server.register("/schemas/ns/User/versions", version: "1.0.0", key: newKey).status, 201)

        // Errors, in order: 422 body → 404 → (400 revoked, below).
        for body in [nil, #"{"grace_period_hours":169}"#, #"{"grace_period_hours":-1}"#, #"{"grace_period_hours":"x"}"#,
                     #"{"reason":"\#(String(repeating: "r", count: 501))"}"#] {
            XCTAssertEqual(try server.call("POST", "/api-keys/\(old.id)/rotate", key: admin, json: body).status, 422, body ?? "no body")
        }
        XCTAssertEqual(try server.call("POST", "/api-keys/999999/rotate", key: admin, json: #"{"grace_period_hours":200}"#).status, 422)
        let unknown = try server.call("POST", "/api-keys/999999/rotate", key: admin, json: "{}")
        XCTAssertEqual(unknown.status, 404)
        XCTAssertEqual(unknown.detail, "API key with ID 999999 not found")
        try server.call("POST", "/api-keys/\(old.id)/rotate", key: newKey, json: "{}").assertForbidden("admin", "write key rotating")

        // Rotating again during the grace period is allowed: another new key, a distinct name,
        // and the old key now points at the newest one.
        let again = try server.call("POST", "/api-keys/\(old.id)/rotate", key: admin, json: #"{"grace_period_hours":1}"#)
        XCTAssertEqual(again.status, 200, again.text)
        let newest = try again.json()
        let newestID = try XCTUnwrap(newest["new_key"]?["id"]?.intValue)
        XCTAssertNotEqual(newest["new_key"]?["name"]?.stringValue, name)
        XCTAssertTrue(newest["new_key"]?["name"]?.stringValue?.hasPrefix("service-rotated-") == true)
        XCTAssertEqual(newest["old_key"]?["rotated_to_id"]?.intValue, newestID)
        XCTAssertEqual(newest["old_key"]?["description"], "svc\n\nRotation scheduled: quarterly")
        XCTAssertEqual(try server.keyRecord(old.id, admin: admin)["rotation_scheduled_at"], newest["grace_period_ends_at"])

        // The end of the grace period is enforced (deliberate fix of §13.5): move it into the past.
        try AuthSupport.backdate("rotation_scheduled_at", keyID: old.id, databaseURL: server.databaseURL)
        try server.waitForStatus(401, "old key after its grace period") { try server.call("/schemas", key: old.key) }
            .assertUnauthorized(AuthSupport.invalid, "old key after its grace period")
        // The first 401 came from one of the two workers; each reads the key state every 250 ms.
        usleep(750_000)
        for _ in 0..<6 { XCTAssertEqual(try server.call("/schemas", key: old.key).status, 401) }
        XCTAssertEqual(try server.call("/schemas", key: newKey).status, 200)
        let due = try server.keyRecord(old.id, admin: admin)
        XCTAssertEqual(due["is_rotation_due"], true)
        XCTAssertEqual(due["is_active"], false)
        XCTAssertEqual(due["revoked"], false)
        // "counts as inactive" (docs/api-differences.md): the statistics agree with the record.
        XCTAssertEqual(try server.call("/api-keys/stats", key: admin).json()["active_keys"], 3,
                       "a key past its rotation grace period is refused and is_active=false, but stats count it active")
        XCTAssertEqual(try server.stop(), 0)
    }

    private func immediateRotationChain(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 2)
        let first = try server.createKey("chain", permission: "delete", admin: admin)
        XCTAssertEqual(try server.call("/schemas", key: first.key).status, 200)

        func rotateNow(_ id: Int, reason: String?) throws -> JSONValue {
            let reasonField = reason.map { #","reason":"\#($0)""# } ?? ""
            let response = try server.call("POST", "/api-keys/\(id)/rotate", key: admin, json: #"{"grace_period_hours":0\#(reasonField)}"#)
            XCTAssertEqual(response.status, 200, response.text)
            return try response.json()
        }
        let one = try rotateNow(first.id, reason: "compromised")
        XCTAssertEqual(one["message"], "New key created. Old key immediately revoked.")
        XCTAssertEqual(one["grace_period_ends_at"], .null)
        let oldRecord = try XCTUnwrap(one["old_key"])
        XCTAssertEqual(oldRecord["revoked"], true)
        XCTAssertEqual(oldRecord["revoked_by"], "admin")
        XCTAssertTrue(oldRecord["revoked_at"]?.stringValue?.hasSuffix("Z") == true)
        XCTAssertEqual(oldRecord["rotation_scheduled_at"], .null)
        XCTAssertEqual(oldRecord["is_active"], false)
        XCTAssertEqual(oldRecord["description"], "Revoked (rotated): compromised")
        let second = (id: try XCTUnwrap(one["new_key"]?["id"]?.intValue), key: try XCTUnwrap(one["new_key"]?["api_key"]?.stringValue))
        XCTAssertEqual(oldRecord["rotated_to_id"]?.intValue, second.id)
        XCTAssertEqual(one["new_key"]?["rotated_from_id"]?.intValue, first.id)
        XCTAssertEqual(one["new_key"]?["permission"], "delete")
        XCTAssertEqual(one["new_key"]?["description"], .string("Rotated from key ID \(first.id). compromised"))

        try server.waitForStatus(401, "key revoked by rotation") { try server.call("/schemas", key: first.key) }
            .assertUnauthorized(AuthSupport.invalid, "key revoked by rotation")
        XCTAssertEqual(try server.call("DELETE", "/schemas/ns/User/versions/1.0.0?force=true", key: second.key).status, 404)
        let revokedSource = try server.call("POST", "/api-keys/\(first.id)/rotate", key: admin, json: "{}")
        XCTAssertEqual(revokedSource.status, 400)
        XCTAssertEqual(revokedSource.text, #"{"detail":"Cannot rotate revoked key 'chain'"}"#)

        // Rotate the rotated key at once: the chain links both ways; names stay distinct.
        let two = try rotateNow(second.id, reason: nil)
        let third = try XCTUnwrap(two["new_key"]?["id"]?.intValue)
        XCTAssertEqual(two["new_key"]?["description"], .string("Rotated from key ID \(second.id)."))
        XCTAssertEqual(two["old_key"]?["description"], one["new_key"]?["description"])
        let records = try [first.id, second.id, third].map { try server.keyRecord($0, admin: admin) }
        XCTAssertEqual(records.map { $0["rotated_from_id"]?.intValue }, [nil, first.id, second.id])
        XCTAssertEqual(records.map { $0["rotated_to_id"]?.intValue }, [second.id, third, nil])
        XCTAssertEqual(records.map { $0["revoked"]?.boolValue }, [true, true, false])
        XCTAssertEqual(Set(records.compactMap { $0["name"]?.stringValue }).count, 3)
        XCTAssertTrue(records[2]["name"]?.stringValue?.hasPrefix("chain-rotated-") == true)
        XCTAssertEqual(try server.call("/api-keys/stats", key: admin).text,
                       #"{"total_keys":4,"active_keys":2,"revoked_keys":2,"expired_keys":0,"by_permission":{"read":0,"write":0,"delete":3,"admin":1}}"#)

        // Deleting the middle key clears the references to it (on SQLite too).
        XCTAssertEqual(try server.call("DELETE", "/api-keys/\(second.id)", key: admin).status, 204)
        XCTAssertEqual(try server.keyRecord(first.id, admin: admin)["rotated_to_id"], .null)
        XCTAssertEqual(try server.keyRecord(third, admin: admin)["rotated_from_id"], .null)
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - concurrency and usage

    private func concurrentNameConflicts(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 2)
        let lock = NSLock()
        var responses: [(Int, String)] = []
        DispatchQueue.concurrentPerform(iterations: 10) { _ in
            let response = try? server.call("POST", "/api-keys", key: admin, json: #"{"name":"contested","permission":"write"}"#)
            lock.withLock { responses.append((response?.status ?? -1, response?.text ?? "no response")) }
        }
        XCTAssertEqual(responses.filter { $0.0 == 201 }.count, 1, "\(responses)")
        let conflicts = responses.filter { $0.0 == 409 }
        XCTAssertEqual(conflicts.count, 9, "\(responses)")
        for conflict in conflicts {
            XCTAssertEqual(conflict.1, #"{"detail":"API key with name 'contested' already exists"}"#)
        }
        let listed = try server.call("/api-keys?permission=write&include_revoked=true", key: admin).json()
        XCTAssertEqual(listed["total"], 1)
        XCTAssertEqual(try server.stop(), 0)
    }

    /// 40 creations at once on one worker (bcrypt, one at a time): those past the queue's bound
    /// are refused at once with 503 and Retry-After and leave no key behind; every 201's key works.
    private func boundedCreationBacklog(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend)
        let lock = NSLock()
        var answers: [(name: String, status: Int, retryAfter: String?, body: String)] = []
        let threads = (0..<40).map { i in
            Thread {
                let name = "burst-\(i)"
                let response = try? server.call("POST", "/api-keys", key: admin, json: #"{"name":"\#(name)","permission":"read"}"#)
                lock.withLock {
                    answers.append((name, response?.status ?? -1, response?.header("Retry-After"), response?.text ?? "no response"))
                }
            }
        }
        threads.forEach { $0.start() }
        let deadline = Date().addingTimeInterval(120)
        while lock.withLock({ answers.count }) < threads.count && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        let all = lock.withLock { answers }
        XCTAssertEqual(all.count, 40, "not every request was answered")

        let created = all.filter { $0.status == 201 }
        let refused = all.filter { $0.status == 503 }
        XCTAssertEqual(created.count + refused.count, 40, "\(all.filter { $0.status != 201 && $0.status != 503 })")
        XCTAssertFalse(refused.isEmpty, "40 simultaneous creations on one worker were all queued")
        XCTAssertGreaterThanOrEqual(created.count, 1)
        for answer in refused {
            XCTAssertEqual(answer.body, #"{"detail":"Too many API key creations or rotations in progress. Please try again shortly."}"#)
            XCTAssertEqual(answer.retryAfter, "1")
        }
        let listed = try server.call("/api-keys", key: admin).json()["keys"]?.arrayValue ?? []
        for answer in created {
            let key = try XCTUnwrap(listed.first { $0["name"]?.stringValue == answer.name }, "\(answer.name) answered 201 but is not stored")
            XCTAssertEqual(key["permission"], "read")
            let plaintext = try XCTUnwrap(JSONParser.parse(Array(answer.body.utf8))["api_key"]?.stringValue)
            XCTAssertEqual(try server.call("/schemas", key: plaintext).status, 200, answer.name)
        }
        let stored = try server.call("/api-keys?permission=read", key: admin).json()
        XCTAssertEqual(stored["total"]?.intValue, created.count, "a refused creation left a key behind")
        // Once the queue drains, creation works again.
        XCTAssertEqual(try server.call("POST", "/api-keys", key: admin, json: #"{"name":"after-burst"}"#).status, 201)
        XCTAssertEqual(try server.stop(), 0)
    }

    private func useCounting(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 2)
        let reader = try server.createKey("counted", admin: admin)
        XCTAssertEqual(reader.record["use_count"], 0)
        XCTAssertEqual(reader.record["last_used_at"], .null)

        // Ten authenticated requests, three of which fail after authentication (403, 404, 422).
        var statuses: [Int] = []
        for _ in 0..<7 { statuses.append(try server.call("/schemas", key: reader.key).status) }
        statuses.append(try server.register("/schemas/ns/User/versions", version: "1.0.0", key: reader.key).status)
        statuses.append(try server.call("/schemas/ns/Nobody/versions/latest", key: reader.key).status)
        statuses.append(try server.call("/schemas?limit=0", key: reader.key).status)
        XCTAssertEqual(statuses, [200, 200, 200, 200, 200, 200, 200, 403, 404, 422])
        // Refused requests do not count: no key, unknown key.
        XCTAssertEqual(try server.call("/schemas", key: nil).status, 401)
        XCTAssertEqual(try server.call("/schemas", key: AuthSupport.garbageKey()).status, 401)

        let counted = try server.waitForKey(reader.id, admin: admin, "use_count 10") { $0["use_count"] == 10 }
        XCTAssertTrue(counted["last_used_at"]?.stringValue?.hasSuffix("Z") == true, "\(counted)")
        usleep(600_000)
        XCTAssertEqual(try server.keyRecord(reader.id, admin: admin)["use_count"], 10, "counted more than once")

        // 200 requests from 4 threads over 2 workers: no lost increments.
        let lock = NSLock()
        var failures: [String] = []
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<50 {
                let response = try? server.call("/schemas", key: reader.key)
                if response?.status != 200 { lock.withLock { failures.append(response?.text ?? "no response") } }
            }
        }
        XCTAssertEqual(failures, [])
        try server.waitForKey(reader.id, admin: admin, "use_count 210") { $0["use_count"] == 210 }
        usleep(600_000)
        XCTAssertEqual(try server.keyRecord(reader.id, admin: admin)["use_count"], 210)
        XCTAssertEqual(try server.stop(), 0)
    }
}
