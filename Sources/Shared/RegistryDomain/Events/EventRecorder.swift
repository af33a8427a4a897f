import RegistryJSON
import RegistryStorage

/// Writes an event into the outbox (`events`). Call it inside the transaction of the change it
/// describes, on the same connection: the change and its event commit together or not at all.
public enum EventRecorder {
    /// `data` starts with `namespace`, `model_name`, `version`, `actor`; `extra` follows.
    public static func record(_ type: EventType, namespace: String?, model: String?, version: String?, actor: String?,
                              extra: [(String, JSONValue)] = [], db: DatabaseConnection, at now: Timestamp = .now()) throws {
        func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        let data = JSONObject([("namespace", text(namespace)), ("model_name", text(model)), ("version", text(version)),
                               ("actor", text(actor))] + extra)
        try EventRepository(db: db).insert(type: type, namespace: namespace, model: model, occurredAt: now,
                                           data: JSONValue.object(data).serialized())
    }
}
