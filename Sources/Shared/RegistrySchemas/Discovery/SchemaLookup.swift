import RegistryDomain
import RegistryDiscovery
import RegistryJSON

/// `POST /schemas/lookup`: which versions have this canonical form.
public struct SchemaLookup: Sendable {
    /// At least one of the two; with both, a version must match both.
    public var jsonSchema: JSONValue?
    public var avroSchema: JSONValue?
    public var namespace: SchemaListQuery.NamespaceFilter
    public var model: String?
    /// A scoped key's namespaces: matches outside them are left out.
    public var keyScope: KeyScope?

    public init(jsonSchema: JSONValue?, avroSchema: JSONValue?, namespace: SchemaListQuery.NamespaceFilter, model: String?) {
        self.jsonSchema = jsonSchema
        self.avroSchema = avroSchema
        self.namespace = namespace
        self.model = model
    }

    /// One version whose form is identical.
    public struct Match: Sendable {
        public let namespace: String?
        public let modelName: String
        public let version: String
        public let deprecated: Bool

        public var json: JSONValue {
            ["namespace": namespace.map(JSONValue.string) ?? .null, "model_name": .string(modelName),
             "version": .string(version), "deprecated": .bool(deprecated)]
        }
    }
}
