import Instrumentation
import NIOCore
import RegistryTracing
import Tracing

extension Application {
    /// `blocking` of a traced request: a span for the hop to the thread pool (or the hashing lane),
    /// from the submission on the event loop to the result, with the time the work waited for a
    /// thread; the work runs with that span as the current context, so that its SQL statements
    /// and bcrypt calls become its children.
    func tracedBlocking<T: Sendable>(_ request: Request, span: any Span, hashing: Bool,
                                     _ work: @escaping @Sendable () throws -> T) -> EventLoopFuture<T> {
        let hop = InstrumentationSystem.tracer.startSpan(hashing ? "hashing lane" : "thread pool", context: span.context,
                                                         ofKind: .internal)
        let submitted = NIODeadline.now()
        let traced: @Sendable () throws -> T = {
            hop.attributes["pyrmute.queue_wait_ms"] = Double((NIODeadline.now() - submitted).nanoseconds) / 1e6
            return try ServiceContext.withValue(hop.context) { try work() }
        }
        let future = hashing ? self.hashing.run(on: request.eventLoop, traced)
            : threadPool.runIfActive(eventLoop: request.eventLoop, traced)
        return future.always { result in
            if case .failure(let error) = result { hop.recordError(error) }
            hop.end()
        }
    }
}
