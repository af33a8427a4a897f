/// One thing a search can find in a version: its model name, a field name, or a word of a text.
public struct SearchTerm: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        case model, field, text
    }

    /// Where the term was found: the answer's `source`.
    public enum Source: String, Sendable {
        case modelName = "model_name"
        case jsonSchema = "json_schema"
        case avroSchema = "avro_schema"
        case deprecationMessage = "deprecation_message"
    }

    public let kind: Kind
    /// Lower-cased: what the index compares.
    public let term: String
    /// As written in the schema.
    public let matched: String
    /// The JSON Pointer (`#/properties/a/properties/b`) into the source; nil for the model name
    /// and the deprecation message. Several words of one text share its path.
    public let path: String?
    public let source: Source

    public init(kind: Kind, matched: String, path: String?, source: Source) {
        let matched = Self.storable(matched)
        self.kind = kind
        self.term = matched.lowercased()
        self.matched = matched
        self.path = path.map(Self.storable)
        self.source = source
    }

    /// NUL, which a schema may hold in a property name (`"a\u0000b"`), cannot be stored in a
    /// PostgreSQL text column nor bound as SQLite text: the index holds U+FFFD in its place, so the
    /// registration is not refused for it (such a name is found by the words around the NUL).
    static func storable(_ text: String) -> String {
        text.contains("\u{0}") ? text.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : text
    }
}
