import NIOHTTP1

/// An error on its way to `ErrorMappingMiddleware` with headers that its response must carry,
/// as every response of a rate-limited route carries the limit's headers.
struct ErrorWithHeaders: Error {
    let error: any Error
    let headers: HTTPHeaders
}

extension HTTPHeaders {
    /// Each of `headers` replaces the fields of its name, in order.
    mutating func replaceOrAdd(headers: HTTPHeaders) {
        for (name, value) in headers { replaceOrAdd(name: name, value: value) }
    }
}
