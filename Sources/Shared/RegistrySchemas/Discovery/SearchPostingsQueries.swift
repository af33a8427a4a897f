import RegistryDiscovery
import RegistryDomain
import RegistryJSON
import RegistryStorage

/// The SQL of search: the distinct words containing a query word, their hits with what ranking
/// needs (migration 12's `schema_search_model_hits`, a row per word, kind and model, its versions'
/// places packed: `ModelHits`), and the details of the page's places (`schema_search_postings`, a row per word and
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

    /// How many rows (models, or chunks of a model's versions) the words hit in the query's kinds,
    /// up to `limit` (beyond, a word is common and counting it would cost as much as reading it):
    /// to read the rarest word first.
    func postingCount(_ words: [Word], _ query: SearchQuery, limit: Int) throws -> Int {
        var count = 0
        for chunk in Self.chunks(words, of: Self.wordsPerQuery) where count < limit {
            var statement = Statement(dialect: db.dialect)
            let where_ = [statement.anyOf("word_id", chunk.map(\.id)), statement.in("kind", Self.kinds(query))]
            let cap = statement.bind(.int(Int64(limit - count)))
            count += try db.scalarInt("""
                SELECT count(*) FROM (SELECT 1 FROM \(ModelHits.table) WHERE \(where_.joined(separator: " AND ")) LIMIT \(cap)) c
                """, statement.parameters) ?? 0
        }
        return count
    }

    /// The models the other words of a query are read in: those its seed word hit.
    enum Models {
        /// Too many to name: every row of the words is read.
        case all
        /// A seek per word, kind and model (`ns_key`, model name).
        case listed([(String, String)])
        /// Few namespaces holding many of the seed's models (a namespace's models lie together in
        /// the key): one range read per namespace; the rows of other models there are read and dropped.
        case namespaces([String])

        init(_ models: [VersionTable.ModelName], limit: Int) {
            let keys = models.map { (ModelHits.namespaceKey($0.namespace), $0.name) }
            let namespaces = Set(keys.map(\.0))
            if keys.count > Self.fewModels, namespaces.count <= Self.fewNamespaces {
                self = .namespaces(namespaces.sorted())
            } else {
                self = keys.count <= limit ? .listed(keys) : .all
            }
        }

        private static let fewModels = 64
        private static let fewNamespaces = 16
    }

    /// The seed's hits that the query may show: rows of its kinds, namespace and the key's scope
    /// (in SQL), entries not deprecated unless asked for (in SQL a row whose entries all are is
    /// skipped). Each entry's version takes a slot in `table` with its model and order.
    func hits(_ words: [Word], _ query: SearchQuery, versions table: inout VersionTable) throws -> [Hit] {
        var hits: [Hit] = []
        for chunk in Self.readings(words) {
            var statement = Statement(dialect: db.dialect)
            var conditions = [statement.anyOf("word_id", chunk.map(\.id)), statement.in("kind", Self.kinds(query))]
                + Self.shown(query, &statement)
            if !query.includeDeprecated { conditions.append("live = " + statement.bind(.bool(true))) }
            let only = chunk.count == 1 ? chunk.first?.id : nil
            try db.forEachRow("""
                SELECT namespace, model_name, versions\(only == nil ? ", word_id" : "") FROM \(ModelHits.table)
                WHERE \(conditions.joined(separator: " AND "))
                """, statement.parameters) { row in
                let wordID = only ?? row.integer(3)
                let model = table.model(of: row, namespace: 0, name: 1)
                var slot = -1, schemaID = 0
                row.forEachEntry(2, head: { entry in
                    guard query.includeDeprecated || !entry.deprecated else { return false }
                    schemaID = entry.id
                    slot = table.slot(entry.id, model: model, order: entry.order)
                    return true
                }, place: { hits.append(Hit(schemaID: schemaID, place: $0, wordID: wordID, version: slot)) })
            }
        }
        return hits
    }

    /// The hits of `words` in `models`, for a word read after the seed: only its hits at the
    /// seed's places count, and those already passed the query's filters, so a read limited to
    /// the seed's models does not filter again. The hits carry no version slot (`version` is -1).
    func placesHit(by words: [Word], _ query: SearchQuery, among models: Models) throws -> [Hit] {
        var hits: [Hit] = []
        for chunk in Self.readings(words) {
            switch models {
            case .all:
                // Filtered: fewer rows cross over.
                try readPlaces(chunk, query, into: &hits) { statement in (Self.hitsTable, Self.shown(query, &statement)) }
            case .namespaces(let keys):
                try readPlaces(chunk, query, into: &hits) { statement in (Self.hitsTable, [statement.anyOfText("h.ns_key", keys)]) }
            case .listed(let keys):
                for part in Self.chunks(keys, of: Self.modelsPerQuery) {
                    try readPlaces(chunk, query, into: &hits) { statement in statement.models(Array(part)) }
                }
            }
        }
        return hits
    }

    /// The model hits as `h`, alone.
    private static let hitsTable = "\(ModelHits.table) h"

    /// The (version, place, word) of the entries of `words`' rows in `h` (from what `more` puts
    /// after `FROM`), under the conditions; for one word its id is not read (a value fewer per row).
    private func readPlaces(_ words: ArraySlice<Word>, _ query: SearchQuery, into hits: inout [Hit],
                            where more: (inout Statement) -> (from: String, conditions: [String])) throws {
        var statement = Statement(dialect: db.dialect)
        let (from, extra) = more(&statement)
        let conditions = [statement.anyOf("h.word_id", words.map(\.id)), statement.in("h.kind", Self.kinds(query))] + extra
        let only = words.count == 1 ? words.first?.id : nil
        try db.forEachRow("""
            SELECT h.versions\(only == nil ? ", h.word_id" : "") FROM \(from) WHERE \(conditions.joined(separator: " AND "))
            """, statement.parameters) { row in
            let wordID = only ?? row.integer(1)
            var schemaID = 0
            row.forEachEntry(0, head: { entry in
                schemaID = entry.id
                return true
            }, place: { hits.append(Hit(schemaID: schemaID, place: $0, wordID: wordID, version: -1)) })
        }
    }

    /// The conditions on a model's rows of what the query may show: namespace, the key's scope
    /// (deprecation is per version: `hits`).
    private static func shown(_ query: SearchQuery, _ statement: inout Statement) -> [String] {
        var conditions: [String] = []
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
    private static let modelsPerQuery = 512

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
            anyOf(column, ids.map { .int($0) }, array: PostgresArray.literal(ids.map(String.init), quoted: false), of: "bigint")
        }

        /// A list of texts, bound as `anyOf` binds ids.
        mutating func anyOfText(_ column: String, _ values: [String]) -> String {
            anyOf(column, values.map { .text($0) }, array: PostgresArray.literal(values), of: "text")
        }

        /// Only the dialect's form of the list is built.
        private mutating func anyOf(_ column: String, _ values: @autoclosure () -> [SQLValue], array: @autoclosure () -> String,
                                    of type: String) -> String {
            switch dialect {
            case .sqlite: return self.in(column, values())
            case .postgres: return "\(column) = ANY(\(bind(.text(array())))::\(type)[])"
            }
        }

        /// The models named by (`ns_key`, model name) joined with the model hits (`h`): what goes
        /// after `FROM`, and the conditions. One statement text however many: on PostgreSQL two
        /// bound arrays; on SQLite a bound JSON array of pairs, the outer loop of the join (`CROSS
        /// JOIN`: else SQLite reads every row of the word and scans the list for each).
        mutating func models(_ keys: [(String, String)]) -> (from: String, conditions: [String]) {
            switch dialect {
            case .sqlite:
                let json = JSONValue.array(keys.map { .array([.string($0.0), .string($0.1)]) }).serialized()
                return ("json_each(\(bind(.text(json)))) AS m CROSS JOIN \(ModelHits.table) h",
                        ["h.ns_key = json_extract(m.value, '$[0]')", "h.model_name = json_extract(m.value, '$[1]')"])
            case .postgres:
                let namespaces = bind(.text(PostgresArray.literal(keys.map(\.0))))
                let names = bind(.text(PostgresArray.literal(keys.map(\.1))))
                return ("""
                    unnest(\(namespaces)::text[], \(names)::text[]) AS m(ns_key, model_name)
                    JOIN \(ModelHits.table) h ON h.ns_key = m.ns_key AND h.model_name = m.model_name
                    """, [])
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
            "\(bind(.text(PostgresArray.literal(ids.map(String.init), quoted: false))))::bigint[]"
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
