import RegistryDomain
import RegistryJSON
import RegistryStorage

/// The change events of schema versions and compatibility levels (issue 17), written into the
/// outbox inside the change's own transaction.
enum SchemaEvents {
    static func version(_ type: EventType, _ record: SchemaRecord, actor: String?, db: DatabaseConnection) throws {
        var extra: [(String, JSONValue)] = [("schema_id", .int(record.id)), ("registered_by", .string(record.registeredBy))]
        if type == .schemaDeprecated {
            extra.append(("deprecation_message", record.deprecationMessage.map(JSONValue.string) ?? .null))
        }
        try EventRecorder.record(type, namespace: record.namespace, model: record.modelName, version: record.version,
                                 actor: actor, extra: extra, db: db)
    }

    static func deleted(_ key: ModelKey, version: String, actor: String?, db: DatabaseConnection) throws {
        try EventRecorder.record(.schemaDeleted, namespace: key.namespace, model: key.model, version: version, actor: actor, db: db)
    }

    /// `level` nil: the level set at the scope was removed (the next scope's applies).
    static func config(_ scope: CompatibilityScope, level: String?, actor: String?, db: DatabaseConnection) throws {
        let (namespace, model): (String?, String?)
        switch scope {
        case .server: (namespace, model) = (nil, nil)
        case .namespace(let name): (namespace, model) = (name, nil)
        case .model(let key): (namespace, model) = (key.namespace, key.model)
        }
        try EventRecorder.record(.configChanged, namespace: namespace, model: model, version: nil, actor: actor,
                                 extra: [("scope", .string(scope.source)), ("compatibility", level.map(JSONValue.string) ?? .null)],
                                 db: db)
    }
}
