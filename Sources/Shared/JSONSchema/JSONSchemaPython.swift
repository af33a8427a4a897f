// Python semantics needed to reproduce python-jsonschema's behaviour and messages exactly:
// `repr()` of what `json.loads` yields (str / int / float / bool / None / list / dict), Python's
// number model (arbitrary-precision int vs. float, exact mixed comparisons) and
// python-jsonschema's `equal` (bool is not a number, 1 == 1.0, dict key order irrelevant).

import Foundation

// MARK: - Numbers

/// A JSON number as Python's `json.loads` sees it: an `int` (integer literal, arbitrary precision)
/// or a `float` (any literal with a fraction or exponent; "1e400" is inf).
struct PyNumber {
    let isInt: Bool
    /// For ints: the magnitude digits without sign / leading zeros ("0" for zero).
    let digits: String
    /// For ints: true when negative (never for zero).
    let negative: Bool
    /// For ints fitting Int64.
    let int64: Int64?
    /// The value as a Double (Python `float(x)`; for big ints possibly inf).
    let double: Double

    init?(_ value: JSONValue) {
        guard case .number(let s) = value else { return nil }
        self.init(literal: s)
    }

    init(literal s: String) {
        var integral = true
        for c in s.utf8 where c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            integral = false
            break
        }
        if integral {
            var neg = false
            var body = Substring(s)
            if body.hasPrefix("-") { neg = true; body = body.dropFirst() } else if body.hasPrefix("+") { body = body.dropFirst() }
            let trimmed = body.drop(while: { $0 == "0" })
            let mag = trimmed.isEmpty ? "0" : String(trimmed)
            isInt = true
            digits = mag
            negative = neg && mag != "0"
            int64 = Int64((negative ? "-" : "") + mag)
            double = Double((negative ? "-" : "") + mag) ?? (negative ? -.infinity : .infinity)
        } else {
            isInt = false
            digits = ""
            negative = false
            int64 = nil
            double = Double(s) ?? .nan
        }
    }

    init(int v: Int) {
        isInt = true
        negative = v < 0
        digits = String(v.magnitude)
        int64 = Int64(v)
        double = Double(v)
    }

    /// Python `repr()`.
    var repr: String {
        if isInt { return negative ? "-" + digits : digits }
        if double.isNaN { return "nan" }
        if double.isInfinite { return double < 0 ? "-inf" : "inf" }
        return JSONValue.pythonFloatRepr(double) ?? "nan"
    }

    /// `int` or an integral finite float (draft 6+ `integer`).
    var isIntegral: Bool {
        if isInt { return true }
        return double.isFinite && double.rounded(.towardZero) == double
    }

    /// Python truthiness.
    var isZero: Bool { isInt ? digits == "0" : double == 0 }

    /// Exact three-way comparison with Python semantics (int/float mixed comparisons are exact).
    /// nil when unordered (nan).
    static func compare(_ a: PyNumber, _ b: PyNumber) -> Int? {
        if a.isInt && b.isInt { return compareInts(a, b) }
        if !a.isInt && !b.isInt {
            if a.double.isNaN || b.double.isNaN { return nil }
            return a.double < b.double ? -1 : (a.double > b.double ? 1 : 0)
        }
        if a.isInt { return compareIntFloat(a, b.double) }
        guard let r = compareIntFloat(b, a.double) else { return nil }
        return -r
    }

    private static func compareInts(_ a: PyNumber, _ b: PyNumber) -> Int {
        if let x = a.int64, let y = b.int64 { return x < y ? -1 : (x > y ? 1 : 0) }
        if a.negative != b.negative { return a.negative ? -1 : 1 }
        let m = compareMagnitudes(a.digits, b.digits)
        return a.negative ? -m : m
    }

    private static func compareMagnitudes(_ a: String, _ b: String) -> Int {
        let ac = a.utf8.count, bc = b.utf8.count
        if ac != bc { return ac < bc ? -1 : 1 }
        for (x, y) in zip(a.utf8, b.utf8) where x != y { return x < y ? -1 : 1 }
        return 0
    }

    private static func compareIntFloat(_ a: PyNumber, _ f: Double) -> Int? {
        if f.isNaN { return nil }
        if f == .infinity { return -1 }
        if f == -.infinity { return 1 }
        if let x = a.int64, x.magnitude <= (1 << 53) {
            let d = Double(x)
            return d < f ? -1 : (d > f ? 1 : 0)
        }
        // Rounding is monotonic: a strict difference after rounding is a strict difference.
        let d = a.double
        if d < f { return -1 }
        if d > f { return 1 }
        // Equal after rounding: |f| >= 2^53, so f is an integer; compare exactly.
        let fd = PyNumber.exactIntegerDigits(f.magnitude)
        let fneg = f < 0
        if a.negative != fneg { return a.negative ? -1 : 1 }
        let m = compareMagnitudes(a.digits, fd)
        return a.negative ? -m : m
    }

    /// Decimal digits of an integral, finite, non-negative Double.
    static func exactIntegerDigits(_ v: Double) -> String {
        if v < 9.0e18 { return String(UInt64(v)) }
        var mant = UInt64(v.significandBitPattern) | (1 << 52)
        var shift = Int(v.exponent) - 52
        while shift < 0 { mant >>= 1; shift += 1 }
        // Little-endian base-1e9 limbs.
        var limbs: [UInt64] = [mant % 1_000_000_000, (mant / 1_000_000_000) % 1_000_000_000, mant / 1_000_000_000_000_000_000]
        for _ in 0..<shift {
            var carry: UInt64 = 0
            for i in 0..<limbs.count {
                let x = limbs[i] * 2 + carry
                limbs[i] = x % 1_000_000_000
                carry = x / 1_000_000_000
            }
            if carry > 0 { limbs.append(carry) }
        }
        while limbs.count > 1 && limbs.last == 0 { limbs.removeLast() }
        var s = String(limbs.last!)
        for limb in limbs.dropLast().reversed() {
            let p = String(limb)
            s += String(repeating: "0", count: 9 - p.count) + p
        }
        return s
    }

    /// Python `self % other` is non-zero (python-jsonschema's `multipleOf` for an int divisor),
    /// or for a float divisor `int(q) != q` with `q = self / other`.
    static func isMultiple(_ x: PyNumber, of d: PyNumber) -> Bool {
        if !d.isInt {
            let q = x.double / d.double
            if q.isInfinite || q.isNaN {
                // python falls back to exact Fraction arithmetic; approximate with fmod.
                return fmod(x.double, d.double) == 0
            }
            return q.rounded(.towardZero) == q
        }
        if x.isInt {
            if let a = x.int64, let b = d.int64 {
                if b == -1 { return true }
                return a % b == 0
            }
            if let b = d.int64 {
                // Big dividend, Int64 divisor: long division on the decimal digits.
                let m = b.magnitude
                var r: UInt64 = 0
                for c in x.digits.utf8 {
                    // r < m <= 2^63: r * 10 fits in 128 bits with a quotient < 10, rem + 9 in 64 bits.
                    let (hi, lo) = r.multipliedFullWidth(by: 10)
                    let rem = m.dividingFullWidth((high: hi, low: lo)).remainder
                    r = (rem + UInt64(c - 48)) % m
                }
                return r == 0
            }
            return fmod(x.double, d.double) == 0
        }
        // float % int: python converts the int to float.
        return fmod(x.double, d.double) == 0
    }
}

extension PyNumber {
    static func compare(_ n: Int, _ b: PyNumber) -> Int? { compare(PyNumber(int: n), b) }
}

// MARK: - Types

/// The seven JSON Schema type names, with python-jsonschema's draft 2020-12 type checker.
enum JSType: UInt8 {
    case array, boolean, integer, null, number, object, string

    init?(name: String) {
        switch name {
        case "array": self = .array
        case "boolean": self = .boolean
        case "integer": self = .integer
        case "null": self = .null
        case "number": self = .number
        case "object": self = .object
        case "string": self = .string
        default: return nil
        }
    }

    func matches(_ v: JSONValue) -> Bool {
        switch (self, v) {
        case (.array, .array), (.boolean, .bool), (.null, .null), (.number, .number),
             (.object, .object), (.string, .string):
            return true
        case (.integer, .number(let s)):
            return PyNumber(literal: s).isIntegral
        default:
            return false
        }
    }
}

// MARK: - repr

enum PyRepr {
    /// Python `repr()` of the value `json.loads` would produce.
    static func repr(_ v: JSONValue) -> String {
        var out = ""
        write(v, into: &out)
        return out
    }

    static func write(_ v: JSONValue, into out: inout String) {
        switch v {
        case .null: out += "None"
        case .bool(let b): out += b ? "True" : "False"
        case .number(let s): out += PyNumber(literal: s).repr
        case .string(let s): out += repr(s)
        case .array(let a):
            out += "["
            var first = true
            for e in a {
                if !first { out += ", " }
                first = false
                write(e, into: &out)
            }
            out += "]"
        case .object(let o):
            out += "{"
            var first = true
            for (k, e) in o {
                if !first { out += ", " }
                first = false
                out += repr(k)
                out += ": "
                write(e, into: &out)
            }
            out += "}"
        }
    }

    /// Python `repr(str)`: single quotes unless the text has a ' and no ", Python escapes,
    /// non-printable characters as \xhh / \uhhhh / \Uhhhhhhhh.
    static func repr(_ s: String) -> String {
        var hasSingle = false, hasDouble = false, plain = true
        for b in s.utf8 {
            if b == UInt8(ascii: "'") { hasSingle = true }
            else if b == UInt8(ascii: "\"") { hasDouble = true }
            if b < 0x20 || b >= 0x7F || b == UInt8(ascii: "\\") { plain = false }
        }
        let quote: Character = (hasSingle && !hasDouble) ? "\"" : "'"
        if plain && !(hasSingle && quote == "'") {
            return String(quote) + s + String(quote)
        }
        var out = String(quote)
        for u in s.unicodeScalars {
            let c = u.value
            switch c {
            case 0x5C: out += "\\\\"
            case 0x09: out += "\\t"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x27 where quote == "'": out += "\\'"
            case 0..<0x20, 0x7F: out += hex(c, prefix: "\\x", width: 2)
            case 0x20..<0x7F: out.unicodeScalars.append(u)
            default:
                if isPrintable(u) {
                    out.unicodeScalars.append(u)
                } else if c <= 0xFF {
                    out += hex(c, prefix: "\\x", width: 2)
                } else if c <= 0xFFFF {
                    out += hex(c, prefix: "\\u", width: 4)
                } else {
                    out += hex(c, prefix: "\\U", width: 8)
                }
            }
        }
        out.append(quote)
        return out
    }

    private static func hex(_ v: UInt32, prefix: String, width: Int) -> String {
        let h = String(v, radix: 16)
        return prefix + String(repeating: "0", count: max(0, width - h.count)) + h
    }

    /// The Unicode version of python 3.11's `unicodedata` (code points assigned later are `Cn`
    /// there, so `repr` escapes them).
    static let pythonUnicodeMajor = 14

    /// Python's `str.isprintable()` for one code point: not in Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs (but ' ').
    static func isPrintable(_ u: Unicode.Scalar) -> Bool {
        if u.value == 0x20 { return true }
        guard let age = u.properties.age, age.major <= pythonUnicodeMajor else { return false }
        switch u.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned,
             .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }

    /// `str.splitlines()[0]` (or "" for an empty string).
    static func firstLine(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for u in s.unicodeScalars {
            switch u.value {
            case 0x0A, 0x0D, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0x85, 0x2028, 0x2029:
                return String(out)
            default:
                out.append(u)
            }
        }
        return String(out)
    }
}

// MARK: - Equality and ordering

enum PyJSON {
    /// python-jsonschema's `_utils.equal`: bools are not numbers, 1 == 1.0, mappings compare
    /// regardless of key order, strings by code points.
    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
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

    /// True when all elements are pairwise distinct under `equal`.
    static func allUnique(_ items: [JSONValue]) -> Bool {
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
    static func canonicalKey(_ v: JSONValue, into out: inout String) {
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
    static func less(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
