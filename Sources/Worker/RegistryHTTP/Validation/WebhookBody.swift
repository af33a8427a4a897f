import RegistryDomain
import RegistryJSON

/// The body of `POST /webhooks` and `PATCH /webhooks/{id}`: `url`, `events`, `namespace`,
/// `description`, `active`. For PATCH every field is optional and only the named ones change.
struct WebhookBody {
    var url: String?
    var events: [String]?
    /// Present in the body (a null clears it).
    var namespace: String??
    var description: String??
    var active: Bool?

    static func read(_ request: Request, creating: Bool) throws -> WebhookBody {
        var fields = BodyFields(try JSONBody.object(request))
        var body = WebhookBody()
        body.url = fields.string("url", required: creating, minLength: 1, maxLength: 2048)
        body.events = fields.stringArray("events", maxItems: EventType.allCases.count + 1)
        if fields.body["namespace"] != nil { body.namespace = .some(fields.string("namespace", required: false, maxLength: 255)) }
        if fields.body["description"] != nil { body.description = .some(fields.string("description", required: false, maxLength: 1000)) }
        body.active = fields.bool("active")
        try fields.check()
        return body
    }

    /// Applies the named fields to `f`.
    func apply(to f: inout WebhookRepository.Fields) {
        if let url { f.url = url }
        if let events { f.events = events }
        if let namespace { f.namespace = namespace }
        if let description { f.description = description }
        if let active { f.active = active }
    }
}

extension BodyFields {
    /// An array of strings (each at most 64 characters); nil when absent or null.
    mutating func stringArray(_ name: String, maxItems: Int) -> [String]? {
        guard let value = body[name], !value.isNull else { return nil }
        guard case .array(let items) = value else {
            collector.add("list_type", ["body", .string(name)], "Input should be a valid list", input: value)
            return nil
        }
        if items.count > maxItems {
            collector.add("too_long", ["body", .string(name)], "List should have at most \(maxItems) items", input: value,
                          context: JSONObject([("max_length", .int(maxItems))]))
            return nil
        }
        var strings: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let text) = item, text.utf8.count <= 64 else {
                collector.add("string_type", ["body", .string(name), .int(index)], "Input should be a valid string", input: item)
                return nil
            }
            strings.append(text)
        }
        return strings
    }

    /// A boolean (Pydantic's lax bool for JSON: true/false only here); nil when absent or null.
    mutating func bool(_ name: String) -> Bool? {
        guard let value = body[name], !value.isNull else { return nil }
        guard case .bool(let b) = value else {
            collector.add("bool_type", ["body", .string(name)], "Input should be a valid boolean", input: value)
            return nil
        }
        return b
    }
}
