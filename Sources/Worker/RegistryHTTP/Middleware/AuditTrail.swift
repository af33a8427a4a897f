import NIOCore
import RegistryTraffic
import RegistryRuntime

/// The audit rows of the audited requests (AUDIT_METHODS on a path under one of AUDIT_PATHS),
/// queued for the background writer.
struct AuditTrail {
    let recorder: AuditRecorder
    let settings: Settings

    func record(_ request: Request, _ response: Response, _ context: RequestContext) {
        guard isAudited(request) else { return }
        recorder.record(AuditEntry(
            timestamp: .now(), apiKeyID: context.apiKey?.id, apiKeyName: context.apiKey?.name,
            permissionLevel: context.apiKey?.permission.rawValue, method: request.method.rawValue, path: request.path,
            statusCode: Int(response.status.code), clientIP: ClientAddress.resolve(request, trusted: settings.trustedProxies),
            userAgent: request.headers.first(name: "User-Agent"), correlationID: context.correlationID,
            durationMilliseconds: Double((NIODeadline.now() - context.startedAt).nanoseconds) / 1_000_000))
    }

    private func isAudited(_ request: Request) -> Bool {
        settings.auditMethods.contains(request.method.rawValue) && settings.auditPaths.contains { request.path.hasPrefix($0) }
    }
}
