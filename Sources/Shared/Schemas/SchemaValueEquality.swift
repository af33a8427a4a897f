// Value equality for schema comparison, close to Python's `==` on what `json.loads` returns:
//   * objects are equal when they have the same keys (byte-equal) with equal values, in any order;
//   * arrays element-wise, in order;
//   * strings by code points (byte equality of the UTF-8, not Swift's canonical equivalence);
//   * numbers numerically: 1 == 1.0 == 1e0, -0 == 0, int vs float exactly (like CPython);
//   * null only equals null.
// Deliberate difference from Python: booleans never equal numbers (Python has True == 1).

internal enum SchemaValueEquality {
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null):
            return true
        case let (.bool(x), .bool(y)):
            return x == y
        case let (.number(x), .number(y)):
            if x.utf8.elementsEqual(y.utf8) { return true }
            return SchemaNumber.equal(SchemaNumber(x), SchemaNumber(y))
        case let (.string(x), .string(y)):
            return x.utf8.elementsEqual(y.utf8)
        case let (.array(x), .array(y)):
            guard x.count == y.count else { return false }
            for i in x.indices where !equal(x[i], y[i]) { return false }
            return true
        case let (.object(x), .object(y)):
            guard x.count == y.count else { return false }
            for (key, value) in x {
                guard let other = y[key], equal(value, other) else { return false }
            }
            return true
        default:
            return false
        }
    }

    /// Absent members count as null (Python's `dict.get` → None).
    static func equal(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        equal(a ?? .null, b ?? .null)
    }
}

/// Deterministic ordering and de-duplication of names: UTF-8 byte order (= code point order, what
/// Python's `sorted()` gives for `str`), byte equality.
internal enum SchemaNames {
    static func precedes(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }

    static func sorted(_ names: [String]) -> [String] {
        names.sorted(by: precedes)
    }

    /// Unique names (first occurrence wins), byte equality.
    static func unique(_ names: [String]) -> [String] {
        var seen = Set<[UInt8]>()
        var out: [String] = []
        for n in names where seen.insert(Array(n.utf8)).inserted { out.append(n) }
        return out
    }

    static func jsonArray(_ names: [String]) -> JSONValue {
        .array(names.map { .string($0) })
    }
}
