import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import RegistryDomain
import RegistryTraffic
import RegistryJSON
import RegistryRuntime
import RegistryStorage

/// What every handler and middleware can reach: settings, the database pool and the thread pool
/// that runs blocking database work off the event loops.
public final class Application: Sendable {
    public let settings: Settings
    let pool: ConnectionPool
    let threadPool: NIOThreadPool
    /// Key creation and rotation (bcrypt) run here, not on `threadPool`.
    let hashing = HashingLane()
    /// When the server started (the supervisor's start, so that every worker reports one uptime).
    let startedAt: Timestamp
    let logger: Logger
    let keys: KeyAuthenticator
    let usage: UsageRecorder
    /// Present when auditing is on (authentication and AUDIT_ENABLED).
    let audit: AuditRecorder?
    let cors: CORSPolicy
    /// Present when RATE_LIMIT_ENABLED.
    let rateLimiter: RateLimiter?
    public let metrics = RequestMetrics()
    /// The server's generation counters (shared with the other workers when the supervisor made it).
    let board: ChangeBoard
    let responses: ResponseCache
    private let background: BackgroundWork

    public init(settings: Settings, pool: ConnectionPool, threadPool: NIOThreadPool, startedAt: Timestamp, logger: Logger,
                board: ChangeBoard = .standalone(), rateLimits: RateLimitTable? = nil) {
        self.settings = settings
        self.board = board
        responses = ResponseCache(capacityBytes: settings.responseCacheMB << 20,
                                  ttl: .nanoseconds(Int64(settings.responseCacheTTL * 1e9)))
        self.pool = pool
        self.threadPool = threadPool
        self.startedAt = startedAt
        self.logger = logger
        keys = KeyAuthenticator(pool: pool, board: board)
        usage = UsageRecorder(pool: pool)
        audit = settings.enableAuth && settings.auditEnabled
            ? AuditRecorder(pool: pool, submit: { job in threadPool.submit { _ in job() } }) : nil
        cors = CORSPolicy(settings)
        rateLimiter = settings.rateLimitEnabled
            ? RateLimiter(pool: pool, limit: settings.rateLimitPerMinute, logger: logger, table: rateLimits ?? .standalone())
            : nil
        background = BackgroundWork(settings: settings, keys: keys, usage: usage, audit: audit, rateLimiter: rateLimiter,
                                    logger: logger)
    }

    /// Polls the key-state version and writes batched usage counts and audit rows, off the
    /// event loops, four times a second; syncs the rate-limit counters with the database ten times
    /// a second and deletes past rate-limit windows once a minute.
    public func startBackgroundWork() { background.start() }

    /// Writes what is still queued (at drain).
    public func flushPending() { background.stopAndFlush() }

    /// Runs blocking work (database calls) on the thread pool; the future completes on the
    /// request's event loop. `hashing`: the work mints a key (`HashingLane`).
    func blocking<T: Sendable>(_ request: Request, hashing: Bool = false,
                               _ work: @escaping @Sendable () throws -> T) -> EventLoopFuture<T> {
        if let span = request.span { return tracedBlocking(request, span: span, hashing: hashing, work) }
        return hashing ? self.hashing.run(on: request.eventLoop, work) : threadPool.runIfActive(eventLoop: request.eventLoop, work)
    }

    /// The answer of a handler that reaches the database: `work` runs on the thread pool (after the
    /// handler has read and validated the request on the event loop); its JSON is the response
    /// body (nil: none, as for 204).
    func answer(_ request: Request, status: HTTPResponseStatus = .ok, hashing: Bool = false,
                _ work: @escaping @Sendable () throws -> JSONValue?) -> EventLoopFuture<Response> {
        blocking(request, hashing: hashing, work).map { value in
            value.map { Response.json($0, status: status) } ?? Response(status: status)
        }
    }

    /// What the heartbeat sends to the supervisor: request metrics plus this worker's counters
    /// and gauges.
    public func metricsSnapshot() -> MetricsSnapshot {
        var snapshot = metrics.snapshot
        let cache = keys.cacheCounts
        snapshot.counters["auth_cache_hits_total"] = Double(cache.hits)
        snapshot.counters["auth_cache_misses_total"] = Double(cache.misses)
        snapshot.counters["rate_limit_rejections_total"] = Double(rateLimiter?.rejections ?? 0)
        let usage = pool.usage
        snapshot.gauges["db_pool_connections_open"] = Double(usage.open)
        snapshot.gauges["db_pool_connections_in_use"] = Double(usage.inUse)
        snapshot.gauges["db_pool_capacity"] = Double(pool.capacity)
        let cached = responses.statistics
        snapshot.counters["response_cache_hits_total"] = Double(cached.hits)
        snapshot.counters["response_cache_misses_total"] = Double(cached.misses)
        snapshot.gauges["response_cache_entries"] = Double(cached.entries)
        snapshot.gauges["response_cache_bytes"] = Double(cached.bytes)
        if case .sqlite = pool.url.kind {
            snapshot.gauges["sqlite_memory_bytes"] = Double(SQLiteConnection.memoryInUse)
        }
        return snapshot
    }
}
