import NIOCore
import RegistryJSON
import RegistrySchemas

/// The discovery endpoints (issue 16): a version's canonical forms, lookup by content, search.
/// Reads only (no audit line); the work is `DiscoveryService`'s, on the thread pool.
struct DiscoveryHandlers {
    let app: Application
    private let service: DiscoveryService

    init(app: Application) {
        self.app = app
        service = app.discoveryService
    }

    func canonical(_ form: ModelPathForm) -> Handler {
        { [self] request, _ in
            var query = QueryParameters(request)
            let key = query.modelKey(form)
            let version = query.pathText("version")
            try query.collector.check()
            let generation = app.board.model(namespace: key.namespace, model: key.model)
            return app.cachedAnswer(request, .canonical(key, version), generation: generation) { [service] in
                try service.canonical(key, version: version).json
            }
        }
    }

    func lookup(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        let query = QueryParameters(request)
        var lookup = try query.withBody { try DiscoveryInput.lookup(request) }
        try ScopeCheck.require(context.apiKey?.scope, lookup.namespace)
        lookup.keyScope = context.apiKey?.scope
        return app.answer(request) { [service, lookup] in
            ["matches": .array(try service.lookup(lookup).map(\.json))]
        }
    }

    func search(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        var query = QueryParameters(request)
        var search = DiscoveryInput.search(&query)
        try query.collector.check()
        try ScopeCheck.require(context.apiKey?.scope, search.namespace)
        search.keyScope = context.apiKey?.scope
        // Like the listing's pages: valid until any schema of this server changes (or the TTL).
        return app.cachedAnswer(request, .search(search.cacheKey), generation: app.board.schemas) { [service, search] in
            let (total, results) = try service.search(search)
            return ["total": .int(total), "results": .array(results.map(\.json))]
        }
    }
}

extension Application {
    /// Searches reuse the words the trigram index found for as long as cached responses are
    /// trusted (`SearchWordCache`).
    var discoveryService: DiscoveryService {
        DiscoveryService(pool: pool, board: board, wordTrust: settings.responseCacheTTL)
    }
}
