import RegistryJSON
import RegistryStorage

/// The SQL of `api_keys` and of the key-state version that tells workers to drop cached keys.
struct APIKeyRepository {
    let db: DatabaseConnection

    static let columns = """
        id, name, permission, created_at, created_by, last_used_at, use_count, expires_at, revoked, revoked_at,
        revoked_by, description, rotated_from_id, rotated_to_id, rotation_scheduled_at
        """

    func insert(name: String, hash: String, lookupID: String, permission: Permission, createdBy: String,
                createdAt: Timestamp, expiresAt: Timestamp?, description: String?, rotatedFromID: Int?) throws -> Int {
        let sql = """
            INSERT INTO api_keys (name, key_hash, lookup_id, permission, created_at, created_by, use_count, expires_at,
                                  revoked, description, rotated_from_id)
            VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8, $9, $10) RETURNING id
            """
        guard let id = try db.query(sql, [
            .text(name), .text(hash), .text(lookupID), .text(permission.rawValue), .text(createdAt.storageText),
            .text(createdBy), expiresAt.map { .text($0.storageText) } ?? .null, .bool(false), .optional(description),
            .optional(rotatedFromID),
        ]).first?.int(0) else { throw DatabaseError.statementFailed("insert returned no id") }
        return id
    }

    func find(id: Int) throws -> APIKeyRecord? {
        try db.query("SELECT \(Self.columns) FROM api_keys WHERE id = $1", [.int(Int64(id))]).first.map(Self.record)
    }

    func find(name: String) throws -> APIKeyRecord? {
        try db.query("SELECT \(Self.columns) FROM api_keys WHERE name = $1", [.text(name)]).first.map(Self.record)
    }

    /// The key with this lookup id, and its hash.
    func find(lookupID: String) throws -> (APIKeyRecord, String)? {
        try db.query("SELECT \(Self.columns), key_hash FROM api_keys WHERE lookup_id = $1", [.text(lookupID)])
            .first.map { (Self.record($0), $0.string(15) ?? "") }
    }

    /// Keys made by the reference (no lookup id) that could still authenticate.
    func legacyCandidates() throws -> [(APIKeyRecord, String)] {
        try db.query("SELECT \(Self.columns), key_hash FROM api_keys WHERE lookup_id IS NULL AND revoked = FALSE")
            .map { (Self.record($0), $0.string(15) ?? "") }
    }

    func setLookupID(id: Int, lookupID: String) throws {
        try db.execute("UPDATE api_keys SET lookup_id = $1 WHERE id = $2 AND lookup_id IS NULL", [.text(lookupID), .int(Int64(id))])
    }

    func list(includeRevoked: Bool, permission: Permission?) throws -> [APIKeyRecord] {
        try db.query("""
            SELECT \(Self.columns) FROM api_keys
            WHERE ($1 OR revoked = FALSE) AND ($2 = '' OR permission = $2)
            ORDER BY created_at DESC, id DESC
            """, [.bool(includeRevoked), .text(permission?.rawValue ?? "")]).map(Self.record)
    }

    func all() throws -> [APIKeyRecord] {
        try db.query("SELECT \(Self.columns) FROM api_keys").map(Self.record)
    }

    func revoke(id: Int, by: String, at: Timestamp, description: String?) throws {
        try db.execute("UPDATE api_keys SET revoked = TRUE, revoked_at = $1, revoked_by = $2, description = $3 WHERE id = $4",
                       [.text(at.storageText), .text(by), .optional(description), .int(Int64(id))])
    }

    func scheduleRotation(id: Int, rotatedTo: Int, at: Timestamp?, description: String?) throws {
        try db.execute("UPDATE api_keys SET rotated_to_id = $1, rotation_scheduled_at = $2, description = $3 WHERE id = $4",
                       [.int(Int64(rotatedTo)), at.map { .text($0.storageText) } ?? .null, .optional(description), .int(Int64(id))])
    }

    func delete(id: Int) throws {
        // Explicit, so that it holds where the database does not enforce the foreign keys (§13.26).
        try deleteScope(id: id)
        try db.execute("UPDATE api_keys SET rotated_from_id = NULL WHERE rotated_from_id = $1", [.int(Int64(id))])
        try db.execute("UPDATE api_keys SET rotated_to_id = NULL WHERE rotated_to_id = $1", [.int(Int64(id))])
        try db.execute("DELETE FROM api_keys WHERE id = $1", [.int(Int64(id))])
    }

    /// Adds `count` uses atomically (no read-modify-write, no lost increments).
    func addUses(id: Int, count: Int, lastUsed: Timestamp) throws {
        try db.execute("UPDATE api_keys SET use_count = use_count + $1, last_used_at = $2 WHERE id = $3",
                       [.int(Int64(count)), .text(lastUsed.storageText), .int(Int64(id))])
    }

    // MARK: namespace scope (migration 9)

    /// The key's scope; nil when it has none (every namespace). A row that cannot be read scopes
    /// the key to nothing rather than to everything.
    func scope(id: Int) throws -> KeyScope? {
        guard let text = try db.query("SELECT namespaces FROM api_key_scopes WHERE api_key_id = $1", [.int(Int64(id))])
            .first?.string(0) else { return nil }
        return KeyScope(storageText: text) ?? KeyScope([])
    }

    /// Sets (or with nil removes) the key's scope.
    func setScope(id: Int, _ scope: KeyScope?) throws {
        try deleteScope(id: id)
        guard let scope else { return }
        try db.execute("INSERT INTO api_key_scopes (api_key_id, namespaces) VALUES ($1, $2)",
                       [.int(Int64(id)), .text(scope.storageText)])
    }

    private func deleteScope(id: Int) throws {
        try db.execute("DELETE FROM api_key_scopes WHERE api_key_id = $1", [.int(Int64(id))])
    }

    // MARK: key-state version

    func stateVersion() throws -> Int {
        try db.scalarInt("SELECT version FROM registry_state WHERE name = 'api_keys'") ?? 0
    }

    /// Tells every worker (and pod) to forget what it cached about keys.
    func bumpStateVersion() throws {
        try db.execute("UPDATE registry_state SET version = version + 1 WHERE name = 'api_keys'", [])
    }

    static func record(_ row: SQLRow) -> APIKeyRecord {
        func time(_ i: Int) -> Timestamp? { row.string(i).flatMap(Timestamp.init(storage:)) }
        return APIKeyRecord(
            id: row.int(0) ?? 0, name: row.string(1) ?? "", permission: Permission(rawValue: row.string(2) ?? "") ?? .read,
            createdAt: time(3) ?? Timestamp(microseconds: 0), createdBy: row.string(4) ?? "", lastUsedAt: time(5),
            useCount: row.int(6) ?? 0, expiresAt: time(7), revoked: row.bool(8) ?? false, revokedAt: time(9),
            revokedBy: row.string(10), description: row.string(11), rotatedFromID: row.int(12), rotatedToID: row.int(13),
            rotationScheduledAt: time(14))
    }
}
