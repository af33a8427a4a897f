import RegistryJSON
import RegistryRuntime

/// Reads a compatibility level from a config body (`{"compatibility": "FULL"}`) or the dry run's
/// `?level=`, refusing anything else with Pydantic's `enum` entry.
enum CompatibilityLevelInput {
    /// The body of every `PUT …/config`.
    static func body(_ request: Request) throws -> CompatibilityLevel {
        let body = try JSONBody.object(request)
        var collector = ValidationCollector()
        let level = read(body["compatibility"], at: ["body", "compatibility"], &collector)
        try collector.check(body: .object(body))
        return level ?? .none
    }

    /// `?level=`: nil when absent (the level in force applies).
    static func query(_ query: inout QueryParameters, _ name: String = "level") -> CompatibilityLevel? {
        guard let text = query.string(name) else { return nil }
        return read(.string(text), at: ["query", .string(name)], &query.collector)
    }

    private static func read(_ value: JSONValue?, at location: [JSONValue], _ collector: inout ValidationCollector)
        -> CompatibilityLevel? {
        guard let value else {
            collector.add("missing", location, "Field required", input: .null)
            return nil
        }
        guard case .string(let text) = value, let level = CompatibilityLevel(rawValue: text) else {
            collector.add("enum", location, "Input should be \(CompatibilityLevel.quotedList)", input: value,
                          context: JSONObject([("expected", .string(CompatibilityLevel.quotedList))]))
            return nil
        }
        return level
    }
}
