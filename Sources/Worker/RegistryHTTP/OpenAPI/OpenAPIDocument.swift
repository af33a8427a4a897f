import RegistryJSON
import RegistryRuntime
import RegistryStorage

/// The OpenAPI 3.1 document of a route table: every route, in table order, with what its
/// `RouteDoc` says and what follows from the route and the settings (path parameters from the
/// pattern; 401/403 and security when a permission is needed and authentication is on; 422 when
/// something can fail validation; 413 for bodies over `MAX_BODY_SIZE`; 429 under rate limiting;
/// 503 when the database is involved).
/// A route without a `RouteDoc` still appears, with its path parameters and a generic answer.
struct OpenAPIDocument {
    let settings: Settings
    /// Patterns that rate limiting leaves alone.
    var rateLimitExemptPatterns: Set<String> = []

    static let description = "Centralized registry for the JSON Schema and Avro schemas of services' data models: "
        + "register, version, compare, deprecate and discover them."

    func render(_ routes: [Route]) -> JSONValue {
        var paths = JSONObject()
        for route in routes {
            var item = paths[route.pattern]?.objectValue ?? JSONObject()
            item[route.method.rawValue.lowercased()] = operation(route)
            paths[route.pattern] = .object(item)
        }
        var schemas = JSONObject()
        for component in Components.all { schemas[component.name] = component.schema.json }
        return [
            "openapi": "3.1.0",
            "info": ["title": .string(settings.appName), "description": .string(info), "version": .string(settings.appVersion)],
            "paths": .object(paths),
            "components": ["schemas": .object(schemas), "securitySchemes": SecuritySchemes.components],
            "tags": .array(tags(routes)),
        ]
    }

    private var info: String {
        guard settings.enableAuth else { return Self.description }
        return Self.description + " Protected operations need an API key in `X-API-Key` or `Authorization: Bearer <key>`."
    }

    private func tags(_ routes: [Route]) -> [JSONValue] {
        let used = Set(routes.compactMap { $0.doc?.tag })
        return OpenAPITag.allCases.filter(used.contains).map { ["name": .string($0.rawValue), "description": .string($0.description)] }
    }

    private func operation(_ route: Route) -> JSONValue {
        let doc = route.doc
        let protected = settings.enableAuth && route.permission != nil
        var operation = JSONObject()
        if let tag = doc?.tag { operation["tags"] = [.string(tag.rawValue)] }
        operation["summary"] = .string(doc?.summary ?? "\(route.method.rawValue) \(route.pattern)")
        var notes = [doc?.description].compactMap { $0 }
        if protected, let permission = route.permission { notes.append("Needs the `\(permission.rawValue)` permission.") }
        if !notes.isEmpty { operation["description"] = .string(notes.joined(separator: " ")) }
        operation["operationId"] = .string(doc?.operationID ?? Self.operationID(route))

        let path = pathParameters(route)
        let parameters = path.map { parameter($0, in: "path") } + (doc?.query ?? []).map { parameter($0, in: "query") }
        if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
        if let body = doc?.body {
            operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": body.json]]]
        }
        operation["responses"] = ResponseSet(responses(route, path: path)).json
        if protected { operation["security"] = SecuritySchemes.requirement }
        return .object(operation)
    }

    /// The pattern's parameters, with the schema the route's doc gives (else any non-empty text).
    private func pathParameters(_ route: Route) -> [RouteDoc.Parameter] {
        route.parameterNames.map { name in
            route.doc?.pathParameters.first { $0.name == name } ?? RouteDoc.Parameter(name, .string(.init(minLength: 1)), required: true)
        }
    }

    private func parameter(_ parameter: RouteDoc.Parameter, in location: String) -> JSONValue {
        var object: JSONObject = ["name": .string(parameter.name), "in": .string(location)]
        object["required"] = .bool(location == "path" || parameter.required)
        if let description = parameter.description { object["description"] = .string(description) }
        object["schema"] = parameter.schema.annotated(description: nil, default: parameter.defaultValue)
        return .object(object)
    }

    private func responses(_ route: Route, path: [RouteDoc.Parameter]) -> [ResponseDoc] {
        let protected = settings.enableAuth && route.permission != nil
        guard let doc = route.doc else {
            return [ResponseDoc(status: 200, description: "Successful Response")]
                + automatic(route, validates: false, hasBody: false, database: protected)
        }
        let errors = doc.errors.filter { response in
            switch response.condition {
            case .always: return true
            case .authenticationOn: return settings.enableAuth
            case .authenticationOff: return !settings.enableAuth
            }
        }
        let documentedPath = path.filter { parameter in doc.pathParameters.contains { $0.name == parameter.name } }
        let validates = doc.body != nil || (documentedPath + doc.query).contains(where: \.canBeRefused)
        return [doc.success] + errors
            + automatic(route, validates: validates, hasBody: doc.body != nil, database: doc.usesDatabase || protected)
    }

    /// What a key scoped to namespaces (issue 19) is refused here, if anything.
    private static func scopeRefusal(_ route: Route) -> String {
        switch route.namespaceBinding {
        case .none: return ""
        case .path, .modelQuery: return ", or is not permitted for the namespace (`Key not permitted for namespace '<ns>'`, "
            + "`null` naming the global scope)"
        case .filtered: return ", or names a namespace outside its scope (`Key not permitted for namespace '<ns>'`); "
            + "otherwise a scoped key's results are filtered to its namespaces"
        case .unscopedOnly: return ", or is scoped to namespaces (`\(ScopeCheck.unscopedOnly)`)"
        }
    }

    private func automatic(_ route: Route, validates: Bool, hasBody: Bool, database: Bool) -> [ResponseDoc] {
        var responses: [ResponseDoc] = []
        if settings.enableAuth, let permission = route.permission {
            responses.append(ResponseDoc(status: 401, description: "No API key, or an invalid, revoked or expired one",
                                         content: .json(.component(Components.errorDetail)),
                                         headers: [("WWW-Authenticate", "`\(AuthenticationMiddleware.challenge)`")]))
            responses.append(.detail(403, "The key lacks the `\(permission.rawValue)` permission" + Self.scopeRefusal(route)))
        }
        if hasBody {
            responses.append(.detail(413, "The body is larger than `MAX_BODY_SIZE` (\(settings.maxBodySize) bytes)"))
        }
        if validates {
            responses.append(.json(422, "Validation error", .component(Components.httpValidationError)))
        }
        if settings.rateLimitEnabled, !rateLimitExemptPatterns.contains(route.pattern) {
            responses.append(ResponseDoc(status: 429, description: "Rate limit exceeded",
                                         content: .json(.component(Components.errorDetail)),
                                         headers: [("Retry-After", "Seconds until the window resets")]))
        }
        if database { responses.append(.detail(503, "Database error")) }
        return responses
    }

    /// `get_metrics` for `GET /metrics`, `get_schemas_model_name` for `GET /schemas/{model_name}`.
    static func operationID(_ route: Route) -> String {
        let words = route.pattern.split { !$0.isLetter && !$0.isNumber }.map(String.init)
        return ([route.method.rawValue.lowercased()] + words).joined(separator: "_")
    }
}
