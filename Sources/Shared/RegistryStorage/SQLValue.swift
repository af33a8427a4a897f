
/// A statement parameter or a column value.
public enum SQLValue: Sendable, Equatable {
    case null
    case int(Int64)
    case double(Double)
    case text(String)
    case bool(Bool)

    public static func optional(_ s: String?) -> SQLValue { s.map { .text($0) } ?? .null }
    public static func optional(_ i: Int?) -> SQLValue { i.map { .int(Int64($0)) } ?? .null }
}

/// One result row. PostgreSQL hands back text, SQLite typed values: the accessors read both.
public struct SQLRow: Sendable {
    public let values: [SQLValue]

    public init(_ values: [SQLValue]) { self.values = values }

    public subscript(_ i: Int) -> SQLValue { values[i] }

    public func isNull(_ i: Int) -> Bool { values[i] == .null }

    public func int(_ i: Int) -> Int? {
        switch values[i] {
        case .int(let v): return Int(v)
        case .double(let v): return Int(v)
        case .text(let s): return Int(s)
        case .bool(let b): return b ? 1 : 0
        case .null: return nil
        }
    }

    public func string(_ i: Int) -> String? {
        switch values[i] {
        case .text(let s): return s
        case .int(let v): return String(v)
        case .double(let v): return String(v)
        case .bool(let b): return b ? "true" : "false"
        case .null: return nil
        }
    }

    public func bool(_ i: Int) -> Bool? {
        switch values[i] {
        case .bool(let b): return b
        case .int(let v): return v != 0
        case .double(let v): return v != 0
        case .text(let s): return s == "t" || s == "true" || s == "1"
        case .null: return nil
        }
    }
}
