import NIOCore

/// Answers a CORS preflight before routing and authentication, on any path (it is counted in the
/// metrics under the route "preflight" and not logged or audited), and adds the CORS headers to
/// the response of an actual request from an allowed origin.
struct CORSMiddleware: Middleware {
    let policy: CORSPolicy
    let metrics: RequestMetrics

    func handle(_ request: Request, context: RequestContext, next: any Responder) -> EventLoopFuture<Response> {
        if CORSPolicy.isPreflight(request) {
            let response = policy.preflight(request)
            metrics.record(method: "OPTIONS", route: "preflight", status: Int(response.status.code), seconds: 0)
            return request.eventLoop.makeSucceededFuture(response)
        }
        guard policy.decorates(request) else { return next.respond(to: request, context: context) }
        return next.respond(to: request, context: context).map { [policy] response in
            var response = response
            policy.decorate(&response, for: request)
            return response
        }
    }
}
