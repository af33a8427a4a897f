import RegistryDomain

/// Bodies of `/events` and `/webhooks*` (issue 17) as `ChangeEvent`, `WebhookRecord` and
/// `WebhookDelivery` write them and `WebhookBody` reads them.
extension Components {
    static let eventType = "EventType"
    static let changeEvent = "ChangeEvent"
    static let eventPage = "EventPage"
    static let webhookCreate = "WebhookCreate"
    static let webhookUpdate = "WebhookUpdate"
    static let webhookRotate = "WebhookRotateSecret"
    static let webhookResponse = "WebhookResponse"
    static let webhookWithSecret = "WebhookWithSecret"
    static let webhookList = "WebhookList"
    static let webhookDelivery = "WebhookDelivery"
    static let webhookDeliveryList = "WebhookDeliveryList"

    static let events: [(name: String, schema: JSONSchema)] = [
        (eventType, .enumeration(EventType.allCases.map(\.rawValue))),
        (changeEvent, .object([
            .init("id", .string(), description: "Unique and stable; pass it as `after` to read on from here"),
            .init("type", .component(eventType)),
            .init("occurred_at", .dateTime),
            .init("data", .anyObject, description: "`namespace`, `model_name`, `version`, `actor` (the key's name or null), "
                  + "and per type: `schema_id`, `registered_by`, `deprecation_message`; `scope`, `compatibility`; "
                  + "`key_id`, `key_name`, `permission`, `new_key_id`, `new_key_name`, `grace_period_ends_at`"),
        ])),
        (eventPage, .object([
            .init("events", .array(.component(changeEvent)), description: "In commit order"),
            .init("next_after", .nullable(.string()), description: "The `after` of the next request"),
            .init("has_more", .boolean),
        ])),
    ]

    private static let webhookFields: [JSONSchema.Property] = [
        .init("id", .integer()),
        .init("url", .string()),
        .init("events", .array(.string()), description: "Event types, families (`schema.*`) or `*`"),
        .init("namespace", .nullable(.string()), description: "Only events of this namespace"),
        .init("description", .nullable(.string())),
        .init("active", .boolean),
        .init("created_at", .dateTime),
        .init("created_by", .nullable(.string())),
        .init("updated_at", .dateTime),
        .init("deactivated_reason", .nullable(.string()), description: "Why the server deactivated it (410 Gone)"),
        .init("previous_secret_expires_at", .nullable(.dateTime), description: "Until when the previous secret also signs"),
    ]

    private static let patterns = JSONSchema.array(.enumeration(["*", "schema.*", "config.*", "key.*"]
                                                                 + EventType.allCases.map(\.rawValue)))

    static let webhooks: [(name: String, schema: JSONSchema)] = [
        (webhookCreate, .object([
            .init("url", .text(minLength: 1, maxLength: 2048), description: "http or https"),
            .init("events", patterns, required: false, default: ["*"]),
            .init("namespace", .nullable(.text(maxLength: 255)), required: false, default: .null),
            .init("description", .nullable(.text(maxLength: 1000)), required: false, default: .null),
            .init("active", .boolean, required: false, default: true),
        ])),
        (webhookUpdate, .object([
            .init("url", .text(minLength: 1, maxLength: 2048), required: false),
            .init("events", patterns, required: false),
            .init("namespace", .nullable(.text(maxLength: 255)), required: false),
            .init("description", .nullable(.text(maxLength: 1000)), required: false),
            .init("active", .boolean, required: false),
        ])),
        (webhookRotate, .object([
            .init("grace_period_hours", .nullable(.integer(minimum: 0, maximum: 168)), required: false,
                  description: "How long the old secret keeps signing beside the new one", default: 24),
        ])),
        (webhookResponse, .object(webhookFields)),
        (webhookWithSecret, .object(webhookFields + [
            .init("secret", .string(), description: "`whsec_` + base64 of 32 bytes: shown this once"),
        ])),
        (webhookList, .object([.init("webhooks", .array(.component(webhookResponse))), .init("total", .integer(minimum: 0))])),
        (webhookDelivery, .object([
            .init("id", .integer()),
            .init("webhook_id", .integer()),
            .init("event_id", .string()),
            .init("event_type", .string()),
            .init("status", .enumeration(["pending", "succeeded", "failed"])),
            .init("attempts", .integer(minimum: 0)),
            .init("created_at", .dateTime),
            .init("next_attempt_at", .nullable(.dateTime)),
            .init("last_attempt_at", .nullable(.dateTime)),
            .init("response_code", .nullable(.integer())),
            .init("duration_ms", .nullable(.integer())),
            .init("error", .nullable(.string())),
            .init("attempt_history", .array(.object([
                .init("attempted_at", .dateTime),
                .init("response_code", .nullable(.integer())),
                .init("duration_ms", .integer()),
                .init("error", .nullable(.string())),
            ])), description: "Every attempt, oldest first (empty for the redeliver answer)"),
        ])),
        (webhookDeliveryList, .object([
            .init("deliveries", .array(.component(webhookDelivery)), description: "Newest first"),
            .init("total", .integer(minimum: 0)),
        ])),
    ]
}
