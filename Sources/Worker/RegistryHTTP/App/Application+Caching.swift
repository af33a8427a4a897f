import NIOCore
import NIOHTTP1
import RegistryJSON

extension Application {
    /// The answer of a cacheable read: from the response cache on the event loop when it holds
    /// `key` under `generation` (the `ChangeBoard` counter, read before anything else), else
    /// `work` on the thread pool, kept for the next request. Either way with its ETag, and 304
    /// when `If-None-Match` names it.
    func cachedAnswer(_ request: Request, _ key: ResponseCache.Key, generation: UInt64,
                      _ work: @escaping @Sendable () throws -> JSONValue) -> EventLoopFuture<Response> {
        if let entry = responses.lookup(key, generation: generation) {
            return request.eventLoop.makeSucceededFuture(response(entry, request))
        }
        // The entry's age counts from before the database read, so that the TTL bounds how old
        // the state it shows can be.
        let readAt = NIODeadline.now()
        return blocking(request, work).map { [self] value in
            var body: [UInt8] = []
            value.write(into: &body)
            return response(responses.store(key, body: body, generation: generation, now: readAt), request)
        }
    }

    private func response(_ entry: ResponseCache.Entry, _ request: Request) -> Response {
        // Clients may keep answers but must revalidate each time; with keys, only the client's own cache.
        let headers: HTTPHeaders = ["ETag": entry.etag, "Cache-Control": settings.enableAuth ? "private, no-cache" : "no-cache"]
        if EntityTag.matches(request.headers, entry.etag) { return Response(status: .notModified, headers: headers) }
        var response = Response(status: .ok, headers: ["Content-Type": "application/json"], body: entry.body)
        response.headers.add(contentsOf: headers)
        return response
    }
}
