import Foundation
import Logging
import RegistryJSON
import RegistryStorage

/// Fixed-window rate limiting with its counters in the database, so that every worker of every
/// pod counts against the same numbers: at most `limit` requests per bucket per wall-clock
/// minute, exactly (one atomic upsert per request).
///
/// When the counter cannot be reached the limiter fails open: the request is served, uncounted,
/// and the failure is logged as a warning once per distinct error text (again after a recovery).
/// A registry that refused all traffic while its counters were unavailable would turn a database
/// hiccup into an outage; the database outage itself already fails the requests that need data.
public final class RateLimiter: @unchecked Sendable {
    public let limit: Int
    private let pool: ConnectionPool
    private let logger: Logger
    private let clock: @Sendable () -> Double

    private let lock = NSLock()
    private var rejectionCount = 0
    private var lastFailure: String?
    private var purgedBefore = Int64.min

    /// `clock` gives unix seconds (tests move it).
    public init(pool: ConnectionPool, limit: Int, logger: Logger,
                clock: @escaping @Sendable () -> Double = { Timestamp.now().secondsSinceEpoch }) {
        self.pool = pool
        self.limit = limit
        self.logger = logger
        self.clock = clock
    }

    /// Requests refused with 429 by this process since it started.
    public var rejections: Int {
        lock.lock()
        defer { lock.unlock() }
        return rejectionCount
    }

    /// Counts one request of `bucket`. Blocking (one database statement): call it off the event
    /// loop. Nil when the counter could not be reached (the request is to be served).
    public func count(_ bucket: RateLimitBucket) -> RateLimitDecision? {
        let now = clock()
        let window = RateLimitWindow(containing: now)
        let hits: Int
        do {
            // A statement repeated on a fresh connection after a database restart counts one hit
            // twice at worst; without the retry every stale pooled connection would fail open.
            hits = try pool.withConnection(retryOnBrokenConnection: true) { db in
                try RateLimitRepository(db: db).hit(bucket: bucket.name, windowStart: window.start)
            }
        } catch {
            noteFailure(error)
            return nil
        }
        let decision = RateLimitDecision(limit: limit, hits: hits, window: window, countedAt: now)
        lock.lock()
        if !decision.isAllowed { rejectionCount += 1 }
        let recovered = lastFailure != nil
        lastFailure = nil
        lock.unlock()
        if recovered { logger.info("rate limit counters reachable again") }
        return decision
    }

    /// Deletes the counters of past windows, at most once per window per process: call it from a
    /// background timer. The previous window is kept too, so that a pod whose clock runs a little
    /// ahead does not delete counters that pods still in that minute are using.
    public func purgeExpiredWindows() throws {
        let keepFrom = RateLimitWindow(containing: clock()).start - RateLimitWindow.length
        lock.lock()
        let due = keepFrom > purgedBefore
        lock.unlock()
        guard due else { return }
        _ = try pool.withConnection(retryOnBrokenConnection: true) { db in
            try RateLimitRepository(db: db).deleteWindows(before: keepFrom)
        }
        lock.lock()
        purgedBefore = keepFrom
        lock.unlock()
    }

    private func noteFailure(_ error: Error) {
        let text = (error as? DatabaseError)?.message ?? "\(error)"
        lock.lock()
        let isNew = text != lastFailure
        lastFailure = text
        lock.unlock()
        if isNew {
            logger.warning("rate limit counters unavailable; serving requests without limiting",
                           metadata: ["error": "\(text)"])
        }
    }
}
