import RegistryJSON
import RegistryStorage

/// Queues audit entries and writes them in batches off the request path. A failed write is
/// logged by the caller and retried with the next batch (bounded, so a dead database cannot
/// grow memory without limit).
public final class AuditRecorder: Sendable {
    private let writes: BatchedWrites<AuditQueue>

    public init(pool: ConnectionPool) {
        writes = BatchedWrites(pool: pool) { batch, db in
            let repository = AuditRepository(db: db)
            for entry in batch.entries { try repository.insert(entry) }
        }
    }

    public func record(_ entry: AuditEntry) {
        writes.add { $0.append(entry) }
    }

    public func flush() throws { try writes.flush() }
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
