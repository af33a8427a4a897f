import RegistryDomain
import RegistryJSON
import RegistryStorage

/// `GET /schemas`: one item per model (namespace, model_name ordered, global first), each with
/// all of its versions, paged by model.
public struct SchemaListQuery: Sendable {
    public enum NamespaceFilter: Sendable, Equatable {
        case any
        case globalOnly
        case exact(String)
    }

    public var namespace: NamespaceFilter
    public var model: String?
    public var includeDeprecated: Bool
    public var limit: Int
    public var offset: Int
    /// A scoped key's namespaces: only their models are listed and counted (nil: every one).
    public var keyScope: KeyScope?

    public init(namespace: NamespaceFilter, model: String?, includeDeprecated: Bool, limit: Int, offset: Int) {
        self.namespace = namespace
        self.model = model
        self.includeDeprecated = includeDeprecated
        self.limit = limit
        self.offset = offset
    }

    /// Names the query exactly, for caching its page.
    public var cacheKey: String {
        let scope: String
        switch namespace {
        case .any: scope = "*"
        case .globalOnly: scope = "-"
        case .exact(let name): scope = "=" + name
        }
        let key = "\(limit) \(offset) \(includeDeprecated) \(model.map { "=" + $0 } ?? "*") \(scope.utf8.count) \(scope)"
        return keyScope.map { key + " \u{0}" + $0.storageText } ?? key
    }
}

public struct SchemaListing: Sendable {
    public let items: [JSONValue]
    /// Matching models (not versions).
    public let totalCount: Int
}

/// The listing's SQL. Models come from `schema_models` (migration 6, kept by triggers on
/// `schemas`): the count is one row of `schema_model_counts`, the page a range of the summary's
/// primary key (or of `idx_schema_models_model` when filtered by model name) read with each
/// model's revision, and when the worker holds an item for every one of those revisions
/// (`ListingItemCache`) that is the answer; otherwise the versions of the page's models come
/// through `idx_schemas_version_order`. Every form is a constant text chosen by which filters are
/// in use; values are bound parameters. Deep offsets start from a keyset bookmark
/// (`ListingBookmarks`) instead of counting past every earlier model. The wire is what the
/// grouping over every version row answered (same items, order, counts).
struct SchemaListingQueries {
    let db: DatabaseConnection

    /// The filter as the summary tables see it.
    struct Scope {
        /// `schema_model_counts` row: `a` all, `g` global, `n` namespace, `m` model name; nil when
        /// both namespace and model name are given (at most one model: counted directly).
        var countScope: String?
        var countKey: String
        /// WHERE clauses on `schema_models m`, `{n}` standing for the next parameter number.
        var clauses: [String]
        var parameters: [SQLValue]
        var live: Bool

        init(_ query: SchemaListQuery) {
            clauses = []
            parameters = []
            switch query.namespace {
            case .any: countScope = "a"; countKey = ""
            case .globalOnly:
                countScope = "g"; countKey = ""
                clauses.append("m.namespaced = FALSE AND m.ns_key = ''")
            case .exact(let namespace):
                countScope = "n"; countKey = namespace
                clauses.append("m.namespaced = TRUE AND m.ns_key = {n}")
                parameters.append(.text(namespace))
            }
            if let model = query.model {
                countScope = countScope == "a" ? "m" : nil
                countKey = countScope == "m" ? model : ""
                clauses.append("m.model_name = {n}")
                parameters.append(.text(model))
            }
            live = !query.includeDeprecated
            if live { clauses.append("m.live_versions > 0") }
            if let keyScope = query.keyScope {
                // Counted directly (the summary counts know no scopes), no bookmarks.
                countScope = nil
                let clause = Self.clause(keyScope, &parameters)
                clauses.append(clause)
            }
        }

        /// The scope's patterns on `schema_models m`.
        private static func clause(_ scope: KeyScope, _ parameters: inout [SQLValue]) -> String {
            let alternatives = scope.patterns.map { pattern -> String in
                switch pattern {
                case .global:
                    return "m.namespaced = FALSE"
                case .exact(let name):
                    parameters.append(.text(name))
                    return "(m.namespaced = TRUE AND m.ns_key = {n})"
                case .prefix(let start):
                    parameters += [.int(Int64(start.unicodeScalars.count)), .text(start)]
                    return "(m.namespaced = TRUE AND substr(m.ns_key, 1, {n}) = {n})"
                }
            }
            return alternatives.isEmpty ? "1 = 0" : "(" + alternatives.joined(separator: " OR ") + ")"
        }

        /// The clauses joined, with parameters numbered from `first`.
        func sql(extra: [String] = [], first: Int = 1) -> String {
            let all = clauses + extra
            guard !all.isEmpty else { return "1 = 1" }
            var number = first
            return all.map { clause in
                var text = clause
                while let range = text.range(of: "{n}") {
                    text.replaceSubrange(range, with: "$\(number)")
                    number += 1
                }
                return text
            }.joined(separator: " AND ")
        }
    }

    func run(_ query: SchemaListQuery) throws -> SchemaListing {
        let scope = Scope(query)
        var offset = query.offset
        var mark: ListingBookmarks.Mark? = nil
        let total: Int, generation: Int64?
        var models: [ListingItemCache.PageModel]
        if let countScope = scope.countScope, query.offset < ListingBookmarks.stride {
            // The common case in one statement: the count and the page's models.
            (total, generation, models) = try countAndPage(scope, countScope: countScope, limit: query.limit, offset: offset)
        } else {
            (total, generation) = try count(scope)
            if query.offset >= ListingBookmarks.stride, query.offset < total, let generation {
                mark = try ListingBookmarks.shared.mark(for: scope, offset: query.offset, generation: generation,
                                                        connection: db, build: { try buildMarks(scope) })
                if let mark { offset = query.offset - mark.position }
            }
            models = try pageModels(scope, limit: query.limit, offset: offset, after: mark, generation: generation)
        }
        if models.isEmpty, mark != nil {
            // The set of models changed since the bookmarks were read: count past them instead.
            (offset, mark) = (query.offset, nil)
            models = try pageModels(scope, limit: query.limit, offset: offset, after: nil, generation: nil)
        }
        if let items = ListingItemCache.shared.items(for: models, live: scope.live) {
            return SchemaListing(items: items, totalCount: total)
        }
        var items = Self.group(try page(scope, limit: query.limit, offset: offset, after: mark, generation: generation))
        if items.isEmpty, mark != nil {
            items = Self.group(try page(scope, limit: query.limit, offset: query.offset, after: nil, generation: nil))
        }
        ListingItemCache.shared.store(items, page: models, live: scope.live)
        return SchemaListing(items: items, totalCount: total)
    }

    /// The number of matching models, the scope's `changes` and the page's models with their
    /// revisions, in one statement (a page at an offset below the bookmark stride).
    private func countAndPage(_ scope: Scope, countScope: String, limit: Int,
                              offset: Int) throws -> (Int, Int64?, [ListingItemCache.PageModel]) {
        let (filter, parameters) = pageFilter(scope, after: nil, generation: nil)
        let n = parameters.count
        let column = scope.live ? "live_models" : "models"
        let rows = try db.query("""
            SELECT c.\(column), c.changes, p.namespaced, p.ns_key, p.model_name, p.revision
            FROM (SELECT 1 AS one) o
            LEFT JOIN schema_model_counts c ON c.scope = $\(n + 3) AND c.scope_key = $\(n + 4)
            LEFT JOIN (
                SELECT m.namespaced, m.ns_key, m.model_name, m.revision FROM schema_models m
                WHERE \(filter)
                ORDER BY m.namespaced, m.ns_key, m.model_name LIMIT $\(n + 1) OFFSET $\(n + 2)
            ) p ON 1 = 1
            ORDER BY p.namespaced, p.ns_key, p.model_name
            """, parameters + [.int(Int64(limit)), .int(Int64(offset)), .text(countScope), .text(scope.countKey)])
        let total = rows.first?.int(0) ?? 0
        let generation = rows.first?.int(1).map(Int64.init)
        let models = rows.compactMap { row -> ListingItemCache.PageModel? in
            guard let model = row.string(4) else { return nil }
            return ListingItemCache.PageModel(key: .init(namespaced: row.bool(2) ?? false, nsKey: row.string(3) ?? "", model: model),
                                              revision: Int64(row.int(5) ?? 0))
        }
        return (total, generation, models)
    }

    /// The page's models with their revisions (from the summary alone).
    private func pageModels(_ scope: Scope, limit: Int, offset: Int, after: ListingBookmarks.Mark?,
                            generation: Int64?) throws -> [ListingItemCache.PageModel] {
        let (filter, parameters) = pageFilter(scope, after: after, generation: generation)
        let n = parameters.count
        let rows = try db.query("""
            SELECT m.namespaced, m.ns_key, m.model_name, m.revision FROM schema_models m
            WHERE \(filter)
            ORDER BY m.namespaced, m.ns_key, m.model_name LIMIT $\(n + 1) OFFSET $\(n + 2)
            """, parameters + [.int(Int64(limit)), .int(Int64(offset))])
        return rows.map { row in
            ListingItemCache.PageModel(
                key: .init(namespaced: row.bool(0) ?? false, nsKey: row.string(1) ?? "", model: row.string(2) ?? ""),
                revision: Int64(row.int(3) ?? 0))
        }
    }

    /// The summary's WHERE clause: the scope's filters, and after a bookmark (only while the
    /// scope's `changes` is still `generation`).
    private func pageFilter(_ scope: Scope, after: ListingBookmarks.Mark?, generation: Int64?) -> (String, [SQLValue]) {
        var extra: [String] = []
        var parameters = scope.parameters
        if let after, let generation, let countScope = scope.countScope {
            extra.append("(m.namespaced, m.ns_key, m.model_name) > ({n}, {n}, {n})")
            extra.append("(SELECT c.changes FROM schema_model_counts c WHERE c.scope = {n} AND c.scope_key = {n}) = {n}")
            parameters += [.bool(after.namespaced), .text(after.nsKey), .text(after.model),
                           .text(countScope), .text(scope.countKey), .int(generation)]
        }
        return (scope.sql(extra: extra), parameters)
    }

    /// The number of matching models, and the scope's `changes` (nil for a single model).
    private func count(_ scope: Scope) throws -> (Int, Int64?) {
        guard let countScope = scope.countScope else {
            let n = try db.scalarInt("SELECT count(*) FROM schema_models m WHERE \(scope.sql())", scope.parameters) ?? 0
            return (n, nil)
        }
        let column = scope.live ? "live_models" : "models"
        let rows = try db.query(
            "SELECT \(column), changes FROM schema_model_counts WHERE scope = $1 AND scope_key = $2",
            [.text(countScope), .text(scope.countKey)])
        guard let row = rows.first else { return (0, nil) }
        return (row.int(0) ?? 0, row.int(1).map(Int64.init))
    }

    /// The rows of one page: the page's models (after `after`, when given, and only while the
    /// scope's `changes` is still `generation`), each with its matching versions, in order.
    private func page(_ scope: Scope, limit: Int, offset: Int, after: ListingBookmarks.Mark?, generation: Int64?) throws -> [SQLRow] {
        let (filter, parameters) = pageFilter(scope, after: after, generation: generation)
        let n = parameters.count
        let live = scope.live ? (db.dialect == .sqlite ? " AND +s.deprecated = FALSE" : " AND s.deprecated = FALSE") : ""
        let columns = "p.namespaced AS pn, p.ns_key AS pk, s.model_name, s.version_major, s.version_minor, s.version_patch, s.id, "
            + "s.namespace, s.version, s.registered_by, s.deprecated"
        let versionColumns = "v.model_name, v.version_major, v.version_minor, v.version_patch, v.id, v.namespace, v.version, "
            + "v.registered_by, v.deprecated"
        let liveV = scope.live ? " AND v.deprecated = FALSE" : ""
        let pageSQL = """
            WITH page AS MATERIALIZED (
                SELECT m.namespaced, m.ns_key, m.model_name, CASE WHEN m.namespaced THEN m.ns_key END AS namespace
                FROM schema_models m
                WHERE \(filter)
                ORDER BY m.namespaced, m.ns_key, m.model_name LIMIT $\(n + 1) OFFSET $\(n + 2)
            )
            """
        // SQLite's `IS` is a null-safe equality its index serves; PostgreSQL's (`IS NOT DISTINCT
        // FROM`) is not, so there each model of the page reads its versions laterally, the global
        // ones by `namespace IS NULL AND model_name =` and the others by `namespace = AND
        // model_name =` (a one-time filter picks the branch): index scans per model of the page,
        // never a join over all of `schemas` (which index serves the global branch is the
        // planner's choice from the statistics: with few global rows, `ix_schemas_namespace`).
        let sql = db.dialect == .sqlite ? """
            \(pageSQL)
            SELECT \(columns) FROM page p JOIN schemas s ON s.namespace IS p.namespace AND s.model_name = p.model_name
            WHERE 1 = 1\(live)
            ORDER BY 1, 2, 3, 4, 5, 6, 7
            """ : """
            \(pageSQL)
            SELECT \(columns) FROM page p CROSS JOIN LATERAL (
                SELECT \(versionColumns) FROM schemas v
                WHERE p.namespaced = FALSE AND v.namespace IS NULL AND v.model_name = p.model_name\(liveV)
                UNION ALL
                SELECT \(versionColumns) FROM schemas v
                WHERE p.namespaced = TRUE AND v.namespace = p.ns_key AND v.model_name = p.model_name\(liveV)
            ) s
            ORDER BY 1, 2, 3, 4, 5, 6, 7
            """
        return try db.query(sql, parameters + [.int(Int64(limit)), .int(Int64(offset))])
    }

    /// Every `stride`-th key of the scope in listing order, with the scope's `changes` read by the
    /// same statement (so the marks belong to that value).
    private func buildMarks(_ scope: Scope) throws -> ListingBookmarks.Marks? {
        guard let countScope = scope.countScope else { return nil }
        let n = scope.parameters.count
        let rows = try db.query("""
            SELECT w.namespaced, w.ns_key, w.model_name,
                   (SELECT c.changes FROM schema_model_counts c WHERE c.scope = $\(n + 1) AND c.scope_key = $\(n + 2))
            FROM (
                SELECT m.namespaced, m.ns_key, m.model_name,
                       row_number() OVER (ORDER BY m.namespaced, m.ns_key, m.model_name) AS rn
                FROM schema_models m WHERE \(scope.sql())
            ) w
            WHERE w.rn % $\(n + 3) = 0 ORDER BY w.rn
            """, scope.parameters + [.text(countScope), .text(scope.countKey), .int(Int64(ListingBookmarks.stride))])
        let generation = try rows.first.flatMap { $0.int(3) }.map(Int64.init)
            ?? db.query("SELECT changes FROM schema_model_counts WHERE scope = $1 AND scope_key = $2",
                        [.text(countScope), .text(scope.countKey)]).first?.int(0).map(Int64.init)
        guard let generation else { return nil }
        let marks = rows.enumerated().map { index, row in
            ListingBookmarks.Mark(position: (index + 1) * ListingBookmarks.stride, namespaced: row.bool(0) ?? false,
                                  nsKey: row.string(1) ?? "", model: row.string(2) ?? "")
        }
        return ListingBookmarks.Marks(generation: generation, marks: marks)
    }

    /// Rows arrive ordered by model then version: one item per run of equal (namespace, model).
    private static func group(_ rows: [SQLRow]) -> [JSONValue] {
        var items: [JSONValue] = []
        var index = 0
        while index < rows.count {
            let ns = rows[index].string(7), model = rows[index].string(2) ?? ""
            var versions: [String] = [], registeredBy: [String] = [], deprecated: [String] = []
            while index < rows.count, rows[index].string(7) == ns, rows[index].string(2) == model {
                let row = rows[index]
                let version = row.string(8) ?? ""
                versions.append(version)
                if let who = row.string(9), !registeredBy.contains(who) { registeredBy.append(who) }
                if row.bool(10) == true { deprecated.append(version) }
                index += 1
            }
            items.append([
                "namespace": ns.map(JSONValue.string) ?? .null,
                "model_name": .string(model),
                "versions": .array(versions.map(JSONValue.string)),
                "latest_version": versions.last.map(JSONValue.string) ?? .null,
                "registered_by": .array(registeredBy.map(JSONValue.string)),
                "deprecated_versions": .array(deprecated.map(JSONValue.string)),
            ])
        }
        return items
    }
}
