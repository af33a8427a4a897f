import RegistryDomain
import RegistryDiscovery
import RegistryStorage

/// `GET /search` ranked and paged in SQL: only the page leaves the database, with the number of
/// results in all. Used on PostgreSQL (1.2–2.1× the worker's ranking there); on SQLite the window
/// functions cost more than `SearchRanking` in the worker, which stays (docs/discovery.md). The
/// statement is written for both (GLOB on SQLite, LIKE and `COLLATE "C"`, code-point order
/// whatever the database's collation, on PostgreSQL).
///
/// The rules (docs/discovery.md):
/// * a *hit* is a posting (`schema_search_terms`) of one of the query's kinds whose word contains
///   a query word (`*` matching any run of characters), graded 3 when the word is the whole term,
///   2 its beginning, 1 somewhere inside;
/// * a *place* is a version's model name, field (by source and path) or text (by source and
///   path); it is a result when every query word hits it. For each word its best hit counts (on a
///   tie the word registered first, the lowest word id), `score` is the weakest of these grades, and
///   `matched` the best hits' words as written, in the query's order, each once;
/// * order: the places of each model's latest matching version first (the highest version among
///   the model's results: major, minor, patch, then the row id), then by score (higher first),
///   global models before namespaced ones, namespace, model name (code-point order), version
///   (newest first), kind (model, field, text), source and path.
///
/// With several words the rarest (fewest postings, counted up to a cap) is read first and the others
/// only within the versions it hits, so `ns042 service` costs what `ns042` costs.
struct SearchRankingQuery {
    let db: DatabaseConnection

    /// Beyond this many postings of the rarest word, the other words are read whole rather than
    /// within its versions.
    static let restrictionLimit = 2_000

    func run(_ query: SearchQuery) throws -> (total: Int, results: [SearchResult]) {
        let words = query.words
        let discovery = DiscoveryQueries(db: db)
        var seed = 0
        var restrict = false
        if words.count > 1 {
            let counts = try words.map { try discovery.termCount(containing: $0, query) }
            seed = counts.indices.min { counts[$0] < counts[$1] } ?? 0
            restrict = counts[seed] <= Self.restrictionLimit
        }
        var statement = Statement(dialect: db.dialect)
        let sql = statement.ranking(query, seed: seed, restrict: restrict)
        let rows = try db.query(sql, statement.parameters)
        var total = rows.first?.int(0) ?? 0
        if rows.isEmpty && query.offset > 0 {
            // Past the last page: the window's count came with no row.
            var counting = Statement(dialect: db.dialect)
            total = try db.scalarInt(counting.count(query, seed: seed, restrict: restrict), counting.parameters) ?? 0
        }
        let results = rows.compactMap { row -> SearchResult? in
            guard let kind = row.string(5).flatMap(SearchTerm.Kind.init(rawValue:)) else { return nil }
            var matched: [String] = []
            for index in words.indices {
                if let word = row.string(8 + index), !matched.contains(word) { matched.append(word) }
            }
            return SearchResult(namespace: row.string(2), modelName: row.string(3) ?? "", version: row.string(4) ?? "",
                                kind: kind, matched: matched.joined(separator: " "), path: row.string(7),
                                source: row.string(6) ?? "", score: row.int(1) ?? 1)
        }
        return (total, results)
    }

    /// The text and parameters of one statement.
    private struct Statement {
        let dialect: SQLDialect
        var parameters: [SQLValue] = []

        init(dialect: SQLDialect) {
            self.dialect = dialect
        }

        mutating func bind(_ value: SQLValue) -> String {
            parameters.append(value)
            return "$\(parameters.count)"
        }

        private var collate: String { dialect == .postgres ? " COLLATE \"C\"" : "" }

        /// Columns: total, score, namespace, model_name, version, kind, source, path, then the
        /// matched word of each query word.
        mutating func ranking(_ query: SearchQuery, seed: Int, restrict: Bool) -> String {
            let places = self.places(query, seed: seed, restrict: restrict)
            let c = collate
            let words = query.words.indices.map { ", m\($0)" }.joined()
            let limit = bind(.int(Int64(query.limit)))
            let offset = bind(.int(Int64(query.offset)))
            return places + """
                , ranked AS (
                    SELECT v.*, count(*) OVER () AS total,
                           first_value(v.schema_id) OVER (PARTITION BY v.namespace, v.model_name
                               ORDER BY v.major DESC, v.minor DESC, v.patch DESC, v.schema_id DESC) AS latest_id
                    FROM v
                )
                SELECT total, score, namespace, model_name, version, kind, source, path\(words)
                FROM ranked
                ORDER BY CASE WHEN schema_id = latest_id THEN 0 ELSE 1 END, score DESC,
                         CASE WHEN namespace IS NULL THEN 0 ELSE 1 END, namespace\(c), model_name\(c),
                         major DESC, minor DESC, patch DESC, schema_id DESC,
                         CASE kind WHEN 'model' THEN 0 WHEN 'field' THEN 1 ELSE 2 END, source\(c), COALESCE(path, '')\(c)
                LIMIT \(limit) OFFSET \(offset)
                """
        }

        mutating func count(_ query: SearchQuery, seed: Int, restrict: Bool) -> String {
            places(query, seed: seed, restrict: restrict) + " SELECT count(*) FROM v"
        }

        /// `WITH … v AS (…)`: the result places, one row each, with their version's columns.
        private mutating func places(_ query: SearchQuery, seed: Int, restrict: Bool) -> String {
            let kind = query.kind == .any ? nil : bind(.text(query.kind.rawValue))
            var arms: [String] = []
            let seedArm = hits(query.words[seed], index: seed, kind: kind, among: nil)
            for index in query.words.indices where index != seed {
                arms.append(hits(query.words[index], index: index, kind: kind, among: restrict ? "h0" : nil))
            }
            let count = bind(.int(Int64(query.words.count)))
            let matched = query.words.indices.map { ", max(CASE WHEN wi = \($0) THEN matched END) AS m\($0)" }.joined()
            var filters: [String] = []
            let join: String
            switch dialect {
            case .sqlite:
                // A LEFT JOIN filtered with IS: an inner join lets SQLite build a Bloom filter over
                // `schemas`, reading the whole table (bodies included) for every search.
                join = "LEFT JOIN schemas s ON s.id = p.schema_id"
                filters.append(query.includeDeprecated ? "s.id IS NOT NULL" : "s.deprecated IS " + bind(.bool(false)))
            case .postgres:
                join = "JOIN schemas s ON s.id = p.schema_id"
                if !query.includeDeprecated { filters.append("s.deprecated = " + bind(.bool(false))) }
            }
            switch query.namespace {
            case .any: break
            case .globalOnly: filters.append("s.namespace IS NULL")
            case .exact(let namespace): filters.append("s.namespace = " + bind(.text(namespace)))
            }
            if let keyScope = query.keyScope {
                // A scoped key's namespaces only, so that the total and the pages count what it may see.
                filters.append(ScopeSQL.condition(keyScope, column: "s.namespace", &parameters))
            }
            let hitsCTE = (["SELECT * FROM h0"] + arms).joined(separator: "\nUNION ALL\n")
            return """
                WITH h0 AS (\(seedArm)),
                h AS (\(hitsCTE)),
                best AS (
                    SELECT h.*, row_number() OVER (PARTITION BY schema_id, kind, source, path, wi ORDER BY q DESC, word_id) AS rn
                    FROM h
                ),
                p AS (
                    SELECT schema_id, kind, source, path, min(q) AS score\(matched)
                    FROM best WHERE rn = 1
                    GROUP BY schema_id, kind, source, path
                    HAVING count(*) = \(count)
                ),
                v AS (
                    SELECT p.*, s.namespace, s.model_name, s.version, COALESCE(s.version_major, 0) AS major,
                           COALESCE(s.version_minor, 0) AS minor, COALESCE(s.version_patch, 0) AS patch
                    FROM p \(join)
                    WHERE \(filters.isEmpty ? "TRUE" : filters.joined(separator: " AND "))
                )
                """
        }

        /// The postings whose word contains `word`, graded. `among`: only in the versions of that
        /// CTE's hits (through the index on the version, never the word's: `+ 0`).
        private mutating func hits(_ word: String, index: Int, kind: String?, among: String?) -> String {
            let exact: String, prefix: String, op: String
            switch dialect {
            case .sqlite:
                op = "GLOB"
                exact = bind(.text(DiscoveryQueries.globLiteral(word)))
                prefix = bind(.text(DiscoveryQueries.globLiteral(word) + "*"))
            case .postgres:
                op = "LIKE"
                exact = bind(.text(DiscoveryQueries.likeLiteral(word)))
                prefix = bind(.text(DiscoveryQueries.likeLiteral(word) + "%"))
            }
            let words = DiscoveryQueries.wordsContaining(word, dialect: dialect) { bind($0) }
            var conditions: [String] = []
            if let among {
                conditions.append("t.word_id + 0 IN (\(words))")
                conditions.append("t.schema_id IN (SELECT schema_id FROM \(among))")
            } else {
                conditions.append("t.word_id IN (\(words))")
            }
            if let kind { conditions.append("t.kind = " + kind) }
            return """
                SELECT t.schema_id, t.kind, t.source, t.path, t.matched, t.word_id, \(index) AS wi,
                       CASE WHEN w.word \(op) \(exact) THEN 3 WHEN w.word \(op) \(prefix) THEN 2 ELSE 1 END AS q
                FROM schema_search_terms t \(dialect == .sqlite ? "CROSS JOIN" : "JOIN") schema_search_words w ON w.id = t.word_id
                WHERE \(conditions.joined(separator: " AND "))
                """
        }
    }
}
