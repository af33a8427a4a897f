import RegistryJSON
import RegistryStorage

/// Counts key uses in memory and adds them to `api_keys` in batches
/// (`use_count = use_count + n`): no database write per request, no lost increments.
public final class UsageRecorder: Sendable {
    private let writes: BatchedWrites<KeyUses>

    public init(pool: ConnectionPool) {
        writes = BatchedWrites(pool: pool) { batch, db in
            let repository = APIKeyRepository(db: db)
            for (id, usage) in batch.byKey.sorted(by: { $0.key < $1.key }) {
                try repository.addUses(id: id, count: usage.count, lastUsed: usage.last)
            }
        }
    }

    public func record(keyID: Int, at time: Timestamp = .now()) {
        writes.add { $0.add(keyID: keyID, count: 1, last: time) }
    }

    /// Writes what has accumulated; on failure the counts are kept for the next flush.
    public func flush() throws { try writes.flush() }
}

/// Uses per key since the last flush, and the latest time each was used.
struct KeyUses: PendingBatch {
    var byKey: [Int: (count: Int, last: Timestamp)] = [:]

    var isEmpty: Bool { byKey.isEmpty }

    mutating func add(keyID: Int, count: Int, last: Timestamp) {
        let current = byKey[keyID]
        byKey[keyID] = ((current?.count ?? 0) + count, max(current?.last ?? last, last))
    }

    mutating func requeue(_ failed: KeyUses) {
        for (id, usage) in failed.byKey { add(keyID: id, count: usage.count, last: usage.last) }
    }
}
