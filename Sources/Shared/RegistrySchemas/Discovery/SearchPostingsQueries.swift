import RegistryDiscovery
import RegistryDomain
import RegistryStorage

/// The SQL of search: the distinct words containing a query word, their hits with what ranking
/// needs (migration 11's `schema_search_hits`, a row per word, kind and version, its places
/// packed), and the details of the page's places (`schema_search_postings`, a row per word and
/// place, keyed by version). Prepared statements; lists of values are bound, padded to a
/// power of two (repeating the last value), so the number of distinct statement texts stays small.
struct SearchPostingsQueries {
    let db: DatabaseConnection

    /// A distinct indexed word containing a query word.
    struct Word {
        let id: Int64
        let word: String
    }

    /// A posting of one of the query's words; `version` is its version's slot in the
    /// `VersionTable` of the search (the seed's hits only; -1 for the others).
    struct Hit {
        let schemaID: Int
        let place: Int
        let wordID: Int64
        var version: Int
    }

    /// What a result shows beyond its ranking: read for the page only.
    struct PlaceDetails {
        let kind: SearchTerm.Kind
        let version: String
        let path: String?
        let source: String
        /// word id → the word as written at that place.
        var matched: [Int64: String]
    }

    /// The words containing `word` (its `*` matching anything), through the trigram index: FTS5
    /// on SQLite (GLOB: the table is case-sensitive, the words lower-case), `pg_trgm` on PostgreSQL
    /// (LIKE).
    func words(containing word: String) throws -> [Word] {
        let rows: [SQLRow]
        switch db.dialect {
        case .sqlite:
            rows = try db.query("SELECT rowid, word FROM schema_search_fts WHERE word GLOB $1",
                                [.text("*" + Self.globLiteral(word) + "*")])
        case .postgres:
            rows = try db.query("SELECT id, word FROM schema_search_words WHERE word LIKE $1",
                                [.text("%" + Self.likeLiteral(word) + "%")])
        }
        return rows.compactMap { row in row.int(0).map { Word(id: Int64($0), word: row.string(1) ?? "") } }
    }

    /// How many versions the words hit in the query's kinds (rows of `schema_search_hits`), up to
    /// `limit` (beyond, a word is common and counting it would cost as much as reading it): to read
    /// the rarest word first.
    func postingCount(_ words: [Word], _ query: SearchQuery, limit: Int) throws -> Int {
        var count = 0
        for chunk in Self.chunks(words, of: Self.wordsPerQuery) where count < limit {
            var statement = Statement(dialect: db.dialect)
            let where_ = [statement.anyOf("word_id", chunk.map(\.id)), statement.in("kind", Self.kinds(query))]
            let cap = statement.bind(.int(Int64(limit - count)))
            count += try db.scalarInt("""
                SELECT count(*) FROM (SELECT 1 FROM schema_search_hits WHERE \(where_.joined(separator: " AND ")) LIMIT \(cap)) c
                """, statement.parameters) ?? 0
        }
        return count
    }

    /// The versions the other words of a query are read in: those its seed word hit.
    enum Versions {
        /// Too many to name: every posting of the words is read.
        case all
        /// A seek per word, kind and version.
        case listed([Int])
        /// Close together (a namespace or a model registered in one go): one range read per span
        /// instead of a seek per version; the postings of versions between are read and dropped.
        case spans([ClosedRange<Int>])

        /// `sorted`: distinct version ids, ascending. Spans join ids at most `spanGap` apart, and
        /// are used when few and covering at most twice as many ids as there are versions.
        init(_ sorted: [Int], limit: Int) {
            var spans: [ClosedRange<Int>] = []
            var covered = 0
            for id in sorted {
                if let last = spans.last, id - last.upperBound <= Self.spanGap {
                    spans[spans.count - 1] = last.lowerBound...id
                    covered += id - last.upperBound
                } else {
                    spans.append(id...id)
                    covered += 1
                }
                if spans.count > Self.spanLimit { break }
            }
            if !spans.isEmpty, spans.count <= Self.spanLimit, covered <= 2 * sorted.count {
                self = .spans(spans)
            } else {
                self = sorted.count <= limit ? .listed(sorted) : .all
            }
        }

        private static let spanGap = 16
        private static let spanLimit = 16
    }

    /// The postings of `words` that the query may show (kind, deprecation, namespace, the key's
    /// scope): the first word read (the seed). Read as (version, place, word) alone: the versions'
    /// models and orders come from `SearchVersionCache` (`VersionTable.identify`).
    func hits(_ words: [Word], _ query: SearchQuery) throws -> [Hit] {
        var hits: [Hit] = []
        for chunk in Self.readings(words) {
            try readPlaces(chunk, query, into: &hits) { statement in Self.shown(query, &statement) }
        }
        return hits
    }

    /// The model and order of every version the seed's postings (`words`, under the query's
    /// filters) hit, and with `withHits` the postings too: for when `SearchVersionCache` does not
    /// know some versions (or, cold, none). One read in the postings' order, where a seek per
    /// version cost 12 µs on SQLite. A version's names are compared in place with the previous
    /// version's: Strings are built once per run of a model's versions.
    func versions(of words: [Word], _ query: SearchQuery, withHits: Bool = false)
        throws -> (hits: [Hit], versions: [SearchVersionCache.Found]) {
        var hits: [Hit] = []
        var found: [SearchVersionCache.Found] = []
        for chunk in Self.chunks(words, of: Self.wordsPerQuery) {
            var statement = Statement(dialect: db.dialect)
            let conditions = [statement.anyOf("word_id", chunk.map(\.id)), statement.in("kind", Self.kinds(query))] + Self.shown(query, &statement)
            try db.forEachRow("""
                SELECT schema_id, namespace, model_name, version_major, version_minor, version_patch, places, word_id
                FROM schema_search_hits WHERE \(conditions.joined(separator: " AND "))
                """, statement.parameters) { row in
                let schemaID = Int(row.integer(0))
                if withHits {
                    let wordID = row.integer(7)
                    row.forEachNumber(6) { hits.append(Hit(schemaID: schemaID, place: $0, wordID: wordID, version: -1)) }
                }
                guard schemaID != found.last?.schemaID else { return }
                let model: VersionTable.ModelName
                if let previous = found.last?.model, row.text(2, equals: previous.name), row.text(1, equals: previous.namespace) {
                    model = previous
                } else {
                    // Every column but the namespace is NOT NULL (migration 10).
                    model = VersionTable.ModelName(namespace: row.string(1), name: row.string(2) ?? "")
                }
                found.append(SearchVersionCache.Found(schemaID: schemaID, model: model, order: (row.integer(3), row.integer(4), row.integer(5))))
            }
        }
        return (hits, found)
    }

    /// The postings of `words` in `versions`, for a word read after the seed: only its hits at the
    /// seed's places count, and those already passed the query's filters, so a read limited to
    /// the seed's versions neither filters again nor reads the versions' columns. The hits carry
    /// no version slot (`version` is -1).
    func placesHit(by words: [Word], _ query: SearchQuery, among versions: Versions) throws -> [Hit] {
        var hits: [Hit] = []
        for chunk in Self.readings(words) {
            switch versions {
            case .all:
                // Filtered: fewer rows cross over.
                try readPlaces(chunk, query, into: &hits) { statement in Self.shown(query, &statement) }
            case .listed(let ids):
                for part in Self.chunks(ids, of: Self.versionsPerQuery) {
                    try readPlaces(chunk, query, into: &hits) { statement in [statement.anyOf("schema_id", part.map { Int64($0) })] }
                }
            case .spans(let spans):
                for span in spans {
                    try readPlaces(chunk, query, into: &hits) { statement in
                        ["schema_id BETWEEN \(statement.bind(.int(Int64(span.lowerBound)))) AND \(statement.bind(.int(Int64(span.upperBound))))"]
                    }
                }
            }
        }
        return hits
    }

    /// The (version, place, word) of the postings of `words` and the conditions; for one word
    /// its id is not read (a value fewer per posting: 1.2x the rows per second on PostgreSQL for
    /// a two-word `text` search).
    private func readPlaces(_ words: ArraySlice<Word>, _ query: SearchQuery, into hits: inout [Hit],
                            where more: (inout Statement) -> [String]) throws {
        var statement = Statement(dialect: db.dialect)
        let conditions = [statement.anyOf("word_id", words.map(\.id)), statement.in("kind", Self.kinds(query))] + more(&statement)
        let only = words.count == 1 ? words.first?.id : nil
        try db.forEachRow("""
            SELECT schema_id, places\(only == nil ? ", word_id" : "") FROM schema_search_hits WHERE \(conditions.joined(separator: " AND "))
            """, statement.parameters) { row in
            let schemaID = Int(row.integer(0)), wordID = only ?? row.integer(2)
            row.forEachNumber(1) { hits.append(Hit(schemaID: schemaID, place: $0, wordID: wordID, version: -1)) }
        }
    }

    /// The conditions of what the query may show: deprecation, namespace, the key's scope.
    private static func shown(_ query: SearchQuery, _ statement: inout Statement) -> [String] {
        var conditions: [String] = []
        if !query.includeDeprecated { conditions.append("deprecated = " + statement.bind(.bool(false))) }
        switch query.namespace {
        case .any: break
        case .globalOnly: conditions.append("namespace IS NULL")
        case .exact(let namespace): conditions.append("namespace = " + statement.bind(.text(namespace)))
        }
        if let scope = query.keyScope {
            // In SQL, so that the total and the pages count only what the key may see.
            conditions.append(ScopeSQL.condition(scope, column: "namespace", &statement.parameters))
        }
        return conditions
    }

    /// At most this many values per list: far below either database's limit on parameters.
    private static let wordsPerQuery = 512
    /// Up to this many words are read one statement each, without their id in every row (two
    /// words: 1.14-1.22x the rows per second on PostgreSQL); more in lists.
    private static let wordsReadAlone = 4

    /// How `words`' postings are read: one word per statement when few, else lists.
    private static func readings(_ words: [Word]) -> [ArraySlice<Word>] {
        words.count <= wordsReadAlone ? words.indices.map { words[$0...$0] } : chunks(words, of: wordsPerQuery)
    }
    private static let versionsPerQuery = 512

    private static func chunks<T>(_ items: [T], of size: Int) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: size).map { items[$0..<min($0 + size, items.count)] }
    }

    /// The version, path, source and words as written of each place (version id, place number),
    /// reading only the postings of the words named for it (its best hits).
    func details(_ places: [(schemaID: Int, place: Int, words: [Int64])]) throws -> [PlaceKey: PlaceDetails] {
        let postings = places.flatMap { place in Set(place.words).sorted().map { (place.schemaID, place.place, $0) } }
        var details: [PlaceKey: PlaceDetails] = [:]
        guard !postings.isEmpty else { return details }
        var statement = Statement(dialect: db.dialect)
        try db.forEachRow("""
            SELECT p.schema_id, p.place, p.word_id, p.matched, p.path, p.source, p.version, p.kind \(statement.postings(postings))
            """, statement.parameters) { row in
            guard let kind = row.string(7).flatMap(SearchTerm.Kind.init(rawValue:)) else { return }
            let key = PlaceKey(schemaID: Int(row.integer(0)), place: Int(row.integer(1)))
            if details[key] == nil {
                details[key] = PlaceDetails(kind: kind, version: row.string(6) ?? "", path: row.string(4), source: row.string(5) ?? "",
                                            matched: [:])
            }
            details[key]?.matched[row.integer(2)] = row.string(3) ?? ""
        }
        return details
    }

    private static func kinds(_ query: SearchQuery) -> [SQLValue] {
        // Every kind named, for `any` too: the primary key then seeks (word, kind, version).
        query.kind.kinds.map { .text($0.rawValue) }
    }

    /// Parameters bound as `$n`, and lists padded to a power of two.
    private struct Statement {
        let dialect: SQLDialect
        var parameters: [SQLValue] = []

        /// A list of ids. On PostgreSQL one array parameter: a prepared statement's generic plan
        /// (used after its fifth run) then still seeks the index for each id, where with a list
        /// of parameters it planned to filter every posting of the word (850 ms instead of 2 ms
        /// for `ns042 service`). On SQLite a padded `IN` list.
        mutating func anyOf(_ column: String, _ ids: [Int64]) -> String {
            switch dialect {
            case .sqlite:
                return self.in(column, ids.map { .int($0) })
            case .postgres:
                return "\(column) = ANY(\(array(ids)))"
            }
        }

        /// `FROM` the postings named by (version id, place, word id): one statement text however
        /// many, so it is prepared and planned once. On PostgreSQL a join with three bound arrays
        /// (a list of alternatives took 0.5 ms to plan on every run); on SQLite a join with one
        /// bound JSON array of triples (alternatives cost a long text to build, bind and look up).
        mutating func postings(_ keys: [(Int, Int, Int64)]) -> String {
            switch dialect {
            case .sqlite:
                var json = "["
                for (index, (schemaID, place, word)) in keys.enumerated() {
                    json += index == 0 ? "[" : ",["
                    json += "\(schemaID),\(place),\(word)]"
                }
                json += "]"
                return """
                    FROM json_each(\(bind(.text(json)))) AS w
                    JOIN schema_search_postings p ON p.schema_id = json_extract(w.value, '$[0]')
                        AND p.place = json_extract(w.value, '$[1]') AND p.word_id = json_extract(w.value, '$[2]')
                    """
            case .postgres:
                let schemaIDs = array(keys.map { Int64($0.0) }), places = array(keys.map { Int64($0.1) }), words = array(keys.map(\.2))
                return """
                    FROM unnest(\(schemaIDs), \(places), \(words)) AS w(schema_id, place, word_id)
                    JOIN schema_search_postings p ON p.schema_id = w.schema_id AND p.place = w.place AND p.word_id = w.word_id
                    """
            }
        }

        /// A bound `bigint[]` (PostgreSQL).
        private mutating func array(_ ids: [Int64]) -> String {
            "\(bind(.text("{" + ids.map(String.init).joined(separator: ",") + "}")))::bigint[]"
        }

        mutating func bind(_ value: SQLValue) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }

        mutating func `in`(_ column: String, _ values: [SQLValue]) -> String {
            let list = (0..<Self.padded(values.count)).map { bind(values[min($0, values.count - 1)]) }
            return "\(column) IN (\(list.joined(separator: ", ")))"
        }

        static func padded(_ count: Int) -> Int {
            var size = 1
            while size < count { size *= 2 }
            return size
        }
    }

    /// `*` stays the wildcard; GLOB's other specials match themselves.
    static func globLiteral(_ word: String) -> String {
        var out = ""
        for character in word {
            switch character {
            case "?": out += "[?]"
            case "[": out += "[[]"
            default: out.append(character)
            }
        }
        return out
    }

    /// `*` becomes `%`; LIKE's own specials are escaped (PostgreSQL's default escape is `\`).
    static func likeLiteral(_ word: String) -> String {
        var out = ""
        for character in word {
            switch character {
            case "*": out += "%"
            case "%", "_", "\\": out += "\\" + String(character)
            default: out.append(character)
            }
        }
        return out
    }
}

/// A place of a version: the version's row id and the place's number within it.
struct PlaceKey: Hashable {
    let schemaID: Int
    let place: Int
}
