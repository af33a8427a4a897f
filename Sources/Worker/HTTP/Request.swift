import NIOCore
import NIOHTTP1
import Shared

/// One decoded HTTP request, as handlers see it.
struct Request {
    let head: HTTPRequestHead
    let body: ByteBuffer?
    let remoteAddress: SocketAddress?
    let eventLoop: EventLoop
    /// The path without its query, percent-decoded segment by segment by the router.
    let path: String
    let rawQuery: String?
    var parameters: [String: String] = [:]
    var correlationID = ""
    /// The key that authenticated the request (auth on, protected route).
    var apiKey: AuthenticatedKey?

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
    }

    var method: HTTPMethod { head.method }
    var headers: HTTPHeaders { head.headers }

    /// Query parameters in order, `+` and percent escapes decoded.
    var queryItems: [(name: String, value: String)] {
        guard let rawQuery, !rawQuery.isEmpty else { return [] }
        return rawQuery.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = URLDecoding.formDecode(parts[0])
            let value = parts.count > 1 ? URLDecoding.formDecode(parts[1]) : ""
            return (name, value)
        }
    }

    /// The last value given for `name` (as Starlette reads single-valued parameters).
    func query(_ name: String) -> String? {
        queryItems.last { $0.name == name }?.value
    }
}

enum URLDecoding {
    static func formDecode<S: StringProtocol>(_ text: S) -> String {
        percentDecode(text.replacingOccurrences(of: "+", with: " "))
    }

    /// Percent-decodes; invalid escapes stay as written, invalid UTF-8 becomes U+FFFD.
    static func percentDecode<S: StringProtocol>(_ text: S) -> String {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "%"), i + 2 < utf8.count,
               let hi = hex(utf8[i + 1]), let lo = hex(utf8[i + 2]) {
                bytes.append(hi << 4 | lo)
                i += 3
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
