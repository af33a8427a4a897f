import RegistryJSON
import RegistryStorage

/// The rows that discovery keeps beside each version: its fingerprints (`schema_fingerprints`)
/// and its search terms (`schema_search_postings`, of the distinct words in `schema_search_words`,
/// and the same packed per word and version in `schema_search_hits`, migration 11).
/// Written in the caller's transaction, so a registration, overwrite or deprecation and its index
/// commit together; deletions are the triggers' (migrations 7, 10 and 11), whoever deletes.
public struct DiscoveryIndex {
    public let db: DatabaseConnection

    public init(db: DatabaseConnection) {
        self.db = db
    }

    /// What the index needs of a version: its schemas, and the columns each posting repeats for
    /// ranking (migration 10).
    public struct Version {
        public let id: Int
        public let namespace: String?
        public let model: String
        public let version: String
        /// Major, minor, patch: the order of versions (0 where the text is no semantic version).
        public let order: (Int64, Int64, Int64)
        public let deprecated: Bool
        public let jsonSchema: JSONValue
        public let avroSchema: JSONValue?
        public let deprecationMessage: String?

        public init(id: Int, namespace: String?, model: String, version: String, order: (Int64, Int64, Int64),
                    deprecated: Bool, jsonSchema: JSONValue, avroSchema: JSONValue?, deprecationMessage: String?) {
            self.id = id
            self.namespace = namespace
            self.model = model
            self.version = version
            self.order = order
            self.deprecated = deprecated
            self.jsonSchema = jsonSchema
            self.avroSchema = avroSchema
            self.deprecationMessage = deprecationMessage
        }
    }

    /// Replaces whatever the index held for the version.
    public func index(_ version: Version) throws {
        var known: [String: Int64] = [:]
        var postings: [Row] = []
        try remove(schemaID: version.id)
        try add(version, known: &known, into: &postings)
        try insert(postings)
    }

    /// A posting ready to insert: the word's id, the term and its place, and its version.
    private struct Row {
        let wordID: Int64
        let posting: SearchPlaces.Posting
        let version: Version
    }

    /// Writes a version's fingerprints and words, and collects its postings (the caller inserts
    /// them). `known` (word → id) saves asking for the same words again within one transaction
    /// (words are never removed).
    private func add(_ version: Version, known: inout [String: Int64], into postings: inout [Row]) throws {
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
        for posting in SearchPlaces.number(terms) {
            guard let id = known[posting.term.term] else { throw DatabaseError.statementFailed("no id for the word \(posting.term.term)") }
            postings.append(Row(wordID: id, posting: posting, version: version))
        }
    }

    public func remove(schemaID: Int) throws {
        try db.execute("DELETE FROM schema_fingerprints WHERE schema_id = $1", [.int(Int64(schemaID))])
        try db.execute("DELETE FROM schema_search_postings WHERE schema_id = $1", [.int(Int64(schemaID))])
        try db.execute("DELETE FROM schema_search_hits WHERE schema_id = $1", [.int(Int64(schemaID))])
    }

    /// Indexes every version that has no fingerprint row: all of them after migrations 7 and 10,
    /// later the rows another writer (the Python reference on the same database) added or changed,
    /// whose index rows the triggers removed. Reads the versions a batch at a time, so memory stays
    /// flat whatever the number of versions.
    public func backfill() throws {
        var known: [String: Int64] = [:]
        var after: Int64 = 0
        while true {
            let rows = try db.query("""
                SELECT s.id, s.namespace, s.model_name, s.version, s.version_major, s.version_minor, s.version_patch,
                       s.deprecated, s.json_schema, s.avro_schema, s.deprecation_message FROM schemas s
                WHERE s.id > $1 AND NOT EXISTS (SELECT 1 FROM schema_fingerprints f WHERE f.schema_id = s.id)
                ORDER BY s.id LIMIT $2
                """, [.int(after), .int(Int64(Self.versionsPerBatch))])
            var postings: [Row] = []
            for row in rows {
                guard let id = row.int(0) else { continue }
                after = Int64(id)
                let json = row.string(8).flatMap { try? JSONParser.parse($0) } ?? .object(JSONObject())
                let avro = row.string(9).flatMap { try? JSONParser.parse($0) }.flatMap { $0.isNull ? nil : $0 }
                let order = (Int64(row.int(4) ?? 0), Int64(row.int(5) ?? 0), Int64(row.int(6) ?? 0))
                // No fingerprint row means no rows at all (both are written and dropped together).
                try add(Version(id: id, namespace: row.string(1), model: row.string(2) ?? "", version: row.string(3) ?? "",
                                order: order, deprecated: row.bool(7) ?? false, jsonSchema: json, avroSchema: avro,
                                deprecationMessage: row.string(10)), known: &known, into: &postings)
            }
            try insert(postings)
            if rows.count < Self.versionsPerBatch { break }
        }
    }

    private static let versionsPerBatch = 1_000

    private static let rowsPerInsert = 100

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

    /// Inserts the postings in their key's order (version, place, word: migration 11), then their
    /// versions' hits, grouped from them in SQL: one statement for a registration's version or for
    /// a backfill's batch.
    private func insert(_ postings: [Row]) throws {
        let sorted = postings.sorted { a, b in
            if a.version.id != b.version.id { return a.version.id < b.version.id }
            if a.posting.place != b.posting.place { return a.posting.place < b.posting.place }
            return a.wordID < b.wordID
        }
        for chunk in Self.chunks(sorted) { try insert(chunk) }
        guard let first = sorted.first?.version.id, let last = sorted.last?.version.id else { return }
        if first == last {
            try db.execute(Self.packHits(db.dialect, where: "schema_id = $1"), [.int(Int64(first))])
        } else {
            try db.execute(Self.packHits(db.dialect, where: Self.notPackedBetween), [.int(Int64(first)), .int(Int64(last))])
        }
    }

    /// A backfill's batch in one statement: the versions between its first and last that have no
    /// hits are the batch's own (the others there were indexed before, with their hits).
    private static let notPackedBetween = """
        schema_id BETWEEN $1 AND $2
        AND NOT EXISTS (SELECT 1 FROM schema_search_hits h WHERE h.schema_id = schema_search_postings.schema_id)
        """

    /// `INSERT` of the `schema_search_hits` rows (migration 11) of the versions whose postings match
    /// `condition`, which have none yet: their postings grouped by word, kind and version, places
    /// ascending and separated by spaces. In SQL: one statement text, where a `VALUES` list's text
    /// changes with its length. Migration 11 fills the table with it too.
    public static func packHits(_ dialect: SQLDialect, where condition: String) -> String {
        switch dialect {
        case .sqlite:
            // group_concat keeps the order of its input rows: the subquery's.
            return """
                INSERT INTO schema_search_hits (word_id, kind, schema_id, places, namespace, model_name,
                                                version_major, version_minor, version_patch, deprecated)
                SELECT word_id, kind, schema_id, group_concat(place, ' '), min(namespace), min(model_name),
                       min(version_major), min(version_minor), min(version_patch), min(deprecated)
                FROM (SELECT * FROM schema_search_postings WHERE \(condition) ORDER BY word_id, kind, schema_id, place)
                GROUP BY word_id, kind, schema_id
                """
        case .postgres:
            return """
                INSERT INTO schema_search_hits (word_id, kind, schema_id, places, namespace, model_name,
                                                version_major, version_minor, version_patch, deprecated)
                SELECT word_id, kind, schema_id, string_agg(place::text, ' ' ORDER BY place), min(namespace), min(model_name),
                       min(version_major), min(version_minor), min(version_patch), bool_and(deprecated)
                FROM schema_search_postings WHERE \(condition) GROUP BY word_id, kind, schema_id
                """
        }
    }

    private func insert(_ postings: ArraySlice<Row>) throws {
        var values: [String] = []
        var parameters: [SQLValue] = []
        parameters.reserveCapacity(postings.count * 14)
        for row in postings {
            let term = row.posting.term, version = row.version
            let n = parameters.count
            values.append("(" + (1...14).map { "$\(n + $0)" }.joined(separator: ", ") + ")")
            parameters += [.int(row.wordID), .text(term.kind.rawValue), .int(Int64(version.id)), .int(Int64(row.posting.place)),
                           .text(term.matched), term.path.map(SQLValue.text) ?? .null, .text(term.source.rawValue),
                           version.namespace.map(SQLValue.text) ?? .null, .text(version.model), .text(version.version),
                           .int(version.order.0), .int(version.order.1), .int(version.order.2), .bool(version.deprecated)]
        }
        try db.execute("""
            INSERT INTO schema_search_postings (word_id, kind, schema_id, place, matched, path, source, namespace, model_name,
                                                version, version_major, version_minor, version_patch, deprecated) VALUES
            """ + values.joined(separator: ", "), parameters)
    }
}
