import NIOCore
import NIOHTTP1
import RegistryJSON
import RegistrySchemas

/// The schema endpoints (contract §6). Each parses the request, calls `SchemaService` on the
/// thread pool and encodes the answer; the rules live in the service.
struct SchemaHandlers {
    typealias Form = ModelPathForm

    let app: Application
    private let service: SchemaService

    init(app: Application) {
        self.app = app
        service = SchemaService(pool: app.pool, defaultCompatibility: app.settings.defaultCompatibility, board: app.board)
    }

    func register(_ form: Form) -> Handler {
        { [self] request, context in
            var query = QueryParameters(request)
            let key = query.modelKey(form)
            let overwrite = query.bool("allow_overwrite", default: false)
            let submission = try query.withBody { try SchemaCreateBody.read(request) }
            let actor = context.apiKey?.name
            return app.answer(request, status: .created) { [service] in
                try service.register(key, submission, allowOverwrite: overwrite, actor: actor).json
            }
        }
    }

    func get(_ form: Form) -> Handler {
        { [self] request, _ in
            var query = QueryParameters(request)
            let key = query.modelKey(form)
            let version = query.pathText("version")
            try query.collector.check()
            return app.cachedAnswer(request, .version(key, version), generation: generation(key)) { [service] in
                try service.get(key, version: version).json
            }
        }
    }

    func latest(_ form: Form) -> Handler {
        { [self] request, _ in
            var query = QueryParameters(request)
            let key = query.modelKey(form)
            try query.collector.check()
            return app.cachedAnswer(request, .latest(key), generation: generation(key)) { [service] in try service.latest(key).json }
        }
    }

    func versions(_ form: Form) -> Handler {
        { [self] request, _ in
            var query = QueryParameters(request)
            let key = query.modelKey(form)
            try query.collector.check()
            return app.cachedAnswer(request, .versions(key), generation: generation(key)) { [service] in
                ["versions": .array(try service.versions(key).map(JSONValue.string))]
            }
        }
    }

    func compare(_ form: Form) -> Handler {
        { [self] request, _ in
            var query = QueryParameters(request)
            let key = query.modelKey(form)
            let from = query.required("from_version"), to = query.required("to_version")
            try query.collector.check()
            return app.answer(request) { [service] in
                let changes = try service.compare(key, from: from, to: to)
                return [
                    "namespace": key.namespace.map(JSONValue.string) ?? .null,
                    "model_name": .string(key.model),
                    "from_version": .string(from),
                    "to_version": .string(to),
                    "changes": .object(changes),
                ]
            }
        }
    }

    func delete(_ form: Form) -> Handler {
        { [self] request, context in
            var query = QueryParameters(request)
            let key = query.modelKey(form)
            let version = query.pathText("version")
            let force = query.bool("force", default: false)
            try query.collector.check()
            let actor = context.apiKey?.name
            return app.answer(request) { [service] in
                try service.delete(key, version: version, force: force, actor: actor)
                return ["deleted": true, "namespace": key.namespace.map(JSONValue.string) ?? .null,
                        "model_name": .string(key.model), "version": .string(version)]
            }
        }
    }

    func deprecate(_ form: Form, deprecated: Bool) -> Handler {
        { [self] request, context in
            var query = QueryParameters(request)
            let key = query.modelKey(form)
            let version = query.pathText("version")
            let message = deprecated ? query.string("message", maximumLength: 500) : nil
            try query.collector.check()
            let actor = context.apiKey?.name
            return app.answer(request) { [service] in
                try service.setDeprecated(key, version: version, deprecated: deprecated, message: message, actor: actor).json
            }
        }
    }

    func namespaces(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        var query = QueryParameters(request)
        let model = query.pathSegment("model_name")
        try query.collector.check()
        let scope = context.apiKey?.scope
        return app.answer(request) { [service] in ["namespaces": .object(try service.namespaces(model: model, scope: scope))] }
    }

    func list(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        var query = QueryParameters(request)
        let namespace: SchemaListQuery.NamespaceFilter
        switch query.text("namespace") {
        case nil: namespace = .any
        case ""?, "null"?: namespace = .globalOnly
        case let name?: namespace = .exact(name)
        }
        let model = query.text("model_name").flatMap { $0.isEmpty ? nil : $0 }
        let includeDeprecated = query.bool("include_deprecated", default: false)
        let limit = query.int("limit", default: 100, minimum: 1, maximum: 1000)
        let offset = query.int("offset", default: 0, minimum: 0)
        var listQuery = SchemaListQuery(namespace: namespace, model: model, includeDeprecated: includeDeprecated,
                                        limit: limit, offset: offset)
        try query.collector.check()
        try ScopeCheck.require(context.apiKey?.scope, namespace)
        listQuery.keyScope = context.apiKey?.scope
        return app.cachedAnswer(request, .listing(listQuery.cacheKey), generation: app.board.schemas) { [service, listQuery] in
            let listing = try service.list(listQuery)
            return ["schemas": .array(listing.items), "total": .int(listing.items.count), "limit": .int(limit),
                    "offset": .int(offset), "total_count": .int(listing.totalCount)]
        }
    }

    // MARK: -

    /// The model's `ChangeBoard` counter, read before the database is.
    private func generation(_ key: ModelKey) -> UInt64 {
        app.board.model(namespace: key.namespace, model: key.model)
    }
}
