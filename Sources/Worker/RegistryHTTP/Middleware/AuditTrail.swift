import NIOCore
import RegistryTraffic
import RegistryRuntime

/// The audit rows of the audited requests (AUDIT_METHODS on a path under one of AUDIT_PATHS, and,
/// whatever those say, the admin changes outside the contract's paths: every change of a
/// compatibility level, of a webhook and of a key's scope), stored before the answer is sent.
struct AuditTrail {
    let recorder: AuditRecorder
    let settings: Settings

    /// Whether the request gets an audit row (its route is known by now).
    func covers(_ request: Request, _ context: RequestContext) -> Bool {
        (isAudited(request) && !isReadWithBody(context)) || isCompatibilityChange(request, context)
            || isWebhookChange(request, context) || isScopeChange(request, context)
    }

    /// Succeeds once the request's row is stored (or queued for a retry when the database
    /// refused it: the change it records has happened, so its answer is not held back).
    func record(_ request: Request, _ response: Response, _ context: RequestContext) -> EventLoopFuture<Void> {
        let promise = request.eventLoop.makePromise(of: Void.self)
        let logger = context.logger
        recorder.store(AuditEntry(
            timestamp: .now(), apiKeyID: context.apiKey?.id, apiKeyName: context.apiKey?.name,
            permissionLevel: context.apiKey?.permission.rawValue, method: request.method.rawValue, path: request.path,
            statusCode: Int(response.status.code), clientIP: ClientAddress.resolve(request, trusted: settings.trustedProxies),
            userAgent: request.headers.first(name: "User-Agent"), correlationID: context.correlationID,
            durationMilliseconds: Double((NIODeadline.now() - context.startedAt).nanoseconds) / 1_000_000)) { error in
            if let error { logger.warning("audit row not stored yet; retrying in the background", metadata: ["error": "\(error)"]) }
            promise.succeed(())
        }
        return promise.futureResult
    }

    /// `PUT`/`DELETE` of a `…/config` route: issue 14 asks that every such change be audited.
    private func isCompatibilityChange(_ request: Request, _ context: RequestContext) -> Bool {
        guard request.method == .PUT || request.method == .DELETE, let pattern = context.route?.pattern else { return false }
        return pattern.hasPrefix("/config") || pattern.hasSuffix("/config")
    }

    /// `POST`, `PATCH` or `DELETE` of a `/webhooks…` route (create, change, delete, rotate the
    /// secret, redeliver): admin changes, audited like the compatibility levels (issue 17).
    private func isWebhookChange(_ request: Request, _ context: RequestContext) -> Bool {
        guard request.method == .POST || request.method == .PATCH || request.method == .DELETE || request.method == .PUT,
              let pattern = context.route?.pattern else { return false }
        return pattern == "/webhooks" || pattern.hasPrefix("/webhooks/")
    }

    /// `PUT /api-keys/{key_id}/scope`: issue 19 asks that every scope change be audited.
    private func isScopeChange(_ request: Request, _ context: RequestContext) -> Bool {
        request.method == .PUT && context.route?.pattern == "/api-keys/{key_id}/scope"
    }

    /// `POST /schemas/lookup` sends its schema as a body but only reads (issue 16: no audit line).
    private func isReadWithBody(_ context: RequestContext) -> Bool {
        context.route?.pattern == "/schemas/lookup"
    }

    private func isAudited(_ request: Request) -> Bool {
        settings.auditMethods.contains(request.method.rawValue) && settings.auditPaths.contains { request.path.hasPrefix($0) }
    }
}
