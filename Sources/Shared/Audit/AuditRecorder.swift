import Foundation

/// Queues audit entries and writes them in batches off the request path. A failed write is
/// logged by the caller and retried with the next batch (bounded, so a dead database cannot
/// grow memory without limit).
public final class AuditRecorder: @unchecked Sendable {
    private let pool: ConnectionPool
    private let lock = NSLock()
    private var queue: [AuditEntry] = []
    private static let limit = 100_000

    public init(pool: ConnectionPool) { self.pool = pool }

    public func record(_ entry: AuditEntry) {
        lock.lock()
        if queue.count < Self.limit { queue.append(entry) }
        lock.unlock()
    }

    public func flush() throws {
        lock.lock()
        let batch = queue
        queue.removeAll()
        lock.unlock()
        guard !batch.isEmpty else { return }
        do {
            try pool.withConnection { db in
                try db.transaction {
                    for entry in batch { try AuditRepository(db: db).insert(entry) }
                }
            }
        } catch {
            lock.lock()
            queue.insert(contentsOf: batch.prefix(Self.limit - queue.count), at: 0)
            lock.unlock()
            throw error
        }
    }
}

/// Reads the audit trail (`GET /audit-logs`).
public struct AuditLog: Sendable {
    public let pool: ConnectionPool

    public init(pool: ConnectionPool) { self.pool = pool }

    public func search(_ query: AuditQuery) throws -> (rows: [JSONValue], total: Int) {
        try pool.withConnection { try AuditRepository(db: $0).search(query) }
    }
}
