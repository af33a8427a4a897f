import Foundation

/// Counts key uses in memory and adds them to `api_keys` in batches
/// (`use_count = use_count + n`): no database write per request, no lost increments.
public final class UsageRecorder: @unchecked Sendable {
    private let pool: ConnectionPool
    private let lock = NSLock()
    private var pending: [Int: (count: Int, last: Timestamp)] = [:]

    public init(pool: ConnectionPool) { self.pool = pool }

    public func record(keyID: Int, at time: Timestamp = .now()) {
        lock.lock()
        let current = pending[keyID]
        pending[keyID] = ((current?.count ?? 0) + 1, max(current?.last ?? time, time))
        lock.unlock()
    }

    /// Writes what has accumulated; on failure the counts are kept for the next flush.
    public func flush() throws {
        lock.lock()
        let batch = pending
        pending.removeAll()
        lock.unlock()
        guard !batch.isEmpty else { return }
        do {
            try pool.withConnection { db in
                try db.transaction {
                    let repository = APIKeyRepository(db: db)
                    for (id, usage) in batch.sorted(by: { $0.key < $1.key }) {
                        try repository.addUses(id: id, count: usage.count, lastUsed: usage.last)
                    }
                }
            }
        } catch {
            lock.lock()
            for (id, usage) in batch {
                let current = pending[id]
                pending[id] = ((current?.count ?? 0) + usage.count, max(current?.last ?? usage.last, usage.last))
            }
            lock.unlock()
            throw error
        }
    }
}
