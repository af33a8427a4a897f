import Foundation
import RegistryDomain
import RegistryStorage

/// This process's claim on the `deliverer` lease: taken when free or expired, renewed while held.
/// An attempt starts only while the lease has more than `attemptBudget` left, so a holder never
/// delivers after another could have taken over (between processes whose clocks agree).
final class LeaseKeeper: @unchecked Sendable {   // used from the deliverer's thread only
    static let ttlMS: Int64 = 20_000
    static let attemptBudgetMS: Int64 = 12_000

    let holder: String
    private let pool: ConnectionPool
    private var heldUntilMS: Int64 = 0

    init(pool: ConnectionPool) {
        self.pool = pool
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count)
        holder = "\(String(cString: host)):\(getpid()):\(UInt32.random(in: 0...UInt32.max))"
    }

    static func nowMS() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Renewed when less than this is left (every ~5 s while held).
    static let renewBelowMS: Int64 = 15_000

    /// True when this process holds the lease with at least the attempt budget left (renewing it
    /// when less than `renewBelowMS` is left, taking it when it has expired).
    func ensure() throws -> Bool {
        let now = Self.nowMS()
        if heldUntilMS - now > Self.renewBelowMS { return true }
        let got = try pool.withConnection { db -> Bool in
            let lease = EventLease(db: db)
            if heldUntilMS == 0, let current = try lease.current(), current.holder != holder, current.expiresAtMS >= now {
                return false   // someone else's, still valid: a read, no write
            }
            return try lease.acquire(holder: holder, nowMS: now, untilMS: now + Self.ttlMS)
        }
        heldUntilMS = got ? now + Self.ttlMS : 0
        return got && heldUntilMS - now > Self.attemptBudgetMS
    }

    /// Whether the lease is still held with room for one more attempt (no database access).
    var canAttempt: Bool { heldUntilMS - Self.nowMS() > Self.attemptBudgetMS }

    func release() {
        guard heldUntilMS > 0 else { return }
        try? pool.withConnection { try EventLease(db: $0).release(holder: holder) }
        heldUntilMS = 0
    }
}
