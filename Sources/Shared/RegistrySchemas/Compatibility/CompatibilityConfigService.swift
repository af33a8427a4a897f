import RegistryDomain
import RegistryRuntime
import RegistryStorage

/// The compatibility level at each scope (issue 14): stored in the database, so every worker and
/// every server on it answers the same; the server scope falls back to
/// `PYRMUTE_REGISTRY_DEFAULT_COMPATIBILITY`. Blocking: call it off the event loop.
public struct CompatibilityConfigService: Sendable {
    public let pool: ConnectionPool
    public let defaultLevel: CompatibilityLevel
    public let board: ChangeBoard?

    public init(pool: ConnectionPool, defaultLevel: CompatibilityLevel, board: ChangeBoard? = nil) {
        self.pool = pool
        self.defaultLevel = defaultLevel
        self.board = board
    }

    /// The level in force at `scope` and where it comes from.
    public func get(_ scope: CompatibilityScope) throws -> CompatibilitySetting {
        try pool.withConnection { try Self.inForce(scope, db: $0, defaultLevel: defaultLevel) }
    }

    /// Sets the level at `scope`; answers it as set there.
    public func set(_ scope: CompatibilityScope, _ level: CompatibilityLevel, by actor: String?) throws -> CompatibilitySetting {
        try pool.withConnection { db in
            try db.transaction {
                try CompatibilityConfigRepository(db: db).set(scope, level, by: actor)
                try SchemaEvents.config(scope, level: level.rawValue, actor: actor, db: db)
            }
        }
        board?.configChanged()
        return CompatibilitySetting(level: level, source: scope.source)
    }

    /// Removes the level set at `scope` (the next scope applies again); 404 when none was set.
    public func delete(_ scope: CompatibilityScope, by actor: String? = nil) throws {
        let deleted = try pool.withConnection { db in
            try db.transaction {
                let deleted = try CompatibilityConfigRepository(db: db).delete(scope)
                if deleted { try SchemaEvents.config(scope, level: nil, actor: actor, db: db) }
                return deleted
            }
        }
        guard deleted else { throw RegistryError.notFound("No compatibility level is set for \(scope.description)") }
        board?.configChanged()
    }

    /// The first level stored along the scope's chain, else the configured default (one query).
    static func inForce(_ scope: CompatibilityScope, db: DatabaseConnection,
                        defaultLevel: CompatibilityLevel) throws -> CompatibilitySetting {
        let chain = scope.chain
        let stored = try CompatibilityConfigRepository(db: db).levels(chain)
        for candidate in chain {
            if let level = stored[candidate.storageKey] { return CompatibilitySetting(level: level, source: candidate.source) }
        }
        return CompatibilitySetting(level: defaultLevel, source: "server")
    }
}
