import RegistryJSON
import RegistryStorage

/// The SQL of `webhooks` (migration 8).
public struct WebhookRepository {
    public let db: DatabaseConnection

    public init(db: DatabaseConnection) { self.db = db }

    static let columns = """
        id, url, events, namespace, description, active, created_at, created_by, updated_at, deactivated_reason,
        previous_secret_expires_at, cursor_xid, cursor_seq
        """

    public struct Fields: Sendable {
        public var url: String
        public var events: [String]
        public var namespace: String?
        public var description: String?
        public var active: Bool

        public init(url: String, events: [String], namespace: String?, description: String?, active: Bool) {
            self.url = url
            self.events = events
            self.namespace = namespace
            self.description = description
            self.active = active
        }
    }

    func insert(_ f: Fields, sealedSecret: String, by: String?, cursor: EventPosition, at now: Timestamp) throws -> Int {
        guard let id = try db.query("""
            INSERT INTO webhooks (url, events, namespace, description, active, secret, created_at, created_by, updated_at,
                                  cursor_xid, cursor_seq)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7, $9, $10) RETURNING id
            """, [.text(f.url), .text(Self.eventsText(f.events)), .optional(f.namespace), .optional(f.description),
                  .bool(f.active), .text(sealedSecret), .text(now.storageText), .optional(by), .int(cursor.xid),
                  .int(cursor.seq)]).first?.int(0) else { throw DatabaseError.statementFailed("insert returned no id") }
        return id
    }

    /// Replaces the editable fields; reactivating clears the reason it was deactivated.
    func update(id: Int, _ f: Fields, at now: Timestamp) throws {
        try db.execute("""
            UPDATE webhooks SET url = $1, events = $2, namespace = $3, description = $4, active = $5, updated_at = $6,
                deactivated_reason = CASE WHEN $5 THEN NULL ELSE deactivated_reason END
            WHERE id = $7
            """, [.text(f.url), .text(Self.eventsText(f.events)), .optional(f.namespace), .optional(f.description),
                  .bool(f.active), .text(now.storageText), .int(Int64(id))])
    }

    func find(id: Int) throws -> WebhookRecord? {
        try db.query("SELECT \(Self.columns) FROM webhooks WHERE id = $1", [.int(Int64(id))]).first.map(Self.record)
    }

    func list() throws -> [WebhookRecord] {
        try db.query("SELECT \(Self.columns) FROM webhooks ORDER BY id").map(Self.record)
    }

    public func active() throws -> [WebhookRecord] {
        try db.query("SELECT \(Self.columns) FROM webhooks WHERE active = $1 ORDER BY id", [.bool(true)]).map(Self.record)
    }

    func delete(id: Int) throws -> Bool {
        try db.execute("DELETE FROM webhook_attempts WHERE webhook_id = $1", [.int(Int64(id))])
        try db.execute("DELETE FROM webhook_deliveries WHERE webhook_id = $1", [.int(Int64(id))])
        return try db.execute("DELETE FROM webhooks WHERE id = $1", [.int(Int64(id))]) > 0
    }

    /// The sealed secrets in force: the current one, then the previous one until its grace ends.
    public func sealedSecrets(id: Int, at now: Timestamp) throws -> [String] {
        guard let row = try db.query("SELECT secret, previous_secret, previous_secret_expires_at FROM webhooks WHERE id = $1",
                                     [.int(Int64(id))]).first, let current = row.string(0) else { return [] }
        var secrets = [current]
        if let previous = row.string(1), let until = row.string(2).flatMap(Timestamp.init(storage:)), now < until {
            secrets.append(previous)
        }
        return secrets
    }

    func rotate(id: Int, sealedSecret: String, previousUntil: Timestamp?, at now: Timestamp) throws {
        if let previousUntil {
            try db.execute("""
                UPDATE webhooks SET previous_secret = secret, previous_secret_expires_at = $1, secret = $2, updated_at = $3
                WHERE id = $4
                """, [.text(previousUntil.storageText), .text(sealedSecret), .text(now.storageText), .int(Int64(id))])
        } else {
            try db.execute("""
                UPDATE webhooks SET previous_secret = NULL, previous_secret_expires_at = NULL, secret = $1, updated_at = $2
                WHERE id = $3
                """, [.text(sealedSecret), .text(now.storageText), .int(Int64(id))])
        }
    }

    public func deactivate(id: Int, reason: String, at now: Timestamp) throws {
        try db.execute("UPDATE webhooks SET active = $1, deactivated_reason = $2, updated_at = $3 WHERE id = $4",
                       [.bool(false), .text(reason), .text(now.storageText), .int(Int64(id))])
    }

    public func moveCursor(id: Int, to position: EventPosition) throws {
        try db.execute("UPDATE webhooks SET cursor_xid = $1, cursor_seq = $2 WHERE id = $3",
                       [.int(position.xid), .int(position.seq), .int(Int64(id))])
    }

    static func eventsText(_ events: [String]) -> String { JSONValue.array(events.map(JSONValue.string)).serialized() }

    static func record(_ row: SQLRow) -> WebhookRecord {
        func time(_ i: Int) -> Timestamp? { row.string(i).flatMap(Timestamp.init(storage:)) }
        var events: [String] = []
        if let text = row.string(2), case .array(let items)? = try? JSONParser.parse(text) {
            events = items.compactMap(\.stringValue)
        }
        return WebhookRecord(
            id: row.int(0) ?? 0, url: row.string(1) ?? "", events: events, namespace: row.string(3), description: row.string(4),
            active: row.bool(5) ?? false, createdAt: time(6) ?? Timestamp(microseconds: 0), createdBy: row.string(7),
            updatedAt: time(8) ?? Timestamp(microseconds: 0), deactivatedReason: row.string(9), previousSecretExpiresAt: time(10),
            cursor: EventPosition(xid: Int64(row.int(11) ?? 0), seq: Int64(row.int(12) ?? 0)))
    }
}
