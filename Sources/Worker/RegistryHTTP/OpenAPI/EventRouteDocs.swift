/// Documentation of `/events` and `/webhooks*` (issue 17; docs/events.md).
extension RouteDoc {
    static let listEvents = RouteDoc(
        operationID: "list_events", summary: "Read the change feed",
        description: "Events in commit order. Store the last `id` you saw and pass it as `after`: you miss nothing and "
            + "see nothing twice. Key events (`key.*`) need the `admin` permission: without it they are left out, and a "
            + "`type` that names them is refused with 403.",
        tag: .events,
        query: [
            Parameter("after", .string(), description: "An event id: only events after it"),
            Parameter("limit", .integer(minimum: 1, maximum: 1000), default: 100),
            Parameter("type", .string(), description: "Comma-separated types or families (`schema.*`, `*`)"),
            Parameter("namespace", .text(maxLength: 255)),
        ],
        success: .json(200, "A page of events", .component(Components.eventPage)),
        errors: [.detail(403, "Key events asked without the `admin` permission", when: .authenticationOn)],
        usesDatabase: true)

    static let createWebhook = RouteDoc(
        operationID: "create_webhook", summary: "Create a webhook",
        description: "The answer carries the signing secret, shown this once. URLs naming loopback, link-local or private "
            + "addresses are refused unless `WEBHOOK_ALLOW_PRIVATE` is set.",
        tag: .webhooks, body: .component(Components.webhookCreate),
        success: .json(201, "The webhook with its secret", .component(Components.webhookWithSecret),
                       links: [("GetWebhook", "get_webhook"), ("UpdateWebhook", "update_webhook"),
                               ("RotateWebhookSecret", "rotate_webhook_secret"), ("ListDeliveries", "list_webhook_deliveries"),
                               ("DeleteWebhook", "delete_webhook")]
                           .map { .init(name: $0.0, operationID: $0.1, parameters: [("webhook_id", "$response.body#/id")]) }),
        errors: [.detail(422, "Bad URL or unknown event type")], usesDatabase: true)

    static let listWebhooks = RouteDoc(
        operationID: "list_webhooks", summary: "List webhooks", tag: .webhooks,
        success: .json(200, "Every webhook, oldest first", .component(Components.webhookList)), usesDatabase: true)

    static let getWebhook = RouteDoc(
        operationID: "get_webhook", summary: "Get a webhook", tag: .webhooks, pathParameters: [webhookID],
        success: .json(200, "The webhook (without its secret)", .component(Components.webhookResponse)),
        errors: [webhookNotFound], usesDatabase: true)

    static let updateWebhook = RouteDoc(
        operationID: "update_webhook", summary: "Change a webhook",
        description: "Only the fields in the body change. `active: true` resumes delivery where it stopped.",
        tag: .webhooks, pathParameters: [webhookID], body: .component(Components.webhookUpdate),
        success: .json(200, "The webhook", .component(Components.webhookResponse)),
        errors: [webhookNotFound, .detail(422, "Bad URL or unknown event type")], usesDatabase: true)

    static let deleteWebhook = RouteDoc(
        operationID: "delete_webhook", summary: "Delete a webhook", tag: .webhooks, pathParameters: [webhookID],
        success: ResponseDoc(status: 204, description: "Deleted, with its deliveries (no body)"),
        errors: [webhookNotFound], usesDatabase: true)

    static let rotateWebhookSecret = RouteDoc(
        operationID: "rotate_webhook_secret", summary: "Rotate a webhook's secret",
        description: "A new secret; during the grace period deliveries carry two signatures (new and old).",
        tag: .webhooks, pathParameters: [webhookID], body: .component(Components.webhookRotate),
        success: .json(200, "The webhook with its new secret", .component(Components.webhookWithSecret)),
        errors: [webhookNotFound], usesDatabase: true)

    static let listWebhookDeliveries = RouteDoc(
        operationID: "list_webhook_deliveries", summary: "A webhook's deliveries", tag: .webhooks,
        pathParameters: [webhookID],
        query: [
            Parameter("limit", .integer(minimum: 1, maximum: 1000), default: 100),
            Parameter("status", .enumeration(["pending", "succeeded", "failed"])),
        ],
        success: .json(200, "Deliveries, newest first, each with its last attempt", .component(Components.webhookDeliveryList)),
        errors: [webhookNotFound], usesDatabase: true)

    static let redeliverWebhookDelivery = RouteDoc(
        operationID: "redeliver_webhook_delivery", summary: "Deliver an event again",
        description: "Queues the delivery's event again, behind what is already queued for the webhook.",
        tag: .webhooks, pathParameters: [webhookID, Parameter("delivery_id", .integer())],
        success: .json(202, "The new delivery", .component(Components.webhookDelivery)),
        errors: [.detail(404, "No such webhook or delivery"), .detail(409, "The event is no longer retained")],
        usesDatabase: true)

    private static let webhookID = Parameter("webhook_id", .integer())
    private static let webhookNotFound = ResponseDoc.detail(404, "No webhook with this id")
}
