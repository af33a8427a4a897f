/// The route table, in the contract's precedence order (§1.3), with two deliberate changes:
/// the global GET routes for one version come before the namespaced list/compare routes, so
/// `/schemas/{model}/versions/compare` and `…/versions/versions` read as versions of a global model
/// (§13.17); and `…/undeprecate` is an addition.
enum Routes {
    static func make(_ app: Application) -> Router {
        var router = Router()
        let root = RootHandler(app: app)
        let health = HealthHandlers(app: app)
        let schemas = SchemaHandlers(app: app)
        router.add(.GET, "/", root.info)
        router.add(.GET, "/health", health.detailed)
        router.add(.GET, "/health/live", health.live)
        router.add(.GET, "/health/ready", health.ready)

        router.add(.POST, "/schemas/{namespace}/{model_name}/versions", schemas.register(.namespaced))
        router.add(.GET, "/schemas/{namespace}/{model_name}/versions/latest", schemas.latest(.namespaced))
        router.add(.GET, "/schemas/{namespace}/{model_name}/versions/{version}", schemas.get(.namespaced))
        router.add(.GET, "/schemas/{model_name}/versions/latest", schemas.latest(.global))
        router.add(.GET, "/schemas/{model_name}/versions/{version}", schemas.get(.global))
        router.add(.GET, "/schemas/{namespace}/{model_name}/versions", schemas.versions(.namespaced))
        router.add(.GET, "/schemas/{namespace}/{model_name}/compare", schemas.compare(.namespaced))
        router.add(.DELETE, "/schemas/{namespace}/{model_name}/versions/{version}", schemas.delete(.namespaced))
        router.add(.POST, "/schemas/{namespace}/{model_name}/versions/{version}/deprecate", schemas.deprecate(.namespaced, deprecated: true))
        router.add(.POST, "/schemas/{namespace}/{model_name}/versions/{version}/undeprecate", schemas.deprecate(.namespaced, deprecated: false))
        router.add(.POST, "/schemas/{model_name}/versions", schemas.register(.global))
        router.add(.GET, "/schemas/{model_name}/versions", schemas.versions(.global))
        router.add(.GET, "/schemas/{model_name}/compare", schemas.compare(.global))
        router.add(.DELETE, "/schemas/{model_name}/versions/{version}", schemas.delete(.global))
        router.add(.POST, "/schemas/{model_name}/versions/{version}/deprecate", schemas.deprecate(.global, deprecated: true))
        router.add(.POST, "/schemas/{model_name}/versions/{version}/undeprecate", schemas.deprecate(.global, deprecated: false))
        router.add(.GET, "/schemas/{model_name}/namespaces", schemas.namespaces)
        router.add(.GET, "/schemas", schemas.list)
        return router
    }
}
