import NIOCore

/// The web UI's step in front of authentication (docs/ui.md): every answer of a `/ui` route gets
/// the UI's security headers (`UIResponse.secure`), whatever produced it; and with authentication
/// on, a page asked for without a key is answered with the key prompt — a page with no data whose
/// script asks for the key once and fetches the page again with `X-API-Key`.
struct UIMiddleware: Middleware {
    let layout: UILayout
    let authenticationOn: Bool
    private let prompt: Response

    init(layout: UILayout, authenticationOn: Bool) {
        self.layout = layout
        self.authenticationOn = authenticationOn
        prompt = UIResponse.html(layout.keyPrompt(), status: .ok)
    }

    func handle(_ request: Request, context: RequestContext, next: any Responder) -> EventLoopFuture<Response> {
        guard let route = context.route, route.pattern == UIPaths.home || route.pattern.hasPrefix(UIPaths.home + "/") else {
            return next.respond(to: request, context: context)
        }
        if authenticationOn, route.permission != nil, request.method == .GET,
           AuthenticationMiddleware.credential(request.headers) == nil {
            var answer = prompt
            UIResponse.secure(&answer.headers)
            return request.eventLoop.makeSucceededFuture(answer)
        }
        return next.respond(to: request, context: context).map { response in
            var response = response
            UIResponse.secure(&response.headers)
            return response
        }
    }
}
