import RegistryJSON

/// RFC 8785, the JSON Canonicalization Scheme: no whitespace, object members sorted by their
/// names' UTF-16 code units, numbers as ECMAScript writes doubles, strings with only the escapes
/// JSON requires (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, other controls as `\u00xx`).
///
/// A number that is no finite double (`1e400`; `NaN`, which Python's `json` accepts) has no
/// canonical spelling; it is kept as written, so the text is still deterministic for that input.
public enum JSONCanonicalization {
    public static func canonical(_ value: JSONValue) -> String {
        var out = ""
        write(value, into: &out)
        return out
    }

    private static func write(_ value: JSONValue, into out: inout String) {
        switch value {
        case .null, .bool, .string:
            // The writer's escaping is RFC 8785's (see RegistryJSON's JSONWriter).
            out += value.serialized()
        case .number(let literal):
            out += ECMAScriptNumber.format(literal: literal) ?? literal
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                write(item, into: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            let members = (0..<object.count).map { object[position: $0] }
                .sorted { $0.key.utf16.lexicographicallyPrecedes($1.key.utf16) }
            for (index, member) in members.enumerated() {
                if index > 0 { out += "," }
                out += JSONValue.string(member.key).serialized()
                out += ":"
                write(member.value, into: &out)
            }
            out += "}"
        }
    }
}
