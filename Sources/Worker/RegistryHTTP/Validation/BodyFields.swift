import Foundation
import RegistryDomain
import RegistryJSON

/// Field readers for JSON object bodies that record Pydantic-style issues.
struct BodyFields {
    let body: JSONObject
    var collector = ValidationCollector()

    init(_ body: JSONObject) { self.body = body }

    /// A string of `minLength…maxLength` characters without NUL (`StoredText`); nil when absent and
    /// optional, or invalid.
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
        if StoredText.refuse(text, at: ["body", .string(name)], &collector) { return nil }
        return text
    }

    /// An integer in `range`; nil when absent/null (optional) or invalid. Pydantic's lax `int`:
    /// integer literals of any size, floats without a fractional part (`30.0`), decimal strings
    /// (`"30"`, surrounding whitespace allowed) and booleans (0/1) are integers; a value beyond
    /// Int's range is simply outside `range`. `greaterThan` (Pydantic's `gt`, which must be
    /// `range.lowerBound - 1`) words a value below the range as the reference's `gt` field does.
    mutating func int(_ name: String, range: ClosedRange<Int>, greaterThan: Int? = nil) -> Int? {
        guard let value = body[name], !value.isNull else { return nil }
        let location: [JSONValue] = ["body", .string(name)]
        let number: Int
        switch LaxInteger.read(value) {
        case .value(let n): number = n
        case .tooSmall: number = .min
        case .tooLarge: number = .max
        case .refused(let type, let message):
            collector.add(type, location, message, input: value)
            return nil
        }
        if number < range.lowerBound, let floor = greaterThan {
            collector.add("greater_than", location, "Input should be greater than \(floor)",
                          input: value, context: JSONObject([("gt", .int(floor))]))
            return nil
        }
        if number < range.lowerBound {
            collector.add("greater_than_equal", location, "Input should be greater than or equal to \(range.lowerBound)",
                          input: value, context: JSONObject([("ge", .int(range.lowerBound))]))
            return nil
        }
        if number > range.upperBound {
            collector.add("less_than_equal", location, "Input should be less than or equal to \(range.upperBound)",
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

/// A JSON value read as Pydantic reads an `int` field in lax mode.
enum LaxInteger: Equatable {
    case value(Int)
    /// An integer below / above Int's range (Pydantic keeps it exactly; every range here refuses it).
    case tooSmall, tooLarge
    /// Pydantic's error type and message.
    case refused(type: String, message: String)

    static func read(_ value: JSONValue) -> LaxInteger {
        switch value {
        case .bool(let flag):
            return .value(flag ? 1 : 0)
        case .number(let literal):
            if let n = Int(literal) { return .value(n) }
            if literal.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || ($0 >= 48 && $0 <= 57) }) {
                return literal.hasPrefix("-") ? .tooSmall : .tooLarge   // an integer literal beyond Int
            }
            guard let double = Double(literal), double.isFinite else {
                return .refused(type: "finite_number", message: "Input should be a finite number")
            }
            guard double.rounded(.towardZero) == double else {
                return .refused(type: "int_from_float", message: "Input should be a valid integer, got a number with a fractional part")
            }
            if double < -9.2e18 { return .tooSmall }
            if double > 9.2e18 { return .tooLarge }
            return .value(Int(double))
        case .string(let text):
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let digits = trimmed.hasPrefix("-") || trimmed.hasPrefix("+") ? trimmed.dropFirst() : Substring(trimmed)
            guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                return .refused(type: "int_parsing", message: "Input should be a valid integer, unable to parse string as an integer")
            }
            if let n = Int(trimmed.hasPrefix("+") ? String(digits) : trimmed) { return .value(n) }
            return trimmed.hasPrefix("-") ? .tooSmall : .tooLarge
        default:
            return .refused(type: "int_type", message: "Input should be a valid integer")
        }
    }
}
