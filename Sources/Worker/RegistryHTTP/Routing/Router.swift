import NIOHTTP1
import RegistryDomain
import RegistryJSON

/// Routes are tried in order; the first whose path and method match wins (contract §1.3).
/// `HEAD` is answered by the `GET` route of the same path.
struct Router: Sendable {
    enum Resolution: Sendable {
        case matched(Route, parameters: [String: String])
        /// The path exists, the method does not: `Allow` lists the first matching route's methods.
        case methodNotAllowed(allow: [HTTPMethod])
        /// The path matches once a trailing slash is added or removed.
        case redirect(path: String)
        case notFound
    }

    private(set) var routes: [Route] = []
    /// The routes by their number of segments, each list in table order: only those can match a path.
    private var bySegmentCount: [Int: [Route]] = [:]

    /// `doc` documents the route in `/openapi.json`; a route without one is listed there all the same.
    mutating func add(_ method: HTTPMethod, _ pattern: String, _ permission: Permission?, _ handler: @escaping Handler,
                      doc: RouteDoc? = nil) {
        let route = Route(method, pattern, permission: permission, doc: doc, handler)
        routes.append(route)
        bySegmentCount[route.segments.count, default: []].append(route)
    }

    func resolve(_ method: HTTPMethod, path: String) -> Resolution {
        let segments = Route.split(path).map(PercentDecoding.decode)
        let lookup = method == .HEAD ? .GET : method
        var firstPathMatch: Route?
        for route in bySegmentCount[segments.count] ?? [] {
            guard let parameters = route.match(segments) else { continue }
            if route.method == lookup { return .matched(route, parameters: parameters) }
            if firstPathMatch == nil { firstPathMatch = route }
        }
        if let route = firstPathMatch {
            let methods = routes.filter { $0.pattern == route.pattern }.map(\.method)
            return .methodNotAllowed(allow: methods.flatMap { $0 == .GET ? [.GET, .HEAD] : [$0] })
        }
        if path != "/" {
            let other = path.hasSuffix("/") ? String(path.dropLast()) : path + "/"
            let otherSegments = Route.split(other).map(PercentDecoding.decode)
            if (bySegmentCount[otherSegments.count] ?? []).contains(where: { $0.match(otherSegments) != nil }) {
                return .redirect(path: other)
            }
        }
        return .notFound
    }
}
