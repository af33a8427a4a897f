import NIOCore

/// Resolves the method and path against the route table, for the steps after it: the route's
/// permission and pattern (authentication, rate limit, metrics) and its path parameters. What is
/// not a match (405, redirect, 404) is answered at the end of the chain, so that it is observed
/// like any other response.
struct RouteMatchingMiddleware: Middleware {
    let router: Router

    func handle(_ request: Request, context: RequestContext, next: any Responder) -> EventLoopFuture<Response> {
        var request = request, context = context
        context.resolution = router.resolve(request.method, path: request.path)
        if case .matched(_, let parameters) = context.resolution { request.parameters = parameters }
        return next.respond(to: request, context: context)
    }
}
