import NIOCore
import NIOHTTP1

/// Cuts off clients that send their request too slowly (slowloris), so they cannot hold
/// connections open at no cost to themselves:
///
/// * a request head must be complete within `timeout` of the connection opening or, on a kept-alive
///   connection, of the first bytes of that head arriving (before those, the idle keep-alive
///   timeout applies, as in nginx);
/// * a request body must keep arriving: no gap longer than `timeout` between two reads (nginx's
///   `client_body_timeout`). There is no bound on the whole body beyond `MAX_BODY_SIZE`.
///
/// On expiry a client that had sent part of a request gets a 408 with `Connection: close`; a
/// connection that sent nothing is closed silently. Time the server spends answering is never
/// counted against the client.
///
/// It sits right after the request decoder, ahead of NIO's pipelining handler: it sees request
/// parts as they are decoded and its 408 goes straight to the response encoder.
final class RequestTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum Phase: Equatable {
        /// No request under way: no timer, the keep-alive timeout governs.
        case betweenRequests
        /// Waiting for a complete head; `started` once some of its bytes have arrived.
        case head(started: Bool)
        case body
        case timedOut
    }

    private let timeout: TimeAmount
    private var phase = Phase.betweenRequests
    private var timer: Scheduled<Void>?
    private var lastBodyActivity = NIODeadline.now()
    private var decodedPartInThisRead = false
    /// Requests whose response has not been completely written (more than one when pipelined).
    private var unanswered = 0

    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { awaitFirstHead(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        awaitFirstHead(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard phase != .timedOut else { return }   // the 408 is on its way; nothing more is served
        decodedPartInThisRead = true
        switch unwrapInboundIn(data) {
        case .head:
            unanswered += 1
            cancelTimer()
            phase = .body   // its timer starts at the end of this read, unless the request ended in it
            lastBodyActivity = .now()
        case .body:
            break
        case .end:
            cancelTimer()
            phase = .betweenRequests
        }
        context.fireChannelRead(data)
    }

    /// Fires after every socket read, including reads too short to complete a head (which
    /// decode nothing): that is where a slowly sent head shows up.
    func channelReadComplete(context: ChannelHandlerContext) {
        switch phase {
        case .betweenRequests where !decodedPartInThisRead:
            phase = .head(started: true)
            schedule(at: .now() + timeout, context: context)
        case .head(started: false) where !decodedPartInThisRead:
            phase = .head(started: true)
        case .body:
            lastBodyActivity = .now()
            if timer == nil { schedule(at: lastBodyActivity + timeout, context: context) }
        default:
            break
        }
        decodedPartInThisRead = false
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            unanswered = max(0, unanswered - 1)   // the parse-error answer has no decoded request
            // The pipelining handler resumes reading only now: the body's next gap starts here.
            if phase == .body { lastBodyActivity = .now() }
        }
        context.write(data, promise: promise)
    }

    private func awaitFirstHead(context: ChannelHandlerContext) {
        guard phase == .betweenRequests, timer == nil, unanswered == 0 else { return }
        phase = .head(started: false)
        schedule(at: .now() + timeout, context: context)
    }

    private func schedule(at deadline: NIODeadline, context: ChannelHandlerContext) {
        timer?.cancel()
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { self.expire(context: context) }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }

    private func expire(context: ChannelHandlerContext) {
        timer = nil
        switch phase {
        case .head(let started):
            // A pipelined request still being answered: reads are paused, so the client is not late.
            if unanswered > 0 { return schedule(at: .now() + timeout, context: context) }
            timeOut(context: context, answer: started)
        case .body:
            if lastBodyActivity + timeout > .now() { return schedule(at: lastBodyActivity + timeout, context: context) }
            if unanswered > 1 { return schedule(at: .now() + timeout, context: context) }
            timeOut(context: context, answer: true)
        case .betweenRequests, .timedOut:
            break
        }
    }

    private func timeOut(context: ChannelHandlerContext, answer: Bool) {
        phase = .timedOut
        guard answer else { return context.close(promise: nil) }
        let body = #"{"detail":"Request timeout"}"#
        let head = HTTPResponseHead(version: .http1_1, status: .requestTimeout, headers: [
            "Content-Type": "application/json", "Content-Length": String(body.utf8.count), "Connection": "close",
        ])
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
