import Foundation
import RegistryDomain
import RegistryStorage
import XCTest

/// A database the Python reference created (its tables, no `schema_migrations`) is adopted as it
/// is: rows kept, nothing rebuilt, the migration recorded.
final class MigrationTests: XCTestCase {
    func testReferenceDatabaseIsAdoptedUnchanged_sqlite() throws { try adopt(.sqlite) }
    func testReferenceDatabaseIsAdoptedUnchanged_postgres() throws { try adopt(.postgres) }

    private func adopt(_ backend: Backend) throws {
        let url = try backend.freshDatabaseURL()
        let db = try Database.connect(DatabaseURL(parsing: url))
        defer { db.close() }
        // What SQLAlchemy's create_all emits for the reference's `schemas` model (abridged to
        // the table the test reads; the other two tables are created the same way).
        let timestamp = backend == .sqlite ? "DATETIME" : "TIMESTAMP WITH TIME ZONE"
        let serial = backend == .sqlite ? "INTEGER NOT NULL" : "SERIAL NOT NULL"
        try db.executeScript("""
            CREATE TABLE schemas (
                id \(serial), namespace VARCHAR(255), model_name VARCHAR(255) NOT NULL,
                version VARCHAR(100) NOT NULL, json_schema JSON NOT NULL, avro_schema JSON,
                registered_at \(timestamp) NOT NULL, registered_by VARCHAR(255) NOT NULL, meta JSON,
                deprecated BOOLEAN NOT NULL, deprecated_at \(backend == .sqlite ? "DATETIME" : "TIMESTAMP WITHOUT TIME ZONE"),
                deprecation_message VARCHAR(500), PRIMARY KEY (id),
                CONSTRAINT uix_namespace_model_version UNIQUE (namespace, model_name, version)
            )
            """)
        try db.execute("""
            INSERT INTO schemas (namespace, model_name, version, json_schema, registered_at, registered_by, meta, deprecated)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, [.text("billing"), .text("Invoice"), .text("1.0.0"), .text(#"{"type": "object"}"#),
                  .text("2024-01-15 10:30:00.000000"), .text("svc"), .text("{}"), .bool(false)])

        let initDB = try CommandRunner.cli(["init-db"], environment: ["PYRMUTE_REGISTRY_DATABASE_URL": url])
        XCTAssertEqual(initDB.status, 0, initDB.output)
        XCTAssertEqual(try Migrator(connection: db).appliedVersions(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        let rows = try db.query("SELECT namespace, model_name, version, json_schema FROM schemas")
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows[0].string(1), "Invoice")
        XCTAssertEqual(rows[0].string(3), #"{"type": "object"}"#)
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM api_keys"), 0, "missing tables were not created")

        let server = try ServerProcess(databaseURL: url, workers: 1)
        XCTAssertEqual(try server.request("/health").json()["schemas_count"], 1)
        // Discovery (migration 7) indexed the reference's row.
        XCTAssertEqual(try server.post("/schemas/lookup", json: #"{"json_schema": {"type":"object"}}"#).json()["matches"],
                       [["namespace": "billing", "model_name": "Invoice", "version": "1.0.0", "deprecated": false]])
        XCTAssertEqual(try server.request("/search?q=invoice").json()["total"], 1)
        if backend == .postgres {
            XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM pg_indexes WHERE indexname = 'idx_schema_search_words_trigram'"), 1,
                           "pg_trgm could not be created: search scans for substrings")
        }
        XCTAssertEqual(try server.stop(), 0)

        // The reference writes on the migrated database behind the server's back: a new row and a
        // changed schema are indexed at the next start (the triggers dropped the stale rows).
        for (model, title) in [("Receipt", "Paid"), ("Refund", "Paid back")] {
            try db.execute("""
                INSERT INTO schemas (namespace, model_name, version, json_schema, registered_at, registered_by, meta, deprecated)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                """, [.text("billing"), .text(model), .text("1.0.0"), .text(#"{"title": "\#(title)"}"#),
                      .text("2024-01-15 10:30:00.000000"), .text("svc"), .text("{}"), .bool(false)])
        }
        try db.execute("UPDATE schemas SET json_schema = $1 WHERE model_name = $2",
                       [.text(#"{"type": "object", "properties": {"amount_due": {}}}"#), .text("Invoice")])
        let restarted = try ServerProcess(databaseURL: url, workers: 1)
        XCTAssertEqual(try restarted.request("/search?q=paid&kind=text").json()["total"], 2)
        XCTAssertEqual(try restarted.request("/search?q=amount*&kind=field").json()["results"]?[0]?["path"],
                       "#/properties/amount_due")
        XCTAssertEqual(try restarted.post("/schemas/lookup", json: #"{"json_schema": {"type":"object"}}"#).json()["matches"], [])
        XCTAssertEqual(try restarted.stop(), 0)

        // The reference deprecates versions by their flag alone (no message): the postings, which
        // carry the flag (migration 10), are dropped by the trigger and the next start writes them
        // again, deprecated, in one batch, around the version between them that stayed indexed.
        try db.execute("UPDATE schemas SET deprecated = $1 WHERE model_name IN ($2, $3)", [.bool(true), .text("Invoice"), .text("Refund")])
        let third = try ServerProcess(databaseURL: url, workers: 1)
        let models = { (query: String) in
            try third.request("/search?" + query).json()["results"]?.arrayValue?.compactMap { $0["model_name"]?.stringValue }
        }
        XCTAssertEqual(try models("q=paid&kind=text"), ["Receipt"])
        XCTAssertEqual(try models("q=paid&kind=text&include_deprecated=true"), ["Receipt", "Refund"])
        XCTAssertEqual(try third.request("/search?q=amount*&kind=field").json()["total"], 0)
        XCTAssertEqual(try third.request("/search?q=amount*&kind=field&include_deprecated=true").json()["total"], 1)
        XCTAssertEqual(try third.stop(), 0)
    }

    /// A database indexed before migration 10 (postings in `schema_search_terms`) is indexed again
    /// into `schema_search_postings` when it is applied.
    func testSearchIndexIsRebuiltByMigration10_sqlite() throws { try rebuiltByMigration10(.sqlite) }
    func testSearchIndexIsRebuiltByMigration10_postgres() throws { try rebuiltByMigration10(.postgres) }

    private func rebuiltByMigration10(_ backend: Backend) throws {
        let url = try backend.freshDatabaseURL()
        let db = try Database.connect(DatabaseURL(parsing: url))
        defer { db.close() }
        try Migrator(connection: db, migrations: Migration.all.filter { $0.version <= 9 }).migrate()
        // As migration 7's writer left it: a fingerprint row and its postings in the old table.
        let id = try insertIndexedVersion(db, jsonSchema: #"{"properties": {"amount_due": {}}}"#)
        try db.execute("INSERT INTO schema_search_words (word) VALUES ($1)", [.text("amount_due")])
        try db.execute("""
            INSERT INTO schema_search_terms (schema_id, word_id, kind, matched, path, source)
            SELECT $1, id, 'field', 'amount_due', '#/properties/amount_due', 'json_schema' FROM schema_search_words
            """, [.int(id)])

        let server = try ServerProcess(databaseURL: url, workers: 1)
        XCTAssertEqual(try Migrator(connection: db).appliedVersions(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        XCTAssertEqual(try server.request("/search?q=amount&kind=field").json()["results"],
                       [["namespace": "billing", "model_name": "Invoice", "version": "1.0.0", "kind": "field", "matched": "amount_due",
                         "path": "#/properties/amount_due", "source": "json_schema", "score": 2]])
        XCTAssertEqual(try server.request("/search?q=invoice&kind=model").json()["total"], 1, "the model name was indexed too")
        XCTAssertNotEqual(try db.query("SELECT json_sha256 FROM schema_fingerprints").first?.string(0), "x")
        XCTAssertEqual(try db.scalarInt("""
            SELECT count(*) FROM \(backend == .sqlite ? "sqlite_master WHERE type = 'table' AND" : "pg_tables WHERE") \
            \(backend == .sqlite ? "name" : "tablename") = 'schema_search_terms'
            """), 0)
        XCTAssertEqual(try server.stop(), 0)
    }

    /// A database indexed before migration 12 (its hits a row per version, `schema_search_hits`)
    /// is indexed again at the start that applies it, into a row per model
    /// (`schema_search_model_hits`); the triggers then cut a deleted version out of its model's rows.
    func testSearchHitsArePackedPerModelByMigration12_sqlite() throws { try packedByMigration12(.sqlite) }
    func testSearchHitsArePackedPerModelByMigration12_postgres() throws { try packedByMigration12(.postgres) }

    private func packedByMigration12(_ backend: Backend) throws {
        let url = try backend.freshDatabaseURL()
        let db = try Database.connect(DatabaseURL(parsing: url))
        defer { db.close() }
        try Migrator(connection: db, migrations: Migration.all.filter { $0.version <= 11 }).migrate()
        // As migration 11's writer left it: a fingerprint row, the word's two places in the
        // postings and its packed hit.
        let id = try insertIndexedVersion(db, jsonSchema: #"{"title": "Amount due", "properties": {"total": {"description": "The amount"}}}"#)
        try db.execute("INSERT INTO schema_search_words (word) VALUES ($1)", [.text("amount")])
        for (place, matched, path) in [(3, "amount", "#/properties/total/description"), (2, "Amount", "#/title")] {
            try db.execute("""
                INSERT INTO schema_search_postings (word_id, kind, schema_id, place, matched, path, source, namespace, model_name,
                                                    version, version_major, version_minor, version_patch, deprecated)
                SELECT id, 'text', $1, $2, $3, $4, 'json_schema', 'billing', 'Invoice', '1.0.0', 1, 0, 0, $5 FROM schema_search_words
                """, [.int(id), .int(Int64(place)), .text(matched), .text(path), .bool(false)])
        }
        try db.execute("""
            INSERT INTO schema_search_hits (word_id, kind, schema_id, places, namespace, model_name, version_major, version_minor,
                                            version_patch, deprecated)
            SELECT id, 'text', $1, '2 3', 'billing', 'Invoice', 1, 0, 0, $2 FROM schema_search_words
            """, [.int(id), .bool(false)])

        let server = try ServerProcess(databaseURL: url, workers: 1)
        XCTAssertEqual(try Migrator(connection: db).appliedVersions(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        XCTAssertNotEqual(try db.query("SELECT json_sha256 FROM schema_fingerprints").first?.string(0), "x", "indexed again")
        let wordID = try XCTUnwrap(try db.scalarInt("SELECT id FROM schema_search_words WHERE word = 'amount'"))
        XCTAssertEqual(try db.query("""
            SELECT ns_key, model_name, versions FROM schema_search_model_hits WHERE word_id = $1 AND kind = 'text'
            """, [.int(Int64(wordID))]).map { [$0.string(0), $0.string(1), $0.string(2)] }, [["=billing", "Invoice", " \(id),1,0,0,0,2,3"]])
        let found = try server.request("/search?q=amount&kind=text").json()
        XCTAssertEqual(found["total"], 2)
        // Places numbered by the indexer (paths in code-point order), not as the old rows had them.
        XCTAssertEqual(found["results"]?[0]?["path"], "#/properties/total/description")
        XCTAssertEqual(found["results"]?[0]?["matched"], "amount")
        XCTAssertEqual(found["results"]?[1]?["path"], "#/title")
        XCTAssertEqual(found["results"]?[1]?["matched"], "Amount")

        // Deleting the version behind the server's back cuts it out of its model's rows.
        try db.execute("DELETE FROM schemas WHERE id = $1", [.int(id)])
        XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM schema_search_model_hits"), 0)
        XCTAssertEqual(try server.stop(), 0)
    }

    /// `billing.Invoice` 1.0.0 with its fingerprint row, `json_sha256` "x": indexed, as an earlier
    /// writer left it (the caller adds that writer's postings). Returns the version's id.
    private func insertIndexedVersion(_ db: DatabaseConnection, jsonSchema: String) throws -> Int64 {
        try db.execute("""
            INSERT INTO schemas (namespace, model_name, version, json_schema, registered_at, registered_by, meta, deprecated,
                                 version_major, version_minor, version_patch)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, 0, 0)
            """, [.text("billing"), .text("Invoice"), .text("1.0.0"), .text(jsonSchema),
                  .text("2024-01-15 10:30:00.000000"), .text("svc"), .text("{}"), .bool(false)])
        let id = Int64(try XCTUnwrap(try db.scalarInt("SELECT id FROM schemas")))
        try db.execute("INSERT INTO schema_fingerprints (schema_id, json_sha256) VALUES ($1, $2)", [.int(id), .text("x")])
        return id
    }

    func testConcurrentMigratorsApplyEachStepOnce_postgres() throws {
        let url = try Backend.postgres.freshDatabaseURL()
        let group = DispatchGroup()
        let lock = NSLock()
        var results: [Result<[Int], Error>] = []
        for _ in 0..<4 {
            group.enter()
            Thread {
                let result = Result { () -> [Int] in
                    let db = try Database.connect(DatabaseURL(parsing: url))
                    defer { db.close() }
                    return try Migrator(connection: db).migrate()
                }
                lock.withLock { results.append(result) }
                group.leave()
            }.start()
        }
        group.wait()
        let applied = try results.map { try $0.get() }
        XCTAssertEqual(applied.filter { $0 == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12] }.count, 1, "\(applied)")
        XCTAssertEqual(applied.filter { $0.isEmpty }.count, 3, "\(applied)")
    }
}
