import RegistryJSON

/// The Avro specification's Parsing Canonical Form ("Transforming into Parsing Canonical Form"):
/// PRIMITIVES (`{"type":"int"}` → `"int"`), FULLNAMES (every name namespace-qualified), STRIP
/// (only `type`, `name`, `fields`, `symbols`, `items`, `values`, `size` stay), ORDER (in that
/// order, `name` first), STRINGS (no escapes beyond JSON's), INTEGERS (`size` as a plain integer),
/// WHITESPACE (none). A named type already written is written again as its full name only, as
/// the Java and Python implementations do.
///
/// Total: a stored schema that no Avro parser would accept still gets a deterministic text
/// (the parts it cannot read are written in RFC 8785's form).
public enum AvroCanonicalForm {
    public static func canonical(_ schema: JSONValue) -> String {
        var writer = Writer()
        writer.write(schema, namespace: "")
        return writer.out
    }

    static let primitives: Set<String> = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]

    private struct Writer {
        var out = ""
        /// Full names of the named types written so far (a reference can only follow its definition).
        var defined: Set<String> = []

        mutating func write(_ schema: JSONValue, namespace: String) {
            switch schema {
            case .string(let name):
                out += quoted(resolve(name, namespace))
            case .array(let branches):
                out += "["
                for (index, branch) in branches.enumerated() {
                    if index > 0 { out += "," }
                    write(branch, namespace: namespace)
                }
                out += "]"
            case .object(let object):
                writeObject(object, namespace: namespace)
            default:
                out += JSONCanonicalization.canonical(schema)
            }
        }

        private mutating func writeObject(_ object: JSONObject, namespace: String) {
            guard let type = object["type"] else {
                out += JSONCanonicalization.canonical(.object(object))
                return
            }
            guard case .string(let name) = type else {
                write(type, namespace: namespace)   // `{"type": {...}}`: the inner schema
                return
            }
            switch name {
            case "record", "error", "enum", "fixed":
                writeNamed(object, kind: name, namespace: namespace)
            case "array":
                out += #"{"type":"array","items":"#
                write(object["items"] ?? .null, namespace: namespace)
                out += "}"
            case "map":
                out += #"{"type":"map","values":"#
                write(object["values"] ?? .null, namespace: namespace)
                out += "}"
            default:
                // A primitive (its logicalType and other attributes stripped) or a named reference.
                out += quoted(resolve(name, namespace))
            }
        }

        private mutating func writeNamed(_ object: JSONObject, kind: String, namespace: String) {
            let fullName = Self.fullName(object, enclosing: namespace)
            if defined.contains(fullName) {
                out += quoted(fullName)
                return
            }
            defined.insert(fullName)
            let inner = fullName.lastIndex(of: ".").map { String(fullName[..<$0]) } ?? ""
            out += #"{"name":"# + quoted(fullName) + #","type":"# + quoted(kind)
            switch kind {
            case "record", "error":
                out += #","fields":["#
                for (index, field) in (object["fields"]?.arrayValue ?? []).enumerated() {
                    if index > 0 { out += "," }
                    let fieldObject = field.objectValue ?? JSONObject()
                    out += #"{"name":"# + quoted(fieldObject["name"]?.stringValue ?? "") + #","type":"#
                    write(fieldObject["type"] ?? .null, namespace: inner)
                    out += "}"
                }
                out += "]"
            case "enum":
                let symbols = (object["symbols"]?.arrayValue ?? []).map { quoted($0.stringValue ?? "") }
                out += #","symbols":["# + symbols.joined(separator: ",") + "]"
            default:
                out += #","size":"# + Self.size(object["size"])
            }
            out += "}"
        }

        /// A name in a reference: qualified by the enclosing namespace unless it has a dot or is a
        /// primitive; a short name defined only in the null namespace stays short (Java's lookup).
        private func resolve(_ name: String, _ namespace: String) -> String {
            if AvroCanonicalForm.primitives.contains(name) || name.contains(".") || namespace.isEmpty { return name }
            let qualified = namespace + "." + name
            if !defined.contains(qualified) && defined.contains(name) { return name }
            return qualified
        }

        static func fullName(_ object: JSONObject, enclosing: String) -> String {
            let name = object["name"]?.stringValue ?? ""
            if name.contains(".") { return name }
            let namespace = object["namespace"]?.stringValue ?? enclosing
            return namespace.isEmpty ? name : namespace + "." + name
        }

        /// INTEGERS: no quotes, no leading zeros.
        static func size(_ value: JSONValue?) -> String {
            switch value {
            case .number(let literal)?:
                if let integer = Int(literal) { return String(integer) }
                if let double = Double(literal), let integer = Int(exactly: double) { return String(integer) }
                return literal
            case .string(let text)?:
                return Int(text).map(String.init) ?? JSONValue.string(text).serialized()
            default:
                return "null"
            }
        }

        private func quoted(_ text: String) -> String { JSONValue.string(text).serialized() }
    }
}
