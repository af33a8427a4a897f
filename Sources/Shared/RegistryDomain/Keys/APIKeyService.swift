import Foundation
import RegistryJSON
import RegistryRuntime
import RegistryStorage

/// Key management (contract §7.11, §8). Every change bumps the key-state version in the same
/// transaction, so every worker of every pod drops its cached keys within its poll interval, and
/// after the commit moves the server's `ChangeBoard`, so every worker of this server re-reads its
/// cached keys on its next request.
public struct APIKeyService: Sendable {
    public let pool: ConnectionPool
    /// Nil in the CLI (a separate process: the servers' poll sees its changes).
    public let board: ChangeBoard?

    public init(pool: ConnectionPool, board: ChangeBoard? = nil) {
        self.pool = pool
        self.board = board
    }

    public struct Created: Sendable {
        public let record: APIKeyRecord
        /// The plaintext key: returned this once, never stored.
        public let key: String
    }

    /// `scope` nil: every namespace (the CLI's keys are always made so).
    public func create(name: String, permission: Permission, description: String?, expiresInDays: Int?,
                       createdBy: String, actor: String? = nil, scope: KeyScope? = nil, now: Timestamp = .now()) throws -> Created {
        let conflict = RegistryError.conflict("API key with name '\(name)' already exists")
        if try find(name: name) != nil { throw conflict }   // before the bcrypt, which a conflict would waste
        let key = KeyMaterial.generate()
        guard let hash = BCrypt.hash(key), let lookupID = KeyMaterial.lookupID(of: key) else {
            throw DatabaseError.statementFailed("bcrypt failed")
        }
        let expiresAt = expiresInDays.map { Timestamp(microseconds: now.microseconds + Int64($0) * 86_400_000_000) }
        do {
            let record = try write { repository -> APIKeyRecord in
                if try repository.find(name: name) != nil { throw conflict }
                let id = try repository.insert(name: name, hash: hash, lookupID: lookupID, permission: permission,
                                               createdBy: createdBy, createdAt: now, expiresAt: expiresAt,
                                               description: description, rotatedFromID: nil)
                try repository.setScope(id: id, scope)
                let record = try repository.find(id: id)!
                try KeyEvents.record(.keyCreated, record, actor: actor, db: repository.db)
                return record
            }
            return Created(record: record, key: key)
        } catch DatabaseError.uniqueViolation {
            throw conflict   // a concurrent creation with the same name won
        }
    }

    public func list(includeRevoked: Bool, permission: Permission?) throws -> [APIKeyRecord] {
        try pool.withConnection { try APIKeyRepository(db: $0).list(includeRevoked: includeRevoked, permission: permission) }
    }

    public func get(id: Int) throws -> APIKeyRecord {
        guard let record = try pool.withConnection({ try APIKeyRepository(db: $0).find(id: id) }) else { throw notFound(id) }
        return record
    }

    public func find(name: String) throws -> APIKeyRecord? {
        try pool.withConnection { try APIKeyRepository(db: $0).find(name: name) }
    }

    public func stats(now: Timestamp = .now()) throws -> JSONObject {
        let keys = try pool.withConnection { try APIKeyRepository(db: $0).all() }
        let byPermission = Permission.allCases.map { p in (p.rawValue, JSONValue.int(keys.filter { $0.permission == p }.count)) }
        return JSONObject([
            ("total_keys", .int(keys.count)),
            ("active_keys", .int(keys.filter { $0.isActive(at: now) }.count)),
            ("revoked_keys", .int(keys.filter(\.revoked).count)),
            ("expired_keys", .int(keys.filter { !$0.revoked && $0.isExpired(at: now) }.count)),
            ("by_permission", .object(JSONObject(byPermission))),
        ])
    }

    public func revoke(id: Int, by: String, reason: String?, actor: String? = nil, now: Timestamp = .now()) throws -> APIKeyRecord {
        try write { repository in
            guard let record = try repository.find(id: id) else { throw notFound(id) }
            guard !record.revoked else { throw RegistryError.badRequest("API key '\(record.name)' is already revoked") }
            var description = record.description
            if let reason, !reason.isEmpty {
                description = description.map { "\($0)\n\nRevocation reason: \(reason)" } ?? "Revocation reason: \(reason)"
            }
            try repository.revoke(id: id, by: by, at: now, description: description)
            let revoked = try repository.find(id: id)!
            try KeyEvents.record(.keyRevoked, revoked, actor: actor, db: repository.db)
            return revoked
        }
    }

    public func delete(id: Int, actor: String? = nil) throws {
        try write { repository in
            guard let record = try repository.find(id: id) else { throw notFound(id) }
            try repository.delete(id: id)
            try KeyEvents.record(.keyDeleted, record, actor: actor, db: repository.db)
        }
    }

    /// The key's namespace scope (nil: every namespace).
    public func scope(id: Int) throws -> KeyScope? {
        try pool.withConnection { db in
            let repository = APIKeyRepository(db: db)
            guard try repository.find(id: id) != nil else { throw notFound(id) }
            return try repository.scope(id: id)
        }
    }

    /// Replaces the key's scope (nil: every namespace); every worker uses the new one from its
    /// next request (key-state version and change board, like a revocation).
    public func setScope(id: Int, _ scope: KeyScope?, actor: String? = nil) throws -> KeyScope? {
        try write { repository in
            guard let record = try repository.find(id: id) else { throw notFound(id) }
            try repository.setScope(id: id, scope)
            try KeyEvents.scopeChanged(record, scope: scope, actor: actor, db: repository.db)
            return scope
        }
    }

    public struct Rotation: Sendable {
        public let old: APIKeyRecord
        public let new: Created
        public let graceEndsAt: Timestamp?
        public var message: String {
            graceEndsAt.map { "New key created. Old key will remain active until \($0.isoOffset)" }
                ?? "New key created. Old key immediately revoked."
        }
    }

    /// A new key with the old one's permission and expiry; the old key keeps working for the
    /// grace period (then it is refused), or is revoked at once when the period is 0.
    public func rotate(id: Int, graceHours: Int, reason: String?, by: String, actor: String? = nil,
                       now: Timestamp = .now()) throws -> Rotation {
        let key = KeyMaterial.generate()
        guard let hash = BCrypt.hash(key), let lookupID = KeyMaterial.lookupID(of: key) else {
            throw DatabaseError.statementFailed("bcrypt failed")
        }
        let reasonText = reason.flatMap { $0.isEmpty ? nil : $0 }
        return try write { repository in
            guard let old = try repository.find(id: id) else { throw notFound(id) }
            guard !old.revoked else { throw RegistryError.badRequest("Cannot rotate revoked key '\(old.name)'") }
            guard !old.isExpired(at: now) else { throw RegistryError.badRequest("Cannot rotate expired key '\(old.name)'") }
            let name = try uniqueName("\(old.name)-rotated-\(Self.stamp(now))", repository)
            let description = "Rotated from key ID \(old.id). \(reasonText ?? "")".trimmingCharacters(in: .whitespacesAndNewlines)
            let newID = try repository.insert(name: name, hash: hash, lookupID: lookupID, permission: old.permission,
                                              createdBy: by, createdAt: now, expiresAt: old.expiresAt,
                                              description: description, rotatedFromID: old.id)
            try repository.setScope(id: newID, try repository.scope(id: old.id))   // a rotated key keeps its scope
            let graceEnd = graceHours > 0 ? Timestamp(microseconds: now.microseconds + Int64(graceHours) * 3_600_000_000) : nil
            func appended(_ label: String) -> String? {
                guard let reasonText else { return old.description }
                return ((old.description ?? "") + "\n\n\(label): \(reasonText)").trimmingCharacters(in: .whitespacesAndNewlines)
            }
            if let graceEnd {
                try repository.scheduleRotation(id: old.id, rotatedTo: newID, at: graceEnd, description: appended("Rotation scheduled"))
            } else {
                try repository.scheduleRotation(id: old.id, rotatedTo: newID, at: nil, description: appended("Revoked (rotated)"))
                try repository.revoke(id: old.id, by: by, at: now, description: appended("Revoked (rotated)"))
            }
            let rotation = Rotation(old: try repository.find(id: old.id)!,
                                    new: Created(record: try repository.find(id: newID)!, key: key), graceEndsAt: graceEnd)
            try KeyEvents.rotated(rotation, actor: actor, db: repository.db)
            return rotation
        }
    }

    // MARK: -

    private func notFound(_ id: Int) -> RegistryError { .notFound("API key with ID \(id) not found") }

    private func uniqueName(_ base: String, _ repository: APIKeyRepository) throws -> String {
        var candidate = base, n = 2
        while try repository.find(name: candidate) != nil { candidate = "\(base)-\(n)"; n += 1 }
        return candidate
    }

    private static func stamp(_ t: Timestamp) -> String {
        let iso = t.isoZulu   // 2026-11-26T12:25:06.604321Z
        let digits = iso.prefix(19).filter(\.isNumber)
        return "\(digits.prefix(8))-\(digits.dropFirst(8))"
    }

    private func write<T>(_ body: (APIKeyRepository) throws -> T) throws -> T {
        let value = try pool.withConnection { db in
            try db.transaction {
                let repository = APIKeyRepository(db: db)
                let value = try body(repository)
                try repository.bumpStateVersion()
                return value
            }
        }
        board?.keysChanged()
        return value
    }
}
