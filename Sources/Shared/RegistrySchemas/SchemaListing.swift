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
        return "\(limit) \(offset) \(includeDeprecated) \(model.map { "=" + $0 } ?? "*") \(scope.utf8.count) \(scope)"
    }
}

public struct SchemaListing: Sendable {
    public let items: [JSONValue]
    /// Matching models (not versions).
    public let totalCount: Int
}

/// The listing's SQL. The WHERE clause is assembled from constant fragments, one per filter in
/// use (values stay bound parameters), so that each form can use the covering index
/// `idx_schemas_version_order` instead of scanning rows with their schema bodies.
struct SchemaListingQueries {
    let db: DatabaseConnection

    private struct Filter {
        var clauses: [String] = []
        var parameters: [SQLValue] = []

        init(_ query: SchemaListQuery, dialect: SQLDialect) {
            switch query.namespace {
            case .any: break
            case .globalOnly: clauses.append("{p}namespace IS NULL")
            case .exact(let namespace): add("{p}namespace = ", .text(namespace))
            }
            if let model = query.model { add("{p}model_name = ", .text(model)) }
            // On SQLite, `+` keeps the planner off the single-column `deprecated` indexes (which
            // lead to the rows and their schema bodies) and on the covering index.
            if !query.includeDeprecated { clauses.append(dialect == .sqlite ? "+{p}deprecated = FALSE" : "{p}deprecated = FALSE") }
        }

        private mutating func add(_ clause: String, _ value: SQLValue) {
            parameters.append(value)
            clauses.append(clause + "$\(parameters.count)")
        }

        func sql(prefix: String) -> String {
            clauses.isEmpty ? "1 = 1" : clauses.map { $0.replacingOccurrences(of: "{p}", with: prefix) }.joined(separator: " AND ")
        }
    }

    func run(_ query: SchemaListQuery) throws -> SchemaListing {
        let filter = Filter(query, dialect: db.dialect)
        let inner = filter.sql(prefix: ""), outer = filter.sql(prefix: "s.")
        let total = try db.scalarInt(
            "SELECT count(*) FROM (SELECT namespace, model_name FROM schemas WHERE \(inner) GROUP BY namespace, model_name) g",
            filter.parameters) ?? 0
        let n = filter.parameters.count
        // SQLite's `IS` is a null-safe equality that can use the index; PostgreSQL's equivalent
        // cannot, so it joins on the model name and filters.
        let sameNamespace = db.dialect == .sqlite ? "s.namespace IS p.namespace" : "s.namespace IS NOT DISTINCT FROM p.namespace"
        let rows = try db.query("""
            SELECT s.namespace, s.model_name, s.version, s.registered_by, s.deprecated
            FROM (
                SELECT namespace, model_name FROM schemas WHERE \(inner)
                GROUP BY namespace, model_name
                ORDER BY (namespace IS NOT NULL), namespace, model_name LIMIT $\(n + 1) OFFSET $\(n + 2)
            ) p JOIN schemas s ON \(sameNamespace) AND s.model_name = p.model_name
            WHERE \(outer)
            ORDER BY (s.namespace IS NOT NULL), s.namespace, s.model_name, s.version_major, s.version_minor, s.version_patch, s.id
            """, filter.parameters + [.int(Int64(query.limit)), .int(Int64(query.offset))])
        return SchemaListing(items: Self.group(rows), totalCount: total)
    }

    /// Rows arrive ordered by model then version: one item per run of equal (namespace, model).
    private static func group(_ rows: [SQLRow]) -> [JSONValue] {
        var items: [JSONValue] = []
        var index = 0
        while index < rows.count {
            let ns = rows[index].string(0), model = rows[index].string(1) ?? ""
            var versions: [String] = [], registeredBy: [String] = [], deprecated: [String] = []
            while index < rows.count, rows[index].string(0) == ns, rows[index].string(1) == model {
                let row = rows[index]
                let version = row.string(2) ?? ""
                versions.append(version)
                if let who = row.string(3), !registeredBy.contains(who) { registeredBy.append(who) }
                if row.bool(4) == true { deprecated.append(version) }
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
