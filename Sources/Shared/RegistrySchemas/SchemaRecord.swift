import RegistryJSON

/// One stored version of a model.
public struct SchemaRecord: Sendable {
    public var id: Int
    public var namespace: String?
    public var modelName: String
    public var version: String
    public var jsonSchema: JSONValue
    public var avroSchema: JSONValue?
    public var registeredAt: Timestamp
    public var registeredBy: String
    public var meta: JSONValue
    public var deprecated: Bool
    public var deprecatedAt: Timestamp?
    public var deprecationMessage: String?

    /// SchemaResponse of contract §6.2, fields in order.
    public var json: JSONValue {
        [
            "id": .int(id),
            "namespace": namespace.map(JSONValue.string) ?? .null,
            "model_name": .string(modelName),
            "version": .string(version),
            "json_schema": jsonSchema,
            "avro_schema": avroSchema ?? .null,
            "registered_at": .string(registeredAt.isoZulu),
            "registered_by": .string(registeredBy),
            "meta": meta,
            "deprecated": .bool(deprecated),
            "deprecated_at": deprecatedAt.map { .string($0.isoZulu) } ?? .null,
            "deprecation_message": deprecationMessage.map(JSONValue.string) ?? .null,
        ]
    }
}

/// A model within a namespace (`nil` = global) and how the contract prints it.
public struct ModelKey: Sendable, Hashable {
    public let namespace: String?
    public let model: String

    public init(namespace: String?, model: String) {
        self.namespace = namespace
        self.model = model
    }

    /// `ns::model` or `model` (an empty namespace prints like global, as in the reference).
    public var identifier: String {
        if let namespace, !namespace.isEmpty { return "\(namespace)::\(model)" }
        return model
    }

    public func identifier(version: String) -> String { "\(identifier)@\(version)" }
}

/// What registering needs, already shape-checked by the HTTP layer.
public struct SchemaSubmission: Sendable {
    public var version: String
    public var jsonSchema: JSONValue
    public var avroSchema: JSONValue?
    public var registeredAt: Timestamp
    public var registeredBy: String
    public var meta: JSONValue

    public init(version: String, jsonSchema: JSONValue, avroSchema: JSONValue?, registeredAt: Timestamp,
                registeredBy: String, meta: JSONValue) {
        self.version = version
        self.jsonSchema = jsonSchema
        self.avroSchema = avroSchema
        self.registeredAt = registeredAt
        self.registeredBy = registeredBy
        self.meta = meta
    }
}
