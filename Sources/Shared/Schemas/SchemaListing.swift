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
}

public struct SchemaListing: Sendable {
    public let items: [JSONValue]
    /// Matching models (not versions).
    public let totalCount: Int
}

struct SchemaListingQueries {
    let db: DatabaseConnection

    private static func filter(_ p: String) -> String {
        """
        ($1 = 0 OR ($1 = 1 AND \(p)namespace IS NULL) OR ($1 = 2 AND \(p)namespace = $2))
        AND ($3 = '' OR \(p)model_name = $3) AND ($4 OR \(p)deprecated = FALSE)
        """
    }

    private static let countSQL = """
        SELECT count(*) FROM (SELECT namespace, model_name FROM schemas WHERE \(filter(""))
        GROUP BY namespace, model_name) g
        """

    private static let pageSQL = """
        SELECT s.namespace, s.model_name, s.version, s.registered_by, s.deprecated
        FROM schemas s JOIN (
            SELECT namespace, model_name FROM schemas WHERE \(filter(""))
            GROUP BY namespace, model_name
            ORDER BY (namespace IS NOT NULL), namespace, model_name LIMIT $5 OFFSET $6
        ) p ON s.model_name = p.model_name AND (s.namespace = p.namespace OR (s.namespace IS NULL AND p.namespace IS NULL))
        WHERE \(filter("s."))
        ORDER BY (s.namespace IS NOT NULL), s.namespace, s.model_name, s.version_major, s.version_minor, s.version_patch, s.id
        """

    func run(_ query: SchemaListQuery) throws -> SchemaListing {
        let mode: Int64, namespace: String
        switch query.namespace {
        case .any: (mode, namespace) = (0, "")
        case .globalOnly: (mode, namespace) = (1, "")
        case .exact(let ns): (mode, namespace) = (2, ns)
        }
        let filter: [SQLValue] = [.int(mode), .text(namespace), .text(query.model ?? ""), .bool(query.includeDeprecated)]
        let total = try db.scalarInt(Self.countSQL, filter) ?? 0
        let rows = try db.query(Self.pageSQL, filter + [.int(Int64(query.limit)), .int(Int64(query.offset))])

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
        return SchemaListing(items: items, totalCount: total)
    }
}
