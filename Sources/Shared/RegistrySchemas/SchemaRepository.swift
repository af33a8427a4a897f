import RegistryDomain
import RegistryJSON
import RegistryRuntime
import RegistryStorage

/// The SQL of the `schemas` table. Every value is a bound parameter; the text varies only
/// between constant forms (global vs. namespaced).
struct SchemaRepository {
    let db: DatabaseConnection

    static let columns = """
        id, namespace, model_name, version, json_schema, avro_schema, registered_at, registered_by, meta,
        deprecated, deprecated_at, deprecation_message
        """

    /// `namespace IS NULL` or `namespace = $n`, and the parameter it needs.
    private func scope(_ key: ModelKey, next n: Int) -> (sql: String, parameters: [SQLValue]) {
        guard let namespace = key.namespace else { return ("namespace IS NULL", []) }
        return ("namespace = $\(n)", [.text(namespace)])
    }

    func find(_ key: ModelKey, version: String) throws -> SchemaRecord? {
        let s = scope(key, next: 3)
        return try db.query("SELECT \(Self.columns) FROM schemas WHERE model_name = $1 AND version = $2 AND \(s.sql)",
                            [.text(key.model), .text(version)] + s.parameters).first.map(Self.record)
    }

    func find(id: Int) throws -> SchemaRecord? {
        try db.query("SELECT \(Self.columns) FROM schemas WHERE id = $1", [.int(Int64(id))]).first.map(Self.record)
    }

    func existingID(_ key: ModelKey, version: String) throws -> Int? {
        let s = scope(key, next: 3)
        return try db.query("SELECT id FROM schemas WHERE model_name = $1 AND version = $2 AND \(s.sql)",
                            [.text(key.model), .text(version)] + s.parameters).first?.int(0)
    }

    /// The new row, read back by the insert itself.
    func insert(_ key: ModelKey, _ submission: SchemaSubmission, parsed: SchemaVersion) throws -> SchemaRecord {
        let values: [SQLValue] = [
            key.namespace.map(SQLValue.text) ?? .null, .text(key.model), .text(submission.version),
            .text(submission.jsonSchema.serialized()), submission.avroSchema.map { .text($0.serialized()) } ?? .null,
            .text(submission.registeredAt.storageText), .text(submission.registeredBy), .text(submission.meta.serialized()),
            .bool(false), .int(parsed.major), .int(parsed.minor), .int(parsed.patch),
        ]
        let sql = """
            INSERT INTO schemas (namespace, model_name, version, json_schema, avro_schema, registered_at, registered_by,
                                 meta, deprecated, version_major, version_minor, version_patch)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING \(Self.columns)
            """
        guard let record = try db.query(sql, values).first.map(Self.record) else {
            throw DatabaseError.statementFailed("insert returned no row")
        }
        return record
    }

    /// The replaced row (id and deprecation kept), read back by the update itself.
    func overwrite(id: Int, _ submission: SchemaSubmission) throws -> SchemaRecord {
        let rows = try db.query("""
            UPDATE schemas SET json_schema = $1, avro_schema = $2, registered_at = $3, registered_by = $4, meta = $5
            WHERE id = $6 RETURNING \(Self.columns)
            """, [.text(submission.jsonSchema.serialized()), submission.avroSchema.map { .text($0.serialized()) } ?? .null,
                  .text(submission.registeredAt.storageText), .text(submission.registeredBy),
                  .text(submission.meta.serialized()), .int(Int64(id))])
        guard let record = rows.first.map(Self.record) else { throw DatabaseError.statementFailed("row \(id) vanished") }
        return record
    }

    func setDeprecation(id: Int, deprecated: Bool, at: Timestamp?, message: String?) throws {
        try db.execute("UPDATE schemas SET deprecated = $1, deprecated_at = $2, deprecation_message = $3 WHERE id = $4",
                       [.bool(deprecated), at.map { .text($0.storageText) } ?? .null,
                        message.map(SQLValue.text) ?? .null, .int(Int64(id))])
    }

    func delete(id: Int) throws {
        try db.execute("DELETE FROM schemas WHERE id = $1", [.int(Int64(id))])
    }

    /// The highest version by (major, minor, patch), through the ordering index.
    func latestID(_ key: ModelKey) throws -> Int? {
        let s = scope(key, next: 2)
        return try db.query("""
            SELECT id FROM schemas WHERE model_name = $1 AND \(s.sql)
            ORDER BY version_major DESC, version_minor DESC, version_patch DESC LIMIT 1
            """, [.text(key.model)] + s.parameters).first?.int(0)
    }

    /// Version strings in numeric order (ties by insertion).
    func versions(_ key: ModelKey) throws -> [String] {
        let s = scope(key, next: 2)
        return try db.query("""
            SELECT version FROM schemas WHERE model_name = $1 AND \(s.sql)
            ORDER BY version_major, version_minor, version_patch, id
            """, [.text(key.model)] + s.parameters).compactMap { $0.string(0) }
    }

    /// Those of the model's versions that `candidates` names, in ascending semantic order (ties by
    /// insertion), through the ordering index.
    func versions(_ key: ModelKey, among candidates: CompatibilityPolicy.Candidates) throws -> [CompatibilityPolicy.Existing] {
        let s = scope(key, next: 2)
        let columns = "SELECT id, version, version_major, version_minor, version_patch FROM schemas"
        let rows: [SQLRow]
        switch candidates {
        case .none:
            return []
        case .highest(let count):
            rows = try db.query("""
                \(columns) WHERE model_name = $1 AND \(s.sql)
                ORDER BY version_major DESC, version_minor DESC, version_patch DESC, id DESC LIMIT $\(s.parameters.count + 2)
                """, [.text(key.model)] + s.parameters + [.int(Int64(count))]).reversed()
        case .major(let major):
            rows = try db.query("""
                \(columns) WHERE model_name = $1 AND \(s.sql) AND version_major = $\(s.parameters.count + 2)
                ORDER BY version_minor, version_patch, id
                """, [.text(key.model)] + s.parameters + [.int(major)])
        case .all:
            rows = try db.query("""
                \(columns) WHERE model_name = $1 AND \(s.sql)
                ORDER BY version_major, version_minor, version_patch, id
                """, [.text(key.model)] + s.parameters)
        }
        return rows.compactMap { row in
            guard let id = row.int(0), let version = row.string(1), let number = SchemaVersion(version) else { return nil }
            return CompatibilityPolicy.Existing(id: id, version: version, number: number)
        }
    }

    /// Serialises the registrations of one model until the transaction ends. SQLite needs nothing:
    /// its write transactions (`BEGIN IMMEDIATE`) already run one at a time. On PostgreSQL, an
    /// advisory lock keyed by a hash of the model (two models sharing a hash merely wait for each other).
    func lockModel(_ key: ModelKey) throws {
        guard db.dialect == .postgres else { return }
        _ = try db.query("SELECT pg_advisory_xact_lock($1, $2)", [.int(Self.lockClass), .int(Int64(Self.lockHash(key)))])
    }

    /// The first key of the two-key advisory locks that serialise a model's registrations.
    private static let lockClass: Int64 = 1_887_007_314

    /// The model's hash (the one the change board buckets by), folded to 32 bits.
    static func lockHash(_ key: ModelKey) -> Int32 {
        let hash = ChangeBoard.modelHash(namespace: key.namespace, model: key.model)
        return Int32(truncatingIfNeeded: hash ^ (hash >> 32))
    }

    /// (namespace, version) of every row of a model, in insertion order.
    func namespaces(model: String) throws -> [(namespace: String?, version: String)] {
        try db.query("SELECT namespace, version FROM schemas WHERE model_name = $1 ORDER BY id", [.text(model)])
            .map { ($0.string(0), $0.string(1) ?? "") }
    }

    static func record(_ row: SQLRow) -> SchemaRecord {
        SchemaRecord(
            id: row.int(0) ?? 0,
            namespace: row.string(1),
            modelName: row.string(2) ?? "",
            version: row.string(3) ?? "",
            jsonSchema: json(row.string(4)) ?? .object(JSONObject()),
            avroSchema: json(row.string(5)).flatMap { $0.isNull ? nil : $0 },
            registeredAt: row.string(6).flatMap(Timestamp.init(storage:)) ?? Timestamp(microseconds: 0),
            registeredBy: row.string(7) ?? "",
            meta: json(row.string(8)).flatMap { $0.isNull ? nil : $0 } ?? .object(JSONObject()),
            deprecated: row.bool(9) ?? false,
            deprecatedAt: row.string(10).flatMap(Timestamp.init(storage:)),
            deprecationMessage: row.string(11))
    }

    private static func json(_ text: String?) -> JSONValue? {
        text.flatMap { try? JSONParser.parse($0) }
    }
}
