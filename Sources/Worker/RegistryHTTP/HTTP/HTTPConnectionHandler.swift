import NIOCore
import NIOHTTP1

/// Collects one request (head, body, end), hands it to the request pipeline and writes the
/// answer. Pipelined requests are serialised by NIO's `HTTPServerPipelineHandler` in front of it.
final class HTTPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let requests: RequestPipeline
    private let tracker: ConnectionTracker
    private let maxBodySize: Int
    private var head: HTTPRequestHead?
    private var body: ByteBuffer?
    private var bodyTooLarge = false
    /// The peer, asked once per connection: NIO asks the kernel (getpeername) at every call.
    private var peer: SocketAddress??

    init(requests: RequestPipeline, tracker: ConnectionTracker, maxBodySize: Int) {
        self.requests = requests
        self.tracker = tracker
        self.maxBodySize = maxBodySize
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = nil
            bodyTooLarge = false
        case .body(var chunk):
            guard !bodyTooLarge else { return }
            if (body?.readableBytes ?? 0) + chunk.readableBytes > maxBodySize {
                bodyTooLarge = true
                body = nil
            } else if body == nil {
                body = chunk
            } else {
                body!.writeBuffer(&chunk)
            }
        case .end:
            guard let head else { return }
            self.head = nil
            if peer == nil { peer = .some(context.remoteAddress) }
            let request = Request(head: head, body: body, remoteAddress: peer ?? nil, eventLoop: context.eventLoop)
            body = nil
            if bodyTooLarge {
                write(Response.detail("Request body too large (limit \(maxBodySize) bytes)", status: .payloadTooLarge),
                      for: head, keepAlive: false, context: context)
                return
            }
            // The pipeline's future completes on this event loop and never fails.
            requests.respond(to: request).assumeIsolated().whenSuccess { response in
                self.write(response, for: head, keepAlive: head.isKeepAlive && !self.tracker.isDraining, context: context)
            }
        }
    }

    private func write(_ response: Response, for head: HTTPRequestHead, keepAlive: Bool, context: ChannelHandlerContext) {
        var response = response
        ResponseCompression.apply(to: &response, requestHeaders: head.headers)
        var headers = response.headers
        if response.status == .noContent || response.status == .notModified {
            headers.remove(name: "Content-Type")   // no body, so no type (the reference sent one; §13.27)
        } else {
            headers.replaceOrAdd(name: "Content-Length", value: String(response.body.count))
        }
        if !keepAlive {
            headers.replaceOrAdd(name: "Connection", value: "close")
        } else if head.version.major == 1, head.version.minor == 0 {
            headers.replaceOrAdd(name: "Connection", value: "keep-alive")
        }
        let responseHead = HTTPResponseHead(version: head.version, status: response.status, headers: headers)
        context.write(wrapOutboundOut(.head(responseHead)), promise: nil)
        if head.method != .HEAD, !response.body.isEmpty {
            var buffer = context.channel.allocator.buffer(capacity: response.body.count)
            buffer.writeBytes(response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read, head == nil {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
