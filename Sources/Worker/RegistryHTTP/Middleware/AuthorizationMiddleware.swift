import NIOCore

/// Answers authentication's verdict (401, 403, or the key lookup's error) after the rate limit
/// has counted the request, so that a 429 wins over it.
struct AuthorizationMiddleware: Middleware {
    func handle(_ request: Request, context: RequestContext, next: any Responder) -> EventLoopFuture<Response> {
        if case .refused(let error) = context.authentication { return request.eventLoop.makeFailedFuture(error) }
        return next.respond(to: request, context: context)
    }
}
