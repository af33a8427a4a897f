import Foundation
import NIOCore
import NIOHTTP1
import RegistryDomain

/// The authentication step in front of protected routes (contract §2): credential → key (401)
/// → permission (403) → namespace scope (403, issue 19: `ScopeCheck`). A key seen before is
/// answered from the worker's cache on the event loop; only a new key goes to the thread pool
/// (database lookup by lookup id, one bcrypt).
///
/// It never answers the request itself: it puts the verified key into the context as soon as it
/// is known (before the permission check, so that a 403 is audited and rate-limited with its
/// key) and records its verdict, which `AuthorizationMiddleware` answers after the rate limit.
struct AuthenticationMiddleware: Middleware {
    let app: Application

    static let challenge = "Bearer, ApiKey realm=\"Registry\""

    func handle(_ request: Request, context: RequestContext, next: any Responder) -> EventLoopFuture<Response> {
        guard let required = context.route?.permission else { return next.respond(to: request, context: context) }
        guard let presented = Self.credential(request.headers) else {
            var refused = context
            refused.authentication = .refused(Self.unauthorized("API key required. Provide via X-API-Key header or Bearer token."))
            return next.respond(to: request, context: refused)
        }
        let fingerprint = KeyMaterial.fingerprint(presented)
        if let cached = app.keys.cached(fingerprint: fingerprint) {
            return next.respond(to: request, context: identify(.success(cached), required: required, request, context))
        }
        let keys = app.keys
        return app.blocking(request) { try keys.authenticate(presented, fingerprint: fingerprint) }
            .map { Result<AuthenticatedKey?, any Error>.success($0) }
            .recover { .failure($0) }
            .flatMap { [self] found in next.respond(to: request, context: identify(found, required: required, request, context)) }
    }

    /// The context with what the lookup `found` (nil: no such key): the key and the verdict.
    private func identify(_ found: Result<AuthenticatedKey?, any Error>, required: Permission,
                          _ request: Request, _ context: RequestContext) -> RequestContext {
        var context = context
        switch found {
        case .failure(let error):
            context.authentication = .refused(error)
        case .success(nil):
            context.authentication = .refused(Self.unauthorized("Invalid API key"))
        case .success(let key?):
            app.usage.record(keyID: key.id)
            context.apiKey = key
            if !key.permission.satisfies(required) {
                context.authentication = .refused(HTTPError(status: .forbidden,
                                                            detail: "Insufficient permissions. Required: \(required.rawValue)"))
            } else if let route = context.route, let refusal = ScopeCheck.refusal(key, route, request) {
                context.authentication = .refused(refusal)
            }
        }
        return context
    }

    /// `X-API-Key` (non-empty) wins over `Authorization: Bearer <token>`.
    static func credential(_ headers: HTTPHeaders) -> String? {
        if let key = headers.first(name: "X-API-Key"), !key.isEmpty { return key }
        guard let authorization = headers.first(name: "Authorization") else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        return token.isEmpty ? nil : token
    }

    private static func unauthorized(_ detail: String) -> HTTPError {
        HTTPError(status: .unauthorized, detail: detail, headers: ["WWW-Authenticate": challenge])
    }
}
