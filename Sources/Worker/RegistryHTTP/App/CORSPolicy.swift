import Foundation
import NIOHTTP1
import RegistryRuntime

/// CORS as Starlette's middleware answers it with the four `CORS_*` settings (contract §1.4),
/// plus `Access-Control-Expose-Headers` so browsers can read the request id and the rate limit.
struct CORSPolicy {
    private let origins: Set<String>
    private let allowAllOrigins: Bool
    private let allowCredentials: Bool
    private let methods: [String]
    private let headers: [String]
    private let allowAllHeaders: Bool

    private static let allMethods = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]
    private static let exposed = "X-Correlation-ID, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After"

    init(_ settings: Settings) {
        origins = Set(settings.corsOrigins)
        allowAllOrigins = settings.corsOrigins.contains("*")
        allowCredentials = settings.corsAllowCredentials
        methods = settings.corsAllowMethods.contains("*") ? Self.allMethods : settings.corsAllowMethods.map { $0.uppercased() }
        allowAllHeaders = settings.corsAllowHeaders.contains("*")
        headers = settings.corsAllowHeaders
    }

    static func isPreflight(_ request: Request) -> Bool {
        request.method == .OPTIONS && request.headers.first(name: "Origin") != nil
            && request.headers.first(name: "Access-Control-Request-Method") != nil
    }

    /// The answer to a preflight: 200 `OK`, or 400 naming what is not allowed.
    func preflight(_ request: Request) -> Response {
        let origin = request.headers.first(name: "Origin") ?? ""
        let requestedMethod = request.headers.first(name: "Access-Control-Request-Method") ?? ""
        let requestedHeaders = request.headers.first(name: "Access-Control-Request-Headers")
        var out = HTTPHeaders()
        out.add(name: "Vary", value: "Origin")
        out.add(name: "Access-Control-Allow-Methods", value: methods.joined(separator: ", "))
        out.add(name: "Access-Control-Max-Age", value: "600")
        if allowCredentials { out.add(name: "Access-Control-Allow-Credentials", value: "true") }
        var failures: [String] = []
        if isAllowed(origin) {
            out.add(name: "Access-Control-Allow-Origin", value: allowAllOrigins && !allowCredentials ? "*" : origin)
        } else {
            failures.append("origin")
        }
        if !methods.contains(requestedMethod.uppercased()) { failures.append("method") }
        if let requestedHeaders {
            if allowAllHeaders {
                out.add(name: "Access-Control-Allow-Headers", value: requestedHeaders)
            } else {
                let allowed = Set((headers + ["Accept", "Accept-Language", "Content-Language", "Content-Type"]).map { $0.lowercased() })
                let asked = requestedHeaders.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
                if !asked.allSatisfy({ allowed.contains($0) }) { failures.append("headers") }
                out.add(name: "Access-Control-Allow-Headers", value: headers.joined(separator: ", "))
            }
        }
        out.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        if failures.isEmpty { return Response(status: .ok, headers: out, body: Array("OK".utf8)) }
        return Response(status: .badRequest, headers: out, body: Array("Disallowed CORS \(failures.joined(separator: ", "))".utf8))
    }

    /// Whether `decorate` adds anything to the response: the request comes from an allowed origin.
    func decorates(_ request: Request) -> Bool {
        guard let origin = request.headers.first(name: "Origin") else { return false }
        return isAllowed(origin)
    }

    /// Adds the CORS headers of an actual (non-preflight) request's response.
    func decorate(_ response: inout Response, for request: Request) {
        guard let origin = request.headers.first(name: "Origin"), isAllowed(origin) else { return }
        let echo = !allowAllOrigins || request.headers.first(name: "Cookie") != nil
        response.headers.replaceOrAdd(name: "Access-Control-Allow-Origin", value: echo ? origin : "*")
        if echo { response.headers.add(name: "Vary", value: "Origin") }
        if allowCredentials { response.headers.replaceOrAdd(name: "Access-Control-Allow-Credentials", value: "true") }
        response.headers.replaceOrAdd(name: "Access-Control-Expose-Headers", value: Self.exposed)
    }

    private func isAllowed(_ origin: String) -> Bool { allowAllOrigins || origins.contains(origin) }
}
