
/// Migration 2: numeric version columns with an index, so `latest` and listings order versions in
/// SQL without reading schema bodies; and uniqueness of global (NULL-namespace) versions, which
/// the reference's UNIQUE constraint does not cover (SQL NULLs are distinct).
enum VersionOrdering {
    private static let statements = [
        "ALTER TABLE schemas ADD COLUMN version_major BIGINT",
        "ALTER TABLE schemas ADD COLUMN version_minor BIGINT",
        "ALTER TABLE schemas ADD COLUMN version_patch BIGINT",
        // Orders a model's versions for `latest`, and covers the listing's columns, so neither
        // reads the rows with their schema bodies.
        """
        CREATE INDEX IF NOT EXISTS idx_schemas_version_order
            ON schemas (namespace, model_name, version_major, version_minor, version_patch, deprecated, version, registered_by)
        """,
        """
        CREATE UNIQUE INDEX IF NOT EXISTS uix_global_model_version
            ON schemas (model_name, version) WHERE namespace IS NULL
        """,
    ]

    static let migration = Migration(
        version: 2, name: "version ordering and global uniqueness",
        sqlite: statements, postgres: statements,
        backfill: { db in
            for row in try db.query("SELECT id, version FROM schemas WHERE version_major IS NULL") {
                guard let id = row.int(0), let text = row.string(1), let v = SchemaVersion(text) else { continue }
                try db.execute("UPDATE schemas SET version_major = $1, version_minor = $2, version_patch = $3 WHERE id = $4",
                               [.int(v.major), .int(v.minor), .int(v.patch), .int(Int64(id))])
            }
        })
}
