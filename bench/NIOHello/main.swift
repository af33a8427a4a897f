// The benchmark's ceiling: a bare SwiftNIO HTTP/1.1 server answering every request with
// `200 {"alive":true}`. One event-loop thread per process, bound with SO_REUSEPORT, so two
// copies on the same port behave like the registry's "2 workers on SO_REUSEPORT sockets".
//
//   bench-nio-hello --port 8000 [--host 127.0.0.1]
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import NIOCore
import NIOHTTP1
import NIOPosix

// NIOCore has no spelling for SO_REUSEPORT; this gives `.socketOption(.so_reuseport)` one.
extension NIOBSDSocket.Option {
    static let so_reuseport = NIOBSDSocket.Option(rawValue: SO_REUSEPORT)
}

final class HelloHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private static let payload = #"{"alive":true}"#
    private var keepAlive = true
    private var version = HTTPVersion.http1_1

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            keepAlive = request.isKeepAlive
            version = request.version
        case .body:
            break
        case .end:
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Content-Length", value: String(Self.payload.utf8.count))
            headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
            let body = context.channel.allocator.buffer(string: Self.payload)
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: version, status: .ok, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
            let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
            if !keepAlive { done.whenComplete { _ in context.close(promise: nil) } }
        }
    }
}

func option(_ name: String, _ fallback: String) -> String {
    let args = CommandLine.arguments
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return fallback }
    return args[i + 1]
}

let host = option("--host", "127.0.0.1")
guard let port = Int(option("--port", "8000")) else { fatalError("--port needs a number") }

let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
let bootstrap = ServerBootstrap(group: group)
    .serverChannelOption(ChannelOptions.backlog, value: 1024)
    .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
    .serverChannelOption(ChannelOptions.socketOption(.so_reuseport), value: 1)
    .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
    .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
    .childChannelInitializer { channel in
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.configureHTTPServerPipeline()
            try channel.pipeline.syncOperations.addHandler(HelloHandler())
        }
    }

let server = try bootstrap.bind(host: host, port: port).wait()
print("bench-nio-hello listening on \(server.localAddress.map { "\($0)" } ?? "?")")
try server.closeFuture.wait()
try group.syncShutdownGracefully()
