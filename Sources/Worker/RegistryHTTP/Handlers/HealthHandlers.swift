import NIOCore
import RegistryDomain
import RegistryJSON
import RegistryStorage

/// The probes of contract §5: `/health` (detailed), `/health/live`, `/health/ready`.
struct HealthHandlers {
    let app: Application
    private let service: HealthService
    private static let alive = Response.json(["alive": true])
    private static let ready = Response.json(["ready": true])
    private static let notReady = Response.json(["ready": false], status: .serviceUnavailable)

    init(app: Application) {
        self.app = app
        service = HealthService(pool: app.pool)
    }

    func live(_ request: Request, _ context: RequestContext) -> EventLoopFuture<Response> {
        request.eventLoop.makeSucceededFuture(Self.alive)
    }

    func ready(_ request: Request, _ context: RequestContext) -> EventLoopFuture<Response> {
        app.blocking(request) { try service.schemaCount() }
            .map { _ in Self.ready }
            .recover { _ in Self.notReady }
    }

    func detailed(_ request: Request, _ context: RequestContext) -> EventLoopFuture<Response> {
        let settings = app.settings
        let startedAt = app.startedAt
        return app.blocking(request) { try service.schemaCount() }
            .map { count -> Response in
                let now = Timestamp.now()
                return .json([
                    "status": "healthy",
                    "version": .string(settings.appVersion),
                    "environment": .string(settings.environment.rawValue),
                    "database": ["type": .string(DatabaseURL.scheme(of: settings.databaseURL)), "connected": true],
                    "schemas_count": .int(count),
                    "uptime_seconds": .double(max(0, now.secondsSinceEpoch - startedAt.secondsSinceEpoch)),
                    "timestamp": .string(now.isoOffset),
                    "healthy": true,
                ])
            }
            .recover { error in
                let message: String
                if let failure = error as? DatabaseError {
                    message = settings.isProduction ? "Database connection failed. Please try again later."
                        : "Database connection failed: \(failure.message)"
                } else {
                    message = settings.isProduction ? "Health check failed. Please try again later."
                        : "Health check failed: \(error)"
                }
                return .json(["status": "unhealthy", "error": .string(message), "timestamp": .string(Timestamp.now().isoOffset),
                              "healthy": false],
                             status: .serviceUnavailable)
            }
    }
}
