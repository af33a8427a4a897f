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
        self.kind = kind
        self.term = matched.lowercased()
        self.matched = matched
        self.path = path
        self.source = source
    }
}
