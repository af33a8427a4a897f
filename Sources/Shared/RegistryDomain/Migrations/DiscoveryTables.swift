import RegistryDiscovery
import RegistryStorage

/// Migration 7 (issue 16): what lookup by content and search read.
///
/// * `schema_fingerprints`: one row per version, the SHA-256 of its JSON Schema's RFC 8785 text
///   and of its Avro Parsing Canonical Form, and the Avro CRC-64 fingerprint, indexed by hash.
/// * `schema_search_words`: every distinct lower-cased name or word ever indexed, with a trigram
///   index for substrings: SQLite FTS5's trigram tokenizer (`schema_search_fts`, an external-content
///   table kept by triggers) or PostgreSQL's `pg_trgm` GIN index (created when the extension can
///   be, see docs/discovery.md). Small (distinct words), so substring matching stays cheap and a
///   registration adds trigram entries only for words never seen before. Words are never removed.
/// * `schema_search_terms`: the postings, one row per word and place (model name, field, text) of
///   a version, B-tree indexed by word and by version. Migration 10 (`SearchPostings`) replaces it,
///   and these triggers, with `schema_search_postings`.
///
/// Rows are written by `DiscoveryIndex` in the registration's transaction. Triggers on `schemas`
/// drop a version's rows when it is deleted or its schemas, model name or deprecation message
/// change, whoever writes; the backfill (every start) indexes every version without rows, which
/// also repairs what another writer (the Python reference on the same database) changed.
enum DiscoveryTables {
    private static func tables(_ dialect: SQLDialect) -> [String] { [
        """
        CREATE TABLE IF NOT EXISTS schema_fingerprints (
            schema_id BIGINT NOT NULL PRIMARY KEY,
            json_sha256 VARCHAR(64) NOT NULL,
            avro_sha256 VARCHAR(64),
            avro_rabin VARCHAR(16)
        )
        """,
        "CREATE INDEX IF NOT EXISTS idx_schema_fingerprints_json ON schema_fingerprints (json_sha256)",
        "CREATE INDEX IF NOT EXISTS idx_schema_fingerprints_avro ON schema_fingerprints (avro_sha256)",
        """
        CREATE TABLE IF NOT EXISTS schema_search_words (
            id \(dialect == .sqlite ? "INTEGER PRIMARY KEY" : "BIGSERIAL PRIMARY KEY"),
            word TEXT NOT NULL UNIQUE
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS schema_search_terms (
            schema_id BIGINT NOT NULL,
            word_id BIGINT NOT NULL,
            kind VARCHAR(5) NOT NULL,
            matched TEXT NOT NULL,
            path TEXT,
            source VARCHAR(32) NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS idx_schema_search_terms_schema ON schema_search_terms (schema_id)",
        "CREATE INDEX IF NOT EXISTS idx_schema_search_terms_word ON schema_search_terms (word_id, kind)",
    ] }

    /// The columns whose change makes a version's index rows stale.
    private static let indexedColumns = "json_schema, avro_schema, deprecation_message, model_name"

    private static let drop = """
        DELETE FROM schema_fingerprints WHERE schema_id = OLD.id;
        DELETE FROM schema_search_terms WHERE schema_id = OLD.id;
        """

    private static let sqlite = tables(.sqlite) + [
        """
        CREATE VIRTUAL TABLE IF NOT EXISTS schema_search_fts USING fts5(
            word, content = 'schema_search_words', content_rowid = 'id', tokenize = 'trigram case_sensitive 1')
        """,
        """
        CREATE TRIGGER IF NOT EXISTS trg_search_words_fts_insert AFTER INSERT ON schema_search_words
        BEGIN INSERT INTO schema_search_fts (rowid, word) VALUES (NEW.id, NEW.word); END
        """,
        """
        CREATE TRIGGER IF NOT EXISTS trg_search_words_fts_delete AFTER DELETE ON schema_search_words
        BEGIN INSERT INTO schema_search_fts (schema_search_fts, rowid, word) VALUES ('delete', OLD.id, OLD.word); END
        """,
    ] + DiscoveryTriggers.statements(.sqlite, drop: drop, columns: indexedColumns)

    private static let postgres = tables(.postgres) + DiscoveryTriggers.statements(.postgres, drop: drop, columns: indexedColumns)

    /// `pg_trgm` is a trusted extension (PostgreSQL 13+): a database owner may create it, if the
    /// server has the contrib files. Without it search still answers, scanning the words for
    /// substrings; the savepoint keeps a refusal from aborting the migration.
    private static func trigramIndex(_ db: DatabaseConnection) throws {
        try db.executeScript("SAVEPOINT pyrmute_trigram")
        do {
            try db.executeScript("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            try db.executeScript("""
                CREATE INDEX IF NOT EXISTS idx_schema_search_words_trigram ON schema_search_words USING gin (word gin_trgm_ops)
                """)
            try db.executeScript("RELEASE SAVEPOINT pyrmute_trigram")
        } catch {
            try db.executeScript("ROLLBACK TO SAVEPOINT pyrmute_trigram")
        }
    }

    static let migration = Migration(
        version: 7, name: "discovery: fingerprints and search terms",
        sqlite: sqlite, postgres: postgres,
        backfill: { db in
            if db.dialect == .postgres { try trigramIndex(db) }
            try DiscoveryIndex(db: db).backfill()
        })
}
