import RegistryJSON

/// What the search index holds for one version (issue 16): the model name; every property name
/// of the JSON Schema at any depth and every Avro field name, each with its JSON Pointer; and the
/// words of the JSON Schema's `title`s and `description`s, the Avro `doc`s and the deprecation
/// message. A name or word found twice at one place is indexed once.
public enum SearchTerms {
    public static func of(model: String, jsonSchema: JSONValue, avroSchema: JSONValue?,
                          deprecationMessage: String?) -> [SearchTerm] {
        var collector = Collector()
        collector.add(SearchTerm(kind: .model, matched: model, path: nil, source: .modelName))
        collector.jsonSchema(jsonSchema, path: "#")
        if let avroSchema { collector.avro(avroSchema, path: "#") }
        if let deprecationMessage { collector.text(deprecationMessage, path: nil, source: .deprecationMessage) }
        return collector.terms
    }

    /// The words of a text as the index splits them: runs of letters, digits and `_`.
    public static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for character in text {
            if character.isLetter || character.isNumber || character == "_" {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// A JSON Pointer token (RFC 6901: `~` → `~0`, `/` → `~1`).
    static func token(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }

    private struct Collector {
        var terms: [SearchTerm] = []
        private var seen: Set<String> = []

        mutating func add(_ term: SearchTerm) {
            let key = "\(term.kind.rawValue)\u{0}\(term.source.rawValue)\u{0}\(term.path ?? "")\u{0}\(term.term)"
            if seen.insert(key).inserted { terms.append(term) }
        }

        mutating func text(_ text: String, path: String?, source: SearchTerm.Source) {
            for word in SearchTerms.words(text) { add(SearchTerm(kind: .text, matched: word, path: path, source: source)) }
        }

        /// Keywords whose value is one subschema, an array of them, or a map of names to them.
        private static let subschema = ["items", "additionalProperties", "not", "if", "then", "else", "contains",
                                        "propertyNames", "unevaluatedItems", "unevaluatedProperties", "additionalItems"]
        private static let subschemaArrays = ["allOf", "anyOf", "oneOf", "prefixItems", "items"]
        private static let subschemaMaps = ["$defs", "definitions", "patternProperties", "dependentSchemas"]

        mutating func jsonSchema(_ schema: JSONValue, path: String) {
            guard case .object(let object) = schema else { return }
            for keyword in ["title", "description"] {
                if case .string(let text)? = object[keyword] { self.text(text, path: path + "/" + keyword, source: .jsonSchema) }
            }
            if case .object(let properties)? = object["properties"] {
                for position in 0..<properties.count {
                    let (name, value) = properties[position: position]
                    let at = path + "/properties/" + SearchTerms.token(name)
                    add(SearchTerm(kind: .field, matched: name, path: at, source: .jsonSchema))
                    jsonSchema(value, path: at)
                }
            }
            for keyword in Self.subschema {
                if case .object? = object[keyword] { jsonSchema(object[keyword]!, path: path + "/" + SearchTerms.token(keyword)) }
            }
            for keyword in Self.subschemaArrays {
                guard case .array(let items)? = object[keyword] else { continue }
                for (index, item) in items.enumerated() { jsonSchema(item, path: path + "/\(SearchTerms.token(keyword))/\(index)") }
            }
            for keyword in Self.subschemaMaps {
                guard case .object(let map)? = object[keyword] else { continue }
                for position in 0..<map.count {
                    let (name, value) = map[position: position]
                    jsonSchema(value, path: path + "/" + SearchTerms.token(keyword) + "/" + SearchTerms.token(name))
                }
            }
        }

        mutating func avro(_ schema: JSONValue, path: String) {
            switch schema {
            case .array(let branches):
                for (index, branch) in branches.enumerated() { avro(branch, path: path + "/\(index)") }
            case .object(let object):
                if case .string(let doc)? = object["doc"] { text(doc, path: path + "/doc", source: .avroSchema) }
                if case .array(let fields)? = object["fields"] {
                    for (index, field) in fields.enumerated() {
                        guard case .object(let fieldObject) = field else { continue }
                        let at = path + "/fields/\(index)"
                        if case .string(let name)? = fieldObject["name"] {
                            add(SearchTerm(kind: .field, matched: name, path: at, source: .avroSchema))
                        }
                        if case .string(let doc)? = fieldObject["doc"] { text(doc, path: at + "/doc", source: .avroSchema) }
                        if let type = fieldObject["type"] { avro(type, path: at + "/type") }
                    }
                }
                for keyword in ["type", "items", "values"] {
                    if let inner = object[keyword], inner.objectValue != nil || inner.arrayValue != nil {
                        avro(inner, path: path + "/" + keyword)
                    }
                }
            default:
                return
            }
        }
    }
}
