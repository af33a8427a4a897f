import RegistryJSON

/// One change event as the feed and the webhooks show it:
/// `{"id", "type", "occurred_at", "data": {namespace, model_name, version, actor, …}}`.
public struct ChangeEvent: Sendable {
    public let position: EventPosition
    public let type: EventType
    public let occurredAt: Timestamp
    public let data: JSONObject

    public init(position: EventPosition, type: EventType, occurredAt: Timestamp, data: JSONObject) {
        self.position = position
        self.type = type
        self.occurredAt = occurredAt
        self.data = data
    }

    public var id: String { position.id }

    public func json() -> JSONObject {
        JSONObject([("id", .string(id)), ("type", .string(type.rawValue)), ("occurred_at", .string(occurredAt.isoZulu)),
                    ("data", .object(data))])
    }

    /// The body a webhook receives (the same JSON as in the feed).
    public func body() -> [UInt8] { JSONValue.object(json()).serializedBytes() }
}
