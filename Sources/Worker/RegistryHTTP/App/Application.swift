import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Shared

/// What every handler can reach: settings, the database pool and the thread pool that runs
/// blocking database work off the event loops.
final class Application: @unchecked Sendable {
    let settings: Settings
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
    private(set) var router = Router()
    let cors: CORSPolicy
    /// Present when RATE_LIMIT_ENABLED.
    let rateLimiter: RateLimiter?
    let metrics = RequestMetrics()
    private var background: DispatchSourceTimer?

    init(settings: Settings, pool: ConnectionPool, threadPool: NIOThreadPool, startedAt: Timestamp, logger: Logger) {
        self.settings = settings
        self.pool = pool
        self.threadPool = threadPool
        self.startedAt = startedAt
        self.logger = logger
        keys = KeyAuthenticator(pool: pool)
        usage = UsageRecorder(pool: pool)
        audit = settings.enableAuth && settings.auditEnabled ? AuditRecorder(pool: pool) : nil
        cors = CORSPolicy(settings)
        rateLimiter = settings.rateLimitEnabled
            ? RateLimiter(pool: pool, limit: settings.rateLimitPerMinute, logger: logger) : nil
        router = Routes.make(self)
    }

    /// Polls the key-state version and writes batched usage counts and audit rows, off the
    /// event loops, four times a second; deletes past rate-limit windows once a minute.
    func startBackgroundWork() {
        guard settings.enableAuth || rateLimiter != nil else { return }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "pyrmute.background"))
        timer.schedule(deadline: .now(), repeating: .milliseconds(250))
        var lastError = ""
        timer.setEventHandler { [self] in
            do {
                if settings.enableAuth {
                    try keys.refreshState()
                    try usage.flush()
                    try audit?.flush()
                }
                try rateLimiter?.purgeExpiredWindows()
                lastError = ""
            } catch {
                let text = "\(error)"
                if text != lastError { logger.warning("background database work failed", metadata: ["error": "\(text)"]) }
                lastError = text
            }
        }
        timer.resume()
        background = timer
    }

    /// Writes what is still queued (at drain).
    func flushPending() {
        background?.cancel()
        do {
            try usage.flush()
            try audit?.flush()
        } catch {
            logger.error("could not write usage counts or audit rows at exit", metadata: ["error": "\(error)"])
        }
    }

    /// Runs blocking work (database calls) on the thread pool; the future completes on the
    /// request's event loop.
    func blocking<T>(_ request: Request, hashing: Bool = false, _ work: @escaping () throws -> T) -> EventLoopFuture<T> {
        hashing ? self.hashing.run(on: request.eventLoop, work) : threadPool.runIfActive(eventLoop: request.eventLoop, work)
    }

    /// The shape of every handler that reaches the database: `prepare` parses and validates on the
    /// event loop and returns the blocking work, which runs on the thread pool; its JSON is the
    /// response body (nil: none, as for 204). `hashing`: the work mints a key (`HashingLane`).
    func answer(_ request: Request, status: HTTPResponseStatus = .ok, hashing: Bool = false,
                _ prepare: () throws -> () throws -> JSONValue?) -> EventLoopFuture<Response> {
        let work: () throws -> JSONValue?
        do { work = try prepare() } catch { return request.eventLoop.makeFailedFuture(error) }
        return blocking(request, hashing: hashing) { try work() }.map { value in
            value.map { Response.json($0, status: status) } ?? Response(status: status)
        }
    }

    /// Routes the request and calls `done` on the request's event loop with the response.
    func respond(to incoming: Request, _ done: @escaping (Response) -> Void) {
        // A preflight is answered before routing and authentication, on any path.
        let started = NIODeadline.now()
        if CORSPolicy.isPreflight(incoming) {
            let response = cors.preflight(incoming)
            metrics.record(method: "OPTIONS", route: "preflight", status: Int(response.status.code), seconds: 0)
            return done(response)
        }
        var request = incoming
        request.correlationID = CorrelationID.resolve(request.headers)
        let answer: EventLoopFuture<Response>
        var routeLabel = "unmatched"
        switch router.resolve(request.method, path: request.path) {
        case .matched(let route, let parameters):
            routeLabel = route.pattern
            request.parameters = parameters
            let prepared = request
            answer = RateLimiting(app: self).admit(request, route: route, identified: { request.apiKey = $0 }) { key in
                var authenticated = prepared
                authenticated.apiKey = key
                return route.handler(authenticated)
            }
        case .methodNotAllowed(let allow):
            var response = Response.detail("Method Not Allowed", status: .methodNotAllowed)
            response.headers.add(name: "Allow", value: allow.map(\.rawValue).joined(separator: ", "))
            answer = request.eventLoop.makeSucceededFuture(response)
        case .redirect(let path):
            answer = request.eventLoop.makeSucceededFuture(redirect(request, to: path))
        case .notFound:
            answer = request.eventLoop.makeSucceededFuture(.detail("Not Found", status: .notFound))
        }
        answer.whenComplete { result in
            var response: Response
            switch result {
            case .success(let value): response = value
            case .failure(let error): response = self.errorResponse(error, request)
            }
            response.headers.replaceOrAdd(name: "X-Correlation-ID", value: request.correlationID)
            self.cors.decorate(&response, for: request)
            let seconds = Double((NIODeadline.now() - started).nanoseconds) / 1e9
            self.metrics.record(method: request.method.rawValue, route: routeLabel, status: Int(response.status.code), seconds: seconds)
            if self.settings.enableRequestLogging { self.logAccess(request, response, seconds: seconds) }
            if let audit = self.audit, self.isAudited(request) {
                audit.record(self.auditEntry(request, response, since: started))
            }
            done(response)
        }
    }

    private func isAudited(_ request: Request) -> Bool {
        settings.auditMethods.contains(request.method.rawValue) && settings.auditPaths.contains { request.path.hasPrefix($0) }
    }

    private func auditEntry(_ request: Request, _ response: Response, since started: NIODeadline) -> AuditEntry {
        AuditEntry(timestamp: .now(), apiKeyID: request.apiKey?.id, apiKeyName: request.apiKey?.name,
                   permissionLevel: request.apiKey?.permission.rawValue, method: request.method.rawValue, path: request.path,
                   statusCode: Int(response.status.code), clientIP: ClientAddress.resolve(request, trusted: settings.trustedProxies),
                   userAgent: request.headers.first(name: "User-Agent"), correlationID: request.correlationID,
                   durationMilliseconds: Double((NIODeadline.now() - started).nanoseconds) / 1_000_000)
    }

    private func redirect(_ request: Request, to path: String) -> Response {
        let host = request.headers.first(name: "Host") ?? "\(settings.host):\(settings.port)"
        var location = "http://\(host)\(path)"
        if let query = request.rawQuery { location += "?" + query }
        return Response(status: .temporaryRedirect, headers: ["Location": location])
    }

    func errorResponse(_ error: Error, _ request: Request) -> Response {
        switch error {
        case let error as HTTPError:
            return error.response
        case let failure as ValidationFailure:
            return failure.response
        case let error as RegistryError:
            switch error {
            case .badRequest(let detail): return .detail(detail, status: .badRequest)
            case .notFound(let detail): return .detail(detail, status: .notFound)
            case .conflict(let detail): return .detail(detail, status: .conflict)
            case .unprocessable(let detail): return .detail(detail, status: .unprocessableEntity)
            }
        case let error as DatabaseError:
            logger.error("database error", metadata: ["error": "\(error.message)", "path": "\(request.path)",
                                                      "correlation_id": "\(request.correlationID)"])
            return .detail("Database error occurred. Please try again later.", status: .serviceUnavailable)
        default:
            logger.error("unhandled error", metadata: ["error": "\(error)", "path": "\(request.path)",
                                                       "correlation_id": "\(request.correlationID)"])
            let text = settings.isProduction ? "An unexpected error occurred. Please try again later." : "\(error)"
            return .detail(text, status: .internalServerError)
        }
    }

    /// One line per request (contract §7.13's `request_completed`, plus who and from where; the
    /// log handler adds the worker's pid to every line).
    private func logAccess(_ request: Request, _ response: Response, seconds: Double) {
        logger.info("request_completed", metadata: [
            "method": "\(request.method.rawValue)",
            "path": "\(request.path)",
            "status": "\(response.status.code)",
            "duration_ms": "\((seconds * 1_000_000).rounded() / 1000)",
            "correlation_id": "\(request.correlationID)",
            "client_ip": "\(ClientAddress.resolve(request, trusted: settings.trustedProxies) ?? "-")",
            "api_key_name": "\(request.apiKey?.name ?? "-")",
        ])
    }

    /// What the heartbeat sends to the supervisor: request metrics plus this worker's counters
    /// and gauges.
    func metricsSnapshot() -> MetricsSnapshot {
        var snapshot = metrics.snapshot
        let cache = keys.cacheCounts
        snapshot.counters["auth_cache_hits_total"] = Double(cache.hits)
        snapshot.counters["auth_cache_misses_total"] = Double(cache.misses)
        snapshot.counters["rate_limit_rejections_total"] = Double(rateLimiter?.rejections ?? 0)
        let usage = pool.usage
        snapshot.gauges["db_pool_connections_open"] = Double(usage.open)
        snapshot.gauges["db_pool_connections_in_use"] = Double(usage.inUse)
        snapshot.gauges["db_pool_capacity"] = Double(pool.capacity)
        if case .sqlite = pool.url.kind {
            snapshot.gauges["sqlite_memory_bytes"] = Double(SQLiteConnection.memoryInUse)
        }
        return snapshot
    }
}
