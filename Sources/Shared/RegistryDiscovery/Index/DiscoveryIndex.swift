import RegistryJSON
import RegistryStorage

/// The rows that discovery keeps beside each version: its fingerprints (`schema_fingerprints`)
/// and its search terms (`schema_search_terms`, postings of the distinct words in `schema_search_words`).
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
        var known: [String: Int64] = [:]
        try remove(schemaID: version.id)
        try add(version, known: &known)
    }

    /// Writes a version that has no rows; `known` (word → id) saves asking for the same words again
    /// within one transaction (words are never removed).
    private func add(_ version: Version, known: inout [String: Int64]) throws {
        let fingerprints = SchemaFingerprints(jsonSchema: version.jsonSchema, avroSchema: version.avroSchema)
        try db.execute("""
            INSERT INTO schema_fingerprints (schema_id, json_sha256, avro_sha256, avro_rabin) VALUES ($1, $2, $3, $4)
            """, [.int(Int64(version.id)), .text(fingerprints.jsonSchema.sha256),
                  fingerprints.avroSchema.map { .text($0.sha256) } ?? .null,
                  fingerprints.avroSchema.map { .text($0.rabin) } ?? .null])
        let terms = SearchTerms.of(model: version.model, jsonSchema: version.jsonSchema, avroSchema: version.avroSchema,
                                   deprecationMessage: version.deprecationMessage)
        let unknown = Set(terms.map(\.term)).filter { known[$0] == nil }.sorted()
        known.merge(try wordIDs(unknown)) { _, new in new }
        for chunk in Self.chunks(terms) { try insert(chunk, schemaID: version.id, known) }
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
        var known: [String: Int64] = [:]
        for row in rows {
            guard let id = row.int(0) else { continue }
            let json = row.string(2).flatMap { try? JSONParser.parse($0) } ?? .object(JSONObject())
            let avro = row.string(3).flatMap { try? JSONParser.parse($0) }.flatMap { $0.isNull ? nil : $0 }
            // No fingerprint row means no rows at all (both are written and dropped together).
            try add(Version(id: id, model: row.string(1) ?? "", jsonSchema: json, avroSchema: avro,
                            deprecationMessage: row.string(4)), known: &known)
        }
    }

    private static let rowsPerInsert = 50

    private static func chunks<T>(_ items: [T]) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: rowsPerInsert).map { items[$0..<min($0 + rowsPerInsert, items.count)] }
    }

    /// The ids of `words`, adding those never seen. Sorted, so that concurrent registrations on
    /// PostgreSQL take the unique index's locks on new words in one order (no deadlock).
    private func wordIDs(_ words: [String]) throws -> [String: Int64] {
        var ids: [String: Int64] = [:]
        guard !words.isEmpty else { return ids }
        for chunk in Self.chunks(words) {
            let placeholders = (1...chunk.count).map { "($\($0))" }.joined(separator: ", ")
            let parameters = chunk.map(SQLValue.text)
            try db.execute("INSERT INTO schema_search_words (word) VALUES \(placeholders) ON CONFLICT (word) DO NOTHING", parameters)
            let list = (1...chunk.count).map { "$\($0)" }.joined(separator: ", ")
            for row in try db.query("SELECT id, word FROM schema_search_words WHERE word IN (\(list))", parameters) {
                if let id = row.int(0), let word = row.string(1) { ids[word] = Int64(id) }
            }
        }
        return ids
    }

    private func insert(_ terms: ArraySlice<SearchTerm>, schemaID: Int, _ ids: [String: Int64]) throws {
        var values: [String] = []
        var parameters: [SQLValue] = []
        for term in terms {
            guard let id = ids[term.term] else { throw DatabaseError.statementFailed("no id for the word \(term.term)") }
            let n = parameters.count
            values.append("($\(n + 1), $\(n + 2), $\(n + 3), $\(n + 4), $\(n + 5), $\(n + 6))")
            parameters += [.int(Int64(schemaID)), .int(id), .text(term.kind.rawValue), .text(term.matched),
                           term.path.map(SQLValue.text) ?? .null, .text(term.source.rawValue)]
        }
        try db.execute("INSERT INTO schema_search_terms (schema_id, word_id, kind, matched, path, source) VALUES "
                       + values.joined(separator: ", "), parameters)
    }
}
