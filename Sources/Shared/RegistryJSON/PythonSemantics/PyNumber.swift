// A JSON number as Python sees it: the number model shared by python-jsonschema messages and the
// schema comparison (PyRepr, PyJSON).

import Foundation

/// A JSON number as Python's `json.loads` sees it: an `int` (integer literal, arbitrary precision)
/// or a `float` (any literal with a fraction or exponent; "1e400" is inf).
public struct PyNumber {
    public let isInt: Bool
    /// For ints: the magnitude digits without sign / leading zeros ("0" for zero).
    public let digits: String
    /// For ints: true when negative (never for zero).
    public let negative: Bool
    /// For ints fitting Int64.
    public let int64: Int64?
    /// The value as a Double (Python `float(x)`; for big ints possibly inf).
    public let double: Double

    public init?(_ value: JSONValue) {
        guard case .number(let s) = value else { return nil }
        self.init(literal: s)
    }

    public init(literal s: String) {
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

    public init(int v: Int) {
        isInt = true
        negative = v < 0
        digits = String(v.magnitude)
        int64 = Int64(v)
        double = Double(v)
    }

    /// Python `repr()`.
    public var repr: String {
        if isInt { return negative ? "-" + digits : digits }
        if double.isNaN { return "nan" }
        if double.isInfinite { return double < 0 ? "-inf" : "inf" }
        return JSONValue.pythonFloatRepr(double) ?? "nan"
    }

    /// `int` or an integral finite float (draft 6+ `integer`).
    public var isIntegral: Bool {
        if isInt { return true }
        return double.isFinite && double.rounded(.towardZero) == double
    }

    /// Python truthiness.
    public var isZero: Bool { isInt ? digits == "0" : double == 0 }

    /// Exact three-way comparison with Python semantics (int/float mixed comparisons are exact).
    /// nil when unordered (nan).
    public static func compare(_ a: PyNumber, _ b: PyNumber) -> Int? {
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
    public static func exactIntegerDigits(_ v: Double) -> String {
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
    public static func isMultiple(_ x: PyNumber, of d: PyNumber) -> Bool {
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

public extension PyNumber {
    static func compare(_ n: Int, _ b: PyNumber) -> Int? { compare(PyNumber(int: n), b) }
}
