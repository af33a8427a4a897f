import NIOHTTP1

/// Gzips response bodies of at least `minimumSize` bytes for clients that accept gzip.
///
/// Applied to the whole response before it is framed, so Content-Length is the compressed size.
/// A HEAD answer is compressed too (and its body then dropped), so it carries exactly the headers
/// the GET would.
enum ResponseCompression {
    /// The reference's nominal threshold (Starlette's `GZipMiddleware(minimum_size=1000)`).
    static let minimumSize = 1000

    static func apply(to response: inout Response, requestHeaders: HTTPHeaders) {
        guard isCandidate(response) else { return }
        // The representation depends on Accept-Encoding whether or not this client gets gzip.
        addVaryAcceptEncoding(to: &response.headers)
        guard AcceptEncoding(requestHeaders).acceptsGzip,
              let compressed = GzipEncoder.current.compress(response.body),
              compressed.count < response.body.count
        else { return }
        response.body = compressed
        response.headers.replaceOrAdd(name: "Content-Encoding", value: "gzip")
    }

    private static func isCandidate(_ response: Response) -> Bool {
        let code = response.status.code
        return response.body.count >= minimumSize
            && code >= 200 && code != 204 && code != 304
            && !response.headers.contains(name: "Content-Encoding")
    }

    /// Appends to an existing Vary (CORS sets `Vary: Origin`) instead of replacing it.
    private static func addVaryAcceptEncoding(to headers: inout HTTPHeaders) {
        let tokens = headers[canonicalForm: "Vary"].map { $0.lowercased() }
        if tokens.contains("accept-encoding") || tokens.contains("*") { return }
        headers.replaceOrAdd(name: "Vary", value: (headers["Vary"] + ["Accept-Encoding"]).joined(separator: ", "))
    }
}

/// The codings a request's Accept-Encoding headers allow (RFC 9110 §12.5.3).
struct AcceptEncoding {
    /// q-values by lower-cased coding; a coding listed twice keeps its highest q.
    private var weights: [String: Double] = [:]

    init(_ headers: HTTPHeaders) {
        for element in headers[canonicalForm: "Accept-Encoding"] {
            let parts = element.split(separator: ";", omittingEmptySubsequences: false)
            let coding = parts[0].trimmingCharacters(in: .whitespaces).lowercased()
            guard !coding.isEmpty, let q = Self.quality(parts.dropFirst()) else { continue }
            weights[coding] = max(weights[coding] ?? 0, q)
        }
    }

    /// gzip (or its alias x-gzip) with q > 0, or `*` with q > 0 when gzip is not named; never when
    /// the client explicitly prefers identity.
    var acceptsGzip: Bool {
        let named = [weights["gzip"], weights["x-gzip"]].compactMap { $0 }
        let gzip = named.isEmpty ? (weights["*"] ?? 0) : named.max()!
        guard gzip > 0 else { return false }
        if let identity = weights["identity"], identity > gzip { return false }
        return true
    }

    /// The `q` parameter (default 1); nil when it is malformed or out of range, which drops the entry.
    private static func quality<S: Sequence>(_ parameters: S) -> Double? where S.Element == Substring {
        for parameter in parameters {
            let pair = parameter.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == "q" else { continue }
            guard let q = Double(pair[1].trimmingCharacters(in: .whitespaces)), (0...1).contains(q) else { return nil }
            return q
        }
        return 1
    }
}
