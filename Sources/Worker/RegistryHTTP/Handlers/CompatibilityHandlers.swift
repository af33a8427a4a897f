import NIOCore
import RegistryJSON
import RegistryRuntime
import RegistrySchemas

/// The compatibility endpoints (issue 14): the level at the server, namespace and model scopes,
/// and the dry run. Each parses the request and calls the services on the thread pool.
struct CompatibilityHandlers {
    let app: Application
    private let config: CompatibilityConfigService
    private let schemas: SchemaService

    /// Which scope a config route addresses.
    enum ScopeForm { case server, namespace, model(ModelPathForm) }

    init(app: Application) {
        self.app = app
        config = CompatibilityConfigService(pool: app.pool, defaultLevel: app.settings.defaultCompatibility, board: app.board)
        schemas = SchemaService(pool: app.pool, defaultCompatibility: app.settings.defaultCompatibility, board: app.board)
    }

    func getConfig(_ form: ScopeForm) -> Handler {
        { [self] request, _ in
            var query = QueryParameters(request)
            let scope = scope(&query, form)
            try query.collector.check()
            return app.answer(request) { [config] in try config.get(scope).json }
        }
    }

    func putConfig(_ form: ScopeForm) -> Handler {
        { [self] request, context in
            var query = QueryParameters(request)
            let scope = scope(&query, form)
            let level = try query.withBody { try CompatibilityLevelInput.body(request) }
            let actor = context.apiKey?.name
            return app.answer(request) { [config] in try config.set(scope, level, by: actor).json }
        }
    }

    func deleteConfig(_ form: ScopeForm) -> Handler {
        { [self] request, context in
            var query = QueryParameters(request)
            let scope = scope(&query, form)
            try query.collector.check()
            let actor = context.apiKey?.name
            return app.answer(request, status: .noContent) { [config] in
                try config.delete(scope, by: actor)
                return nil
            }
        }
    }

    /// The dry run: the registration body, checked at `?level=` or the level in force; nothing stored.
    func check(_ form: ModelPathForm) -> Handler {
        { [self] request, _ in
            var query = QueryParameters(request)
            let key = query.modelKey(form)
            let level = CompatibilityLevelInput.query(&query)
            let submission = try query.withBody { try SchemaCreateBody.read(request) }
            return app.answer(request) { [schemas] in try schemas.checkCompatibility(key, submission, level: level).json }
        }
    }

    private func scope(_ query: inout QueryParameters, _ form: ScopeForm) -> CompatibilityScope {
        switch form {
        case .server: return .server
        case .namespace: return .namespace(query.pathSegment("namespace"))
        case .model(let path): return .model(query.modelKey(path))
        }
    }
}
