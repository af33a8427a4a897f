import Shared

/// Field readers for JSON object bodies that record Pydantic-style issues.
struct BodyFields {
    let body: JSONObject
    var collector = ValidationCollector()

    init(_ body: JSONObject) { self.body = body }

    /// A string of `minLength…maxLength` characters; nil when absent and optional, or invalid.
    mutating func string(_ name: String, required: Bool, minLength: Int = 0, maxLength: Int) -> String? {
        guard let value = body[name], !(value.isNull && !required) else {
            if required { collector.add("missing", ["body", .string(name)], "Field required", input: .null) }
            return nil
        }
        guard case .string(let text) = value else {
            collector.add("string_type", ["body", .string(name)], "Input should be a valid string", input: value)
            return nil
        }
        let length = text.unicodeScalars.count
        if length < minLength {
            collector.add("string_too_short", ["body", .string(name)],
                          "String should have at least \(minLength) character\(minLength == 1 ? "" : "s")",
                          input: value, context: JSONObject([("min_length", .int(minLength))]))
            return nil
        }
        if length > maxLength {
            collector.add("string_too_long", ["body", .string(name)], "String should have at most \(maxLength) characters",
                          input: value, context: JSONObject([("max_length", .int(maxLength))]))
            return nil
        }
        return text
    }

    /// An integer in `range`; nil when absent/null (optional) or invalid.
    mutating func int(_ name: String, range: ClosedRange<Int>) -> Int? {
        guard let value = body[name], !value.isNull else { return nil }
        guard let number = value.intValue, value.boolValue == nil else {
            collector.add("int_type", ["body", .string(name)], "Input should be a valid integer", input: value)
            return nil
        }
        if number < range.lowerBound {
            collector.add("greater_than_equal", ["body", .string(name)], "Input should be greater than or equal to \(range.lowerBound)",
                          input: value, context: JSONObject([("ge", .int(range.lowerBound))]))
            return nil
        }
        if number > range.upperBound {
            collector.add("less_than_equal", ["body", .string(name)], "Input should be less than or equal to \(range.upperBound)",
                          input: value, context: JSONObject([("le", .int(range.upperBound))]))
            return nil
        }
        return number
    }

    mutating func permission(_ name: String, default value: Permission) -> Permission {
        guard let given = body[name] else { return value }
        guard case .string(let text) = given, let permission = Permission(rawValue: text) else {
            collector.add("enum", ["body", .string(name)], "Input should be 'read', 'write', 'delete' or 'admin'", input: given,
                          context: JSONObject([("expected", "'read', 'write', 'delete' or 'admin'")]))
            return value
        }
        return permission
    }

    func check() throws { try collector.check(body: .object(body)) }
}
