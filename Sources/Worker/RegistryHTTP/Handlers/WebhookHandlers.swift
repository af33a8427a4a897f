import NIOCore
import RegistryDomain
import RegistryJSON

/// `/webhooks*` (issue 17, ADMIN; open with authentication off, like every route then).
struct WebhookHandlers {
    let app: Application
    private let service: WebhookService

    init(app: Application) {
        self.app = app
        service = WebhookService(pool: app.pool, box: WebhookSecretBox(passphrase: app.settings.webhookSecretKey),
                                 allowPrivate: app.settings.webhookAllowPrivate)
    }

    func create(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        let body = try WebhookBody.read(request, creating: true)
        var fields = WebhookRepository.Fields(url: "", events: ["*"], namespace: nil, description: nil, active: true)
        body.apply(to: &fields)
        let actor = context.apiKey?.name
        return app.answer(request, status: .created) { [service, fields] in
            let created = try service.create(fields, by: actor)
            var json = created.record.json()
            json["secret"] = .string(created.secret)
            return .object(json)
        }
    }

    func list(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        app.answer(request) { [service] in
            let hooks = try service.list()
            return ["webhooks": .array(hooks.map { .object($0.json()) }), "total": .int(hooks.count)]
        }
    }

    func get(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        let id = try Self.id(request, "webhook_id")
        return app.answer(request) { [service] in .object(try service.get(id: id).json()) }
    }

    func update(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        let id = try Self.id(request, "webhook_id")
        let body = try WebhookBody.read(request, creating: false)
        return app.answer(request) { [service] in
            .object(try service.update(id: id) { body.apply(to: &$0) }.json())
        }
    }

    func delete(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        let id = try Self.id(request, "webhook_id")
        return app.answer(request, status: .noContent) { [service] in
            try service.delete(id: id)
            return nil
        }
    }

    func rotateSecret(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        let id = try Self.id(request, "webhook_id")
        var hours = 24
        if let raw = request.body, raw.readableBytes > 0 {
            var fields = BodyFields(try JSONBody.object(request))
            hours = fields.int("grace_period_hours", range: 0...168) ?? 24
            try fields.check()
        }
        return app.answer(request) { [service, hours] in
            let rotated = try service.rotateSecret(id: id, graceHours: Double(hours))
            var json = rotated.record.json()
            json["secret"] = .string(rotated.secret)
            return .object(json)
        }
    }

    func deliveries(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        let id = try Self.id(request, "webhook_id")
        var query = QueryParameters(request)
        let limit = query.int("limit", default: 100, minimum: 1, maximum: 1000)
        let status = query.string("status")
        if let status, WebhookDelivery.Status(rawValue: status) == nil {
            query.collector.add("enum", ["query", "status"], "Input should be 'pending', 'succeeded' or 'failed'",
                                input: .string(status))
        }
        try query.collector.check()
        return app.answer(request) { [service] in
            let rows = try service.deliveries(id: id, limit: limit, status: status)
            return ["deliveries": .array(rows.map { .object($0.json()) }), "total": .int(rows.count)]
        }
    }

    func redeliver(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        let id = try Self.id(request, "webhook_id")
        let deliveryID = try Self.id(request, "delivery_id")
        return app.answer(request, status: .accepted) { [service] in
            .object(try service.redeliver(id: id, deliveryID: deliveryID).json())
        }
    }

    private static func id(_ request: Request, _ name: String) throws -> Int {
        let text = request.parameters[name] ?? ""
        guard let id = Int(text) else {
            throw ValidationFailure(issues: [ValidationIssue(
                type: "int_parsing", location: ["path", .string(name)],
                message: "Input should be a valid integer, unable to parse string as an integer", input: .string(text))])
        }
        return id
    }
}
