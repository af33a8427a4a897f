import RegistryJSON

/// One entry of a 422's `detail` list, in Pydantic v2's shape (contract §3.1).
struct ValidationIssue {
    let type: String
    let location: [JSONValue]
    let message: String
    let input: JSONValue
    var context: JSONObject? = nil

    var json: JSONValue {
        var object = JSONObject([("type", .string(type)), ("loc", .array(location)), ("msg", .string(message)), ("input", input)])
        if let context { object["ctx"] = .object(context) }
        return .object(object)
    }
}

/// A request that failed validation: `422 {"detail": [...], "body": <request JSON object or null>}`.
struct ValidationFailure: Error {
    var issues: [ValidationIssue]
    var body: JSONValue = .null

    var response: Response {
        .json(["detail": .array(issues.map(\.json)), "body": body], status: .unprocessableEntity)
    }
}

/// Collects issues while reading a request, then throws them all at once.
struct ValidationCollector {
    var issues: [ValidationIssue] = []

    mutating func add(_ type: String, _ location: [JSONValue], _ message: String, input: JSONValue, context: JSONObject? = nil) {
        issues.append(ValidationIssue(type: type, location: location, message: message, input: input, context: context))
    }

    func check(body: JSONValue = .null) throws {
        if !issues.isEmpty { throw ValidationFailure(issues: issues, body: body) }
    }
}

/// Text with U+0000 (NUL) in it cannot be stored or looked up: both database drivers end a text
/// parameter at its first NUL, so `a%00b` would silently become `a`. Every text that reaches a
/// column or a lookup is refused with the 422 Pydantic gives a `pattern` (the reference stored the
/// cut text on SQLite and failed with 500 on PostgreSQL); the document carries the same pattern.
enum StoredText {
    static let pattern = #"^[^\x00]*$"#

    /// Records a `string_pattern_mismatch` at `location` and returns true when `text` holds a NUL.
    static func refuse(_ text: String, at location: [JSONValue], _ collector: inout ValidationCollector) -> Bool {
        guard text.utf8.contains(0) else { return false }
        collector.add("string_pattern_mismatch", location, "String should match pattern '\(pattern)'", input: .string(text),
                      context: JSONObject([("pattern", .string(pattern))]))
        return true
    }
}
