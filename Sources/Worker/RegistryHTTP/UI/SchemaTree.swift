import RegistryJSON

/// A JSON Schema or an Avro schema as nested `<details>` (folding works without script): each
/// property or field with its type, a required mark, its description.
enum SchemaTree {
    static func jsonSchema(_ schema: JSONValue, into h: inout HTMLWriter) {
        h.raw("<ul class=\"tree\">")
        node(name: schema.objectValue?["title"]?.stringValue ?? "(root)", schema: schema, required: false, depth: 0, into: &h)
        h.raw("</ul>")
    }

    private static func node(name: String, schema: JSONValue, required: Bool, depth: Int, into h: inout HTMLWriter) {
        let object = schema.objectValue ?? JSONObject()
        let properties = object["properties"]?.objectValue
        let items = object["items"]
        let requiredNames = Set(object["required"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        let children = properties.map { $0.count } ?? 0
        h.raw("<li>")
        let folds = depth < 12 && (children > 0 || items?.objectValue?["properties"] != nil)
        if folds { h.raw("<details open><summary>") }
        h.raw("<span class=\"prop\">")
        h.text(name)
        h.raw("</span>")
        if required { h.raw("<span class=\"req\" title=\"required\">*</span><span class=\"sr-only\"> (required)</span>") }
        h.raw(" <span class=\"type\">")
        h.text(typeLabel(object))
        h.raw("</span>")
        if let description = object["description"]?.stringValue {
            h.raw(" <span class=\"desc\">")
            h.text(description)
            h.raw("</span>")
        }
        if folds {
            h.raw("</summary><ul>")
            if let properties {
                for (child, value) in properties {
                    node(name: child, schema: value, required: requiredNames.contains(child), depth: depth + 1, into: &h)
                }
            }
            if let items, items.objectValue?["properties"] != nil {
                node(name: "[items]", schema: items, required: false, depth: depth + 1, into: &h)
            }
            h.raw("</ul></details>")
        }
        h.raw("</li>")
    }

    private static func typeLabel(_ object: JSONObject) -> String {
        if let type = object["type"] {
            if let text = type.stringValue {
                if text == "array", let items = object["items"]?.objectValue { return "array of " + typeLabel(items) }
                return text
            }
            if let list = type.arrayValue { return list.compactMap(\.stringValue).joined(separator: " | ") }
        }
        if let ref = object["$ref"]?.stringValue { return ref }
        for combinator in ["anyOf", "oneOf", "allOf"] {
            if let options = object[combinator]?.arrayValue {
                return options.map { typeLabel($0.objectValue ?? JSONObject()) }.joined(separator: combinator == "allOf" ? " & " : " | ")
            }
        }
        if object["enum"] != nil { return "enum" }
        if object["const"] != nil { return "const" }
        return "any"
    }

    static func avro(_ schema: JSONValue, into h: inout HTMLWriter) {
        h.raw("<ul class=\"tree\">")
        avroNode(name: schema.objectValue?["name"]?.stringValue ?? "(root)", schema: schema, doc: nil, depth: 0, into: &h)
        h.raw("</ul>")
    }

    private static func avroNode(name: String, schema: JSONValue, doc: String?, depth: Int, into h: inout HTMLWriter) {
        let record = avroRecord(schema)
        let fields = record?["fields"]?.arrayValue ?? []
        let folds = depth < 12 && !fields.isEmpty
        h.raw("<li>")
        if folds { h.raw("<details open><summary>") }
        h.raw("<span class=\"prop\">")
        h.text(name)
        h.raw("</span> <span class=\"type\">")
        h.text(avroType(schema))
        h.raw("</span>")
        if let doc = doc ?? schema.objectValue?["doc"]?.stringValue {
            h.raw(" <span class=\"desc\">")
            h.text(doc)
            h.raw("</span>")
        }
        if folds {
            h.raw("</summary><ul>")
            for field in fields {
                let object = field.objectValue ?? JSONObject()
                avroNode(name: object["name"]?.stringValue ?? "?", schema: object["type"] ?? .null,
                         doc: object["doc"]?.stringValue, depth: depth + 1, into: &h)
            }
            h.raw("</ul></details>")
        }
        h.raw("</li>")
    }

    /// The record inside a type, a union's record branch included.
    private static func avroRecord(_ schema: JSONValue) -> JSONObject? {
        if let object = schema.objectValue, object["type"]?.stringValue == "record" { return object }
        if let branches = schema.arrayValue { return branches.lazy.compactMap(avroRecord).first }
        return nil
    }

    private static func avroType(_ schema: JSONValue) -> String {
        if let name = schema.stringValue { return name }
        if let branches = schema.arrayValue { return branches.map(avroType).joined(separator: " | ") }
        guard let object = schema.objectValue, let type = object["type"]?.stringValue else { return "?" }
        switch type {
        case "record", "enum", "fixed": return type + " " + (object["name"]?.stringValue ?? "")
        case "array": return "array of " + avroType(object["items"] ?? .null)
        case "map": return "map of " + avroType(object["values"] ?? .null)
        default: return object["logicalType"]?.stringValue.map { type + " (" + $0 + ")" } ?? type
        }
    }
}
