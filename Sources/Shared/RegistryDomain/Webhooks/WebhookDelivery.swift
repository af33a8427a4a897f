import RegistryJSON

/// One row of `webhook_deliveries`: an event on its way to a webhook.
public struct WebhookDelivery: Sendable {
    public enum Status: String, Sendable { case pending, succeeded, failed }

    public var id: Int
    public var webhookID: Int
    public var event: EventPosition
    public var eventType: String
    public var status: Status
    public var attempts: Int
    public var createdAt: Timestamp
    public var nextAttemptAt: Timestamp?
    public var lastAttemptAt: Timestamp?
    public var responseCode: Int?
    public var durationMS: Int?
    public var error: String?
    /// Every attempt, oldest first (filled for `GET /webhooks/{id}/deliveries`).
    public var history: [DeliveryAttempt] = []

    public func json() -> JSONObject {
        func time(_ t: Timestamp?) -> JSONValue { t.map { .string($0.isoZulu) } ?? .null }
        return JSONObject([
            ("id", .int(id)), ("webhook_id", .int(webhookID)), ("event_id", .string(event.id)),
            ("event_type", .string(eventType)), ("status", .string(status.rawValue)), ("attempts", .int(attempts)),
            ("created_at", time(createdAt)), ("next_attempt_at", time(nextAttemptAt)), ("last_attempt_at", time(lastAttemptAt)),
            ("response_code", responseCode.map(JSONValue.int) ?? .null), ("duration_ms", durationMS.map(JSONValue.int) ?? .null),
            ("error", error.map(JSONValue.string) ?? .null),
            ("attempt_history", .array(history.map { .object($0.json()) })),
        ])
    }
}

/// One row of `webhook_attempts`.
public struct DeliveryAttempt: Sendable {
    public var attemptedAt: Timestamp
    public var responseCode: Int?
    public var durationMS: Int
    public var error: String?

    public func json() -> JSONObject {
        JSONObject([("attempted_at", .string(attemptedAt.isoZulu)), ("response_code", responseCode.map(JSONValue.int) ?? .null),
                    ("duration_ms", .int(durationMS)), ("error", error.map(JSONValue.string) ?? .null)])
    }
}

/// What one attempt came to.
public struct DeliveryOutcome: Sendable {
    public var responseCode: Int?
    public var durationMS: Int
    public var error: String?

    public init(responseCode: Int?, durationMS: Int, error: String?) {
        self.responseCode = responseCode
        self.durationMS = durationMS
        self.error = error
    }

    public var succeeded: Bool { error == nil && (responseCode.map { (200..<300).contains($0) } ?? false) }
    public var gone: Bool { responseCode == 410 }
}
