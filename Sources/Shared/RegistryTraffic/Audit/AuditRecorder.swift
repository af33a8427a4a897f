import Foundation
import RegistryJSON
import RegistryStorage

/// Writes audit rows before their requests are answered (issue 19): no acknowledged change exists
/// without its row, even when the worker is killed right after answering, and a reader who queries
/// the trail after a response finds the response's row.
///
/// Rows that arrive while a write is in progress wait and go together in the next transaction
/// (group commit), so a burst costs a few commits, not one per request. A row whose write fails
/// (the database is away) is not held against its request: it is answered, and the row is kept
/// for the background flush, which retries (bounded, so a dead database cannot grow memory without
/// limit).
public final class AuditRecorder: @unchecked Sendable {   // `waiting` and `writing` only under `lock`
    public typealias Stored = @Sendable (Error?) -> Void

    private let pool: ConnectionPool
    private let submit: @Sendable (@escaping @Sendable () -> Void) -> Void
    private let retries: BatchedWrites<AuditQueue>
    private let lock = NSLock()
    private var waiting: [(entry: AuditEntry, stored: Stored)] = []
    private var writing = false

    /// `submit` runs a blocking job off the event loop (the worker's thread pool).
    public init(pool: ConnectionPool, submit: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void) {
        self.pool = pool
        self.submit = submit
        retries = BatchedWrites(pool: pool) { batch, db in try Self.insert(batch.entries, db) }
    }

    /// Stores `entry`, then calls `stored` (with the error when the row could only be queued).
    public func store(_ entry: AuditEntry, stored: @escaping Stored) {
        lock.lock()
        waiting.append((entry, stored))
        let start = !writing
        writing = true
        lock.unlock()
        if start { submit { [self] in writeWhileWaiting() } }
    }

    /// Retries the rows whose write failed (background work and drain).
    public func flush() throws { try retries.flush() }

    private func writeWhileWaiting() {
        while true {
            lock.lock()
            let batch = waiting
            waiting = []
            if batch.isEmpty { writing = false }
            lock.unlock()
            if batch.isEmpty { return }
            let entries = batch.map(\.entry)
            do {
                try pool.withConnection { db in try db.transaction { try Self.insert(entries, db) } }
                batch.forEach { $0.stored(nil) }
            } catch {
                retries.add { queue in entries.forEach { queue.append($0) } }
                batch.forEach { $0.stored(error) }
            }
        }
    }

    private static func insert(_ entries: [AuditEntry], _ db: DatabaseConnection) throws {
        let repository = AuditRepository(db: db)
        for entry in entries { try repository.insert(entry) }
    }
}

/// Audit entries in arrival order, at most `limit` of them (later ones are dropped).
struct AuditQueue: PendingBatch {
    static let limit = 100_000
    var entries: [AuditEntry] = []

    var isEmpty: Bool { entries.isEmpty }

    mutating func append(_ entry: AuditEntry) {
        if entries.count < Self.limit { entries.append(entry) }
    }

    mutating func requeue(_ failed: AuditQueue) {
        entries.insert(contentsOf: failed.entries.prefix(Self.limit - entries.count), at: 0)
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
