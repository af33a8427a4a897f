import Logging
import NIOCore
import RegistryTracing

/// The worker's request path: the middlewares in order, then the route's handler.
///
///     [tracing] → CORS (preflight) → route matching → [UI] → authentication → observation → error mapping
///       → rate limit → authorization → route
///
/// Authentication only identifies the key and records its verdict; it comes before observation so
/// that the access line and the audit trail know the key, and the verdict is answered (401/403)
/// only after the rate limit, which counts the request against that key and wins over it (429).
/// Error mapping sits inside observation so that an error is observed as the response it becomes.
struct RequestPipeline: Sendable {
    private let chain: any Responder
    private let logger: Logger

    init(app: Application) {
        logger = app.logger
        let router = Routes.make(app)
        var middlewares: [any Middleware] = []
        // Only when OTEL_ENABLED: off, the request path has no tracing step at all.
        if Traces.enabled { middlewares.append(TracingMiddleware()) }
        middlewares.append(CORSMiddleware(policy: app.cors, metrics: app.metrics))
        middlewares.append(RouteMatchingMiddleware(router: router))
        if app.settings.isUIEnabled {
            middlewares.append(UIMiddleware(layout: UILayout(settings: app.settings), authenticationOn: app.settings.enableAuth))
        }
        if app.settings.enableAuth { middlewares.append(AuthenticationMiddleware(app: app)) }
        middlewares.append(ObservationMiddleware(app: app))
        middlewares.append(ErrorMappingMiddleware(isProduction: app.settings.isProduction))
        if let limiter = app.rateLimiter { middlewares.append(RateLimitMiddleware(limiter: limiter, app: app)) }
        if app.settings.enableAuth { middlewares.append(AuthorizationMiddleware()) }
        chain = middlewares.reversed().reduce(RouteEndpoint(settings: app.settings) as any Responder) { next, middleware in
            MiddlewareLink(middleware: middleware, next: next)
        }
    }

    /// The response to `request`, on the request's event loop; never a failed future.
    func respond(to request: Request) -> EventLoopFuture<Response> {
        chain.respond(to: request, context: RequestContext(logger: logger))
    }
}
