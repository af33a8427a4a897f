// Equality and ordering of what `json.loads` returns, as python-jsonschema's `equal` and Python's
// `==` / `sorted()` see them. Deliberate difference from Python's `==`: booleans never equal
// numbers (Python has True == 1; python-jsonschema does the same as here).

public enum PyJSON {
    /// python-jsonschema's `_utils.equal`: bools are not numbers, 1 == 1.0, mappings compare
    /// regardless of key order, strings by code points.
    public static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.string(x), .string(y)): return _jsonUTF8Equal(x, y)
        case let (.number(x), .number(y)):
            if _jsonUTF8Equal(x, y) { return true }
            return PyNumber.compare(PyNumber(literal: x), PyNumber(literal: y)) == 0
        case let (.array(x), .array(y)):
            if x.count != y.count { return false }
            for i in 0..<x.count where !equal(x[i], y[i]) { return false }
            return true
        case let (.object(x), .object(y)):
            if x.count != y.count { return false }
            for (k, v) in x {
                guard let w = y[k], equal(v, w) else { return false }
            }
            return true
        default:
            return false
        }
    }

    /// Absent members count as null (Python's `dict.get` → None).
    public static func equal(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        equal(a ?? .null, b ?? .null)
    }

    /// True when all elements are pairwise distinct under `equal`.
    public static func allUnique(_ items: [JSONValue]) -> Bool {
        let n = items.count
        if n < 2 { return true }
        // Fast path: all strings.
        var allStrings = true
        for e in items { if case .string = e { continue }; allStrings = false; break }
        if allStrings {
            var seen = Set<_JSONKey>(minimumCapacity: n)
            for e in items {
                if case .string(let s) = e, !seen.insert(_JSONKey(s)).inserted { return false }
            }
            return true
        }
        if n <= 16 {
            for i in 1..<n {
                for j in 0..<i where equal(items[i], items[j]) { return false }
            }
            return true
        }
        var seen = Set<String>(minimumCapacity: n)
        for e in items {
            var key = ""
            canonicalKey(e, into: &key)
            if !seen.insert(key).inserted { return false }
        }
        return true
    }

    /// A string equal for two values exactly when `equal` holds (numbers by exact value, objects
    /// regardless of key order, bools distinct from numbers).
    public static func canonicalKey(_ v: JSONValue, into out: inout String) {
        switch v {
        case .null: out += "N"
        case .bool(let b): out += b ? "T" : "F"
        case .string(let s): out += "s\(s.utf8.count):"; out += s
        case .number(let lit):
            let x = PyNumber(literal: lit)
            if x.isInt {
                out += x.negative ? "i-" : "i"
                out += x.digits
            } else if x.double.isInfinite {
                out += x.double < 0 ? "f-inf" : "finf"
            } else if x.double.rounded(.towardZero) == x.double {
                // Integral floats equal the int of the same value.
                out += x.double < 0 ? "i-" : "i"
                out += PyNumber.exactIntegerDigits(x.double.magnitude)
            } else {
                out += "f" + String(x.double.bitPattern, radix: 16)
            }
            out += ";"
        case .array(let a):
            out += "["
            for e in a { canonicalKey(e, into: &out); out += "," }
            out += "]"
        case .object(let o):
            out += "{"
            let keys = o.keys.sorted(by: less)
            for k in keys {
                out += "\(k.utf8.count):"; out += k
                canonicalKey(o[k]!, into: &out)
                out += ","
            }
            out += "}"
        }
    }

    /// Python's `str` ordering (code points), which is UTF-8 byte order.
    public static func less(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
