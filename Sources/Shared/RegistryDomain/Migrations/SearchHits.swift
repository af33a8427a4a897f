import RegistryStorage

/// Migration 11 (issue 16, search speed): the postings a search reads, one row per word, kind and
/// version, the version's places packed in one column.
///
/// A search used to read a row per place: `ns042 service` read 2,000 rows for `ns042` (the title
/// and the description of 1,000 versions) and 1,000 for `service`. `schema_search_hits` holds
/// the same hits as a row per (word, kind, version) with `places`, the place numbers ascending and
/// separated by spaces, so that search reads 1,000 + 1,000 (pgbench on the seeded database: the
/// two reads 1.4x as fast). It carries the ranking columns of `schema_search_postings` (migration
/// 10), which stays for what a result shows (`matched`, `path`, `source`), read for the page only.
///
/// The table is filled here from the postings (grouped, no re-indexing), kept by `DiscoveryIndex`
/// beside them, and dropped with them by the triggers, rewritten to name both tables.
enum SearchHits {
    private static func statements(_ dialect: SQLDialect) -> [String] {
        let table = """
            CREATE TABLE IF NOT EXISTS schema_search_hits (
                word_id BIGINT NOT NULL,
                kind VARCHAR(5) NOT NULL,
                schema_id BIGINT NOT NULL,
                places TEXT NOT NULL,
                namespace TEXT,
                model_name TEXT NOT NULL,
                version_major BIGINT NOT NULL,
                version_minor BIGINT NOT NULL,
                version_patch BIGINT NOT NULL,
                deprecated BOOLEAN NOT NULL,
                PRIMARY KEY (word_id, kind, schema_id)\(dialect == .postgres ? " INCLUDE (\(includedColumns))" : "")
            )\(dialect == .sqlite ? " WITHOUT ROWID" : "")
            """
        return [
            table,
            // The triggers and `DiscoveryIndex.remove` delete by version.
            "CREATE INDEX IF NOT EXISTS idx_schema_search_hits_schema ON schema_search_hits (schema_id)",
            fill(dialect),
        ] + (dialect == .postgres ? detailsIndex : [])
    }

    /// On PostgreSQL the page's details (`SearchPostingsQueries.details`: 20 places, 40 postings for
    /// two words) were an index probe and a heap fetch each, 0.46 ms per search under load; with
    /// what they read in the index, 0.22 ms. The index replaces migration 10's on (schema_id,
    /// place), which the triggers' deletions by version also use. (SQLite's postings are a
    /// `WITHOUT ROWID` table whose secondary index leads to the row by its key; it keeps it.)
    private static let detailsIndex = [
        """
        CREATE INDEX IF NOT EXISTS idx_schema_search_postings_details ON schema_search_postings (schema_id, place, word_id)
            INCLUDE (kind, version, source, matched, path)
        """,
        "DROP INDEX IF EXISTS idx_schema_search_postings_place",
    ]

    /// On PostgreSQL the key's index carries what a search reads, so the reads are index-only scans.
    private static let includedColumns = "deprecated, namespace, places, model_name, version_major, version_minor, version_patch"

    /// Every version's postings grouped; the ranking columns are the same in each row of a version.
    private static func fill(_ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite:
            // group_concat keeps the order of its input rows: the subquery's.
            return """
                INSERT OR IGNORE INTO schema_search_hits (word_id, kind, schema_id, places, namespace, model_name,
                                                          version_major, version_minor, version_patch, deprecated)
                SELECT word_id, kind, schema_id, group_concat(place, ' '), min(namespace), min(model_name),
                       min(version_major), min(version_minor), min(version_patch), min(deprecated)
                FROM (SELECT * FROM schema_search_postings ORDER BY word_id, kind, schema_id, place)
                GROUP BY word_id, kind, schema_id
                """
        case .postgres:
            return """
                INSERT INTO schema_search_hits (word_id, kind, schema_id, places, namespace, model_name,
                                                version_major, version_minor, version_patch, deprecated)
                SELECT word_id, kind, schema_id, string_agg(place::text, ' ' ORDER BY place), min(namespace), min(model_name),
                       min(version_major), min(version_minor), min(version_patch), bool_and(deprecated)
                FROM schema_search_postings GROUP BY word_id, kind, schema_id
                ON CONFLICT DO NOTHING
                """
        }
    }

    /// The columns whose change makes a version's index rows stale (as migration 10).
    private static let indexedColumns = """
        json_schema, avro_schema, deprecation_message, deprecated, namespace, model_name, version, \
        version_major, version_minor, version_patch
        """

    private static let drop = """
        DELETE FROM schema_fingerprints WHERE schema_id = OLD.id;
        DELETE FROM schema_search_postings WHERE schema_id = OLD.id;
        DELETE FROM schema_search_hits WHERE schema_id = OLD.id;
        """

    private static let triggers = [
        "DROP TRIGGER IF EXISTS trg_schemas_discovery_delete",
        "DROP TRIGGER IF EXISTS trg_schemas_discovery_stale",
    ]

    static let migration = Migration(
        version: 11, name: "discovery: search hits packed per word and version",
        sqlite: statements(.sqlite) + triggers + DiscoveryTriggers.statements(.sqlite, drop: drop, columns: indexedColumns),
        postgres: statements(.postgres) + DiscoveryTriggers.statements(.postgres, drop: drop, columns: indexedColumns))
}
