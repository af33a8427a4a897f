import Instrumentation
import Logging
import Tracing

/// Whether this process records spans (OTEL_ENABLED, docs/tracing.md), and the few helpers that
/// start them. Off (the default), every helper returns before touching the tracer or the task-local
/// context: one load of a flag, no allocation, so the request path costs what it did without tracing.
///
/// The worker turns it on once, before it serves (`RegistryTelemetry`); nothing turns it off.
public enum Traces {
    nonisolated(unsafe) private static var on = false
    nonisolated(unsafe) private static var provider: Logger.MetadataProvider?

    /// True once `activate` has run.
    @inline(__always) public static var enabled: Bool { on }

    /// Turns spans on, with the provider that tells a context's `trace_id` and `span_id` for the logs.
    /// Call once, before any thread reads `enabled` (the worker does so before it accepts).
    public static func activate(logMetadata: Logger.MetadataProvider) {
        provider = logMetadata
        on = true
    }

    /// `trace_id` and `span_id` of `context` (empty when off or unknown to the tracer).
    public static func logMetadata(of context: ServiceContext) -> Logger.Metadata {
        guard on, let provider else { return [:] }
        let all = ServiceContext.withValue(context) { provider.get() }
        var metadata: Logger.Metadata = [:]
        if let trace = all["trace_id"] { metadata["trace_id"] = trace }
        if let span = all["span_id"] { metadata["span_id"] = span }
        return metadata
    }

    /// A log metadata provider for the current span: lines logged on a thread-pool thread inside a
    /// traced request carry its `trace_id` and `span_id` (nothing when off or outside a request).
    public static let currentLogMetadata = Logger.MetadataProvider {
        guard on, let context = ServiceContext.current else { return [:] }
        return logMetadata(of: context)
    }

    /// Runs `body` in a child span of the current request's span (the task-local context the
    /// thread-pool hop sets); without one (tracing off, or background work such as the webhook
    /// deliverer's polling) it just runs `body`.
    @inlinable
    public static func child<T>(_ name: String, kind: SpanKind = .internal,
                                _ attributes: (inout SpanAttributes) -> Void = { _ in },
                                _ body: () throws -> T) rethrows -> T {
        guard enabled, let parent = ServiceContext.current else { return try body() }
        return try inSpan(name, kind: kind, parent: parent, attributes, body)
    }

    @usableFromInline
    static func inSpan<T>(_ name: String, kind: SpanKind, parent: ServiceContext,
                          _ attributes: (inout SpanAttributes) -> Void, _ body: () throws -> T) rethrows -> T {
        let span = InstrumentationSystem.tracer.startSpan(name, context: parent, ofKind: kind)
        var set = SpanAttributes()
        attributes(&set)
        span.updateAttributes { $0.merge(set) }
        defer { span.end() }
        do {
            return try ServiceContext.withValue(span.context) { try body() }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }

    /// Starts a root span of its own trace (work that no request started: a webhook delivery).
    /// Nil when off; the caller ends it.
    public static func root(_ name: String, kind: SpanKind) -> (any Span)? {
        guard enabled else { return nil }
        return InstrumentationSystem.tracer.startSpan(name, context: .topLevel, ofKind: kind)
    }
}
