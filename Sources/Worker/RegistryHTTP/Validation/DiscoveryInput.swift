import RegistryJSON
import RegistrySchemas

/// The inputs of the discovery routes (issue 16), refused with 422 in Pydantic's shape.
enum DiscoveryInput {
    static let maximumQueryLength = 500
    static let maximumWords = 8

    /// `POST /schemas/lookup`: `json_schema` and/or `avro_schema` (objects), optional `namespace`
    /// (as `GET /schemas` reads it: absent or null any, `""` or `"null"` global only) and `model_name`.
    static func lookup(_ request: Request) throws -> SchemaLookup {
        let body = try JSONBody.object(request)
        var issues = ValidationCollector()
        let json = schema(body, "json_schema", &issues)
        let avro = schema(body, "avro_schema", &issues)
        if json == nil && avro == nil && issues.issues.isEmpty {
            issues.add("missing", ["body", "json_schema"], "Field required: json_schema or avro_schema", input: .object(body))
        }
        let namespace = text(body, "namespace", &issues)
        let model = text(body, "model_name", &issues)
        try issues.check(body: .object(body))
        let filter: SchemaListQuery.NamespaceFilter
        switch namespace {
        case nil: filter = .any
        case ""?, "null"?: filter = .globalOnly
        case let name?: filter = .exact(name)
        }
        return SchemaLookup(jsonSchema: json, avroSchema: avro, namespace: filter, model: model)
    }

    /// `GET /search`'s parameters.
    static func search(_ query: inout QueryParameters) -> SearchQuery {
        var q = query.required("q")
        if request(query, has: "q") {
            let words = q.split(whereSeparator: { $0.isWhitespace })
            if q.unicodeScalars.count > maximumQueryLength {
                query.collector.add("string_too_long", ["query", "q"], "String should have at most \(maximumQueryLength) characters",
                                    input: .string(q), context: JSONObject([("max_length", .int(maximumQueryLength))]))
            } else if words.isEmpty {
                query.collector.add("string_too_short", ["query", "q"], "String should have at least 1 character",
                                    input: .string(q), context: JSONObject([("min_length", 1)]))
            } else if words.count > maximumWords {
                query.collector.add("value_error", ["query", "q"], "Value error, at most \(maximumWords) words",
                                    input: .string(q), context: JSONObject([("error", .string("at most \(maximumWords) words"))]))
                q = ""
            }
        }
        var kind = SearchQuery.Kind.any
        if let text = query.string("kind") {
            if let parsed = SearchQuery.Kind(rawValue: text) { kind = parsed } else {
                let expected = "'model', 'field', 'text' or 'any'"
                query.collector.add("enum", ["query", "kind"], "Input should be \(expected)", input: .string(text),
                                    context: JSONObject([("expected", .string(expected))]))
            }
        }
        let namespace: SchemaListQuery.NamespaceFilter
        switch query.text("namespace") {
        case nil: namespace = .any
        case ""?, "null"?: namespace = .globalOnly
        case let name?: namespace = .exact(name)
        }
        let includeDeprecated = query.bool("include_deprecated", default: false)
        let limit = query.int("limit", default: 20, minimum: 1, maximum: 100)
        let offset = query.int("offset", default: 0, minimum: 0)
        return SearchQuery(q: q, kind: kind, namespace: namespace, includeDeprecated: includeDeprecated, limit: limit, offset: offset)
    }

    private static func request(_ query: QueryParameters, has name: String) -> Bool { query.string(name) != nil }

    private static func schema(_ body: JSONObject, _ name: String, _ issues: inout ValidationCollector) -> JSONValue? {
        guard let value = body[name], !value.isNull else { return nil }
        guard case .object = value else {
            issues.add("dict_type", ["body", .string(name)], "Input should be a valid dictionary", input: value)
            return nil
        }
        return value
    }

    private static func text(_ body: JSONObject, _ name: String, _ issues: inout ValidationCollector) -> String? {
        guard let value = body[name], !value.isNull else { return nil }
        guard case .string(let text) = value else {
            issues.add("string_type", ["body", .string(name)], "Input should be a valid string", input: value)
            return nil
        }
        if text.unicodeScalars.count > 255 {
            issues.add("string_too_long", ["body", .string(name)], "String should have at most 255 characters",
                       input: value, context: JSONObject([("max_length", 255)]))
        } else {
            _ = StoredText.refuse(text, at: ["body", .string(name)], &issues)
        }
        return text
    }
}
