import NIOCore
import RegistryRuntime

/// Where the documentation lives (also what `GET /` points to, contract §5.1).
enum DocsPaths {
    static let openAPI = "/openapi.json"
    static let swaggerUI = "/docs"
    static let swaggerUIOAuth2Redirect = "/docs/oauth2-redirect"
    static let redoc = "/redoc"
}

/// `/openapi.json` and the HTML pages that show it. Every answer is built once, at start (the
/// document from the route table, `Routes.make`).
struct DocsHandlers {
    private let document: Response
    private let swaggerPage: Response
    private let redocPage: Response
    private static let oauth2RedirectPage = html(DocsPages.oauth2Redirect)

    init(settings: Settings, openAPI document: Response) {
        self.document = document
        swaggerPage = Self.html(DocsPages.swaggerUI(title: settings.appName, openAPIPath: DocsPaths.openAPI,
                                                    oauth2RedirectPath: DocsPaths.swaggerUIOAuth2Redirect,
                                                    uiPath: settings.isUIEnabled ? UIPaths.home : nil))
        redocPage = Self.html(DocsPages.redoc(title: settings.appName, openAPIPath: DocsPaths.openAPI))
    }

    func openAPI(_ request: Request, _ context: RequestContext) -> EventLoopFuture<Response> {
        request.eventLoop.makeSucceededFuture(document)
    }

    func swaggerUI(_ request: Request, _ context: RequestContext) -> EventLoopFuture<Response> {
        request.eventLoop.makeSucceededFuture(swaggerPage)
    }

    func swaggerUIOAuth2Redirect(_ request: Request, _ context: RequestContext) -> EventLoopFuture<Response> {
        request.eventLoop.makeSucceededFuture(Self.oauth2RedirectPage)
    }

    func redoc(_ request: Request, _ context: RequestContext) -> EventLoopFuture<Response> {
        request.eventLoop.makeSucceededFuture(redocPage)
    }

    private static func html(_ text: String) -> Response {
        Response(status: .ok, headers: ["Content-Type": "text/html; charset=utf-8"], body: Array(text.utf8))
    }
}
