import NIOCore
import NIOHTTP1
import RegistryDomain
import RegistryJSON

/// `/api-keys*` (contract §8; the scope routes of issue 19). All ADMIN, and unscoped (`ScopeCheck`). With authentication off, every key endpoint answers
/// 400 (the reference left all but create/rotate open, §13.4); the CLI manages keys then.
struct APIKeyHandlers {
    let app: Application
    private let service: APIKeyService

    static let disabled = RegistryError.badRequest("Authentication is disabled. Enable it to manage API keys.")

    init(app: Application) {
        self.app = app
        service = APIKeyService(pool: app.pool, board: app.board)
    }

    func create(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        var fields = BodyFields(try JSONBody.object(request))
        let name = fields.string("name", required: true, minLength: 3, maxLength: 255)
        let permission = fields.permission("permission", default: .read)
        let description = fields.string("description", required: false, maxLength: 1000)
        let days = fields.int("expires_in_days", range: 1...3650, greaterThan: 0)
        let scope = fields.keyScope("namespaces", required: false)
        try fields.check()
        try requireAuth()
        let creator = context.apiKey?.name ?? "unknown"
        let actor = context.apiKey?.name
        return app.answer(request, status: .created, hashing: true) { [service] in
            let created = try service.create(name: name ?? "", permission: permission, description: description,
                                             expiresInDays: days, createdBy: creator, actor: actor, scope: scope)
            var body = created.record.json()
            body["api_key"] = .string(created.key)
            return .object(body)
        }
    }

    func list(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        var query = QueryParameters(request)
        let includeRevoked = query.bool("include_revoked", default: false)
        var permission: Permission?
        if let text = query.string("permission") {
            permission = Permission(rawValue: text)
            if permission == nil {
                query.collector.add("enum", ["query", "permission"], "Input should be 'read', 'write', 'delete' or 'admin'",
                                    input: .string(text), context: JSONObject([("expected", "'read', 'write', 'delete' or 'admin'")]))
            }
        }
        try query.collector.check()
        try requireAuth()
        return app.answer(request) { [service, permission] in
            let keys = try service.list(includeRevoked: includeRevoked, permission: permission)
            return ["keys": .array(keys.map { .object($0.json()) }), "total": .int(keys.count)]
        }
    }

    func stats(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        try requireAuth()
        return app.answer(request) { [service] in .object(try service.stats()) }
    }

    func get(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        let id = try keyID(request)
        try requireAuth()
        try requireStorable(id)
        return app.answer(request) { [service] in .object(try service.get(id: id).json()) }
    }

    func revoke(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        let id = try keyID(request)
        var fields = BodyFields(try JSONBody.object(request))
        let by = fields.string("revoked_by", required: true, minLength: 1, maxLength: 255)
        let reason = fields.string("reason", required: false, maxLength: 500)
        try fields.check()
        try requireAuth()
        try requireStorable(id)
        let actor = context.apiKey?.name
        return app.answer(request) { [service, keys = app.keys] in
            let record = try service.revoke(id: id, by: by ?? "", reason: reason, actor: actor)
            keys.invalidate()
            return .object(record.json())
        }
    }

    func delete(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        let id = try keyID(request)
        try requireAuth()
        try requireStorable(id)
        let actor = context.apiKey?.name
        return app.answer(request, status: .noContent) { [service, keys = app.keys] in
            try service.delete(id: id, actor: actor)
            keys.invalidate()
            return nil
        }
    }

    func rotate(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        let id = try keyID(request)
        var fields = BodyFields(try JSONBody.object(request))
        let hours = fields.int("grace_period_hours", range: 0...168) ?? 24
        let reason = fields.string("reason", required: false, maxLength: 500)
        try fields.check()
        try requireAuth()
        try requireStorable(id)
        let by = context.apiKey?.name ?? "unknown"
        return app.answer(request, hashing: true) { [service, keys = app.keys] in
            let rotation = try service.rotate(id: id, graceHours: hours, reason: reason, by: by, actor: by)
            keys.invalidate()
            var newKey = rotation.new.record.json()
            newKey["api_key"] = .string(rotation.new.key)
            return [
                "old_key": .object(rotation.old.json()),
                "new_key": .object(newKey),
                "grace_period_ends_at": rotation.graceEndsAt.map { .string($0.isoZulu) } ?? .null,
                "message": .string(rotation.message),
            ]
        }
    }

    /// `GET /api-keys/{key_id}/scope` (issue 19): `{"namespaces": [...] | null}`.
    func getScope(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        let id = try keyID(request)
        try requireAuth()
        try requireStorable(id)
        return app.answer(request) { [service] in
            let scope = try service.scope(id: id)
            return ["namespaces": scope?.json ?? .null]
        }
    }

    /// `PUT /api-keys/{key_id}/scope`: replaces the scope; every worker applies it from its next request.
    func putScope(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        let id = try keyID(request)
        var fields = BodyFields(try JSONBody.object(request))
        let scope = fields.keyScope("namespaces", required: true)
        try fields.check()
        try requireAuth()
        try requireStorable(id)
        let actor = context.apiKey?.name
        return app.answer(request) { [service, keys = app.keys] in
            let stored = try service.setScope(id: id, scope, actor: actor)
            keys.invalidate()
            return ["namespaces": stored?.json ?? .null]
        }
    }

    // MARK: -

    private func requireAuth() throws {
        if !app.settings.enableAuth { throw Self.disabled }
    }

    /// PostgreSQL's `api_keys.id` is a 32-bit integer: a larger id names no key (404), where the
    /// lookup itself would fail with "integer out of range" (503).
    private func requireStorable(_ id: Int) throws {
        if app.settings.usesPostgres32BitIDs, Int32(exactly: id) == nil {
            throw RegistryError.notFound("API key with ID \(id) not found")
        }
    }

    private func keyID(_ request: Request) throws -> Int {
        let text = request.parameters["key_id"] ?? ""
        guard let id = Int(text) else {
            throw ValidationFailure(issues: [ValidationIssue(
                type: "int_parsing", location: ["path", "key_id"],
                message: "Input should be a valid integer, unable to parse string as an integer", input: .string(text))])
        }
        return id
    }
}
