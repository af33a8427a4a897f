import RegistryJSON
import RegistryStorage

/// The change events of API keys (issue 17): the key's id, name and permission, never its secret
/// or hash. Written inside the key change's transaction.
enum KeyEvents {
    static func record(_ type: EventType, _ key: APIKeyRecord, actor: String?, db: DatabaseConnection) throws {
        try EventRecorder.record(type, namespace: nil, model: nil, version: nil, actor: actor, extra: fields(key), db: db)
    }

    static func rotated(_ rotation: APIKeyService.Rotation, actor: String?, db: DatabaseConnection) throws {
        let new = rotation.new.record
        try EventRecorder.record(.keyRotated, namespace: nil, model: nil, version: nil, actor: actor,
                                 extra: fields(rotation.old) + [
                                    ("new_key_id", .int(new.id)), ("new_key_name", .string(new.name)),
                                    ("grace_period_ends_at", rotation.graceEndsAt.map { .string($0.isoZulu) } ?? .null),
                                 ], db: db)
    }

    /// `key.scope_changed`: the key's fields and its new `namespaces` (null: every namespace).
    static func scopeChanged(_ key: APIKeyRecord, scope: KeyScope?, actor: String?, db: DatabaseConnection) throws {
        try EventRecorder.record(.keyScopeChanged, namespace: nil, model: nil, version: nil, actor: actor,
                                 extra: fields(key) + [("namespaces", scope?.json ?? .null)], db: db)
    }

    private static func fields(_ key: APIKeyRecord) -> [(String, JSONValue)] {
        [("key_id", .int(key.id)), ("key_name", .string(key.name)), ("permission", .string(key.permission.rawValue))]
    }
}
