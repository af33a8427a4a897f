import NIOCore
import NIOHTTP1
import RegistryDomain

/// A route's work: it reads and validates the request on the event loop (throwing what is wrong
/// with it) and answers, usually through `Application.answer` for the database work.
typealias Handler = @Sendable (Request, RequestContext) throws -> EventLoopFuture<Response>

/// A method and a path pattern such as `/schemas/{namespace}/{model_name}/versions`. A class:
/// a matched route travels in every request's context, as one reference.
final class Route: Sendable {
    enum Segment: Equatable, Sendable {
        case literal(String)
        case parameter(String)
    }

    let method: HTTPMethod
    let pattern: String
    let segments: [Segment]
    /// The permission a key needs when authentication is on; nil for public routes.
    let permission: Permission?
    /// What the OpenAPI document says about the route beyond its method, path and permission.
    let doc: RouteDoc?
    /// What a key scoped to namespaces may do here (issue 19).
    let namespaceBinding: NamespaceBinding
    let handler: Handler

    init(_ method: HTTPMethod, _ pattern: String, permission: Permission?, doc: RouteDoc? = nil, _ handler: @escaping Handler) {
        self.method = method
        self.pattern = pattern
        self.permission = permission
        self.doc = doc
        self.namespaceBinding = NamespaceBinding.of(method, pattern)
        self.segments = Route.split(pattern).map { part in
            part.hasPrefix("{") && part.hasSuffix("}") ? .parameter(String(part.dropFirst().dropLast())) : .literal(part)
        }
        self.handler = handler
    }

    /// The names of the pattern's parameters, in path order.
    var parameterNames: [String] {
        segments.compactMap { segment in
            if case .parameter(let name) = segment { return name }
            return nil
        }
    }

    /// `/a/b/` → `["a", "b", ""]`; `/` → `[]`.
    static func split(_ path: String) -> [String] {
        guard path != "/" else { return [] }
        var parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        if parts.first == "" { parts.removeFirst() }
        return parts
    }

    /// The path parameters if `segments` (already percent-decoded) fit this pattern. The literals
    /// are compared first: most routes tried for a path differ from it there, and then no
    /// dictionary is built.
    func match(_ path: [String]) -> [String: String]? {
        guard path.count == segments.count else { return nil }
        for (segment, value) in zip(segments, path) {
            switch segment {
            case .literal(let text): if text != value { return nil }
            case .parameter: if value.isEmpty { return nil }
            }
        }
        var parameters: [String: String] = [:]
        for case (.parameter(let name), let value) in zip(segments, path) { parameters[name] = value }
        return parameters
    }
}
