import NIOCore
import NIOHTTP1

/// Answers a request the decoder could not parse before the connection closes: 431 when its head
/// is over the decoder's limits (80 KiB of header fields), 400 for anything else malformed.
/// NIO's `HTTPServerProtocolErrorHandler`, which it replaces, answers 400 to both.
final class ProtocolErrorHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    /// A response has begun and not ended: another one cannot be started on the wire.
    private var responseInProgress = false

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        guard let parseError = error as? HTTPParserError else { return context.fireErrorCaught(error) }
        if !responseInProgress {
            let (status, detail): (HTTPResponseStatus, String) = parseError == .headerOverflow
                ? (.requestHeaderFieldsTooLarge, "Request header fields too large")
                : (.badRequest, "Bad Request")
            let body = #"{"detail":""# + detail + #""}"#
            let head = HTTPResponseHead(version: .http1_1, status: status, headers: [
                "Content-Type": "application/json", "Content-Length": String(body.utf8.count), "Connection": "close",
            ])
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: body)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
        // Passed on: the connection handler closes the connection.
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head: responseInProgress = true
        case .end: responseInProgress = false
        case .body: break
        }
        context.write(data, promise: promise)
    }
}
