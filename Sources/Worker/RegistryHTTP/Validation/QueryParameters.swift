import Foundation
import RegistryJSON
import RegistryRuntime

/// Typed query parameters with Pydantic's error entries (`bool_parsing`, `int_parsing`, ranges).
struct QueryParameters {
    let request: Request
    var collector: ValidationCollector

    init(_ request: Request, collector: ValidationCollector = ValidationCollector()) {
        self.request = request
        self.collector = collector
    }

    func string(_ name: String) -> String? { request.query(name) }

    mutating func bool(_ name: String, default value: Bool) -> Bool {
        guard let text = request.query(name) else { return value }
        guard let parsed = SettingsLoader.parseBool(text) else {
            collector.add("bool_parsing", ["query", .string(name)], "Input should be a valid boolean, unable to interpret input",
                          input: .string(text))
            return value
        }
        return parsed
    }

    mutating func int(_ name: String, default value: Int, minimum: Int? = nil, maximum: Int? = nil) -> Int {
        guard let text = request.query(name) else { return value }
        guard let parsed = Int(text.trimmingCharacters(in: .whitespaces)) else {
            collector.add("int_parsing", ["query", .string(name)],
                          "Input should be a valid integer, unable to parse string as an integer", input: .string(text))
            return value
        }
        if let minimum, parsed < minimum {
            collector.add("greater_than_equal", ["query", .string(name)], "Input should be greater than or equal to \(minimum)",
                          input: .string(text), context: JSONObject([("ge", .int(minimum))]))
        } else if let maximum, parsed > maximum {
            collector.add("less_than_equal", ["query", .string(name)], "Input should be less than or equal to \(maximum)",
                          input: .string(text), context: JSONObject([("le", .int(maximum))]))
        }
        return parsed
    }

    /// A required string parameter that reaches the database (no NUL, `StoredText`).
    mutating func required(_ name: String) -> String {
        guard let text = request.query(name) else {
            collector.add("missing", ["query", .string(name)], "Field required", input: .null)
            return ""
        }
        _ = StoredText.refuse(text, at: ["query", .string(name)], &collector)
        return text
    }

    /// An optional string parameter that reaches the database (no NUL, `StoredText`).
    mutating func text(_ name: String) -> String? {
        guard let text = request.query(name) else { return nil }
        _ = StoredText.refuse(text, at: ["query", .string(name)], &collector)
        return text
    }

    /// A path segment stored in a 255-character column (no NUL, `StoredText`).
    mutating func pathSegment(_ name: String, maximumLength: Int = 255) -> String {
        let value = request.parameters[name] ?? ""
        if value.unicodeScalars.count > maximumLength {
            collector.add("string_too_long", ["path", .string(name)], "String should have at most \(maximumLength) characters",
                          input: .string(value), context: JSONObject([("max_length", .int(maximumLength))]))
        } else {
            _ = StoredText.refuse(value, at: ["path", .string(name)], &collector)
        }
        return value
    }

    /// A path segment the database compares, of any length (no NUL, `StoredText`).
    mutating func pathText(_ name: String) -> String {
        let value = request.parameters[name] ?? ""
        _ = StoredText.refuse(value, at: ["path", .string(name)], &collector)
        return value
    }

    /// A query string limited in length (e.g. the 500-character deprecation message), no NUL.
    mutating func string(_ name: String, maximumLength: Int) -> String? {
        guard let value = request.query(name) else { return nil }
        if value.unicodeScalars.count > maximumLength {
            collector.add("string_too_long", ["query", .string(name)], "String should have at most \(maximumLength) characters",
                          input: .string(value), context: JSONObject([("max_length", .int(maximumLength))]))
        } else {
            _ = StoredText.refuse(value, at: ["query", .string(name)], &collector)
        }
        return value
    }
}

extension QueryParameters {
    /// Reads the body, then answers the query's issues and the body's in one 422, the query's first
    /// (as FastAPI lists them), each once.
    func withBody<T>(_ read: () throws -> T) throws -> T {
        let value: T
        do {
            value = try read()
        } catch var failure as ValidationFailure {
            failure.issues = collector.issues + failure.issues
            throw failure
        }
        try collector.check()
        return value
    }
}
