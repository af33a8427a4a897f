// Python-style rendering of JSON values, for messages that the reference builds with f-strings.
//
// The reference formats values it got from `json.loads` with `f"{value}"`, i.e. Python's `str()`:
//   str:   the bare text                       string
//   None:  None                                (JSON null, or an absent member)
//   bool:  True / False
//   int:   decimal digits                      (an integer literal; "-0" -> 0)
//   float: repr(float)                         (1.5, 100000.0, 1e-07; overflow "1e400" -> inf)
//   list:  '[' + ', '.join(repr(x)) + ']'      ['string', 'null']
//   dict:  '{' + ', '.join(repr(k): repr(v)) + '}'   {'type': 'string'}
// `repr()` of a str follows CPython's `unicode_repr`: single quotes unless the text contains a
// single quote and no double quote; `\\`, the quote, `\t`, `\n`, `\r` escaped; other control
// characters and non-printable code points as `\xhh` / `\uhhhh` / `\Uhhhhhhhh`.
// "Printable" follows `str.isprintable()`: everything except the general categories Cc, Cf, Cs,
// Co, Cn, Zl, Zp and Zs (the ASCII space excepted), as classified by Swift's Unicode tables.

internal enum SchemaPythonRepr {
    /// Python `str(value)`; nil (an absent member) renders as `None`.
    static func str(_ value: JSONValue?) -> String {
        guard let value = value else { return "None" }
        if case .string(let s) = value { return s }
        var out = ""
        appendRepr(value, to: &out)
        return out
    }

    /// Python `repr(value)`.
    static func repr(_ value: JSONValue) -> String {
        var out = ""
        appendRepr(value, to: &out)
        return out
    }

    static func appendRepr(_ value: JSONValue, to out: inout String) {
        switch value {
        case .null:
            out += "None"
        case .bool(let b):
            out += b ? "True" : "False"
        case .number(let literal):
            out += number(literal)
        case .string(let s):
            appendStringRepr(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                appendRepr(item, to: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            var first = true
            for (key, member) in object {
                if !first { out += ", " }
                first = false
                appendStringRepr(key, to: &out)
                out += ": "
                appendRepr(member, to: &out)
            }
            out += "}"
        }
    }

    /// What Python prints for the number `json.loads` makes of `literal`.
    static func number(_ literal: String) -> String {
        switch SchemaNumber(literal) {
        case .integer(let negative, let digits):
            return (negative ? "-" : "") + digits
        case .float(let d):
            if let s = JSONValue.pythonFloatRepr(d) { return s }
            if d.isNaN { return "nan" }
            return d < 0 ? "-inf" : "inf"
        case .unparsable(let text):
            return text
        }
    }

    /// CPython `unicode_repr`.
    static func appendStringRepr(_ s: String, to out: inout String) {
        var hasSingle = false
        var hasDouble = false
        for b in s.utf8 {
            if b == UInt8(ascii: "'") { hasSingle = true } else if b == UInt8(ascii: "\"") { hasDouble = true }
        }
        let quote: Unicode.Scalar = (hasSingle && !hasDouble) ? "\"" : "'"
        var scalars = String.UnicodeScalarView()
        scalars.append(quote)
        for c in s.unicodeScalars {
            switch c {
            case quote, "\\":
                scalars.append("\\")
                scalars.append(c)
            case "\t":
                scalars.append(contentsOf: "\\t".unicodeScalars)
            case "\n":
                scalars.append(contentsOf: "\\n".unicodeScalars)
            case "\r":
                scalars.append(contentsOf: "\\r".unicodeScalars)
            default:
                let v = c.value
                if v < 0x20 || v == 0x7F {
                    scalars.append(contentsOf: hexEscape("x", v, width: 2).unicodeScalars)
                } else if v < 0x7F || isPrintable(c) {
                    scalars.append(c)
                } else if v <= 0xFF {
                    scalars.append(contentsOf: hexEscape("x", v, width: 2).unicodeScalars)
                } else if v <= 0xFFFF {
                    scalars.append(contentsOf: hexEscape("u", v, width: 4).unicodeScalars)
                } else {
                    scalars.append(contentsOf: hexEscape("U", v, width: 8).unicodeScalars)
                }
            }
        }
        scalars.append(quote)
        out += String(scalars)
    }

    private static func hexEscape(_ letter: String, _ v: UInt32, width: Int) -> String {
        let hex = String(v, radix: 16, uppercase: false)
        return "\\" + letter + String(repeating: "0", count: max(0, width - hex.count)) + hex
    }

    /// Python `str.isprintable()` for one code point.
    private static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        if c == " " { return true }
        switch c.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned,
            .lineSeparator, .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }
}

/// A JSON number literal as Python's `json.loads` sees it: an `int` (literal without fraction or
/// exponent, arbitrary precision) or a `float` (a Double; too large → ±inf).
internal enum SchemaNumber {
    /// Magnitude digits without leading zeros ("0" for zero, which is never negative).
    case integer(negative: Bool, digits: String)
    case float(Double)
    /// Not a number literal (only reachable through a hand-built `.number`): compared as text.
    case unparsable(String)

    init(_ literal: String) {
        var isInteger = true
        for b in literal.utf8 where b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
            isInteger = false
            break
        }
        if isInteger {
            var bytes = Array(literal.utf8)
            var negative = false
            if let f = bytes.first, f == UInt8(ascii: "-") || f == UInt8(ascii: "+") {
                negative = f == UInt8(ascii: "-")
                bytes.removeFirst()
            }
            guard !bytes.isEmpty, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
                self = .unparsable(literal)
                return
            }
            var lead = 0
            while lead < bytes.count - 1 && bytes[lead] == 0x30 { lead += 1 }
            let digits = String(decoding: bytes[lead...], as: UTF8.self)
            self = .integer(negative: negative && digits != "0", digits: digits)
        } else if let d = Double(literal) {
            self = .float(d)
        } else {
            self = .unparsable(literal)
        }
    }

    /// Python's `==` between the two numbers (int/float compared exactly, like CPython).
    static func equal(_ a: SchemaNumber, _ b: SchemaNumber) -> Bool {
        switch (a, b) {
        case let (.integer(n1, d1), .integer(n2, d2)):
            return n1 == n2 && d1 == d2
        case let (.float(x), .float(y)):
            return x == y
        case let (.integer(n, d), .float(x)), let (.float(x), .integer(n, d)):
            guard isIntegral(x) else { return false }
            if x == 0 { return d == "0" }
            return (x < 0) == n && exactIntegerDigits(x.magnitude) == d
        case let (.unparsable(s), .unparsable(t)):
            return s.utf8.elementsEqual(t.utf8)
        default:
            return false
        }
    }

    /// Finite and without fraction (no libm call: |x| >= 2^52 is always integral).
    static func isIntegral(_ x: Double) -> Bool {
        guard x.isFinite else { return false }
        if x.magnitude >= 4_503_599_627_370_496 { return true }
        return Double(Int64(x)) == x
    }

    /// Decimal digits of a finite, integral, positive Double, exactly.
    static func exactIntegerDigits(_ x: Double) -> String {
        if x < 9_007_199_254_740_992 {  // 2^53: exact in UInt64
            return String(UInt64(x))
        }
        // x = mantissa * 2^shift with a 53-bit mantissa.
        let mantissa = (UInt64(1) << 52) | x.significandBitPattern
        let shift = Int(x.exponent) - 52
        // Little-endian base-10^9 limbs, doubled `shift` times.
        var limbs: [UInt64] = [mantissa % 1_000_000_000, (mantissa / 1_000_000_000) % 1_000_000_000,
                               mantissa / 1_000_000_000_000_000_000]
        for _ in 0..<max(0, shift) {
            var carry: UInt64 = 0
            for i in limbs.indices {
                let v = limbs[i] * 2 + carry
                limbs[i] = v % 1_000_000_000
                carry = v / 1_000_000_000
            }
            if carry > 0 { limbs.append(carry) }
        }
        while limbs.count > 1 && limbs.last == 0 { limbs.removeLast() }
        var out = String(limbs.last!)
        for limb in limbs.dropLast().reversed() {
            let s = String(limb)
            out += String(repeating: "0", count: 9 - s.count) + s
        }
        return out
    }
}
