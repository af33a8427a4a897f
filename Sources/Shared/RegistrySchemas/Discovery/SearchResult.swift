import RegistryDiscovery
import RegistryJSON

/// One answer of `GET /search`: a place in a version (its model name, a field, a text) where every
/// word of the query matches.
public struct SearchResult: Sendable {
    public let namespace: String?
    public let modelName: String
    public let version: String
    public let kind: SearchTerm.Kind
    /// The name found, or the text's matching words in the query's order.
    public let matched: String
    public let path: String?
    public let source: String
    /// 3 exact, 2 prefix, 1 substring: the weakest of the query's words.
    public let score: Int

    public var json: JSONValue {
        ["namespace": namespace.map(JSONValue.string) ?? .null, "model_name": .string(modelName),
         "version": .string(version), "kind": .string(kind.rawValue), "matched": .string(matched),
         "path": path.map(JSONValue.string) ?? .null, "source": .string(source), "score": .int(score)]
    }
}
