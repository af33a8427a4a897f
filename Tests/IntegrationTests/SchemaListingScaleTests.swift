import Foundation
import RegistryDomain
import RegistryJSON
import RegistryStorage
import XCTest

/// `GET /schemas` served from the model summary (migration 6) answers exactly what a naive
/// recomputation over every version row answers: many models, every filter, shallow and deep
/// offsets (the keyset bookmarks), rows written by another writer straight into `schemas`
/// (insert, deprecate, undeprecate, move, delete), a database the reference created before the
/// migration (the backfill), and concurrent first registrations of one model.
final class SchemaListingScaleTests: XCTestCase {
    func testListingMatchesNaiveRecomputation_sqlite() throws { try matchesNaive(.sqlite) }
    func testListingMatchesNaiveRecomputation_postgres() throws { try matchesNaive(.postgres) }
    func testOtherWritersDeprecationAndDeletion_sqlite() throws { try otherWriters(.sqlite) }
    func testOtherWritersDeprecationAndDeletion_postgres() throws { try otherWriters(.postgres) }
    func testConcurrentFirstRegistrationsOfOneModel_sqlite() throws { try concurrentFirst(.sqlite) }
    func testConcurrentFirstRegistrationsOfOneModel_postgres() throws { try concurrentFirst(.postgres) }

    // MARK: - cases

    private func matchesNaive(_ backend: Backend) throws {
        let url = try backend.freshDatabaseURL()
        let db = try Database.connect(DatabaseURL(parsing: url))
        defer { db.close() }
        // A database the reference created, with rows, before any migration: the backfill counts them.
        try createReferenceTable(db, backend)
        let namespaces: [String?] = [nil, "", "null", "alpha", "beta", "gamma"]
        var rows: [Row] = []
        var id = 0
        for (n, ns) in namespaces.enumerated() {
            for m in 0..<(n == 3 ? 1300 : 240) {
                // Some names repeat across namespaces (the model_name filter spans them).
                let model = m % 3 == 0 ? "Shared\(m / 3)" : "M\(n)_\(m)"
                let count = 1 + m % 3
                for v in 0..<count {
                    id += 1
                    // Every 7th model is wholly deprecated; every 5th has its first version deprecated.
                    let deprecated = m % 7 == 0 || (m % 5 == 0 && v == 0)
                    let version = v == 2 ? "1.10.0" : v == 1 ? "1.2.0" : (m % 11 == 0 ? "01.0.0" : "1.0.0")
                    rows.append(Row(namespace: ns, model: model, version: version, by: "w\(v % 2)", deprecated: deprecated))
                }
            }
        }
        let half = rows.count / 2
        try insert(db, Array(rows[..<half]))

        let server = try ServerProcess(databaseURL: url, workers: 2, environment: Self.uncached)
        // The other half after the migration: the triggers count them.
        try insert(db, Array(rows[half...]))
        // And some through the API: registration, a deprecation, a deletion.
        XCTAssertEqual(try server.register("/schemas/alpha/Zeta/versions", version: "2.0.0", by: "api").status, 201)
        XCTAssertEqual(try server.register("/schemas/Zeta/versions", version: "1.0.0", by: "api").status, 201)
        XCTAssertEqual(try server.request("POST", "/schemas/alpha/M3_1/versions/1.2.0/deprecate").status, 200)
        XCTAssertEqual(try server.request("DELETE", "/schemas/beta/M4_2/versions/1.0.0?force=true").status, 200)

        try checkMany(server, db, label: "first pass")
        // Again: the bookmarks are now cached in the workers.
        try checkMany(server, db, label: "cached bookmarks")
        // A new model early in the order shifts every deep page: cached bookmarks must not be used.
        try insert(db, [Row(namespace: "alpha", model: "AAAA", version: "1.0.0", by: "late", deprecated: false)])
        try checkMany(server, db, label: "after a new model")
        Thread.sleep(forTimeInterval: 1.1)   // past the rebuild interval: bookmarks rebuilt
        try checkMany(server, db, label: "rebuilt bookmarks")
        XCTAssertEqual(try server.stop(), 0)
    }

    /// These tests write rows behind the server's back and check the listing's SQL at once: the
    /// response cache (which sees such writes within RESPONSE_CACHE_TTL, ConsistencyTests) is off.
    private static let uncached = ["PYRMUTE_REGISTRY_RESPONSE_CACHE_MB": "0"]

    private func otherWriters(_ backend: Backend) throws {
        let url = try backend.freshDatabaseURL()
        let server = try ServerProcess(databaseURL: url, workers: 2, environment: Self.uncached)
        let db = try Database.connect(DatabaseURL(parsing: url))
        defer { db.close() }
        XCTAssertEqual(try server.register("/schemas/ns/A/versions", version: "1.0.0").status, 201)
        XCTAssertEqual(try server.register("/schemas/ns/A/versions", version: "1.1.0").status, 201)
        // Another writer adds a model and a version of A (without the numeric columns, as the
        // reference does).
        try db.execute("""
            INSERT INTO schemas (namespace, model_name, version, json_schema, registered_at, registered_by, meta, deprecated)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, [.text("ns"), .text("B"), .text("1.0.0"), .text("{}"), .text("2024-01-15 10:30:00.000000"), .text("py"),
                  .text("{}"), .bool(false)])
        XCTAssertEqual(try listing(server, "namespace=ns")["total_count"], 2)
        XCTAssertEqual(try names(server, "namespace=ns"), ["A", "B"])

        // Deprecating every version of A hides it unless include_deprecated.
        for v in ["1.0.0", "1.1.0"] { XCTAssertEqual(try server.request("POST", "/schemas/ns/A/versions/\(v)/deprecate").status, 200) }
        XCTAssertEqual(try names(server, "namespace=ns"), ["B"])
        XCTAssertEqual(try listing(server, "")["total_count"], 1)
        XCTAssertEqual(try names(server, "namespace=ns&include_deprecated=true"), ["A", "B"])
        XCTAssertEqual(try listing(server, "include_deprecated=true")["total_count"], 2)
        // Undeprecated by another writer: listed again.
        try db.execute("UPDATE schemas SET deprecated = $1 WHERE model_name = $2 AND version = $3",
                       [.bool(false), .text("A"), .text("1.1.0")])
        XCTAssertEqual(try names(server, "namespace=ns"), ["A", "B"])
        XCTAssertEqual(try listing(server, "model_name=A")["schemas"]?.arrayValue?.first?["versions"], ["1.1.0"])

        // An overwrite (new registered_by) and another writer's update show at once (the workers'
        // cached items are keyed by the model's revision, which both change).
        for _ in 0..<4 { XCTAssertEqual(try listing(server, "namespace=ns")["schemas"]?.arrayValue?.first?["registered_by"], ["tester"]) }
        XCTAssertEqual(try server.register("/schemas/ns/A/versions?allow_overwrite=true", version: "1.1.0", by: "other").status, 201)
        for _ in 0..<4 { XCTAssertEqual(try listing(server, "namespace=ns")["schemas"]?.arrayValue?.first?["registered_by"], ["other"]) }
        try db.execute("UPDATE schemas SET registered_by = $1 WHERE model_name = $2", [.text("direct"), .text("A")])
        for _ in 0..<4 { XCTAssertEqual(try listing(server, "namespace=ns")["schemas"]?.arrayValue?.first?["registered_by"], ["direct"]) }
        try db.execute("UPDATE schemas SET version = $1, version_minor = $2 WHERE model_name = $3 AND version = $4",
                       [.text("1.5.0"), .int(5), .text("A"), .text("1.1.0")])
        for _ in 0..<4 {
            XCTAssertEqual(try listing(server, "namespace=ns&include_deprecated=true")["schemas"]?.arrayValue?.first?["versions"],
                           ["1.0.0", "1.5.0"])
        }
        try db.execute("UPDATE schemas SET version = $1, version_minor = $2 WHERE model_name = $3 AND version = $4",
                       [.text("1.1.0"), .int(1), .text("A"), .text("1.5.0")])

        // Moved by another writer (namespace and name changed): counted under the new key.
        try db.execute("UPDATE schemas SET namespace = NULL, model_name = $1 WHERE model_name = $2", [.text("G"), .text("B")])
        XCTAssertEqual(try names(server, "namespace=ns"), ["A"])
        XCTAssertEqual(try names(server, "namespace=null"), ["G"])
        XCTAssertEqual(try names(server, ""), ["G", "A"])

        // Deleting the last version removes the model.
        XCTAssertEqual(try server.request("DELETE", "/schemas/G/versions/1.0.0?force=true").status, 200)
        XCTAssertEqual(try names(server, ""), ["A"])
        XCTAssertEqual(try listing(server, "namespace=null").serialized(),
                       #"{"schemas":[],"total":0,"limit":100,"offset":0,"total_count":0}"#)
        for v in ["1.0.0", "1.1.0"] {
            XCTAssertEqual(try server.request("DELETE", "/schemas/ns/A/versions/\(v)?force=true").status, 200)
        }
        XCTAssertEqual(try listing(server, "include_deprecated=true").serialized(),
                       #"{"schemas":[],"total":0,"limit":100,"offset":0,"total_count":0}"#)
        try checkSummary(db)
        XCTAssertEqual(try server.stop(), 0)
    }

    private func concurrentFirst(_ backend: Backend) throws {
        let url = try backend.freshDatabaseURL()
        let server = try ServerProcess(databaseURL: url, workers: 2, environment: Self.uncached)
        let db = try Database.connect(DatabaseURL(parsing: url))
        defer { db.close() }
        for round in 0..<5 {
            let group = DispatchGroup()
            let lock = NSLock()
            var statuses: [Int] = []
            for i in 0..<12 {
                group.enter()
                Thread {
                    // Two models at once, six versions of each, all new.
                    let status = (try? server.register("/schemas/c\(round)/M\(i % 2)/versions", version: "1.0.\(i)").status) ?? -1
                    lock.withLock { statuses.append(status) }
                    group.leave()
                }.start()
            }
            group.wait()
            XCTAssertEqual(statuses, Array(repeating: 201, count: 12), "round \(round)")
        }
        let all = try listing(server, "limit=1000")
        XCTAssertEqual(all["total_count"], 10)
        XCTAssertEqual(all["schemas"]?.arrayValue?.map { $0["versions"]?.arrayValue?.count ?? 0 }, Array(repeating: 6, count: 10))
        try checkSummary(db)
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - the naive listing

    private struct Row {
        var namespace: String?
        var model: String
        var version: String
        var by: String
        var deprecated: Bool
    }

    private struct Stored {
        var id: Int
        var namespace: String?
        var model: String
        var version: String
        var by: String
        var deprecated: Bool
        var major: Int, minor: Int, patch: Int
    }

    /// Many filter combinations and offsets (shallow, at and past the bookmark stride, past the end).
    private func checkMany(_ server: ServerProcess, _ db: DatabaseConnection, label: String) throws {
        let stored = try db.query("""
            SELECT id, namespace, model_name, version, registered_by, deprecated, version_major, version_minor, version_patch
            FROM schemas
            """).map { r in
            Stored(id: r.int(0) ?? 0, namespace: r.string(1), model: r.string(2) ?? "", version: r.string(3) ?? "",
                   by: r.string(4) ?? "", deprecated: r.bool(5) ?? false, major: r.int(6) ?? 0, minor: r.int(7) ?? 0,
                   patch: r.int(8) ?? 0)
        }
        let namespaceFilters: [String?] = [nil, "", "null", "alpha", "beta", "none"]
        let modelFilters: [String?] = [nil, "Shared4", "M3_1", "Zeta", "absent"]
        for ns in namespaceFilters {
            for model in modelFilters {
                for includeDeprecated in [false, true] {
                    let shape = ns == "alpha" && model == nil
                    let offsets = shape ? [0, 100, 999, 1000, 1001, 1234, 1299, 1300, 5000] : [0, 100, 240]
                    for offset in offsets {
                        for limit in shape ? [100, 1000] : [100] {
                            var parts: [String] = []
                            if let ns { parts.append("namespace=\(ns)") }
                            if let model { parts.append("model_name=\(model)") }
                            if includeDeprecated { parts.append("include_deprecated=true") }
                            parts += ["limit=\(limit)", "offset=\(offset)"]
                            let query = parts.joined(separator: "&")
                            let expected = Self.naive(stored, namespace: ns, model: model, includeDeprecated: includeDeprecated,
                                                      limit: limit, offset: offset)
                            let got = try server.request("/schemas?\(query)")
                            XCTAssertEqual(got.status, 200, "\(label): \(query)")
                            if got.text != expected {
                                XCTFail("\(label): /schemas?\(query)\n got: \(got.text.prefix(600))\nwant: \(expected.prefix(600))")
                                return
                            }
                        }
                    }
                }
            }
        }
        // Every page of all models, in turn, twice (both workers).
        for includeDeprecated in [false, true] {
            var offset = 0
            while offset < 3200 {
                let expected = Self.naive(stored, namespace: nil, model: nil, includeDeprecated: includeDeprecated,
                                          limit: 250, offset: offset)
                for _ in 0..<2 {
                    let got = try server.request("/schemas?limit=250&offset=\(offset)&include_deprecated=\(includeDeprecated)")
                    if got.text != expected {
                        XCTFail("\(label): all models, offset \(offset), include_deprecated \(includeDeprecated)")
                        return
                    }
                }
                offset += 250
            }
        }
        try checkSummary(db)
    }

    /// What the listing says, computed from every version row (the pre-summary semantics).
    private static func naive(_ rows: [Stored], namespace: String?, model: String?, includeDeprecated: Bool,
                              limit: Int, offset: Int) -> String {
        let matching = rows.filter { row in
            switch namespace {
            case nil: break
            case ""?, "null"?: if row.namespace != nil { return false }
            case let ns?: if row.namespace != ns { return false }
            }
            if let model, row.model != model { return false }
            return includeDeprecated || !row.deprecated
        }
        struct Key: Hashable { var namespace: String?; var model: String }
        let groups = Dictionary(grouping: matching) { Key(namespace: $0.namespace, model: $0.model) }
        let keys = groups.keys.sorted { a, b in
            if (a.namespace != nil) != (b.namespace != nil) { return a.namespace == nil }
            if a.namespace != b.namespace { return Array((a.namespace ?? "").utf8).lexicographicallyPrecedes(Array((b.namespace ?? "").utf8)) }
            return Array(a.model.utf8).lexicographicallyPrecedes(Array(b.model.utf8))
        }
        let page = keys.dropFirst(offset).prefix(limit)
        let items: [JSONValue] = page.map { key in
            let versions = groups[key]!.sorted { ($0.major, $0.minor, $0.patch, $0.id) < ($1.major, $1.minor, $1.patch, $1.id) }
            var by: [String] = []
            for v in versions where !by.contains(v.by) { by.append(v.by) }
            return [
                "namespace": key.namespace.map(JSONValue.string) ?? .null,
                "model_name": .string(key.model),
                "versions": .array(versions.map { .string($0.version) }),
                "latest_version": versions.last.map { .string($0.version) } ?? .null,
                "registered_by": .array(by.map(JSONValue.string)),
                "deprecated_versions": .array(versions.filter(\.deprecated).map { .string($0.version) }),
            ]
        }
        let body: JSONValue = ["schemas": .array(items), "total": .int(items.count), "limit": .int(limit),
                               "offset": .int(offset), "total_count": .int(keys.count)]
        return body.serialized()
    }

    /// The summary tables agree with a recomputation from `schemas`.
    private func checkSummary(_ db: DatabaseConnection) throws {
        let summary = try db.query("""
            SELECT namespaced, ns_key, model_name, versions, live_versions FROM schema_models
            ORDER BY namespaced, ns_key, model_name
            """).map { "\($0.bool(0) ?? false)|\($0.string(1) ?? "")|\($0.string(2) ?? "")|\($0.int(3) ?? -1)|\($0.int(4) ?? -1)" }
        let recomputed = try db.query("""
            SELECT namespace IS NOT NULL, COALESCE(namespace, ''), model_name, count(*),
                   sum(CASE WHEN deprecated THEN 0 ELSE 1 END)
            FROM schemas GROUP BY namespace, model_name
            ORDER BY namespace IS NOT NULL, COALESCE(namespace, ''), model_name
            """).map { "\($0.bool(0) ?? false)|\($0.string(1) ?? "")|\($0.string(2) ?? "")|\($0.int(3) ?? -1)|\($0.int(4) ?? -1)" }
        XCTAssertEqual(summary, recomputed, "schema_models")
        let counts = try db.query("""
            SELECT scope, scope_key, models, live_models FROM schema_model_counts WHERE models <> 0 OR live_models <> 0
            ORDER BY scope, scope_key
            """).map { "\($0.string(0) ?? "")|\($0.string(1) ?? "")|\($0.int(2) ?? -1)|\($0.int(3) ?? -1)" }
        let expected = try db.query("""
            SELECT scope, scope_key, models, live_models FROM (
                SELECT 'a' AS scope, '' AS scope_key, count(*) AS models,
                       sum(CASE WHEN live_versions > 0 THEN 1 ELSE 0 END) AS live_models FROM schema_models
                UNION ALL
                SELECT CASE WHEN namespaced THEN 'n' ELSE 'g' END, ns_key, count(*),
                       sum(CASE WHEN live_versions > 0 THEN 1 ELSE 0 END) FROM schema_models GROUP BY namespaced, ns_key
                UNION ALL
                SELECT 'm', model_name, count(*), sum(CASE WHEN live_versions > 0 THEN 1 ELSE 0 END)
                FROM schema_models GROUP BY model_name
            ) x WHERE models <> 0 ORDER BY scope, scope_key
            """).map { "\($0.string(0) ?? "")|\($0.string(1) ?? "")|\($0.int(2) ?? -1)|\($0.int(3) ?? -1)" }
        XCTAssertEqual(counts, expected, "schema_model_counts")
    }

    // MARK: - helpers

    private func listing(_ server: ServerProcess, _ query: String) throws -> JSONValue {
        let response = try server.request("/schemas?\(query)")
        XCTAssertEqual(response.status, 200, response.text)
        return try response.json()
    }

    private func names(_ server: ServerProcess, _ query: String) throws -> [String] {
        try listing(server, query)["schemas"]?.arrayValue?.compactMap { $0["model_name"]?.stringValue } ?? []
    }

    /// Rows as another writer stores them (numeric version columns included), in one transaction.
    private func insert(_ db: DatabaseConnection, _ rows: [Row]) throws {
        let hasNumeric = (try? db.query("SELECT version_major FROM schemas WHERE 1 = 0")) != nil
        try db.transaction {
            for row in rows {
                let v = SchemaVersion(row.version)!
                if hasNumeric {
                    try db.execute("""
                        INSERT INTO schemas (namespace, model_name, version, json_schema, registered_at, registered_by, meta,
                                             deprecated, version_major, version_minor, version_patch)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                        """, [.optional(row.namespace), .text(row.model), .text(row.version), .text("{}"),
                              .text("2024-01-15 10:30:00.000000"), .text(row.by), .text("{}"), .bool(row.deprecated),
                              .int(v.major), .int(v.minor), .int(v.patch)])
                } else {
                    try db.execute("""
                        INSERT INTO schemas (namespace, model_name, version, json_schema, registered_at, registered_by, meta,
                                             deprecated)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                        """, [.optional(row.namespace), .text(row.model), .text(row.version), .text("{}"),
                              .text("2024-01-15 10:30:00.000000"), .text(row.by), .text("{}"), .bool(row.deprecated)])
                }
            }
        }
    }

    /// The reference's `schemas` table (SQLAlchemy's create_all), no migrations table.
    private func createReferenceTable(_ db: DatabaseConnection, _ backend: Backend) throws {
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
    }
}
