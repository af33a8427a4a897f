import Foundation
import RegistryJSON
import RegistryRuntime
import RegistryStorage

/// Webhook management (issue 17), ADMIN. The secret is generated here, returned once (create and
/// rotate-secret) and stored sealed. Blocking: call it off the event loop.
public struct WebhookService: Sendable {
    public let pool: ConnectionPool
    public let box: WebhookSecretBox
    /// Whether URLs naming a loopback, link-local or private address are accepted.
    public let allowPrivate: Bool

    public init(pool: ConnectionPool, box: WebhookSecretBox, allowPrivate: Bool) {
        self.pool = pool
        self.box = box
        self.allowPrivate = allowPrivate
    }

    public struct Created: Sendable {
        public let record: WebhookRecord
        public let secret: String
    }

    public func create(_ fields: WebhookRepository.Fields, by actor: String?, now: Timestamp = .now()) throws -> Created {
        try check(fields)
        let secret = WebhookSecret.generate()
        let sealed = try box.seal(secret)
        let record = try pool.withConnection { db in
            try db.transaction { () throws -> WebhookRecord in
                // Only events after this point: the last settled position (nothing can settle below it).
                let cursor = try EventRepository(db: db).head()
                let repository = WebhookRepository(db: db)
                let id = try repository.insert(fields, sealedSecret: sealed, by: actor, cursor: cursor, at: now)
                return try repository.find(id: id)!
            }
        }
        return Created(record: record, secret: secret)
    }

    public func list() throws -> [WebhookRecord] {
        try pool.withConnection { try WebhookRepository(db: $0).list() }
    }

    public func get(id: Int) throws -> WebhookRecord {
        guard let record = try pool.withConnection({ try WebhookRepository(db: $0).find(id: id) }) else { throw notFound(id) }
        return record
    }

    /// Applies `change` to the stored fields (PATCH: only the fields the body names).
    public func update(id: Int, now: Timestamp = .now(),
                       _ change: @Sendable (inout WebhookRepository.Fields) -> Void) throws -> WebhookRecord {
        try pool.withConnection { db in
            try db.transaction {
                let repository = WebhookRepository(db: db)
                guard let old = try repository.find(id: id) else { throw notFound(id) }
                var fields = WebhookRepository.Fields(url: old.url, events: old.events, namespace: old.namespace,
                                                      description: old.description, active: old.active)
                change(&fields)
                try check(fields)
                try repository.update(id: id, fields, at: now)
                return try repository.find(id: id)!
            }
        }
    }

    public func delete(id: Int) throws {
        let deleted = try pool.withConnection { db in try db.transaction { try WebhookRepository(db: db).delete(id: id) } }
        guard deleted else { throw notFound(id) }
    }

    /// A new secret; the old one keeps signing (beside the new) for `graceHours` (0: not at all).
    public func rotateSecret(id: Int, graceHours: Double, now: Timestamp = .now()) throws -> Created {
        let secret = WebhookSecret.generate()
        let sealed = try box.seal(secret)
        let until = graceHours > 0 ? Timestamp(microseconds: now.microseconds + Int64(graceHours * 3_600_000_000)) : nil
        let record = try pool.withConnection { db in
            try db.transaction { () throws -> WebhookRecord in
                let repository = WebhookRepository(db: db)
                guard try repository.find(id: id) != nil else { throw notFound(id) }
                try repository.rotate(id: id, sealedSecret: sealed, previousUntil: until, at: now)
                return try repository.find(id: id)!
            }
        }
        return Created(record: record, secret: secret)
    }

    public func deliveries(id: Int, limit: Int, status: String?) throws -> [WebhookDelivery] {
        try pool.withConnection { db in
            guard try WebhookRepository(db: db).find(id: id) != nil else { throw notFound(id) }
            return try DeliveryRepository(db: db).list(webhookID: id, limit: limit, status: status)
        }
    }

    /// Queues the delivery's event again, behind what is already queued for the webhook.
    public func redeliver(id: Int, deliveryID: Int, now: Timestamp = .now()) throws -> WebhookDelivery {
        try pool.withConnection { db in
            try db.transaction {
                guard try WebhookRepository(db: db).find(id: id) != nil else { throw notFound(id) }
                let deliveries = DeliveryRepository(db: db)
                guard let old = try deliveries.find(id: deliveryID, webhookID: id) else {
                    throw RegistryError.notFound("Delivery \(deliveryID) of webhook \(id) not found")
                }
                guard try EventRepository(db: db).find(old.event) != nil else {
                    throw RegistryError.conflict("Event \(old.event.id) is no longer retained")
                }
                let newID = try deliveries.enqueue(webhookID: id, event: old.event, type: old.eventType, at: now)
                return try deliveries.find(id: newID, webhookID: id)!
            }
        }
    }

    // MARK: -

    private func notFound(_ id: Int) -> RegistryError { .notFound("Webhook with ID \(id) not found") }

    /// The rules of a webhook's fields that the request's shape does not already say.
    private func check(_ f: WebhookRepository.Fields) throws {
        guard let url = URL(string: f.url), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty else {
            throw RegistryError.unprocessable("Webhook URL must be an absolute http or https URL")
        }
        if !allowPrivate, let why = AddressPolicy.refusal(host) {
            throw RegistryError.unprocessable("Webhook URL names a \(why) address; set PYRMUTE_REGISTRY_WEBHOOK_ALLOW_PRIVATE=true to allow it")
        }
        if !allowPrivate, host.lowercased() == "localhost" || host.lowercased().hasSuffix(".localhost") {
            throw RegistryError.unprocessable("Webhook URL names a loopback address; set PYRMUTE_REGISTRY_WEBHOOK_ALLOW_PRIVATE=true to allow it")
        }
        guard !f.events.isEmpty else { throw RegistryError.unprocessable("Webhook events must name at least one event type") }
        for pattern in f.events where EventType.matching(pattern) == nil {
            throw RegistryError.unprocessable("Unknown event type '\(pattern)'")
        }
    }
}
