import Foundation
import Logging
import RegistryRuntime
import RegistryStorage

/// Shares a server's rate-limit counts with the other servers on its database: every `interval`
/// one worker of the server (the holder of the table's lease) adds the hits counted since its last
/// round to the buckets' rows of `rate_limit_counters` and learns from the new totals how many the
/// other servers counted. A server therefore sees another's hits at most two intervals (plus the
/// rounds' own time) after they were counted: docs/rate-limiting.md has the bound this puts on
/// over-admission.
///
/// A failed round gives its hits back to the table for the next one; the server keeps counting in
/// memory meanwhile, so the limit still holds within it.
final class RateLimitSync: @unchecked Sendable {
    /// Seconds between two rounds.
    static let interval = 0.1
    /// Seconds a lease lasts unrenewed: a worker killed while holding it is replaced within this.
    static let leaseDuration = 1.0

    private let table: RateLimitTable
    private let pool: ConnectionPool
    private let limit: Int
    private let clock: @Sendable () -> Double
    private let failures: DistinctFailureLog
    private let holder = getpid()

    /// `failures`: where a failed round is logged (shared with the limiter's first hits of buckets).
    init(table: RateLimitTable, pool: ConnectionPool, limit: Int, failures: DistinctFailureLog,
         clock: @escaping @Sendable () -> Double) {
        self.table = table
        self.pool = pool
        self.limit = limit
        self.failures = failures
        self.clock = clock
    }

    /// One round, if this process holds (or may take) the lease.
    func runRound() {
        guard table.acquireSyncLease(holder: holder, now: Self.monotonicNanoseconds(),
                                     duration: UInt64(Self.leaseDuration * 1e9)) else { return }
        let pushes = table.takeUnpushed(refreshing: RateLimitWindow(containing: clock()).start, limit: limit)
        guard !pushes.isEmpty else { return }
        do {
            let totals = try pool.withConnection(retryOnBrokenConnection: true) { db in
                let repository = RateLimitRepository(db: db)
                let apply = {
                    try pushes.map { push in
                        push.hits > 0
                            ? try repository.add(hits: push.hits, bucket: push.bucket, windowStart: push.window)
                            : try repository.hits(bucket: push.bucket, windowStart: push.window)
                    }
                }
                // Reads alone need no transaction (on SQLite it would take the write lock).
                return pushes.contains { $0.hits > 0 } ? try db.transaction(apply) : try apply()
            }
            for (push, total) in zip(pushes, totals) { table.settle(push, databaseHits: total) }
            failures.succeeded()
        } catch {
            table.restore(pushes)
            failures.failed(error)
        }
    }

    /// A last round at exit by the lease's holder, which then lets another worker take it at once.
    func finish() {
        runRound()
        table.releaseSyncLease(holder: holder)
    }

    /// The monotonic clock, which every process of the machine reads alike (the lease's clock).
    private static func monotonicNanoseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }
}
