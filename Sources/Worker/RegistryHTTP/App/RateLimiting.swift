import NIOCore
import NIOHTTP1
import Shared

/// The authentication and rate-limiting steps in front of a route's handler (README "Rate
/// limiting"). Authentication runs first so that the request's identity is known: a request with
/// a verified key counts against `key:<id>` (a 403 too), any other (no key, an invalid key: a
/// 401, or authentication off) against `ip:<client address>`, so guessing keys is limited as
/// well. Over the limit the answer is 429 whatever authentication said.
///
/// Every response of a limited route, errors included, carries `X-RateLimit-Limit`,
/// `X-RateLimit-Remaining` and `X-RateLimit-Reset` (epoch seconds of the window's end); a 429
/// adds `Retry-After` (seconds). The health probes are not limited; with rate limiting off, or
/// when the counters cannot be reached (fail open), the handler runs as if there were no limit
/// and no rate-limit header is sent.
struct RateLimiting {
    let app: Application

    /// Probes that orchestrators call often and that must always answer.
    static let exemptRoutes: Set<String> = ["/health", "/health/live", "/health/ready"]

    /// `identified` learns the key as soon as it is verified (see `Authentication.check`).
    func admit(_ request: Request, route: Route, identified: @escaping (AuthenticatedKey) -> Void,
               then handler: @escaping (AuthenticatedKey?) -> EventLoopFuture<Response>) -> EventLoopFuture<Response> {
        var verifiedKey: AuthenticatedKey?
        let authenticated = Authentication(app: app).check(request, route: route, identified: { key in
            verifiedKey = key
            identified(key)
        })
        guard let limiter = app.rateLimiter, !Self.exemptRoutes.contains(route.pattern) else {
            return authenticated.flatMap(handler)
        }
        let app = self.app
        return authenticated
            .map { Result<AuthenticatedKey?, Error>.success($0) }
            .recover { .failure($0) }
            .flatMap { outcome in
                let bucket = verifiedKey.map { RateLimitBucket.key(id: $0.id) }
                    ?? .address(ClientAddress.resolve(request, trusted: app.settings.trustedProxies))
                return app.blocking(request) { limiter.count(bucket) }.flatMap { decision in
                    guard let decision else { return Self.proceed(outcome, request, handler) }
                    let answer = decision.isAllowed
                        ? Self.proceed(outcome, request, handler)
                        : request.eventLoop.makeSucceededFuture(Self.refusal(decision))
                    return answer
                        .recover { app.errorResponse($0, request) }
                        .map { response in
                            var limited = response
                            Self.addHeaders(decision, to: &limited)
                            return limited
                        }
                }
            }
    }

    /// What the request gets within its limit: the handler, or authentication's error.
    private static func proceed(_ outcome: Result<AuthenticatedKey?, Error>, _ request: Request,
                                _ handler: (AuthenticatedKey?) -> EventLoopFuture<Response>) -> EventLoopFuture<Response> {
        switch outcome {
        case .success(let key): return handler(key)
        case .failure(let error): return request.eventLoop.makeFailedFuture(error)
        }
    }

    private static func refusal(_ decision: RateLimitDecision) -> Response {
        var response = Response.detail("Rate limit exceeded: \(decision.limit) requests per minute", status: .tooManyRequests)
        response.headers.add(name: "Retry-After", value: String(decision.secondsUntilReset))
        return response
    }

    private static func addHeaders(_ decision: RateLimitDecision, to response: inout Response) {
        response.headers.replaceOrAdd(name: "X-RateLimit-Limit", value: String(decision.limit))
        response.headers.replaceOrAdd(name: "X-RateLimit-Remaining", value: String(decision.remaining))
        response.headers.replaceOrAdd(name: "X-RateLimit-Reset", value: String(decision.resetsAt))
    }
}
