import RegistryStorage

/// Migration 10 (issue 16, search speed): the postings clustered by word, carrying what ranking
/// needs of their version, so a search reads one contiguous run of rows per word and never joins
/// `schemas`.
///
/// `schema_search_postings` replaces migration 7's `schema_search_terms`. Its primary key is
/// `(word_id, kind, schema_id, place)`: on SQLite a `WITHOUT ROWID` table stored in that order, on
/// PostgreSQL a B-tree in that order that includes the ranking columns. `place` numbers a version's places (its model name, each
/// field, each text) in the order results are listed within a version (kind, source, path), so
/// ranking compares integers. Each row repeats its version's namespace, model name, version,
/// version order and deprecation; the triggers drop a version's rows when any of these change,
/// and the writer (or the next start's backfill) writes them again.
///
/// The migration empties `schema_fingerprints`, so the backfill that follows indexes every version
/// into the new table (fingerprints are written with the postings, and their absence is what
/// marks a version as not indexed).
enum SearchPostings {
    private static func statements(_ dialect: SQLDialect) -> [String] {
        let table = """
            CREATE TABLE IF NOT EXISTS schema_search_postings (
                \(columnDefinitions),
                PRIMARY KEY (word_id, kind, schema_id, place)\(dialect == .postgres ? " INCLUDE (\(rankingColumns))" : "")
            )\(dialect == .sqlite ? " WITHOUT ROWID" : "")
            """
        return [
            "DROP TABLE IF EXISTS schema_search_terms",
            table,
            "CREATE INDEX IF NOT EXISTS idx_schema_search_postings_place ON schema_search_postings (schema_id, place)",
            "DELETE FROM schema_fingerprints",
        ]
    }

    /// What a search reads of each posting beside its key. On PostgreSQL the primary key's index
    /// carries them too, so a search is an index-only scan (measured 2.2× faster warm, and a tenth of
    /// the buffers) once autovacuum has marked the pages all-visible.
    private static let rankingColumns = "deprecated, namespace, model_name, version_major, version_minor, version_patch"

    /// The table's columns, a definition per line as in its `CREATE TABLE` (migration 11 copies the table).
    static let columnDefinitions = [
        "word_id BIGINT NOT NULL", "kind VARCHAR(5) NOT NULL", "schema_id BIGINT NOT NULL", "place INTEGER NOT NULL",
        "matched TEXT NOT NULL", "path TEXT", "source VARCHAR(32) NOT NULL", "namespace TEXT", "model_name TEXT NOT NULL",
        "version TEXT NOT NULL", "version_major BIGINT NOT NULL", "version_minor BIGINT NOT NULL",
        "version_patch BIGINT NOT NULL", "deprecated BOOLEAN NOT NULL",
    ].joined(separator: ",\n    ")

    /// The columns whose change makes a version's index rows stale (migration 11 keeps them).
    static let indexedColumns = """
        json_schema, avro_schema, deprecation_message, deprecated, namespace, model_name, version, \
        version_major, version_minor, version_patch
        """

    private static let drop = """
        DELETE FROM schema_fingerprints WHERE schema_id = OLD.id;
        DELETE FROM schema_search_postings WHERE schema_id = OLD.id;
        """

    private static let sqlite = [
        "DROP TRIGGER IF EXISTS trg_schemas_discovery_delete",
        "DROP TRIGGER IF EXISTS trg_schemas_discovery_stale",
    ] + statements(.sqlite) + DiscoveryTriggers.statements(.sqlite, drop: drop, columns: indexedColumns)

    private static let postgres = statements(.postgres) + DiscoveryTriggers.statements(.postgres, drop: drop, columns: indexedColumns)

    static let migration = Migration(
        version: 10, name: "discovery: search postings clustered by word",
        sqlite: sqlite, postgres: postgres)
}
