import Foundation
import RegistryDomain
import RegistryStorage

/// This process's claim on the `deliverer` lease: taken when free or expired, renewed while held.
/// Expiry is on the database's clock (`EventLease`); this process counts what it has left on its
/// own monotonic clock from the moment it *sent* the statement that took or renewed the lease, which
/// is never later than the database's reading, so its count ends first. An attempt starts only while
/// more than `attemptBudget` is left, so a holder never delivers after another could have taken
/// over, whatever the servers' wall clocks say.
final class LeaseKeeper: @unchecked Sendable {   // used from the deliverer's thread only
    static let ttlMS: Int64 = 20_000
    static let attemptBudgetMS: Int64 = 12_000
    /// Renewed when less than this is left (every ~5 s while held).
    static let renewBelowMS: Int64 = 15_000

    let holder: String
    private let pool: ConnectionPool
    /// `MonotonicClock` nanoseconds at which this process stops counting on the lease (0: not held).
    private var heldUntil: UInt64 = 0

    init(pool: ConnectionPool) {
        self.pool = pool
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        holder = "\(String(cString: host)):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"
    }

    private static func remainingMS(until: UInt64) -> Int64 {
        let now = MonotonicClock.now
        return until > now ? Int64((until - now) / 1_000_000) : 0
    }

    /// True when this process holds the lease with at least the attempt budget left (renewing it
    /// when less than `renewBelowMS` is left, taking it when it has expired).
    func ensure() throws -> Bool {
        if Self.remainingMS(until: heldUntil) > Self.renewBelowMS { return true }
        let sent = MonotonicClock.now
        let got = try pool.withConnection { db -> Bool in
            let lease = EventLease(db: db)
            if heldUntil == 0, let current = try lease.current(), current.holder != holder, current.remainingMS >= 0 {
                return false   // someone else's, still valid: a read, no write
            }
            return try lease.acquire(holder: holder, ttlMS: Self.ttlMS)
        }
        heldUntil = got ? sent + UInt64(Self.ttlMS) * 1_000_000 : 0
        return got && canAttempt
    }

    /// Whether the lease is still held with room for one more attempt (no database access).
    var canAttempt: Bool { Self.remainingMS(until: heldUntil) > Self.attemptBudgetMS }

    /// The `MonotonicClock` instant after which no attempt may start (0 when the lease is not held).
    var attemptsEnd: UInt64 {
        heldUntil > UInt64(Self.attemptBudgetMS) * 1_000_000 ? heldUntil - UInt64(Self.attemptBudgetMS) * 1_000_000 : 0
    }

    func release() {
        guard heldUntil > 0 else { return }
        try? pool.withConnection { try EventLease(db: $0).release(holder: holder) }
        heldUntil = 0
    }
}
