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
/// A bucket's first request in a window takes a slot and adds itself to the database's counter, to
/// learn at once what the other servers counted. A bucket the table has no slot for is counted in
/// the database, one atomic upsert per request (exact across servers); when that counter cannot be
/// reached the request is served uncounted (fail open): a registry that refused all traffic while
/// its counters were unavailable would turn a database hiccup into an outage. Failures are logged
/// once per distinct error text.
public final class RateLimiter: @unchecked Sendable {   // the mutable counters only under `lock`
    public let limit: Int
    private let pool: ConnectionPool
    private let table: RateLimitTable
    private let clock: @Sendable () -> Double
    private let sync: RateLimitSync
    /// The database was away for a count that the table keeps (a sync, a bucket's first hit)…
    private let syncFailures: DistinctFailureLog
    /// …or for one that it has no slot for.
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
        syncFailures = DistinctFailureLog(logger: logger,
                                          warning: "rate limit counters could not be synchronised; counting in this server only",
                                          recovery: "rate limit counters synchronised again")
        sync = RateLimitSync(table: table, pool: pool, limit: limit, failures: syncFailures, clock: clock)
        databaseFailures = DistinctFailureLog(logger: logger,
                                              warning: "rate limit counters unavailable; serving requests without limiting",
                                              recovery: "rate limit counters reachable again")
    }

    /// Requests refused with 429 by this process since it started.
    public var rejections: Int { lock.withLock { rejectionCount } }

    /// Counts one request of `bucket` in the shared table: no blocking, so on the event loop. When
    /// the bucket takes a new slot or finds none, the count is finished by `countInDatabase`.
    public func countInMemory(_ bucket: RateLimitBucket) -> RateLimitCount {
        let now = clock()
        let window = RateLimitWindow(containing: now)
        let name = bucket.name
        switch table.hit(name, window: window.start, abandonUnpushedBefore: window.start - RateLimitWindow.length) {
        case .counted(let hits):
            return .decided(decided(RateLimitDecision(limit: limit, hits: hits, window: window, countedAt: now)))
        case .claimed(let claim):
            return .needsDatabase(RateLimitDatabaseCount(bucket: name, window: window, countedAt: now, claim: claim))
        case .noRoom:
            return .needsDatabase(RateLimitDatabaseCount(bucket: name, window: window, countedAt: now, claim: nil))
        }
    }

    /// Finishes a count in the database. Blocking (one statement): call it off the event loop. Nil
    /// when a bucket without a slot could not be counted (the request is to be served).
    public func countInDatabase(_ count: RateLimitDatabaseCount) -> RateLimitDecision? {
        let hits: Int
        do {
            // A statement repeated on a fresh connection after a database restart counts one hit
            // twice at worst; without the retry every stale pooled connection would fail open.
            let total = try pool.withConnection(retryOnBrokenConnection: true) { db in
                try RateLimitRepository(db: db).add(hits: 1, bucket: count.bucket, windowStart: count.window.start)
            }
            hits = count.claim.map { table.seed($0, databaseHits: total) } ?? total
            (count.claim == nil ? databaseFailures : syncFailures).succeeded()
        } catch {
            guard let claim = count.claim else {
                databaseFailures.failed(error)
                return nil
            }
            syncFailures.failed(error)
            hits = table.unseed(claim)
        }
        return decided(RateLimitDecision(limit: limit, hits: hits, window: count.window, countedAt: count.countedAt))
    }

    /// Counts one request of `bucket` in the database alone (as for a bucket the table has no
    /// slot for). Blocking.
    public func countInDatabase(_ bucket: RateLimitBucket) -> RateLimitDecision? {
        let now = clock()
        return countInDatabase(RateLimitDatabaseCount(bucket: bucket.name, window: RateLimitWindow(containing: now),
                                                      countedAt: now, claim: nil))
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
