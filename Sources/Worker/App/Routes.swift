import Shared

/// The route table, in the contract's precedence order (§1.3), with two deliberate changes:
/// the global GET routes for one version come before the namespaced list/compare routes, so
/// `/schemas/{model}/versions/compare` and `…/versions/versions` read as versions of a global model
/// (§13.17); and `…/undeprecate` and `/audit-logs` are additions. The permission after the path
/// is what a key needs when authentication is on (none: public); namespaced registration needs
/// WRITE like the global form (the reference asked READ, §13.3).
enum Routes {
    static func make(_ app: Application) -> Router {
        var router = Router()
        let root = RootHandler(app: app)
        let health = HealthHandlers(app: app)
        let schemas = SchemaHandlers(app: app)
        router.add(.GET, "/", nil, root.info)
        router.add(.GET, "/health", nil, health.detailed)
        router.add(.GET, "/health/live", nil, health.live)
        router.add(.GET, "/health/ready", nil, health.ready)

        router.add(.POST, "/schemas/{namespace}/{model_name}/versions", .write, schemas.register(.namespaced))
        router.add(.GET, "/schemas/{namespace}/{model_name}/versions/latest", .read, schemas.latest(.namespaced))
        router.add(.GET, "/schemas/{namespace}/{model_name}/versions/{version}", .read, schemas.get(.namespaced))
        router.add(.GET, "/schemas/{model_name}/versions/latest", .read, schemas.latest(.global))
        router.add(.GET, "/schemas/{model_name}/versions/{version}", .read, schemas.get(.global))
        router.add(.GET, "/schemas/{namespace}/{model_name}/versions", .read, schemas.versions(.namespaced))
        router.add(.GET, "/schemas/{namespace}/{model_name}/compare", .read, schemas.compare(.namespaced))
        router.add(.DELETE, "/schemas/{namespace}/{model_name}/versions/{version}", .delete, schemas.delete(.namespaced))
        router.add(.POST, "/schemas/{namespace}/{model_name}/versions/{version}/deprecate", .write, schemas.deprecate(.namespaced, deprecated: true))
        router.add(.POST, "/schemas/{namespace}/{model_name}/versions/{version}/undeprecate", .write, schemas.deprecate(.namespaced, deprecated: false))
        router.add(.POST, "/schemas/{model_name}/versions", .write, schemas.register(.global))
        router.add(.GET, "/schemas/{model_name}/versions", .read, schemas.versions(.global))
        router.add(.GET, "/schemas/{model_name}/compare", .read, schemas.compare(.global))
        router.add(.DELETE, "/schemas/{model_name}/versions/{version}", .delete, schemas.delete(.global))
        router.add(.POST, "/schemas/{model_name}/versions/{version}/deprecate", .write, schemas.deprecate(.global, deprecated: true))
        router.add(.POST, "/schemas/{model_name}/versions/{version}/undeprecate", .write, schemas.deprecate(.global, deprecated: false))
        router.add(.GET, "/schemas/{model_name}/namespaces", .read, schemas.namespaces)
        router.add(.GET, "/schemas", .read, schemas.list)

        let keys = APIKeyHandlers(app: app)
        router.add(.POST, "/api-keys", .admin, keys.create)
        router.add(.GET, "/api-keys", .admin, keys.list)
        router.add(.GET, "/api-keys/stats", .admin, keys.stats)
        router.add(.GET, "/api-keys/{key_id}", .admin, keys.get)
        router.add(.POST, "/api-keys/{key_id}/revoke", .admin, keys.revoke)
        router.add(.DELETE, "/api-keys/{key_id}", .admin, keys.delete)
        router.add(.POST, "/api-keys/{key_id}/rotate", .admin, keys.rotate)
        router.add(.GET, "/audit-logs", .admin, AuditHandlers(app: app).list)
        router.add(.GET, "/metrics", .admin, MetricsHandler(app: app).metrics)
        return router
    }
}
