import RegistryJSON

/// The part of JSON Schema 2020-12 (the schema dialect of OpenAPI 3.1) that this server's
/// document needs, rendered as Pydantic would render the same models.
indirect enum JSONSchema: Equatable, Sendable {
    case string(StringRules = StringRules())
    case integer(minimum: Int? = nil, maximum: Int? = nil)
    case number
    case boolean
    /// One of these strings.
    case enumeration([String])
    case array(JSONSchema)
    /// An array of `minItems…maxItems` items.
    case boundedArray(JSONSchema, minItems: Int, maxItems: Int)
    /// An object with these members (closed lists are not enforced: extra members are allowed).
    case object([Property])
    /// An object whose every member is `values`.
    case map(JSONSchema)
    /// Any JSON value.
    case any
    /// `schema` or `null`.
    case nullable(JSONSchema)
    case anyOf([JSONSchema])
    /// A schema of `components.schemas`.
    case component(String)

    struct StringRules: Equatable, Sendable {
        var minLength: Int? = nil
        var maxLength: Int? = nil
        var pattern: String? = nil
        var format: String? = nil
    }

    /// A member of an object schema.
    struct Property: Equatable, Sendable {
        let name: String
        let schema: JSONSchema
        var required = true
        var description: String? = nil
        var defaultValue: JSONValue? = nil

        init(_ name: String, _ schema: JSONSchema, required: Bool = true, description: String? = nil,
             default defaultValue: JSONValue? = nil) {
            self.name = name
            self.schema = schema
            self.required = required
            self.description = description
            self.defaultValue = defaultValue
        }
    }

    static let anyObject = JSONSchema.map(.any)
    static let dateTime = JSONSchema.string(StringRules(format: "date-time"))

    static func string(maxLength: Int) -> JSONSchema { .string(StringRules(maxLength: maxLength)) }
    /// Text that reaches the database: a NUL is refused with 422 (`StoredText`).
    static func text(minLength: Int? = nil, maxLength: Int? = nil) -> JSONSchema {
        .string(StringRules(minLength: minLength, maxLength: maxLength, pattern: StoredText.pattern))
    }
    static func string(minLength: Int, maxLength: Int) -> JSONSchema { .string(StringRules(minLength: minLength, maxLength: maxLength)) }

    /// Whether a value can be refused by this schema beyond "is a string" (what every query or
    /// path value already is).
    var constrainsText: Bool { self != .string() }

    var json: JSONValue {
        switch self {
        case .string(let rules):
            var object: JSONObject = ["type": "string"]
            if let minLength = rules.minLength { object["minLength"] = .int(minLength) }
            if let maxLength = rules.maxLength { object["maxLength"] = .int(maxLength) }
            if let pattern = rules.pattern { object["pattern"] = .string(pattern) }
            if let format = rules.format { object["format"] = .string(format) }
            return .object(object)
        case .integer(let minimum, let maximum):
            var object: JSONObject = ["type": "integer"]
            if let minimum { object["minimum"] = .int(minimum) }
            if let maximum { object["maximum"] = .int(maximum) }
            return .object(object)
        case .number:
            return ["type": "number"]
        case .boolean:
            return ["type": "boolean"]
        case .enumeration(let values):
            return ["type": "string", "enum": .array(values.map(JSONValue.string))]
        case .array(let items):
            return ["type": "array", "items": items.json]
        case .boundedArray(let items, let minItems, let maxItems):
            return ["type": "array", "items": items.json, "minItems": .int(minItems), "maxItems": .int(maxItems)]
        case .object(let properties):
            var members = JSONObject()
            for property in properties { members[property.name] = property.json }
            var object: JSONObject = ["type": "object", "properties": .object(members)]
            let required = properties.filter(\.required).map { JSONValue.string($0.name) }
            if !required.isEmpty { object["required"] = .array(required) }
            return .object(object)
        case .map(let values):
            return values == .any ? ["type": "object"] : ["type": "object", "additionalProperties": values.json]
        case .any:
            return .object(JSONObject())
        case .nullable(let schema):
            return ["anyOf": [schema.json, ["type": "null"]]]
        case .anyOf(let schemas):
            return ["anyOf": .array(schemas.map(\.json))]
        case .component(let name):
            return ["$ref": .string("#/components/schemas/\(name)")]
        }
    }
}

extension JSONSchema.Property {
    /// The member's schema with its annotations (`description`, `default`) beside it.
    var json: JSONValue { schema.annotated(description: description, default: defaultValue) }
}

extension JSONSchema {
    func annotated(description: String?, default defaultValue: JSONValue?) -> JSONValue {
        guard description != nil || defaultValue != nil, case .object(var object) = json else { return json }
        if let description { object["description"] = .string(description) }
        if let defaultValue { object["default"] = defaultValue }
        return .object(object)
    }
}
