import RegistryDomain
import RegistryJSON

/// `namespaces` of `POST /api-keys` and `PUT /api-keys/{id}/scope` (issue 19): null (or absent,
/// where optional) for every namespace, or a list of 1–100 patterns, each a namespace, a prefix
/// ending in `*`, or null for the global scope. Refused with Pydantic-shaped 422 issues.
extension BodyFields {
    mutating func keyScope(_ name: String, required: Bool) -> KeyScope? {
        guard let value = body[name] else {
            if required { collector.add("missing", ["body", .string(name)], "Field required", input: .null) }
            return nil
        }
        if value.isNull { return nil }
        guard case .array(let items) = value else {
            collector.add("list_type", ["body", .string(name)], "Input should be a valid list", input: value)
            return nil
        }
        let limits = (1, KeyScope.maximumPatterns)
        guard items.count >= limits.0, items.count <= limits.1 else {
            let short = items.count < limits.0
            collector.add(short ? "too_short" : "too_long", ["body", .string(name)],
                          short ? "List should have at least 1 item after validation, not 0"
                                : "List should have at most \(limits.1) items after validation, not \(items.count)",
                          input: value, context: JSONObject([
                            ("field_type", "List"), (short ? "min_length" : "max_length", .int(short ? limits.0 : limits.1)),
                            ("actual_length", .int(items.count))]))
            return nil
        }
        var patterns: [KeyScope.Pattern] = []
        for (index, item) in items.enumerated() {
            let location: [JSONValue] = ["body", .string(name), .int(index)]
            switch KeyScope.pattern(item) {
            case .success(let pattern): patterns.append(pattern)
            case .failure(.notString):
                collector.add("string_type", location, "Input should be a valid string (a namespace pattern) or null", input: item)
            case .failure(.tooLong):
                collector.add("string_too_long", location, "String should have at most \(KeyScope.maximumLength) characters",
                              input: item, context: JSONObject([("max_length", .int(KeyScope.maximumLength))]))
            case .failure(.nul):
                if case .string(let text) = item { _ = StoredText.refuse(text, at: location, &collector) }
            case .failure(.innerStar):
                let reason = "'*' may only end a namespace pattern (as in 'team-*')"
                collector.add("value_error", location, "Value error, \(reason)", input: item,
                              context: JSONObject([("error", .string(reason))]))
            }
        }
        return patterns.count == items.count ? KeyScope(patterns) : nil
    }
}
