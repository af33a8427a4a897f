import RegistryJSON

/// One row of `webhooks`, without its secrets.
public struct WebhookRecord: Sendable {
    public var id: Int
    public var url: String
    /// Types or patterns (`*`, `schema.*`, `key.created`).
    public var events: [String]
    public var namespace: String?
    public var description: String?
    public var active: Bool
    public var createdAt: Timestamp
    public var createdBy: String?
    public var updatedAt: Timestamp
    public var deactivatedReason: String?
    /// The end of a rotation's grace period (the old secret still signs until then).
    public var previousSecretExpiresAt: Timestamp?
    public var cursor: EventPosition

    /// Whether an event goes to this webhook.
    public func wants(_ event: ChangeEvent) -> Bool {
        if let namespace, event.data["namespace"]?.stringValue != namespace {
            return false
        }
        return events.contains { EventType.matching($0)?.contains(event.type) ?? false }
    }

    public func json() -> JSONObject {
        func time(_ t: Timestamp?) -> JSONValue { t.map { .string($0.isoZulu) } ?? .null }
        func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        return JSONObject([
            ("id", .int(id)), ("url", .string(url)), ("events", .array(events.map(JSONValue.string))),
            ("namespace", text(namespace)), ("description", text(description)), ("active", .bool(active)),
            ("created_at", time(createdAt)), ("created_by", text(createdBy)), ("updated_at", time(updatedAt)),
            ("deactivated_reason", text(deactivatedReason)), ("previous_secret_expires_at", time(previousSecretExpiresAt)),
        ])
    }
}
