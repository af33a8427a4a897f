import RegistryDiscovery
import RegistryStorage

/// Migration 12 (issue 16, search speed): what a search reads, one row per word, kind and model
/// (`ModelHits`), in place of migration 11's row per word, kind and version.
///
/// `ns042 service` read a row per version of each word (1,000 + 1,000); it now reads a row per
/// model (200 + 200): in SQL alone on the seeded PostgreSQL database, 2.3x the searches per
/// second. The key is `(word_id, kind, ns_key, model_name, chunk)`: on SQLite a `WITHOUT ROWID`
/// table, on PostgreSQL a B-tree that `INCLUDE`s what a search reads (index-only scans).
///
/// The rows are written by `DiscoveryIndex` alone (a version's entries appended to its model's
/// rows), so the migration empties the postings and the fingerprints: the backfill that follows
/// indexes every version again, as after migration 10. The triggers cut a deleted or changed
/// version's entries out of its model's rows, whoever writes.
enum SearchModelHits {
    private static func table(_ dialect: SQLDialect) -> String {
        """
        CREATE TABLE IF NOT EXISTS \(ModelHits.table) (
            word_id BIGINT NOT NULL,
            kind VARCHAR(5) NOT NULL,
            ns_key TEXT NOT NULL,
            model_name TEXT NOT NULL,
            chunk BIGINT NOT NULL,
            namespace TEXT,
            live BOOLEAN NOT NULL,
            versions TEXT NOT NULL,
            PRIMARY KEY (word_id, kind, ns_key, model_name, chunk)\(dialect == .postgres ? " INCLUDE (namespace, live, versions)" : "")
        )\(dialect == .sqlite ? " WITHOUT ROWID" : "")
        """
    }

    private static func drop(_ dialect: SQLDialect) -> String {
        (ModelHits.removal(dialect, id: "OLD.id") + [
            "DELETE FROM schema_fingerprints WHERE schema_id = OLD.id;",
            "DELETE FROM schema_search_postings WHERE schema_id = OLD.id;",
        ]).joined(separator: "\n")
    }

    private static let sqlite = [
        "DROP TRIGGER IF EXISTS trg_schemas_discovery_delete",
        "DROP TRIGGER IF EXISTS trg_schemas_discovery_stale",
        table(.sqlite),
        "DROP TABLE IF EXISTS schema_search_hits",
        "DELETE FROM schema_search_postings",
        "DELETE FROM schema_fingerprints",
    ] + DiscoveryTriggers.statements(.sqlite, drop: drop(.sqlite), columns: SearchPostings.indexedColumns)

    private static let postgres = [
        table(.postgres),
        "DROP TABLE IF EXISTS schema_search_hits",
        "TRUNCATE schema_search_postings, schema_fingerprints",
    ] + DiscoveryTriggers.statements(.postgres, drop: drop(.postgres), columns: SearchPostings.indexedColumns)

    static let migration = Migration(
        version: 12, name: "discovery: search hits packed per word, kind and model",
        sqlite: sqlite, postgres: postgres)
}
