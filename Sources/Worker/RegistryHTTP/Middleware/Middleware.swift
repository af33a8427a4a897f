import NIOCore

/// Answers a request: a middleware with the rest of the chain behind it, or the router's endpoint
/// at the chain's end. The future completes on the request's event loop.
protocol Responder: Sendable {
    func respond(to request: Request, context: RequestContext) -> EventLoopFuture<Response>
}

/// One step of the request path, in the spirit of Hummingbird's `RouterMiddleware`: it answers
/// the request itself, or passes it on to `next` (with what it learned added to the context) and
/// may change what comes back. A middleware with nothing to do for a request calls `next`
/// directly, so that it adds no future to the request's path.
protocol Middleware: Sendable {
    func handle(_ request: Request, context: RequestContext, next: any Responder) -> EventLoopFuture<Response>
}

/// A middleware with the rest of the chain behind it.
struct MiddlewareLink: Responder {
    let middleware: any Middleware
    let next: any Responder

    func respond(to request: Request, context: RequestContext) -> EventLoopFuture<Response> {
        middleware.handle(request, context: context, next: next)
    }
}
