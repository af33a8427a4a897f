import NIOCore
import RegistryTraffic
import RegistryRuntime

/// The audit rows of the audited requests (AUDIT_METHODS on a path under one of AUDIT_PATHS, and
/// every change of a compatibility level whatever those say), queued for the background writer.
struct AuditTrail {
    let recorder: AuditRecorder
    let settings: Settings

    func record(_ request: Request, _ response: Response, _ context: RequestContext) {
        guard (isAudited(request) && !isReadWithBody(context)) || isCompatibilityChange(request, context) else { return }
        recorder.record(AuditEntry(
            timestamp: .now(), apiKeyID: context.apiKey?.id, apiKeyName: context.apiKey?.name,
            permissionLevel: context.apiKey?.permission.rawValue, method: request.method.rawValue, path: request.path,
            statusCode: Int(response.status.code), clientIP: ClientAddress.resolve(request, trusted: settings.trustedProxies),
            userAgent: request.headers.first(name: "User-Agent"), correlationID: context.correlationID,
            durationMilliseconds: Double((NIODeadline.now() - context.startedAt).nanoseconds) / 1_000_000))
    }

    /// `PUT`/`DELETE` of a `…/config` route: issue 14 asks that every such change be audited.
    private func isCompatibilityChange(_ request: Request, _ context: RequestContext) -> Bool {
        guard request.method == .PUT || request.method == .DELETE, let pattern = context.route?.pattern else { return false }
        return pattern.hasPrefix("/config") || pattern.hasSuffix("/config")
    }

    /// `POST /schemas/lookup` sends its schema as a body but only reads (issue 16: no audit line).
    private func isReadWithBody(_ context: RequestContext) -> Bool {
        context.route?.pattern == "/schemas/lookup"
    }

    private func isAudited(_ request: Request) -> Bool {
        settings.auditMethods.contains(request.method.rawValue) && settings.auditPaths.contains { request.path.hasPrefix($0) }
    }
}
