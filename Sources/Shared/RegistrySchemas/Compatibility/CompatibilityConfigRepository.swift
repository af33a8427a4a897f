import RegistryJSON
import RegistryRuntime
import RegistryStorage

/// The SQL of the `compatibility_config` table (migration 5).
struct CompatibilityConfigRepository {
    let db: DatabaseConnection

    /// The levels stored for the given scopes, by scope key (up to three scopes: one statement).
    func levels(_ scopes: [CompatibilityScope]) throws -> [String: CompatibilityLevel] {
        precondition(!scopes.isEmpty && scopes.count <= 3)
        let keys = scopes.map(\.storageKey)
        let padded = keys + Array(repeating: keys[0], count: 3 - keys.count)
        var found: [String: CompatibilityLevel] = [:]
        for row in try db.query("SELECT scope_key, compatibility FROM compatibility_config WHERE scope_key IN ($1, $2, $3)",
                                padded.map(SQLValue.text)) {
            if let key = row.string(0), let level = row.string(1).flatMap(CompatibilityLevel.init(rawValue:)) {
                found[key] = level
            }
        }
        return found
    }

    func set(_ scope: CompatibilityScope, _ level: CompatibilityLevel, by actor: String?) throws {
        let (namespace, model): (String?, String?)
        switch scope {
        case .server: (namespace, model) = (nil, nil)
        case .namespace(let name): (namespace, model) = (name, nil)
        case .model(let key): (namespace, model) = (key.namespace, key.model)
        }
        try db.execute("""
            INSERT INTO compatibility_config (scope_key, scope, namespace, model_name, compatibility, updated_at, updated_by)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (scope_key) DO UPDATE SET compatibility = excluded.compatibility,
                updated_at = excluded.updated_at, updated_by = excluded.updated_by
            """, [.text(scope.storageKey), .text(scope.source), namespace.map(SQLValue.text) ?? .null,
                  model.map(SQLValue.text) ?? .null, .text(level.rawValue), .text(Timestamp.now().storageText),
                  actor.map(SQLValue.text) ?? .null])
    }

    /// True when a row was there to delete.
    func delete(_ scope: CompatibilityScope) throws -> Bool {
        try !db.query("DELETE FROM compatibility_config WHERE scope_key = $1 RETURNING scope_key", [.text(scope.storageKey)]).isEmpty
    }
}
