
/// The route table, in the contract's precedence order (§1.3), with two deliberate changes:
/// the global GET routes for one version come before the namespaced list/compare routes, so
/// `/schemas/{model}/versions/compare` and `…/versions/versions` read as versions of a global model
/// (§13.17); and `…/undeprecate` and `/audit-logs` are additions. The permission after the path
/// is what a key needs when authentication is on (none: public); namespaced registration needs
/// WRITE like the global form (the reference asked READ, §13.3). Each route's `doc` is what
/// `/openapi.json` says about it; the document is generated from this table.
enum Routes {
    static func make(_ app: Application) -> Router {
        // The document describes the table and the table serves the document: a first table,
        // without the document, is what the document is rendered from.
        let draft = table(app, docs: DocsHandlers(settings: app.settings, openAPI: Response(status: .serviceUnavailable)))
        var document = OpenAPIDocument(settings: app.settings)
        document.rateLimitExemptPatterns = RateLimitMiddleware.exemptRoutes
        return table(app, docs: DocsHandlers(settings: app.settings, openAPI: .json(document.render(draft.routes))))
    }

    /// Every route the server answers (add new ones here, so the OpenAPI document lists them).
    private static func table(_ app: Application, docs: DocsHandlers) -> Router {
        var router = Router()
        let root = RootHandler(app: app)
        let health = HealthHandlers(app: app)
        let schemas = SchemaHandlers(app: app)
        router.add(.GET, "/", nil, root.info, doc: .root)
        router.add(.GET, "/health", nil, health.detailed, doc: .health)
        router.add(.GET, "/health/live", nil, health.live, doc: .liveness)
        router.add(.GET, "/health/ready", nil, health.ready, doc: .readiness)

        router.add(.GET, DocsPaths.openAPI, nil, docs.openAPI, doc: .openAPIDocument)
        if !app.settings.isProduction {
            router.add(.GET, DocsPaths.swaggerUI, nil, docs.swaggerUI, doc: .swaggerUI)
            router.add(.GET, DocsPaths.swaggerUIOAuth2Redirect, nil, docs.swaggerUIOAuth2Redirect, doc: .swaggerUIOAuth2Redirect)
            router.add(.GET, DocsPaths.redoc, nil, docs.redoc, doc: .redoc)
        }
        if app.settings.isUIEnabled {
            // The web UI (issue 18, docs/ui.md): pages need READ like the JSON they show.
            let ui = UIHandlers(app: app)
            router.add(.GET, UIPaths.home, .read, ui.home, doc: .uiHome)
            router.add(.GET, UIPaths.namespacePath, .read, ui.namespace, doc: .uiNamespace)
            router.add(.GET, UIPaths.modelPath, .read, ui.model, doc: .uiModel)
            router.add(.GET, UIPaths.versionPath, .read, ui.version, doc: .uiVersion)
            router.add(.GET, UIPaths.diffPath, .read, ui.diff, doc: .uiDiff)
            router.add(.GET, UIPaths.checkPath, .read, ui.checkForm, doc: .uiCheckForm)
            router.add(.POST, UIPaths.checkPath, .read, ui.check, doc: .uiCheck)
            router.add(.GET, UIPaths.script, nil, ui.script, doc: .uiScript)
            router.add(.GET, UIPaths.stylesheet, nil, ui.stylesheet, doc: .uiStylesheet)
            router.add(.GET, UIPaths.icon, nil, ui.icon, doc: .uiIcon)
        }

        // The compatibility routes come first: a path such as `/schemas/a/versions/config` is the
        // config of model `versions` in namespace `a` (no version can be named `config`).
        let compatibility = CompatibilityHandlers(app: app)
        router.add(.GET, "/config", .read, compatibility.getConfig(.server), doc: .getCompatibility(.server))
        router.add(.PUT, "/config", .admin, compatibility.putConfig(.server), doc: .putCompatibility(.server))
        for (pattern, form) in [("/config/namespaces/{namespace}", CompatibilityHandlers.ScopeForm.namespace),
                                ("/schemas/{namespace}/{model_name}/config", .model(.namespaced)),
                                ("/schemas/{model_name}/config", .model(.global))] {
            router.add(.GET, pattern, .read, compatibility.getConfig(form), doc: .getCompatibility(form))
            router.add(.PUT, pattern, .admin, compatibility.putConfig(form), doc: .putCompatibility(form))
            router.add(.DELETE, pattern, .admin, compatibility.deleteConfig(form), doc: .deleteCompatibility(form))
        }
        router.add(.POST, "/schemas/{namespace}/{model_name}/compatibility", .read, compatibility.check(.namespaced),
                   doc: .checkCompatibility(.namespaced))
        router.add(.POST, "/schemas/{model_name}/compatibility", .read, compatibility.check(.global),
                   doc: .checkCompatibility(.global))

        router.add(.POST, "/schemas/{namespace}/{model_name}/versions", .write, schemas.register(.namespaced),
                   doc: .registerSchema(.namespaced))
        router.add(.GET, "/schemas/{namespace}/{model_name}/versions/latest", .read, schemas.latest(.namespaced),
                   doc: .getLatestSchema(.namespaced))
        router.add(.GET, "/schemas/{namespace}/{model_name}/versions/{version}", .read, schemas.get(.namespaced),
                   doc: .getSchemaVersion(.namespaced))
        // Discovery (issue 16). `POST /schemas/lookup` has two segments, which no other route has;
        // the global canonical route comes after the namespaced GET of a version, so that
        // `/schemas/a/versions/versions/canonical` stays the version `canonical` of `a::versions`.
        let discovery = DiscoveryHandlers(app: app)
        router.add(.GET, "/schemas/{namespace}/{model_name}/versions/{version}/canonical", .read, discovery.canonical(.namespaced),
                   doc: .canonicalForms(.namespaced))
        router.add(.GET, "/schemas/{model_name}/versions/{version}/canonical", .read, discovery.canonical(.global),
                   doc: .canonicalForms(.global))
        router.add(.POST, "/schemas/lookup", .read, discovery.lookup, doc: .lookupSchema)
        router.add(.GET, "/search", .read, discovery.search, doc: .search)

        router.add(.GET, "/schemas/{model_name}/versions/latest", .read, schemas.latest(.global), doc: .getLatestSchema(.global))
        router.add(.GET, "/schemas/{model_name}/versions/{version}", .read, schemas.get(.global), doc: .getSchemaVersion(.global))
        router.add(.GET, "/schemas/{namespace}/{model_name}/versions", .read, schemas.versions(.namespaced),
                   doc: .listVersions(.namespaced))
        router.add(.GET, "/schemas/{namespace}/{model_name}/compare", .read, schemas.compare(.namespaced),
                   doc: .compareVersions(.namespaced))
        router.add(.DELETE, "/schemas/{namespace}/{model_name}/versions/{version}", .delete, schemas.delete(.namespaced),
                   doc: .deleteSchemaVersion(.namespaced))
        router.add(.POST, "/schemas/{namespace}/{model_name}/versions/{version}/deprecate", .write,
                   schemas.deprecate(.namespaced, deprecated: true), doc: .deprecateSchemaVersion(.namespaced))
        router.add(.POST, "/schemas/{namespace}/{model_name}/versions/{version}/undeprecate", .write,
                   schemas.deprecate(.namespaced, deprecated: false), doc: .undeprecateSchemaVersion(.namespaced))
        router.add(.POST, "/schemas/{model_name}/versions", .write, schemas.register(.global), doc: .registerSchema(.global))
        router.add(.GET, "/schemas/{model_name}/versions", .read, schemas.versions(.global), doc: .listVersions(.global))
        router.add(.GET, "/schemas/{model_name}/compare", .read, schemas.compare(.global), doc: .compareVersions(.global))
        router.add(.DELETE, "/schemas/{model_name}/versions/{version}", .delete, schemas.delete(.global),
                   doc: .deleteSchemaVersion(.global))
        router.add(.POST, "/schemas/{model_name}/versions/{version}/deprecate", .write, schemas.deprecate(.global, deprecated: true),
                   doc: .deprecateSchemaVersion(.global))
        router.add(.POST, "/schemas/{model_name}/versions/{version}/undeprecate", .write,
                   schemas.deprecate(.global, deprecated: false), doc: .undeprecateSchemaVersion(.global))
        router.add(.GET, "/schemas/{model_name}/namespaces", .read, schemas.namespaces, doc: .listModelNamespaces)
        router.add(.GET, "/schemas", .read, schemas.list, doc: .listSchemas)

        let keys = APIKeyHandlers(app: app)
        router.add(.POST, "/api-keys", .admin, keys.create, doc: .createAPIKey)
        router.add(.GET, "/api-keys", .admin, keys.list, doc: .listAPIKeys)
        router.add(.GET, "/api-keys/stats", .admin, keys.stats, doc: .apiKeyStats)
        router.add(.GET, "/api-keys/{key_id}", .admin, keys.get, doc: .getAPIKey)
        router.add(.POST, "/api-keys/{key_id}/revoke", .admin, keys.revoke, doc: .revokeAPIKey)
        router.add(.DELETE, "/api-keys/{key_id}", .admin, keys.delete, doc: .deleteAPIKey)
        router.add(.POST, "/api-keys/{key_id}/rotate", .admin, keys.rotate, doc: .rotateAPIKey)
        router.add(.GET, "/api-keys/{key_id}/scope", .admin, keys.getScope, doc: .getAPIKeyScope)
        router.add(.PUT, "/api-keys/{key_id}/scope", .admin, keys.putScope, doc: .putAPIKeyScope)
        let events = EventHandlers(app: app)
        router.add(.GET, "/events", .read, events.list, doc: .listEvents)
        let webhooks = WebhookHandlers(app: app)
        router.add(.POST, "/webhooks", .admin, webhooks.create, doc: .createWebhook)
        router.add(.GET, "/webhooks", .admin, webhooks.list, doc: .listWebhooks)
        router.add(.GET, "/webhooks/{webhook_id}", .admin, webhooks.get, doc: .getWebhook)
        router.add(.PATCH, "/webhooks/{webhook_id}", .admin, webhooks.update, doc: .updateWebhook)
        router.add(.DELETE, "/webhooks/{webhook_id}", .admin, webhooks.delete, doc: .deleteWebhook)
        router.add(.POST, "/webhooks/{webhook_id}/rotate-secret", .admin, webhooks.rotateSecret, doc: .rotateWebhookSecret)
        router.add(.GET, "/webhooks/{webhook_id}/deliveries", .admin, webhooks.deliveries, doc: .listWebhookDeliveries)
        router.add(.POST, "/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver", .admin, webhooks.redeliver,
                   doc: .redeliverWebhookDelivery)
        router.add(.GET, "/audit-logs", .admin, AuditHandlers(app: app).list, doc: .listAuditLogs)
        router.add(.GET, "/metrics", .admin, MetricsHandler(app: app).metrics, doc: .metrics)
        return router
    }
}
