
/// One line per request (contract §7.13's `request_completed`, plus who and from where; the log
/// handler adds the worker's pid to every line).
struct AccessLog {
    let trustedProxies: [String]

    func record(_ request: Request, _ response: Response, _ context: RequestContext, seconds: Double) {
        context.logger.info("request_completed", metadata: [
            "method": "\(request.method.rawValue)",
            "path": "\(request.path)",
            "status": "\(response.status.code)",
            "duration_ms": "\((seconds * 1_000_000).rounded() / 1000)",
            "correlation_id": "\(context.correlationID)",
            "client_ip": "\(ClientAddress.resolve(request, trusted: trustedProxies) ?? "-")",
            "api_key_name": "\(context.apiKey?.name ?? "-")",
        ])
    }
}
