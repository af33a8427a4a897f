import Foundation
import NIOCore
import NIOHTTP1
import Shared

/// The authentication step in front of protected routes (contract §2): credential → key (401)
/// → permission (403). A key seen before is answered from the worker's cache on the event loop;
/// only a new key goes to the thread pool (database lookup by lookup id, one bcrypt).
struct Authentication {
    let app: Application

    static let challenge = "Bearer, ApiKey realm=\"Registry\""

    /// The key of the request, or nil when the route needs none.
    /// `identified` learns the key as soon as it is verified, before the permission check, so
    /// that a 403 is audited with its key.
    func check(_ request: Request, route: Route, identified: @escaping (AuthenticatedKey) -> Void) -> EventLoopFuture<AuthenticatedKey?> {
        guard app.settings.enableAuth, let required = route.permission else {
            return request.eventLoop.makeSucceededFuture(nil)
        }
        guard let presented = Self.credential(request.headers) else {
            return request.eventLoop.makeFailedFuture(unauthorized("API key required. Provide via X-API-Key header or Bearer token."))
        }
        let found: EventLoopFuture<AuthenticatedKey?>
        let fingerprint = KeyMaterial.fingerprint(presented)
        if let cached = app.keys.cached(fingerprint: fingerprint) {
            found = request.eventLoop.makeSucceededFuture(cached)
        } else {
            let keys = app.keys
            found = app.blocking(request) { try keys.authenticate(presented, fingerprint: fingerprint) }
        }
        return found.flatMapThrowing { key in
            guard let key else { throw unauthorized("Invalid API key") }
            app.usage.record(keyID: key.id)
            identified(key)
            guard key.permission.satisfies(required) else {
                throw HTTPError(status: .forbidden, detail: "Insufficient permissions. Required: \(required.rawValue)")
            }
            return key
        }
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

    private func unauthorized(_ detail: String) -> HTTPError {
        HTTPError(status: .unauthorized, detail: detail, headers: ["WWW-Authenticate": Self.challenge])
    }
}
