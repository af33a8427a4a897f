import RegistryJSON

/// An Avro schema parsed for the compatibility engine: named types are resolved to one shared node,
/// so that a recursive type is a cycle of references (the engine's walks remember the pairs they are
/// in and terminate). Logical types are kept as a note on their underlying type: resolution follows
/// the underlying type (Avro specification, "Logical Types": a reader ignores a logical type it does
/// not understand, and resolution is defined on the underlying types).
final class AvroNode {
    enum Kind {
        case primitive(String)
        case record(AvroName, [AvroField])
        case enumeration(AvroName, symbols: [String], defaultSymbol: String?)
        case fixed(AvroName, size: Int)
        case array(AvroNode)
        case map(AvroNode)
        case union([AvroNode])
        /// A name that is neither primitive nor defined (before its use): resolution fails on it.
        case unresolved(String)
    }

    var kind: Kind {
        didSet { indexFields() }
    }
    var logicalType: String?
    /// A record's field positions by name (the first of a name wins).
    private(set) var fieldIndex: [String: Int] = [:]

    init(_ kind: Kind, logicalType: String? = nil) {
        self.kind = kind
        self.logicalType = logicalType
        indexFields()
    }

    private func indexFields() {
        guard case .record(_, let fields) = kind else { return }
        fieldIndex = [:]
        for (position, field) in fields.enumerated() where fieldIndex[field.name] == nil {
            fieldIndex[field.name] = position
        }
    }

    var id: ObjectIdentifier { ObjectIdentifier(self) }

    /// The kind's word: `int`, `record`, `union`, ….
    var typeWord: String {
        switch kind {
        case .primitive(let p): return p
        case .record: return "record"
        case .enumeration: return "enum"
        case .fixed: return "fixed"
        case .array: return "array"
        case .map: return "map"
        case .union: return "union"
        case .unresolved: return "unresolved"
        }
    }

    var named: AvroName? {
        switch kind {
        case .record(let n, _), .enumeration(let n, _, _), .fixed(let n, _): return n
        default: return nil
        }
    }

    /// How a person reads the type: `int`, `record Address`, `array<string>`, `union[null, string]`.
    var display: String {
        switch kind {
        case .primitive(let p): return logicalType.map { "\(p) (\($0))" } ?? p
        case .record(let n, _): return "record \(n.fullName)"
        case .enumeration(let n, _, _): return "enum \(n.fullName)"
        case .fixed(let n, let size): return "fixed \(n.fullName) (size \(size))"
        case .array(let items): return "array<\(items.shortDisplay)>"
        case .map(let values): return "map<\(values.shortDisplay)>"
        case .union(let branches): return "union[\(branches.map(\.shortDisplay).joined(separator: ", "))]"
        case .unresolved(let name): return "unknown type \(name)"
        }
    }

    /// As `display`, but a named type by its name alone (no recursion into structures).
    var shortDisplay: String {
        if let n = named { return n.fullName }
        return display
    }

    /// The segment that names a union branch in a change's path: a named type's full name, else the
    /// type word (a union holds at most one branch of each unnamed type).
    var branchKey: String {
        if let n = named { return n.fullName }
        return typeWord
    }
}

/// A named type's name (Avro specification, "Names").
struct AvroName {
    /// The unqualified name: `Address`.
    let name: String
    /// The namespace, "" for the null namespace.
    let namespace: String
    /// Aliases as full names (a relative alias is resolved against the type's namespace).
    let aliases: [String]

    var fullName: String { namespace.isEmpty ? name : "\(namespace).\(name)" }
}

struct AvroField {
    let name: String
    let aliases: [String]
    let type: AvroNode
    let defaultValue: JSONValue?
    var hasDefault: Bool { defaultValue != nil }
}

/// Parses a schema in its JSON form into `AvroNode`s. Lenient: what the engine does not need is
/// ignored, and a malformed part becomes an `unresolved` node (which nothing can read or be read by).
struct AvroSchemaParser {
    static let primitives: Set<String> = ["null", "boolean", "int", "long", "float", "double", "bytes", "string"]

    private var names: [String: AvroNode] = [:]

    static func parse(_ json: JSONValue) -> AvroNode {
        var parser = AvroSchemaParser()
        return parser.node(json, namespace: "")
    }

    private static func fullName(_ name: String, namespace: String) -> String {
        if name.utf8.contains(UInt8(ascii: ".")) || namespace.isEmpty { return name }
        return "\(namespace).\(name)"
    }

    private static func split(_ fullName: String) -> (name: String, namespace: String) {
        guard let dot = fullName.lastIndex(of: ".") else { return (fullName, "") }
        return (String(fullName[fullName.index(after: dot)...]), String(fullName[..<dot]))
    }

    private func reference(_ name: String, namespace: String) -> AvroNode {
        if Self.primitives.contains(name) { return AvroNode(.primitive(name)) }
        if let node = names[Self.fullName(name, namespace: namespace)] { return node }
        if let node = names[name] { return node }  // a name in the null namespace
        return AvroNode(.unresolved(name))
    }

    private mutating func node(_ json: JSONValue, namespace: String) -> AvroNode {
        switch json {
        case .string(let name):
            return reference(name, namespace: namespace)
        case .array(let branches):
            return AvroNode(.union(branches.map { node($0, namespace: namespace) }))
        case .object(let object):
            return objectNode(object, namespace: namespace)
        default:
            return AvroNode(.unresolved(json.serialized()))
        }
    }

    private mutating func objectNode(_ object: JSONObject, namespace: String) -> AvroNode {
        let logicalType = object["logicalType"]?.stringValue
        guard let typeValue = object["type"] else { return AvroNode(.unresolved(JSONValue.object(object).serialized())) }
        guard case .string(let type) = typeValue else {
            // {"type": {...}} or {"type": [...]}: the nested schema is the type.
            return node(typeValue, namespace: namespace)
        }
        switch type {
        case "record", "error", "enum", "fixed":
            guard let rawName = object["name"]?.stringValue, !rawName.isEmpty else {
                return AvroNode(.unresolved(type))
            }
            let explicitNamespace = object["namespace"]?.stringValue
            let full: String
            if rawName.utf8.contains(UInt8(ascii: ".")) {
                full = rawName
            } else if let explicitNamespace {
                full = explicitNamespace.isEmpty ? rawName : "\(explicitNamespace).\(rawName)"
            } else {
                full = Self.fullName(rawName, namespace: namespace)
            }
            let (name, space) = Self.split(full)
            let aliases = (object["aliases"]?.arrayValue ?? []).compactMap(\.stringValue).map { Self.fullName($0, namespace: space) }
            let avroName = AvroName(name: name, namespace: space, aliases: aliases)
            switch type {
            case "enum":
                let symbols = (object["symbols"]?.arrayValue ?? []).compactMap(\.stringValue)
                let node = AvroNode(.enumeration(avroName, symbols: symbols, defaultSymbol: object["default"]?.stringValue))
                names[full] = node
                return node
            case "fixed":
                let node = AvroNode(.fixed(avroName, size: object["size"]?.intValue ?? -1), logicalType: logicalType)
                names[full] = node
                return node
            default:
                // Registered before its fields are parsed: a field may refer to the record itself.
                let node = AvroNode(.record(avroName, []))
                names[full] = node
                var fields: [AvroField] = []
                for fieldValue in object["fields"]?.arrayValue ?? [] {
                    guard let field = fieldValue.objectValue, let fieldName = field["name"]?.stringValue else { continue }
                    let fieldType = field["type"].map { self.node($0, namespace: space) } ?? AvroNode(.unresolved("missing type"))
                    fields.append(AvroField(
                        name: fieldName,
                        aliases: (field["aliases"]?.arrayValue ?? []).compactMap(\.stringValue),
                        type: fieldType,
                        defaultValue: field["default"]
                    ))
                }
                node.kind = .record(avroName, fields)
                return node
            }
        case "array":
            return AvroNode(.array(object["items"].map { node($0, namespace: namespace) } ?? AvroNode(.unresolved("array without items"))))
        case "map":
            return AvroNode(.map(object["values"].map { node($0, namespace: namespace) } ?? AvroNode(.unresolved("map without values"))))
        default:
            let resolved = reference(type, namespace: namespace)
            if case .primitive = resolved.kind, logicalType != nil {
                return AvroNode(resolved.kind, logicalType: logicalType)
            }
            return resolved
        }
    }
}
