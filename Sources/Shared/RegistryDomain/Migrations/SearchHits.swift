import RegistryStorage

/// Migration 11 (issue 16, search speed): the postings a search reads, one row per word, kind and
/// version, the version's places packed in one column; the per-place postings keyed by version.
///
/// A search used to read a row per place: `ns042 service` read 2,000 rows for `ns042` (the title
/// and the description of 1,000 versions) and 1,000 for `service`. `schema_search_hits` holds
/// the same hits as a row per (word, kind, version) with `places`, the place numbers ascending and
/// separated by spaces, so that search reads 1,000 + 1,000 (pgbench on the seeded database: the
/// two reads 1.4x as fast). It carries the ranking columns of `schema_search_postings` (migration
/// 10), clustered by word as the postings were.
///
/// `schema_search_postings` stays for what a result shows (`matched`, `path`, `source`), read
/// for the page's places only, and for grouping a version's hits (`packHits`). Both
/// read it by version, so it is now keyed by `(schema_id, place, word_id)` instead of by word: a
/// registration writes its postings into one or two pages instead of a page per word (with two
/// tables clustered by word, registering a 60-word schema cost 1.35x), and on PostgreSQL the page's
/// details are an index-only scan (0.46 -> 0.22 ms per search under load).
///
/// The hits are filled here from the postings (grouped, no indexing again) and kept by
/// `DiscoveryIndex` beside them; the triggers drop a version's rows in both tables.
enum SearchHits {
    private static func hits(_ dialect: SQLDialect) -> [String] {
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
            // Every version's postings grouped; the ranking columns are the same in each row of a version.
            packHits(dialect),
        ]
    }

    /// The postings grouped by word, kind and version, places ascending and separated by spaces
    /// (migration 12 replaces these rows with `ModelHits`).
    private static func packHits(_ dialect: SQLDialect) -> String {
        switch dialect {
        case .sqlite:
            // group_concat keeps the order of its input rows: the subquery's.
            return """
                INSERT INTO schema_search_hits (word_id, kind, schema_id, places, namespace, model_name,
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
                """
        }
    }

    /// On PostgreSQL the key's index carries what a search reads, so the reads are index-only scans.
    private static let includedColumns = "deprecated, namespace, places, model_name, version_major, version_minor, version_patch"

    /// SQLite: the postings copied into a `WITHOUT ROWID` table in version order (the triggers,
    /// which name the table, are dropped first: renaming a table checks every trigger).
    private static let postingsByVersionSQLite = [
        "DROP TRIGGER IF EXISTS trg_schemas_discovery_delete",
        "DROP TRIGGER IF EXISTS trg_schemas_discovery_stale",
        """
        CREATE TABLE schema_search_postings_by_version (
            \(SearchPostings.columnDefinitions),
            PRIMARY KEY (schema_id, place, word_id)
        ) WITHOUT ROWID
        """,
        """
        INSERT INTO schema_search_postings_by_version SELECT word_id, kind, schema_id, place, matched, path, source, namespace,
            model_name, version, version_major, version_minor, version_patch, deprecated
        FROM schema_search_postings ORDER BY schema_id, place, word_id
        """,
        "DROP TABLE schema_search_postings",
        "ALTER TABLE schema_search_postings_by_version RENAME TO schema_search_postings",
    ]

    /// PostgreSQL: the heap stays; its key by word goes, and a unique index by version that holds
    /// what the page's details read takes the place of migration 10's on (schema_id, place).
    private static let postingsByVersionPostgres = [
        "ALTER TABLE schema_search_postings DROP CONSTRAINT IF EXISTS schema_search_postings_pkey",
        """
        CREATE UNIQUE INDEX IF NOT EXISTS idx_schema_search_postings_version ON schema_search_postings (schema_id, place, word_id)
            INCLUDE (kind, version, source, matched, path)
        """,
        "DROP INDEX IF EXISTS idx_schema_search_postings_place",
    ]

    private static let drop = """
        DELETE FROM schema_fingerprints WHERE schema_id = OLD.id;
        DELETE FROM schema_search_postings WHERE schema_id = OLD.id;
        DELETE FROM schema_search_hits WHERE schema_id = OLD.id;
        """

    static let migration = Migration(
        version: 11, name: "discovery: search hits packed per word and version, postings keyed by version",
        sqlite: hits(.sqlite) + postingsByVersionSQLite + DiscoveryTriggers.statements(.sqlite, drop: drop, columns: SearchPostings.indexedColumns),
        postgres: hits(.postgres) + postingsByVersionPostgres
            + DiscoveryTriggers.statements(.postgres, drop: drop, columns: SearchPostings.indexedColumns))
}
