import NIOCore
import RegistryRuntime

/// The end of the middleware chain: the matched route's handler, or the answer to a method the
/// path does not have (405 with `Allow`), a path that matches once its trailing slash is added or
/// removed (307) or no path (404).
struct RouteEndpoint: Responder {
    let settings: Settings

    func respond(to request: Request, context: RequestContext) -> EventLoopFuture<Response> {
        switch context.resolution {
        case .matched(let route, _):
            do { return try route.handler(request, context) } catch { return request.eventLoop.makeFailedFuture(error) }
        case .methodNotAllowed(let allow):
            var response = Response.detail("Method Not Allowed", status: .methodNotAllowed)
            response.headers.add(name: "Allow", value: allow.map(\.rawValue).joined(separator: ", "))
            return request.eventLoop.makeSucceededFuture(response)
        case .redirect(let path):
            return request.eventLoop.makeSucceededFuture(redirect(request, to: path))
        case .notFound:
            return request.eventLoop.makeSucceededFuture(.detail("Not Found", status: .notFound))
        }
    }

    private func redirect(_ request: Request, to path: String) -> Response {
        let host = request.headers.first(name: "Host") ?? "\(settings.host):\(settings.port)"
        var location = "http://\(host)\(path)"
        if let query = request.rawQuery { location += "?" + query }
        return Response(status: .temporaryRedirect, headers: ["Location": location])
    }
}
