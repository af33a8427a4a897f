/// The route table, in the contract's precedence order (§1.3).
enum Routes {
    static func make(_ app: Application) -> Router {
        var router = Router()
        let root = RootHandler(app: app)
        let health = HealthHandlers(app: app)
        router.add(.GET, "/", root.info)
        router.add(.GET, "/health", health.detailed)
        router.add(.GET, "/health/live", health.live)
        router.add(.GET, "/health/ready", health.ready)
        return router
    }
}
