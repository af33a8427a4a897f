import NIOCore
import RegistryDomain
import RegistryJSON

/// `GET /events` (issue 17, READ): the change feed in commit order. `after` (an event id),
/// `limit` (1–1000, default 100), `type` (comma-separated types or families: `schema.*`, `*`),
/// `namespace`. Key events need ADMIN: without it they are left out, and a `type` that names key
/// events is refused with 403. A key scoped to namespaces sees their events only, never key events.
struct EventHandlers {
    let app: Application
    private let feed: EventFeed

    init(app: Application) {
        self.app = app
        feed = EventFeed(pool: app.pool)
    }

    func list(_ request: Request, _ context: RequestContext) throws -> EventLoopFuture<Response> {
        var query = QueryParameters(request)
        var after = EventPosition.start
        if let text = query.string("after") {
            if let position = EventPosition(id: text) { after = position } else {
                query.collector.add("value_error", ["query", "after"], "Value error, not an event id", input: .string(text))
            }
        }
        let limit = query.int("limit", default: 100, minimum: 1, maximum: 1000)
        let namespace = query.string("namespace", maximumLength: 255)
        var types = EventType.allCases
        var namesKeyEvents = false
        if let text = query.string("type") {
            var chosen: [EventType] = []
            for pattern in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !pattern.isEmpty {
                guard let matched = EventType.matching(pattern) else {
                    query.collector.add("enum", ["query", "type"], "Unknown event type '\(pattern)'", input: .string(text))
                    continue
                }
                if pattern != "*" && matched.contains(where: \.isKeyEvent) { namesKeyEvents = true }
                chosen += matched.filter { !chosen.contains($0) }
            }
            types = EventType.allCases.filter(chosen.contains)
        }
        try query.collector.check()
        let admin = !app.settings.enableAuth || context.apiKey?.permission == .admin
        if !admin {
            if namesKeyEvents { throw HTTPError(status: .forbidden, detail: "Insufficient permissions. Required: admin") }
            types.removeAll(where: \.isKeyEvent)
        }
        // A scoped key (issue 19) sees its namespaces' events only; key events are key management.
        let scope = context.apiKey?.scope
        if let scope {
            if namesKeyEvents { throw ScopeCheck.unscopedRequired }
            types.removeAll(where: \.isKeyEvent)
            if let namespace, !scope.permits(namespace) { throw ScopeCheck.forbidden(namespace) }
        }
        return app.answer(request) { [feed, types, after] in
            let page = try feed.page(after: after, types: types, namespace: namespace, scope: scope, limit: limit)
            return [
                "events": .array(page.events.map { .object($0.json()) }),
                "next_after": page.events.last.map { .string($0.id) } ?? (request.query("after").map(JSONValue.string) ?? .null),
                "has_more": .bool(page.hasMore),
            ]
        }
    }
}
