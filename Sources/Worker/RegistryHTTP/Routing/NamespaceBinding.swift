import NIOHTTP1

/// How a route meets namespaces, for a key scoped to some (issue 19). Derived from the route's
/// method and pattern once, when the table is built.
enum NamespaceBinding: Sendable, Equatable {
    /// Not about any namespace (public routes; `GET /config`, the server's default level).
    case none
    /// The `{namespace}` path parameter names the namespace.
    case path
    /// A global-form model route or a web UI page: `?namespace=` names the namespace, the global
    /// scope without it.
    case modelQuery
    /// Listings, search, lookup, the events feed: the handler filters to the scope (and refuses
    /// an explicit namespace filter outside it).
    case filtered
    /// Server-wide administration (key management, webhooks, audit logs, metrics, `PUT /config`):
    /// unscoped keys only.
    case unscopedOnly

    static func of(_ method: HTTPMethod, _ pattern: String) -> NamespaceBinding {
        if ["/api-keys", "/webhooks", "/audit-logs", "/metrics"].contains(where: { pattern.hasPrefix($0) }) { return .unscopedOnly }
        // The web UI (issue 18): its home lists and searches (filtered); every other page names a
        // model or namespace by `?namespace=` (absent: the global scope); its static files are public.
        if pattern == "/ui" { return .filtered }
        if pattern.hasPrefix("/ui/static/") { return .none }
        if pattern.hasPrefix("/ui/") { return .modelQuery }
        if pattern == "/config" { return method == .GET ? .none : .unscopedOnly }
        if pattern.contains("{namespace}") { return .path }
        if ["/schemas", "/search", "/schemas/lookup", "/events", "/schemas/{model_name}/namespaces"].contains(pattern) {
            return .filtered
        }
        if pattern.hasPrefix("/schemas/{model_name}") { return .modelQuery }
        return .none
    }
}
