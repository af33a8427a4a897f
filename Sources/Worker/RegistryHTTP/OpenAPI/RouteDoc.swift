import RegistryJSON

/// What the OpenAPI document says about one route of the table, beside its method, path and
/// permission (which the document takes from the route itself). The answers every protected or
/// validating route can give (401, 403, 422, 429, 503) are added by `OpenAPIDocument`.
struct RouteDoc: Sendable {
    let operationID: String
    let summary: String
    var description: String? = nil
    let tag: OpenAPITag
    /// Schemas of path parameters that are more than a non-empty string; the others come from
    /// the pattern.
    var pathParameters: [Parameter] = []
    var query: [Parameter] = []
    /// A required `application/json` body.
    var body: JSONSchema? = nil
    let success: ResponseDoc
    var errors: [ResponseDoc] = []
    /// The handler reads the database, so it can answer 503 when the database fails.
    var usesDatabase = false

    /// A query or path parameter.
    struct Parameter: Sendable {
        let name: String
        let schema: JSONSchema
        var required = false
        var description: String? = nil
        var defaultValue: JSONValue? = nil

        init(_ name: String, _ schema: JSONSchema, required: Bool = false, description: String? = nil,
             default defaultValue: JSONValue? = nil) {
            self.name = name
            self.schema = schema
            self.required = required
            self.description = description
            self.defaultValue = defaultValue
        }

        /// A value can fail validation (422): it is required, or more than any text.
        var canBeRefused: Bool { required || schema.constrainsText }
    }
}

/// One documented answer of a route.
struct ResponseDoc: Sendable {
    enum Content: Sendable {
        case json(JSONSchema)
        /// Text of this media type, e.g. `text/html`.
        case text(mediaType: String)
        case none
    }

    /// Whether the answer depends on `ENABLE_AUTH` (key endpoints refuse everything while it is off).
    enum Condition: Sendable {
        case always, authenticationOn, authenticationOff
    }

    let status: Int
    let description: String
    var content: Content = .none
    /// Response header name → description.
    var headers: [(name: String, description: String)] = []
    var condition = Condition.always
    /// OpenAPI links: operations this answer supplies parameters to (for clients and stateful testers).
    var links: [Link] = []

    /// `operationID` called with `parameters` (name → runtime expression such as `$response.body#/version`).
    struct Link: Sendable {
        let name: String
        let operationID: String
        let parameters: [(String, String)]
    }

    static func json(_ status: Int, _ description: String, _ schema: JSONSchema, links: [Link] = []) -> ResponseDoc {
        ResponseDoc(status: status, description: description, content: .json(schema), links: links)
    }

    static func html(_ description: String) -> ResponseDoc {
        ResponseDoc(status: 200, description: description, content: .text(mediaType: "text/html"))
    }

    /// `{"detail": "<text>"}`.
    static func detail(_ status: Int, _ description: String, when condition: Condition = .always) -> ResponseDoc {
        ResponseDoc(status: status, description: description, content: .json(.component(Components.errorDetail)), condition: condition)
    }

    /// The 400 of every key endpoint and `/audit-logs` while authentication is off.
    static let authenticationDisabled = detail(400, "Authentication is disabled (`ENABLE_AUTH` is off)", when: .authenticationOff)
}
