import RegistryJSON
import RegistryRuntime
import RegistryStorage

/// The deliverer's database side: turns new events into deliveries, finds what is due, records
/// outcomes with the retry schedule. Only the lease holder calls it. Blocking.
public struct DeliveryQueue: Sendable {
    public let pool: ConnectionPool
    public let box: WebhookSecretBox
    public let retryPeriodSeconds: Double
    public let maxBackoffSeconds: Double

    public init(pool: ConnectionPool, box: WebhookSecretBox, retryPeriodSeconds: Double, maxBackoffSeconds: Double) {
        self.pool = pool
        self.box = box
        self.retryPeriodSeconds = retryPeriodSeconds
        self.maxBackoffSeconds = maxBackoffSeconds
    }

    /// One unit of work: a delivery, its event, the webhook's URL and its secrets in force (empty,
    /// with `secretError`, when they cannot be read: the attempt then fails without sending).
    public struct Job: Sendable {
        public let delivery: WebhookDelivery
        public let event: ChangeEvent?
        public let url: String
        public let secrets: [String]
        public var secretError: String? = nil
    }

    /// For every active webhook, queues a delivery for each settled event after its cursor that it
    /// wants, and moves the cursor past the events read (one transaction per webhook and batch).
    /// The active webhooks.
    @discardableResult
    public func enqueueNewEvents(batch: Int = 500, now: Timestamp = .now()) throws -> [WebhookRecord] {
        try pool.withConnection { db in
            let webhooks = try WebhookRepository(db: db).active()
            for webhook in webhooks {
                let events = try EventRepository(db: db).after(webhook.cursor, types: EventType.allCases, namespace: nil,
                                                               limit: batch)
                guard let last = events.last else { continue }
                try db.transaction {
                    let deliveries = DeliveryRepository(db: db)
                    for event in events where webhook.wants(event) {
                        try deliveries.enqueue(webhookID: webhook.id, event: event.position, type: event.type.rawValue, at: now)
                    }
                    try WebhookRepository(db: db).moveCursor(id: webhook.id, to: last.position)
                }
            }
            return webhooks
        }
    }

    /// For each webhook whose first pending delivery is due, its first `limit` pending deliveries
    /// in order (they go out one after the other, stopping at the first that fails): two queries
    /// per webhook with work, whatever the batch's size.
    public func dueBatches(_ webhooks: [WebhookRecord], limit: Int = 100, now: Timestamp = .now()) throws -> [[Job]] {
        guard !webhooks.isEmpty else { return [] }
        return try pool.withConnection { db in
            var batches: [[Job]] = []
            for webhook in webhooks {
                let pending = try DeliveryRepository(db: db).pending(webhookID: webhook.id, limit: limit)
                // Only the head can wait for a retry; what follows it is due (cut at anything that is not).
                let due = pending.prefix { ($0.0.nextAttemptAt ?? now) <= now }
                guard !due.isEmpty else { continue }
                let sealed = try WebhookRepository(db: db).sealedSecrets(id: webhook.id, at: now)
                var secrets: [String] = [], secretError: String? = nil
                do { secrets = try sealed.map { try box.open($0) } } catch { secretError = "cannot read the signing secret: \(error)" }
                batches.append(due.map { Job(delivery: $0.0, event: $0.1, url: webhook.url, secrets: secrets, secretError: secretError) })
            }
            return batches
        }
    }

    /// Records attempts (one transaction for all of them): 2xx ends a delivery; 410 ends it and
    /// deactivates the webhook; anything else retries with exponential backoff and jitter until the
    /// retry period has passed.
    public func record(_ attempts: [(Job, DeliveryOutcome)], now: Timestamp = .now()) throws {
        guard !attempts.isEmpty else { return }
        try pool.withConnection { db in
            try db.transaction {
                for (job, outcome) in attempts { try record(job, outcome, now: now, db: db) }
            }
        }
    }

    private func record(_ job: Job, _ outcome: DeliveryOutcome, now: Timestamp, db: DatabaseConnection) throws {
        let delivery = job.delivery
        let status: WebhookDelivery.Status
        var next: Timestamp? = nil
        if outcome.succeeded {
            status = .succeeded
        } else if outcome.gone || job.event == nil {
            status = .failed
        } else {
            let age = Double(now.microseconds - delivery.createdAt.microseconds) / 1e6
            let delay = Self.backoff(attempt: delivery.attempts + 1, max: maxBackoffSeconds)
            if age + delay > retryPeriodSeconds {
                status = .failed
            } else {
                status = .pending
                next = Timestamp(microseconds: now.microseconds + Int64(delay * 1e6))
            }
        }
        var recorded = outcome
        if job.event == nil && recorded.error == nil { recorded.error = "event no longer retained" }
        try DeliveryRepository(db: db).record(delivery, outcome: recorded, status: status, nextAttemptAt: next, at: now)
        if outcome.gone {
            try WebhookRepository(db: db).deactivate(id: delivery.webhookID, reason: "receiver answered 410 Gone", at: now)
        }
    }

    /// 1 s, 2 s, 4 s, … capped at `max`, each with up to 20 % random jitter either way ("full" jitter
    /// would let a retry come almost at once).
    public static func backoff(attempt: Int, max: Double) -> Double {
        let base = min(max, pow2(attempt - 1))
        return base * Double.random(in: 0.8...1.2)
    }

    private static func pow2(_ n: Int) -> Double { n >= 60 ? .greatestFiniteMagnitude : Double(1 << Swift.max(0, n)) }

    /// Deletes events and finished deliveries older than the retention.
    public func prune(retentionDays: Int, now: Timestamp = .now()) throws {
        let cutoff = Timestamp(microseconds: now.microseconds - Int64(retentionDays) * 86_400_000_000)
        try pool.withConnection { db in
            try EventRepository(db: db).prune(before: cutoff)
            try DeliveryRepository(db: db).prune(before: cutoff)
        }
    }
}
