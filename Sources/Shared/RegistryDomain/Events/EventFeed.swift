import RegistryJSON
import RegistryRuntime
import RegistryStorage

/// `GET /events`: the outbox in feed order. Key events are shown to ADMIN (or with authentication
/// off) only; for others they are left out, and a filter that names only key events is refused
/// by the handler (403). Blocking: call it off the event loop.
public struct EventFeed: Sendable {
    public let pool: ConnectionPool

    public init(pool: ConnectionPool) { self.pool = pool }

    public struct Page: Sendable {
        public let events: [ChangeEvent]
        public let hasMore: Bool
    }

    /// `scope`: a scoped key's namespaces (its events only).
    public func page(after: EventPosition, types: [EventType], namespace: String?, scope: KeyScope? = nil,
                     limit: Int) throws -> Page {
        let rows = try pool.withConnection {
            try EventRepository(db: $0).after(after, types: types, namespace: namespace, scope: scope, limit: limit + 1)
        }
        return Page(events: Array(rows.prefix(limit)), hasMore: rows.count > limit)
    }
}
