import NIOCore
import NIOHTTP1
import RegistryJSON

/// A response before it meets the wire; the connection handler adds Content-Length and friends.
struct Response: Sendable {
    var status: HTTPResponseStatus
    var headers: HTTPHeaders
    var body: [UInt8]

    init(status: HTTPResponseStatus, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static func json(_ value: JSONValue, status: HTTPResponseStatus = .ok) -> Response {
        var body: [UInt8] = []
        value.write(into: &body)
        return Response(status: status, headers: ["Content-Type": "application/json"], body: body)
    }

    /// `{"detail": "<text>"}`, the shape of every application error.
    static func detail(_ text: String, status: HTTPResponseStatus) -> Response {
        json(["detail": .string(text)], status: status)
    }
}

/// An error a handler throws to answer with `{"detail": …}`.
struct HTTPError: Error {
    let status: HTTPResponseStatus
    let detail: String
    var headers: HTTPHeaders = HTTPHeaders()

    var response: Response {
        var response = Response.detail(detail, status: status)
        for (name, value) in headers { response.headers.add(name: name, value: value) }
        return response
    }
}
