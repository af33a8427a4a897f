import Foundation
import Logging
import RegistryJSON
import RegistryRuntime
import RegistryStorage

/// Fixed-window rate limiting: at most `limit` requests per bucket per wall-clock minute, counted
/// in the server's shared memory (`RateLimitTable`), exactly across its workers and with no
/// database on the request path, and shared with the other servers on the database by a
/// background sync (`RateLimitSync`, docs/rate-limiting.md has the bound on over-admission).
///
/// A bucket the table has no slot for is counted in the database, one atomic upsert per request
/// (exact across servers). When that counter cannot be reached the request is served uncounted
/// (fail open) and the failure is logged once per distinct error text: a registry that refused all
/// traffic while its counters were unavailable would turn a database hiccup into an outage.
public final class RateLimiter: @unchecked Sendable {   // the mutable counters only under `lock`
    public let limit: Int
    private let pool: ConnectionPool
    private let table: RateLimitTable
    private let clock: @Sendable () -> Double
    private let sync: RateLimitSync
    private let databaseFailures: DistinctFailureLog

    private let lock = NSLock()
    private var rejectionCount = 0
    private var purgedBefore = Int64.min

    /// Seconds between two syncs with the database (`synchronise()`).
    public static let syncInterval = RateLimitSync.interval

    /// `table`: the server's (the shared region's); `clock` gives unix seconds (tests move it).
    public init(pool: ConnectionPool, limit: Int, logger: Logger, table: RateLimitTable = .standalone(),
                clock: @escaping @Sendable () -> Double = { Timestamp.now().secondsSinceEpoch }) {
        self.pool = pool
        self.limit = limit
        self.table = table
        self.clock = clock
        sync = RateLimitSync(table: table, pool: pool, limit: limit, logger: logger, clock: clock)
        databaseFailures = DistinctFailureLog(logger: logger,
                                              warning: "rate limit counters unavailable; serving requests without limiting",
                                              recovery: "rate limit counters reachable again")
    }

    /// Requests refused with 429 by this process since it started.
    public var rejections: Int { lock.withLock { rejectionCount } }

    /// Counts one request of `bucket` in the shared table: no blocking, so on the event loop. Nil
    /// when the table has no slot for the bucket: count it with `countInDatabase` then.
    public func countInMemory(_ bucket: RateLimitBucket) -> RateLimitDecision? {
        let now = clock()
        let window = RateLimitWindow(containing: now)
        guard let hits = table.hit(bucket.name, window: window.start,
                                   abandonUnpushedBefore: window.start - RateLimitWindow.length) else { return nil }
        return decided(RateLimitDecision(limit: limit, hits: hits, window: window, countedAt: now))
    }

    /// Counts one request of `bucket` in the database. Blocking (one statement): call it off the
    /// event loop. Nil when the counter could not be reached (the request is to be served).
    public func countInDatabase(_ bucket: RateLimitBucket) -> RateLimitDecision? {
        let now = clock()
        let window = RateLimitWindow(containing: now)
        let hits: Int
        do {
            // A statement repeated on a fresh connection after a database restart counts one hit
            // twice at worst; without the retry every stale pooled connection would fail open.
            hits = try pool.withConnection(retryOnBrokenConnection: true) { db in
                try RateLimitRepository(db: db).add(hits: 1, bucket: bucket.name, windowStart: window.start)
            }
        } catch {
            databaseFailures.failed(error)
            return nil
        }
        databaseFailures.succeeded()
        return decided(RateLimitDecision(limit: limit, hits: hits, window: window, countedAt: now))
    }

    private func decided(_ decision: RateLimitDecision) -> RateLimitDecision {
        if !decision.isAllowed { lock.withLock { rejectionCount += 1 } }
        return decision
    }

    /// Adds this server's new hits to the database's counters and learns the other servers', if
    /// this process holds the sync's lease (one worker of a server at a time). Blocking: call it
    /// from a background timer every `syncInterval`.
    public func synchronise() { sync.runRound() }

    /// The last sync of this process, at exit; hands the lease over.
    public func finishSynchronising() { sync.finish() }

    /// Deletes the counters of past windows, at most once per window per process: call it from a
    /// background timer. The previous window is kept too, so that a pod whose clock runs a little
    /// ahead does not delete counters that pods still in that minute are using.
    public func purgeExpiredWindows() throws {
        let keepFrom = RateLimitWindow(containing: clock()).start - RateLimitWindow.length
        guard lock.withLock({ keepFrom > purgedBefore }) else { return }
        _ = try pool.withConnection(retryOnBrokenConnection: true) { db in
            try RateLimitRepository(db: db).deleteWindows(before: keepFrom)
        }
        lock.withLock { purgedBefore = keepFrom }
    }
}
