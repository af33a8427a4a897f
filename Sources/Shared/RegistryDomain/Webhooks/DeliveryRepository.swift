import RegistryJSON
import RegistryStorage

/// The SQL of `webhook_deliveries` and `webhook_attempts` (migration 8).
public struct DeliveryRepository {
    public let db: DatabaseConnection

    public init(db: DatabaseConnection) { self.db = db }

    static let columns = """
        id, webhook_id, event_xid, event_seq, event_type, status, attempts, created_at, next_attempt_at, last_attempt_at,
        response_code, duration_ms, error
        """

    @discardableResult
    public func enqueue(webhookID: Int, event: EventPosition, type: String, at now: Timestamp) throws -> Int {
        guard let id = try db.query("""
            INSERT INTO webhook_deliveries (webhook_id, event_xid, event_seq, event_type, status, attempts, created_at,
                                            next_attempt_at)
            VALUES ($1, $2, $3, $4, 'pending', 0, $5, $5) RETURNING id
            """, [.int(Int64(webhookID)), .int(event.xid), .int(event.seq), .text(type), .text(now.storageText)])
            .first?.int(0) else { throw DatabaseError.statementFailed("insert returned no id") }
        return id
    }

    /// The webhook's first pending delivery (deliveries go out in id order).
    public func head(webhookID: Int) throws -> WebhookDelivery? {
        try db.query("""
            SELECT \(Self.columns) FROM webhook_deliveries WHERE webhook_id = $1 AND status = 'pending' ORDER BY id LIMIT 1
            """, [.int(Int64(webhookID))]).first.map(Self.delivery)
    }

    /// The webhook's first `limit` pending deliveries in order, each with its event (nil when
    /// pruned): one query for a round's batch.
    public func pending(webhookID: Int, limit: Int) throws -> [(WebhookDelivery, ChangeEvent?)] {
        try db.query("""
            SELECT d.id, d.webhook_id, d.event_xid, d.event_seq, d.event_type, d.status, d.attempts, d.created_at,
                   d.next_attempt_at, d.last_attempt_at, d.response_code, d.duration_ms, d.error,
                   e.xid, e.seq, e.type, e.occurred_at, e.data
            FROM webhook_deliveries d LEFT JOIN events e ON e.xid = d.event_xid AND e.seq = d.event_seq
            WHERE d.webhook_id = $1 AND d.status = 'pending' ORDER BY d.id LIMIT $2
            """, [.int(Int64(webhookID)), .int(Int64(limit))]).map { row in
            let event = row.isNull(13) ? nil : EventRepository.event(SQLRow(Array(row.values[13...])))
            return (Self.delivery(row), event)
        }
    }

    public func find(id: Int, webhookID: Int) throws -> WebhookDelivery? {
        try db.query("SELECT \(Self.columns) FROM webhook_deliveries WHERE id = $1 AND webhook_id = $2",
                     [.int(Int64(id)), .int(Int64(webhookID))]).first.map(Self.delivery)
    }

    /// Newest first, each with its attempts (one more query for all of them).
    public func list(webhookID: Int, limit: Int, status: String?) throws -> [WebhookDelivery] {
        var deliveries = try page(webhookID: webhookID, limit: limit, status: status)
        guard let oldest = deliveries.last?.id else { return deliveries }
        var history: [Int: [DeliveryAttempt]] = [:]
        for row in try db.query("""
            SELECT delivery_id, attempted_at, response_code, duration_ms, error FROM webhook_attempts
            WHERE webhook_id = $1 AND delivery_id >= $2 ORDER BY delivery_id, id
            """, [.int(Int64(webhookID)), .int(Int64(oldest))]) {
            guard let id = row.int(0), let at = row.string(1).flatMap(Timestamp.init(storage:)) else { continue }
            history[id, default: []].append(DeliveryAttempt(attemptedAt: at, responseCode: row.int(2),
                                                            durationMS: row.int(3) ?? 0, error: row.string(4)))
        }
        for i in deliveries.indices { deliveries[i].history = history[deliveries[i].id] ?? [] }
        return deliveries
    }

    private func page(webhookID: Int, limit: Int, status: String?) throws -> [WebhookDelivery] {
        try db.query("""
            SELECT \(Self.columns) FROM webhook_deliveries
            WHERE webhook_id = $1 AND (CAST($2 AS VARCHAR(16)) IS NULL OR status = CAST($2 AS VARCHAR(16)))
            ORDER BY id DESC LIMIT $3
            """, [.int(Int64(webhookID)), .optional(status), .int(Int64(limit))]).map(Self.delivery)
    }

    /// Records an attempt and the delivery's new state (`pending` with a next attempt, or final);
    /// nothing when the delivery is gone (its webhook was deleted meanwhile).
    public func record(_ delivery: WebhookDelivery, outcome: DeliveryOutcome, status: WebhookDelivery.Status,
                       nextAttemptAt: Timestamp?, at now: Timestamp) throws {
        let updated = try db.execute("""
            UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, next_attempt_at = $2, last_attempt_at = $3,
                response_code = $4, duration_ms = $5, error = $6
            WHERE id = $7
            """, [.text(status.rawValue), nextAttemptAt.map { .text($0.storageText) } ?? .null, .text(now.storageText),
                  .optional(outcome.responseCode), .int(Int64(outcome.durationMS)), .optional(outcome.error),
                  .int(Int64(delivery.id))])
        guard updated > 0 else { return }
        try db.execute("""
            INSERT INTO webhook_attempts (delivery_id, webhook_id, attempted_at, response_code, duration_ms, error)
            VALUES ($1, $2, $3, $4, $5, $6)
            """, [.int(Int64(delivery.id)), .int(Int64(delivery.webhookID)), .text(now.storageText),
                  .optional(outcome.responseCode), .int(Int64(outcome.durationMS)), .optional(outcome.error)])
    }

    /// Deletes finished deliveries (and their attempts) older than `cutoff`.
    @discardableResult
    public func prune(before cutoff: Timestamp) throws -> Int {
        try db.execute("""
            DELETE FROM webhook_attempts WHERE delivery_id IN
                (SELECT id FROM webhook_deliveries WHERE status <> 'pending' AND created_at < $1)
            """, [.text(cutoff.storageText)])
        return try db.execute("DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < $1",
                              [.text(cutoff.storageText)])
    }

    static func delivery(_ row: SQLRow) -> WebhookDelivery {
        func time(_ i: Int) -> Timestamp? { row.string(i).flatMap(Timestamp.init(storage:)) }
        return WebhookDelivery(
            id: row.int(0) ?? 0, webhookID: row.int(1) ?? 0,
            event: EventPosition(xid: Int64(row.int(2) ?? 0), seq: Int64(row.int(3) ?? 0)), eventType: row.string(4) ?? "",
            status: WebhookDelivery.Status(rawValue: row.string(5) ?? "") ?? .pending, attempts: row.int(6) ?? 0,
            createdAt: time(7) ?? Timestamp(microseconds: 0), nextAttemptAt: time(8), lastAttemptAt: time(9),
            responseCode: row.int(10), durationMS: row.int(11), error: row.string(12))
    }
}
