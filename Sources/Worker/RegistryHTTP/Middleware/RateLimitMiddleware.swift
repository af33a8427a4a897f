import NIOCore
import NIOHTTP1
import RegistryTraffic

/// The rate limit in front of a route's handler (docs/rate-limiting.md). It comes after
/// authentication, so that the request's identity is known: a request with a verified key counts
/// against `key:<id>` (a 403 too), any other (no key, an invalid key: a 401, or authentication
/// off) against `ip:<client address>`, so guessing keys is limited as well. Over the limit the
/// answer is 429 whatever authentication said (its verdict is answered after this step).
///
/// Every response of a limited route, errors included, carries `X-RateLimit-Limit`,
/// `X-RateLimit-Remaining` and `X-RateLimit-Reset` (epoch seconds of the window's end); a 429
/// adds `Retry-After` (seconds). The count is taken on the event loop in the server's shared
/// table; only a bucket's first request in the window and a bucket without a slot go to the
/// database (on the thread pool). The health probes are not
/// limited; with rate limiting off (this middleware is then not in the chain), or when a database
/// count cannot be taken (fail open), the request goes on as if there were no limit and no
/// rate-limit header is sent.
struct RateLimitMiddleware: Middleware {
    let limiter: RateLimiter
    let app: Application

    /// Probes that orchestrators call often and that must always answer.
    static let exemptRoutes: Set<String> = ["/health", "/health/live", "/health/ready"]
    /// The same, for the request path: three comparisons of small strings cost less than hashing one.
    private static let exemptList = Array(exemptRoutes)

    func handle(_ request: Request, context: RequestContext, next: any Responder) -> EventLoopFuture<Response> {
        guard let route = context.route, !Self.exemptList.contains(route.pattern) else {
            return next.respond(to: request, context: context)
        }
        let bucket = context.apiKey.map { RateLimitBucket.key(id: $0.id) }
            ?? .address(ClientAddress.resolve(request, trusted: app.settings.trustedProxies))
        let pending: RateLimitDatabaseCount
        switch limiter.countInMemory(bucket) {
        case .decided(let decision): return Self.apply(decision, request: request, context: context, next: next)
        case .needsDatabase(let count): pending = count
        }
        return app.blocking(request) { [limiter] in limiter.countInDatabase(pending) }.flatMap { decision in
            guard let decision else { return next.respond(to: request, context: context) }
            return Self.apply(decision, request: request, context: context, next: next)
        }
    }

    private static func apply(_ decision: RateLimitDecision, request: Request, context: RequestContext,
                              next: any Responder) -> EventLoopFuture<Response> {
        guard decision.isAllowed else {
            var refusal = refusal(decision)
            refusal.headers.replaceOrAdd(headers: headers(decision))
            return request.eventLoop.makeSucceededFuture(refusal)
        }
        let headers = headers(decision)
        return next.respond(to: request, context: context)
            .map { response in
                var limited = response
                // No handler sets these, so appending is replacing (without searching every header).
                limited.headers.add(contentsOf: headers)
                return limited
            }
            .flatMapErrorThrowing { error in throw ErrorWithHeaders(error: error, headers: headers) }
    }

    private static func refusal(_ decision: RateLimitDecision) -> Response {
        var response = Response.detail("Rate limit exceeded: \(decision.limit) requests per minute", status: .tooManyRequests)
        response.headers.add(name: "Retry-After", value: String(decision.secondsUntilReset))
        return response
    }

    private static func headers(_ decision: RateLimitDecision) -> HTTPHeaders {
        [
            "X-RateLimit-Limit": String(decision.limit),
            "X-RateLimit-Remaining": String(decision.remaining),
            "X-RateLimit-Reset": String(decision.resetsAt),
        ]
    }
}
