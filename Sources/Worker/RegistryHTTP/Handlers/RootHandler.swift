import NIOCore
import RegistryJSON
import RegistryRuntime

/// `GET /`: name, version and where to look next (contract §5.1).
struct RootHandler {
    private let response: Response

    init(app: Application) {
        let settings = app.settings
        let docs: JSONValue = settings.isProduction ? .null : .string(DocsPaths.swaggerUI)
        let redoc: JSONValue = settings.isProduction ? .null : .string(DocsPaths.redoc)
        response = .json([
            "name": .string(settings.appName),
            "version": .string(settings.appVersion),
            "environment": .string(settings.environment.rawValue),
            "documentation": ["swagger": docs, "redoc": redoc, "openapi": .string(DocsPaths.openAPI)],
            "endpoints": ["health": "/health", "schemas": "/schemas"],
            "repository": .string(AppInfo.repository),
        ])
    }

    func info(_ request: Request, _ context: RequestContext) -> EventLoopFuture<Response> {
        request.eventLoop.makeSucceededFuture(response)
    }
}
