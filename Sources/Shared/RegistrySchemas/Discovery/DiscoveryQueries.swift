import RegistryDiscovery
import RegistryJSON
import RegistryStorage

/// The SQL of lookup by content, and the word matching that search shares (`SearchRankingQuery`
/// ranks). Prepared statements; the text varies only between constant forms (filters present or not).
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

    /// How many terms of the query's kinds contain `word`, up to `termCountLimit` (beyond, a word is
    /// common and the count would cost as much as reading it), to read the rarest word first.
    func termCount(containing word: String, _ query: SearchQuery) throws -> Int {
        var parameters: [SQLValue] = []
        func bind(_ value: SQLValue) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }
        var conditions = ["t.word_id IN (\(Self.wordsContaining(word, dialect: db.dialect, bind)))"]
        if query.kind != .any { conditions.append("t.kind = " + bind(.text(query.kind.rawValue))) }
        let limit = bind(.int(Int64(Self.termCountLimit)))
        return try db.scalarInt("""
            SELECT count(*) FROM (SELECT 1 FROM schema_search_terms t WHERE \(conditions.joined(separator: " AND ")) LIMIT \(limit)) c
            """, parameters) ?? 0
    }

    static let termCountLimit = 5_000

    /// The ids of the distinct words containing `word` (few): a subquery through the trigram index
    /// (FTS5 on SQLite, GLOB: the table is case-sensitive, the words lower-case; `pg_trgm` on
    /// PostgreSQL, LIKE).
    static func wordsContaining(_ word: String, dialect: SQLDialect, _ bind: (SQLValue) -> String) -> String {
        switch dialect {
        case .sqlite:
            return "SELECT rowid FROM schema_search_fts WHERE word GLOB " + bind(.text("*" + globLiteral(word) + "*"))
        case .postgres:
            return "SELECT id FROM schema_search_words WHERE word LIKE " + bind(.text("%" + likeLiteral(word) + "%"))
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
