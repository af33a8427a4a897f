import RegistryJSON
import RegistryStorage

/// The SQL of the outbox (`events`, migration 8).
public struct EventRepository {
    public let db: DatabaseConnection

    public init(db: DatabaseConnection) { self.db = db }

    func insert(type: EventType, namespace: String?, model: String?, occurredAt: Timestamp, data: String) throws {
        // `xid` takes its default: 0 on SQLite, the transaction's id on PostgreSQL.
        try db.execute("INSERT INTO events (type, namespace, model_name, occurred_at, data) VALUES ($1, $2, $3, $4, $5)",
                       [.text(type.rawValue), .optional(namespace), .optional(model), .text(occurredAt.storageText), .text(data)])
    }

    /// Only events whose transaction has finished: on PostgreSQL every transaction below the
    /// snapshot's xmin has committed or aborted, and every later one gets a higher id, so nothing
    /// can appear below a position once it has been handed out.
    private var settled: String {
        db.dialect == .postgres ? " AND xid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint" : ""
    }

    private static let columns = "xid, seq, type, occurred_at, data"

    /// Events after `position`, in feed order, of the given types (at most every type), in `namespace`
    /// when given, and within `scope` when given (a scoped key's view).
    public func after(_ position: EventPosition, types: [EventType], namespace: String?, scope: KeyScope? = nil,
                      limit: Int) throws -> [ChangeEvent] {
        guard !types.isEmpty else { return [] }
        let padded = (0..<EventType.allCases.count).map { SQLValue.text(types[min($0, types.count - 1)].rawValue) }
        let typeList = (0..<padded.count).map { "$\($0 + 5)" }.joined(separator: ", ")
        var parameters: [SQLValue] = [.int(position.xid), .int(position.seq), .optional(namespace), .int(Int64(limit))] + padded
        let scoped = scope.map { " AND " + ScopeSQL.condition($0, column: "namespace", &parameters) } ?? ""
        let sql = """
            SELECT \(Self.columns) FROM events
            WHERE (xid > $1 OR (xid = $1 AND seq > $2))
              AND (CAST($3 AS VARCHAR(255)) IS NULL OR namespace = CAST($3 AS VARCHAR(255)))
              AND type IN (\(typeList))\(scoped)\(settled)
            ORDER BY xid, seq LIMIT $4
            """
        return try db.query(sql, parameters).compactMap(Self.event)
    }

    /// One event by position (nil when pruned or not settled yet).
    public func find(_ position: EventPosition) throws -> ChangeEvent? {
        try db.query("SELECT \(Self.columns) FROM events WHERE xid = $1 AND seq = $2",
                     [.int(position.xid), .int(position.seq)]).first.flatMap(Self.event)
    }

    /// The position of the last settled event (`.start` when there is none).
    public func head() throws -> EventPosition {
        let row = try db.query("SELECT xid, seq FROM events WHERE 1 = 1\(settled) ORDER BY xid DESC, seq DESC LIMIT 1").first
        guard let row, let xid = row.int(0), let seq = row.int(1) else { return .start }
        return EventPosition(xid: Int64(xid), seq: Int64(seq))
    }

    /// Deletes events older than `cutoff`; the number deleted.
    @discardableResult
    public func prune(before cutoff: Timestamp) throws -> Int {
        try db.execute("DELETE FROM events WHERE occurred_at < $1", [.text(cutoff.storageText)])
    }

    static func event(_ row: SQLRow) -> ChangeEvent? {
        guard let xid = row.int(0), let seq = row.int(1), let type = row.string(2).flatMap(EventType.init(rawValue:)),
              let occurredAt = row.string(3).flatMap(Timestamp.init(storage:)),
              let text = row.string(4), case .object(let data)? = try? JSONParser.parse(text) else { return nil }
        return ChangeEvent(position: EventPosition(xid: Int64(xid), seq: Int64(seq)), type: type, occurredAt: occurredAt, data: data)
    }
}
