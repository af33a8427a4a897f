import NIOCore

/// Gives the request its correlation id and, once it is answered, records it: the
/// `X-Correlation-ID` header, the request metrics, the access line (REQUEST_LOGGING) and the
/// audit trail (AUDIT_ENABLED, for the audited methods and paths: the answer waits for its row).
struct ObservationMiddleware: Middleware {
    let metrics: RequestMetrics
    let accessLog: AccessLog?
    let audit: AuditTrail?

    init(app: Application) {
        metrics = app.metrics
        accessLog = app.settings.enableRequestLogging ? AccessLog(trustedProxies: app.settings.trustedProxies) : nil
        audit = app.audit.map { AuditTrail(recorder: $0, settings: app.settings) }
    }

    func handle(_ request: Request, context: RequestContext, next: any Responder) -> EventLoopFuture<Response> {
        var observed = context
        observed.correlationID = CorrelationID.resolve(request.headers)
        if let span = request.span { TracingMiddleware.name(span, request, observed) }
        let answered = next.respond(to: request, context: observed)
        guard let audit, audit.covers(request, observed) else {
            return answered.map { [self, context = observed] response in observe(request, response, context) }
        }
        return answered.flatMap { [self, context = observed] response in
            let response = observe(request, response, context)
            return audit.record(request, response, context).map { response }
        }
    }

    private func observe(_ request: Request, _ response: Response, _ context: RequestContext) -> Response {
        var response = response
        response.headers.replaceOrAdd(name: "X-Correlation-ID", value: context.correlationID)
        let seconds = context.secondsSinceStart
        metrics.record(method: request.method.rawValue, route: context.routeLabel, status: Int(response.status.code),
                       seconds: seconds)
        accessLog?.record(request, response, context, seconds: seconds)
        return response
    }
}
