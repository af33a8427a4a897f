import RegistryDiscovery
import RegistryJSON
import RegistryStorage

/// The SQL of lookup by content, and of search on SQLite (PostgreSQL ranks in SQL:
/// `SearchRankingQuery`). Prepared statements; the text varies only between
/// constant forms (filters present or not).
struct DiscoveryQueries {
    let db: DatabaseConnection

    func lookup(_ lookup: SchemaLookup) throws -> [SchemaLookup.Match] {
        var conditions: [String] = []
        var parameters: [SQLValue] = []
        func bind(_ value: SQLValue) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }
        if let json = lookup.jsonSchema {
            conditions.append("f.json_sha256 = " + bind(.text(SchemaFingerprints.jsonForm(json).sha256)))
        }
        if let avro = lookup.avroSchema {
            conditions.append("f.avro_sha256 = " + bind(.text(SchemaFingerprints.avroForm(avro).sha256)))
        }
        conditions += namespaceConditions(lookup.namespace, bind)
        if let model = lookup.model { conditions.append("s.model_name = " + bind(.text(model))) }
        let rows = try db.query("""
            SELECT s.namespace, s.model_name, s.version, s.deprecated
            FROM schema_fingerprints f JOIN schemas s ON s.id = f.schema_id
            WHERE \(conditions.joined(separator: " AND "))
            ORDER BY s.namespace IS NOT NULL, COALESCE(s.namespace, ''), s.model_name,
                     s.version_major, s.version_minor, s.version_patch, s.id
            """, parameters)
        return rows.map { row in
            SchemaLookup.Match(namespace: row.string(0), modelName: row.string(1) ?? "", version: row.string(2) ?? "",
                               deprecated: row.bool(3) ?? false)
        }
    }

    /// A term of one of the query's kinds containing `word`, with its version.
    struct Candidate {
        let schemaID: Int
        let kind: SearchTerm.Kind
        let wordID: Int
        let term: String
        let matched: String
        let path: String?
        let source: String
        let namespace: String?
        let model: String
        let version: String
        let order: [Int]
    }

    /// The terms that contain `word` (its `*` matching anything), through the trigram index of the
    /// distinct words: FTS5 on SQLite (GLOB: the table is case-sensitive, the words lower-case),
    /// `pg_trgm` on PostgreSQL (LIKE).
    /// `among`: only in these versions (read by chunks through the index on the version).
    func candidates(containing word: String, _ query: SearchQuery, among versions: [Int]? = nil) throws -> [Candidate] {
        guard let versions else { return try candidates(containing: word, query, versions: nil) }
        return try stride(from: 0, to: versions.count, by: Self.versionsPerQuery).flatMap { start in
            try candidates(containing: word, query, versions: versions[start..<min(start + Self.versionsPerQuery, versions.count)])
        }
    }

    /// How many terms of the query's kinds contain `word`, up to `termCountLimit` (beyond, a word is
    /// common and the count would cost as much as reading it), to read the rarest word first.
    func termCount(containing word: String, _ query: SearchQuery) throws -> Int {
        var parameters: [SQLValue] = []
        func bind(_ value: SQLValue) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }
        var conditions = ["t.word_id IN (\(wordsContaining(word, bind)))"]
        if query.kind != .any { conditions.append("t.kind = " + bind(.text(query.kind.rawValue))) }
        let limit = bind(.int(Int64(Self.termCountLimit)))
        return try db.scalarInt("""
            SELECT count(*) FROM (SELECT 1 FROM schema_search_terms t WHERE \(conditions.joined(separator: " AND ")) LIMIT \(limit)) c
            """, parameters) ?? 0
    }

    private static let versionsPerQuery = 500
    static let termCountLimit = 5_000

    /// The ids of the distinct words containing `word` (few): a subquery through the trigram index
    /// (FTS5 on SQLite, GLOB: the table is case-sensitive, the words lower-case; `pg_trgm` on
    /// PostgreSQL, LIKE).
    private func wordsContaining(_ word: String, _ bind: (SQLValue) -> String) -> String {
        Self.wordsContaining(word, dialect: db.dialect, bind)
    }

    static func wordsContaining(_ word: String, dialect: SQLDialect, _ bind: (SQLValue) -> String) -> String {
        switch dialect {
        case .sqlite:
            return "SELECT rowid FROM schema_search_fts WHERE word GLOB " + bind(.text("*" + globLiteral(word) + "*"))
        case .postgres:
            return "SELECT id FROM schema_search_words WHERE word LIKE " + bind(.text("%" + likeLiteral(word) + "%"))
        }
    }

    private func candidates(containing word: String, _ query: SearchQuery, versions: ArraySlice<Int>?) throws -> [Candidate] {
        var conditions: [String] = []
        var parameters: [SQLValue] = []
        func bind(_ value: SQLValue) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }
        if let versions {
            // `+ 0`: through the index on the version, never the word's (a common word has many postings).
            conditions.append("t.word_id + 0 IN (\(wordsContaining(word, bind)))")
            conditions.append("t.schema_id IN (" + versions.map { bind(.int(Int64($0))) }.joined(separator: ", ") + ")")
        } else {
            conditions.append("t.word_id IN (\(wordsContaining(word, bind)))")
        }
        if query.kind != .any { conditions.append("t.kind = " + bind(.text(query.kind.rawValue))) }
        let join: String
        switch db.dialect {
        case .sqlite:
            // A LEFT JOIN filtered with IS: an inner join lets SQLite build a Bloom filter over
            // `schemas`, reading the whole table (bodies included) for every search.
            join = "LEFT JOIN schemas s ON s.id = t.schema_id"
            conditions.append(query.includeDeprecated ? "s.id IS NOT NULL" : "s.deprecated IS " + bind(.bool(false)))
            switch query.namespace {
            case .any: break
            case .globalOnly: conditions.append("s.namespace IS NULL")
            case .exact(let namespace): conditions.append("s.namespace IS " + bind(.text(namespace)))
            }
        case .postgres:
            join = "JOIN schemas s ON s.id = t.schema_id"
            if !query.includeDeprecated { conditions.append("s.deprecated = " + bind(.bool(false))) }
            conditions += namespaceConditions(query.namespace, bind)
        }
        let rows = try db.query("""
            SELECT t.schema_id, t.kind, w.word, t.matched, t.path, t.source, s.namespace, s.model_name, s.version,
                   s.version_major, s.version_minor, s.version_patch, t.word_id
            FROM schema_search_terms t \(db.dialect == .sqlite ? "CROSS JOIN" : "JOIN") schema_search_words w ON w.id = t.word_id \(join)
            WHERE \(conditions.joined(separator: " AND "))
            """, parameters)
        return rows.compactMap { row in
            guard let id = row.int(0), let kind = row.string(1).flatMap(SearchTerm.Kind.init(rawValue:)) else { return nil }
            return Candidate(schemaID: id, kind: kind, wordID: row.int(12) ?? 0, term: row.string(2) ?? "", matched: row.string(3) ?? "",
                             path: row.string(4), source: row.string(5) ?? "", namespace: row.string(6),
                             model: row.string(7) ?? "", version: row.string(8) ?? "",
                             order: [row.int(9) ?? 0, row.int(10) ?? 0, row.int(11) ?? 0, id])
        }
    }

    private func namespaceConditions(_ filter: SchemaListQuery.NamespaceFilter, _ bind: (SQLValue) -> String) -> [String] {
        switch filter {
        case .any: return []
        case .globalOnly: return ["s.namespace IS NULL"]
        case .exact(let namespace): return ["s.namespace = " + bind(.text(namespace))]
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
