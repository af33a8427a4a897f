import NIOHTTP1
import RegistryDomain
import RegistrySchemas

/// A scoped key's limits (issue 19), from what the key carries (cached with it: no query).
/// Outside its namespaces a key gets `403 Key not permitted for namespace '<ns>'` (`<ns>` is
/// `null` for the global scope, as `/schemas/{model}/namespaces` names it); server-wide
/// administration needs an unscoped key.
enum ScopeCheck {
    static let unscopedOnly = "Requires an API key not scoped to namespaces"

    static func forbidden(_ namespace: String?) -> HTTPError {
        HTTPError(status: .forbidden, detail: "Key not permitted for namespace '\(namespace ?? KeyScope.globalLabel)'")
    }

    static var unscopedRequired: HTTPError { HTTPError(status: .forbidden, detail: unscopedOnly) }

    /// The 403 for `key` on `route`, if it is refused there (the route-level check; filtered
    /// routes check their explicit filters in the handler).
    static func refusal(_ key: AuthenticatedKey, _ route: Route, _ request: Request) -> HTTPError? {
        guard let scope = key.scope else { return nil }
        switch route.namespaceBinding {
        case .none, .filtered: return nil
        case .unscopedOnly: return unscopedRequired
        case .path:
            let namespace = request.parameters["namespace"] ?? ""
            return scope.permits(namespace) ? nil : forbidden(namespace)
        case .modelQuery:
            let namespace = request.query("namespace")
            return scope.permits(namespace) ? nil : forbidden(namespace)
        }
    }

    /// An explicit namespace filter of a listing, search or lookup, checked against the scope.
    static func require(_ scope: KeyScope?, _ filter: SchemaListQuery.NamespaceFilter) throws {
        guard let scope else { return }
        switch filter {
        case .any: return
        case .globalOnly: if !scope.permits(nil) { throw forbidden(nil) }
        case .exact(let name): if !scope.permits(name) { throw forbidden(name) }
        }
    }
}
