// Python's `repr()` and `str()` of what `json.loads` returns, for messages the reference builds
// with f-strings (python-jsonschema's errors, the schema comparison's "Type changed from … to …").

public enum PyRepr {
    /// Python `str(value)` (the bare text for a string); nil (an absent member) is `None`.
    public static func str(_ value: JSONValue?) -> String {
        guard let value else { return "None" }
        if case .string(let text) = value { return text }
        return repr(value)
    }

    /// Python `repr()` of the value `json.loads` would produce.
    public static func repr(_ v: JSONValue) -> String {
        var out = ""
        write(v, into: &out)
        return out
    }

    public static func write(_ v: JSONValue, into out: inout String) {
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
    public static func repr(_ s: String) -> String {
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
    public static let pythonUnicodeMajor = 14

    /// Python's `str.isprintable()` for one code point: not in Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs (but ' ').
    public static func isPrintable(_ u: Unicode.Scalar) -> Bool {
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
    public static func firstLine(_ s: String) -> String {
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
