import Logging
import NIOCore
import RegistryDomain

/// What the middlewares learn about one request, passed down the chain beside it. A value: what a
/// middleware adds is seen by the steps after it, never by the ones before.
struct RequestContext: Sendable {
    /// When the request reached the pipeline: the start of the duration in metrics, the access
    /// line and the audit trail.
    let startedAt: NIODeadline
    /// The request's logger: with tracing on, its metadata carries `trace_id` and `span_id`.
    var logger: Logger
    /// What the router made of the method and path (`RouteMatchingMiddleware`).
    var resolution = Router.Resolution.notFound
    /// `X-Correlation-ID` of the response and the logs (`ObservationMiddleware`).
    var correlationID = ""
    /// The key that authenticated the request (auth on, protected route), known as soon as it is
    /// verified: before the permission check, so that a 403 is audited and rate-limited with it.
    var apiKey: AuthenticatedKey?
    /// Authentication's verdict, answered by `AuthorizationMiddleware` (after the rate limit).
    var authentication = AuthenticationVerdict.admitted

    init(startedAt: NIODeadline = .now(), logger: Logger) {
        self.startedAt = startedAt
        self.logger = logger
    }

    /// The matched route, if any.
    var route: Route? {
        if case .matched(let route, _) = resolution { return route }
        return nil
    }

    /// The route's pattern, or what stands for it in the request metrics.
    var routeLabel: String { route?.pattern ?? "unmatched" }

    var secondsSinceStart: Double { Double((NIODeadline.now() - startedAt).nanoseconds) / 1e9 }
}

/// Whether the request may reach its route as far as authentication is concerned.
enum AuthenticationVerdict: Sendable {
    case admitted
    /// 401 (no or invalid key), 403 (insufficient permission), or the error of the key lookup.
    case refused(any Error)
}
