import RegistryJSON
import RegistryStorage

/// The rows that discovery keeps beside each version: its fingerprints (`schema_fingerprints`)
/// and its search terms (`schema_search_postings`, of the distinct words in `schema_search_words`,
/// and the same packed per word, kind and model in `schema_search_model_hits`, migration 12).
/// Written in the caller's transaction, so a registration, overwrite or deprecation and its index
/// commit together; deletions are the triggers' (migrations 7, 10, 11 and 12), whoever deletes.
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
        for statement in ModelHits.removal(db.dialect, id: db.dialect == .postgres ? "$1::bigint" : "$1") {
            try db.execute(statement, [.int(Int64(schemaID))])
        }
        try db.execute("DELETE FROM schema_search_postings WHERE schema_id = $1", [.int(Int64(schemaID))])
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

    /// The first key of the advisory locks that serialise appends to a model's rows.
    private static let appendLockClass: Int64 = 1_887_007_315

    private static let rowsPerInsert = 100
    /// Keys whose last rows one statement reads (bound as one JSON text or four arrays).
    private static let keysPerRead = 5_000

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

    /// Inserts the postings in their key's order (version, place, word: migration 11), then the
    /// versions' entries in their models' rows (`ModelHits`), appended to the last row of each
    /// word, kind and model where they fit.
    private func insert(_ postings: [Row]) throws {
        let sorted = postings.sorted { a, b in
            if a.version.id != b.version.id { return a.version.id < b.version.id }
            if a.posting.place != b.posting.place { return a.posting.place < b.posting.place }
            return a.wordID < b.wordID
        }
        for chunk in Self.chunks(sorted) { try insert(chunk) }
        let entries = Self.entries(sorted)
        if db.dialect == .postgres, let only = sorted.first?.version, sorted.last?.version.id == only.id {
            // A registration: its model's appends run one at a time from here to the commit (the
            // rows' locks would hold them that long anyway), so two never fill one row together.
            // A backfill runs under the migrator's lock.
            _ = try db.query("SELECT pg_advisory_xact_lock($1, hashtext($2))",
                             [.int(Self.appendLockClass), .text(ModelHits.namespaceKey(only.namespace) + "/" + only.model)])
        }
        let rows = ModelHits.pack(entries, after: try tails(Array(entries.keys)))
        for chunk in Self.chunks(rows) { try upsert(chunk) }
    }

    /// Each version's places per word and kind, as entries by key, in version order (`sorted`
    /// is in version order, then place).
    private static func entries(_ sorted: [Row]) -> [ModelHits.Key: [(text: String, live: Bool)]] {
        var entries: [ModelHits.Key: [(text: String, live: Bool)]] = [:]
        var start = sorted.startIndex
        while start < sorted.endIndex {
            let version = sorted[start].version
            var end = start
            while end < sorted.endIndex, sorted[end].version.id == version.id { end += 1 }
            var places: [ModelHits.Key: [Int]] = [:]
            for row in sorted[start..<end] {
                let key = ModelHits.Key(wordID: row.wordID, kind: row.posting.term.kind.rawValue, namespace: version.namespace,
                                        model: version.model)
                places[key, default: []].append(row.posting.place)
            }
            for (key, places) in places {
                for text in ModelHits.entries(schemaID: version.id, order: version.order, deprecated: version.deprecated, places: places) {
                    entries[key, default: []].append((text, !version.deprecated))
                }
            }
            start = end
        }
        return entries
    }

    /// The last stored row of each key, if any: the keys bound as one list, the outer loop of a
    /// join seeking the whole key (SQLite: `CROSS JOIN` keeps the list outside).
    private func tails(_ keys: [ModelHits.Key]) throws -> [ModelHits.Key: ModelHits.Tail] {
        var tails: [ModelHits.Key: ModelHits.Tail] = [:]
        for chunk in stride(from: 0, to: keys.count, by: Self.keysPerRead).map({ keys[$0..<min($0 + Self.keysPerRead, keys.count)] }) {
            let from: String
            let parameters: [SQLValue]
            switch db.dialect {
            case .sqlite:
                let json = JSONValue.array(chunk.map { key in
                    .array([.number(String(key.wordID)), .string(key.kind), .string(ModelHits.namespaceKey(key.namespace)), .string(key.model)])
                })
                from = """
                    json_each($1) AS k CROSS JOIN \(ModelHits.table) h ON h.word_id = json_extract(k.value, '$[0]')
                        AND h.kind = json_extract(k.value, '$[1]') AND h.ns_key = json_extract(k.value, '$[2]')
                        AND h.model_name = json_extract(k.value, '$[3]')
                    """
                parameters = [.text(json.serialized())]
            case .postgres:
                from = """
                    unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS k(word_id, kind, ns_key, model_name)
                    JOIN \(ModelHits.table) h ON h.word_id = k.word_id AND h.kind = k.kind AND h.ns_key = k.ns_key
                        AND h.model_name = k.model_name
                    """
                parameters = [.text(PostgresArray.literal(chunk.map { String($0.wordID) }, quoted: false)),
                              .text(PostgresArray.literal(chunk.map(\.kind))),
                              .text(PostgresArray.literal(chunk.map { ModelHits.namespaceKey($0.namespace) })),
                              .text(PostgresArray.literal(chunk.map(\.model)))]
            }
            for row in try db.query("SELECT h.word_id, h.kind, h.ns_key, h.model_name, h.chunk, length(h.versions) FROM \(from)", parameters) {
                guard let wordID = row.int(0), let kind = row.string(1), let nsKey = row.string(2), let model = row.string(3),
                      let chunk = row.int(4), let bytes = row.int(5) else { continue }
                let key = ModelHits.Key(wordID: Int64(wordID), kind: kind, namespace: nsKey.isEmpty ? nil : String(nsKey.dropFirst()),
                                        model: model)
                if let known = tails[key], known.chunk > Int64(chunk) { continue }
                tails[key] = ModelHits.Tail(chunk: Int64(chunk), bytes: bytes)
            }
        }
        return tails
    }

    /// Inserts the rows, appending to those whose chunk exists.
    private func upsert(_ rows: ArraySlice<ModelHits.Row>) throws {
        var values: [String] = []
        var parameters: [SQLValue] = []
        parameters.reserveCapacity(rows.count * 8)
        for row in rows {
            let n = parameters.count
            values.append("(" + (1...8).map { "$\(n + $0)" }.joined(separator: ", ") + ")")
            parameters += [.int(row.key.wordID), .text(row.key.kind), .text(ModelHits.namespaceKey(row.key.namespace)), .text(row.key.model),
                           .int(row.chunk), row.key.namespace.map(SQLValue.text) ?? .null, .bool(row.live), .text(row.text)]
        }
        let table = ModelHits.table
        try db.execute("""
            INSERT INTO \(table) (word_id, kind, ns_key, model_name, chunk, namespace, live, versions) VALUES \(values.joined(separator: ", "))
            ON CONFLICT (word_id, kind, ns_key, model_name, chunk)
            DO UPDATE SET versions = \(table).versions || excluded.versions, live = \(table).live OR excluded.live
            """, parameters)
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
