import NIOCore
import RegistryRuntime

/// `GET /metrics`: the whole server's metrics (every worker, summed by the supervisor), fetched
/// from the supervisor's listener so that one scrape of any worker shows them all.
struct MetricsHandler {
    let app: Application

    func metrics(_ request: Request, _ context: RequestContext) -> EventLoopFuture<Response> {
        let settings = app.settings
        guard settings.supervisorPort != 0 else {
            return request.eventLoop.makeSucceededFuture(.detail(
                "Metrics are summed by the supervisor, whose listener is off (PYRMUTE_REGISTRY_SUPERVISOR_PORT=0)",
                status: .serviceUnavailable))
        }
        let url = "http://\(Self.loopback(for: settings.effectiveSupervisorHost)):\(settings.supervisorPort)/metrics"
        return app.blocking(request) {
            guard let answer = try? SimpleHTTPClient.request("GET", url, timeout: 2), answer.status == 200 else {
                return .detail("The supervisor did not answer with metrics", status: .serviceUnavailable)
            }
            return Response(status: .ok, headers: ["Content-Type": PrometheusText.contentType], body: answer.body)
        }
    }

    /// The address to reach a listener bound to `host` from this machine.
    private static func loopback(for host: String) -> String {
        switch host {
        case "0.0.0.0", "": return "127.0.0.1"
        case "::", "[::]": return "[::1]"
        default: return host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        }
    }
}
