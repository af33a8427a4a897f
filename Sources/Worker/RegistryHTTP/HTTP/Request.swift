import NIOCore
import NIOHTTP1
import RegistryJSON
import Tracing

/// One decoded HTTP request, as handlers see it. What the middlewares learn about it travels
/// beside it in `RequestContext`.
struct Request: Sendable {
    let head: HTTPRequestHead
    let body: ByteBuffer?
    let remoteAddress: SocketAddress?
    let eventLoop: EventLoop
    /// The path without its query, percent-decoded segment by segment by the router.
    let path: String
    let rawQuery: String?
    /// Query parameters in order, `+` and percent escapes decoded: parsed once, at arrival.
    let queryItems: [(name: String, value: String)]
    /// The matched route's path parameters (`RouteMatchingMiddleware`).
    var parameters: [String: String] = [:]
    /// The request's server span when tracing is on (`TracingMiddleware`); the thread-pool hop
    /// starts its child span from it. Nil when tracing is off.
    var span: (any Span)?

    init(head: HTTPRequestHead, body: ByteBuffer?, remoteAddress: SocketAddress?, eventLoop: EventLoop) {
        self.head = head
        self.body = body
        self.remoteAddress = remoteAddress
        self.eventLoop = eventLoop
        if let q = head.uri.firstIndex(of: "?") {
            path = String(head.uri[..<q])
            rawQuery = String(head.uri[head.uri.index(after: q)...])
        } else {
            path = head.uri
            rawQuery = nil
        }
        queryItems = Self.parseQuery(rawQuery)
    }

    var method: HTTPMethod { head.method }
    var headers: HTTPHeaders { head.headers }

    private static func parseQuery(_ rawQuery: String?) -> [(name: String, value: String)] {
        guard let rawQuery, !rawQuery.isEmpty else { return [] }
        return rawQuery.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentDecoding.formDecode(parts[0])
            let value = parts.count > 1 ? PercentDecoding.formDecode(parts[1]) : ""
            return (name, value)
        }
    }

    /// The last value given for `name` (as Starlette reads single-valued parameters).
    func query(_ name: String) -> String? {
        queryItems.last { $0.name == name }?.value
    }
}
