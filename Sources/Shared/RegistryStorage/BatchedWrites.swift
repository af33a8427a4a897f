import Foundation

/// What a `BatchedWrites` gathers between two flushes.
public protocol PendingBatch {
    init()
    var isEmpty: Bool { get }
    /// Puts back a batch whose write failed, in front of what was gathered since (it is older).
    mutating func requeue(_ failed: Self)
}

/// Changes that request handlers gather in memory and the background work writes in one
/// transaction: no database write on the request path. A failed write keeps the batch for the
/// next flush, so nothing is lost while the database is away (each batch bounds its own size).
public final class BatchedWrites<Batch: PendingBatch>: @unchecked Sendable {   // `pending` only under `lock`
    private let pool: ConnectionPool
    private let write: (Batch, DatabaseConnection) throws -> Void
    private let lock = NSLock()
    private var pending = Batch()

    public init(pool: ConnectionPool, write: @escaping (Batch, DatabaseConnection) throws -> Void) {
        self.pool = pool
        self.write = write
    }

    public func add(_ change: (inout Batch) -> Void) {
        lock.lock()
        change(&pending)
        lock.unlock()
    }

    public func flush() throws {
        lock.lock()
        let batch = pending
        pending = Batch()
        lock.unlock()
        guard !batch.isEmpty else { return }
        do {
            try pool.withConnection { db in try db.transaction { try write(batch, db) } }
        } catch {
            lock.lock()
            pending.requeue(batch)
            lock.unlock()
            throw error
        }
    }
}
