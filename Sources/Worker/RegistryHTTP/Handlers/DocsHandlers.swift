import NIOCore
import Shared

/// Where the documentation lives (also what `GET /` points to, contract §5.1).
enum DocsPaths {
    static let openAPI = "/openapi.json"
    static let swaggerUI = "/docs"
    static let swaggerUIOAuth2Redirect = "/docs/oauth2-redirect"
    static let redoc = "/redoc"
}

/// `/openapi.json` and the HTML pages that show it. Every answer is built once: the document
/// when the route table is complete (`publish`), the pages at start.
final class DocsHandlers {
    private var document = Response(status: .serviceUnavailable)
    private let swaggerPage: Response
    private let redocPage: Response
    private static let oauth2RedirectPage = html(DocsPages.oauth2Redirect)

    init(settings: Settings) {
        swaggerPage = Self.html(DocsPages.swaggerUI(title: settings.appName, openAPIPath: DocsPaths.openAPI,
                                                    oauth2RedirectPath: DocsPaths.swaggerUIOAuth2Redirect))
        redocPage = Self.html(DocsPages.redoc(title: settings.appName, openAPIPath: DocsPaths.openAPI))
    }

    /// Called once, before the server accepts connections.
    func publish(_ openAPI: JSONValue) {
        document = .json(openAPI)
    }

    func openAPI(_ request: Request) -> EventLoopFuture<Response> {
        request.eventLoop.makeSucceededFuture(document)
    }

    func swaggerUI(_ request: Request) -> EventLoopFuture<Response> {
        request.eventLoop.makeSucceededFuture(swaggerPage)
    }

    func swaggerUIOAuth2Redirect(_ request: Request) -> EventLoopFuture<Response> {
        request.eventLoop.makeSucceededFuture(Self.oauth2RedirectPage)
    }

    func redoc(_ request: Request) -> EventLoopFuture<Response> {
        request.eventLoop.makeSucceededFuture(redocPage)
    }

    private static func html(_ text: String) -> Response {
        Response(status: .ok, headers: ["Content-Type": "text/html; charset=utf-8"], body: Array(text.utf8))
    }
}
