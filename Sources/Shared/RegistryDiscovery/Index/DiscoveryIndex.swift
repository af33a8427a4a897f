import RegistryJSON
import RegistryStorage

/// The rows that discovery keeps beside each version: its fingerprints (`schema_fingerprints`)
/// and its search terms (`schema_search_terms`, with the SQLite FTS5 table kept by triggers).
/// Written in the caller's transaction, so a registration, overwrite or deprecation and its index
/// commit together; deletions are the triggers' (migration 7), whoever deletes.
public struct DiscoveryIndex {
    public let db: DatabaseConnection

    public init(db: DatabaseConnection) {
        self.db = db
    }

    /// What the index needs of a version.
    public struct Version {
        public let id: Int
        public let model: String
        public let jsonSchema: JSONValue
        public let avroSchema: JSONValue?
        public let deprecationMessage: String?

        public init(id: Int, model: String, jsonSchema: JSONValue, avroSchema: JSONValue?, deprecationMessage: String?) {
            self.id = id
            self.model = model
            self.jsonSchema = jsonSchema
            self.avroSchema = avroSchema
            self.deprecationMessage = deprecationMessage
        }
    }

    /// Replaces whatever the index held for the version.
    public func index(_ version: Version) throws {
        try remove(schemaID: version.id)
        let fingerprints = SchemaFingerprints(jsonSchema: version.jsonSchema, avroSchema: version.avroSchema)
        try db.execute("""
            INSERT INTO schema_fingerprints (schema_id, json_sha256, avro_sha256, avro_rabin) VALUES ($1, $2, $3, $4)
            """, [.int(Int64(version.id)), .text(fingerprints.jsonSchema.sha256),
                  fingerprints.avroSchema.map { .text($0.sha256) } ?? .null,
                  fingerprints.avroSchema.map { .text($0.rabin) } ?? .null])
        let terms = SearchTerms.of(model: version.model, jsonSchema: version.jsonSchema, avroSchema: version.avroSchema,
                                   deprecationMessage: version.deprecationMessage)
        for chunk in stride(from: 0, to: terms.count, by: Self.rowsPerInsert).map({ terms[$0..<min($0 + Self.rowsPerInsert, terms.count)] }) {
            try insert(chunk, schemaID: version.id)
        }
    }

    public func remove(schemaID: Int) throws {
        try db.execute("DELETE FROM schema_fingerprints WHERE schema_id = $1", [.int(Int64(schemaID))])
        try db.execute("DELETE FROM schema_search_terms WHERE schema_id = $1", [.int(Int64(schemaID))])
    }

    /// Indexes every version that has no fingerprint row: all of them after the migration, later
    /// the rows another writer (the Python reference on the same database) added or changed, whose
    /// index rows the triggers removed.
    public func backfill() throws {
        let rows = try db.query("""
            SELECT s.id, s.model_name, s.json_schema, s.avro_schema, s.deprecation_message FROM schemas s
            WHERE NOT EXISTS (SELECT 1 FROM schema_fingerprints f WHERE f.schema_id = s.id)
            ORDER BY s.id
            """)
        for row in rows {
            guard let id = row.int(0) else { continue }
            let json = row.string(2).flatMap { try? JSONParser.parse($0) } ?? .object(JSONObject())
            let avro = row.string(3).flatMap { try? JSONParser.parse($0) }.flatMap { $0.isNull ? nil : $0 }
            try index(Version(id: id, model: row.string(1) ?? "", jsonSchema: json, avroSchema: avro,
                              deprecationMessage: row.string(4)))
        }
    }

    private static let rowsPerInsert = 50

    private func insert(_ terms: ArraySlice<SearchTerm>, schemaID: Int) throws {
        var values: [String] = []
        var parameters: [SQLValue] = []
        for term in terms {
            let n = parameters.count
            values.append("($\(n + 1), $\(n + 2), $\(n + 3), $\(n + 4), $\(n + 5), $\(n + 6))")
            parameters += [.int(Int64(schemaID)), .text(term.kind.rawValue), .text(term.term), .text(term.matched),
                           term.path.map(SQLValue.text) ?? .null, .text(term.source.rawValue)]
        }
        try db.execute("INSERT INTO schema_search_terms (schema_id, kind, term, matched, path, source) VALUES "
                       + values.joined(separator: ", "), parameters)
    }
}
