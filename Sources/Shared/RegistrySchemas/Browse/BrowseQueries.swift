import RegistryJSON
import RegistryStorage

/// The SQL only the web UI needs. Bound parameters; constant texts.
struct BrowseQueries {
    let db: DatabaseConnection

    /// From the listing's summary rows (migration 6): `g` the global scope, `n` one per namespace.
    func scopes() throws -> [ScopeSummary] {
        try db.query("""
            SELECT scope, scope_key, models FROM schema_model_counts
            WHERE scope IN ('g', 'n') AND models > 0 ORDER BY scope, scope_key
            """).map { row in
            ScopeSummary(namespace: row.string(0) == "n" ? (row.string(1) ?? "") : nil, models: row.int(2) ?? 0)
        }
    }

    /// The version rows without their schemas, through the ordering index.
    func versions(_ key: ModelKey) throws -> [VersionSummary] {
        let scope: String, parameters: [SQLValue]
        if let namespace = key.namespace {
            (scope, parameters) = ("namespace = $2", [.text(key.model), .text(namespace)])
        } else {
            (scope, parameters) = ("namespace IS NULL", [.text(key.model)])
        }
        return try db.query("""
            SELECT version, registered_at, registered_by, deprecated, deprecated_at, deprecation_message
            FROM schemas WHERE model_name = $1 AND \(scope)
            ORDER BY version_major, version_minor, version_patch, id
            """, parameters).map { row in
            VersionSummary(version: row.string(0) ?? "",
                           registeredAt: row.string(1).flatMap(Timestamp.init(storage:)) ?? Timestamp(microseconds: 0),
                           registeredBy: row.string(2) ?? "", deprecated: row.bool(3) ?? false,
                           deprecatedAt: row.string(4).flatMap(Timestamp.init(storage:)), deprecationMessage: row.string(5))
        }
    }
}
