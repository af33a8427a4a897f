import Instrumentation
import NIOCore
import NIOHTTP1
import RegistryTracing
import Tracing

/// The request's server span (OTEL_ENABLED only; docs/tracing.md): continues the caller's trace
/// when a W3C `traceparent` header comes with the request, puts `trace_id` and `span_id` on the
/// request's logger, and ends the span with the response's status. The first step of the pipeline,
/// so that every request is a span, those answered by CORS or the router too.
struct TracingMiddleware: Middleware {
    func handle(_ request: Request, context: RequestContext, next: any Responder) -> EventLoopFuture<Response> {
        var parent = ServiceContext.topLevel
        InstrumentationSystem.instrument.extract(request.headers, into: &parent, using: HeaderExtractor())
        let span = InstrumentationSystem.tracer.startSpan(request.method.rawValue, context: parent, ofKind: .server)
        span.updateAttributes { attributes in
            attributes["http.request.method"] = request.method.rawValue
            attributes["url.path"] = request.path
            attributes["url.scheme"] = "http"
            attributes["network.protocol.version"] = "\(request.head.version.major).\(request.head.version.minor)"
            if let agent = request.headers.first(name: "User-Agent") { attributes["user_agent.original"] = agent }
            if let address = request.remoteAddress?.ipAddress { attributes["network.peer.address"] = address }
        }
        var traced = request
        traced.span = span
        var context = context
        for (key, value) in Traces.logMetadata(of: span.context) { context.logger[metadataKey: key] = value }
        return next.respond(to: traced, context: context).always { result in
            switch result {
            case .success(let response):
                let status = Int(response.status.code)
                span.attributes["http.response.status_code"] = status
                if status >= 500 {
                    span.attributes["error.type"] = "\(status)"
                    span.setStatus(SpanStatus(code: .error))
                }
            case .failure(let error):
                span.recordError(error)
                span.setStatus(SpanStatus(code: .error))
            }
            span.end()
        }
    }

    /// Names the span after the matched route (`GET /schemas/{model_name}/versions`) and records
    /// the route and correlation id: called by `ObservationMiddleware`, which knows both.
    static func name(_ span: any Span, _ request: Request, _ context: RequestContext) {
        span.attributes["pyrmute.correlation_id"] = context.correlationID
        guard let route = context.route else { return }
        span.operationName = "\(request.method.rawValue) \(route.pattern)"
        span.attributes["http.route"] = route.pattern
    }
}

/// Reads propagation headers (`traceparent`, `tracestate`) from the request.
struct HeaderExtractor: Extractor {
    func extract(key: String, from carrier: HTTPHeaders) -> String? {
        carrier.first(name: key)
    }
}
