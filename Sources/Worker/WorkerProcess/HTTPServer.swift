import NIOCore
import NIOHTTP1
import NIOPosix
import RegistryHTTP
import RegistryRuntime

/// NIO's HTTP/1.1 server on the listening socket the supervisor handed over as fd 3.
enum HTTPServer {
    static let inheritedSocket: CInt = WorkerHandshake.listeningSocket

    static func start(http: HTTPChannel, tracker: ConnectionTracker, group: EventLoopGroup) throws -> Channel {
        try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                tracker.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    try http.configure(channel.pipeline.syncOperations, tracker: tracker)
                }
            }
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
            .withBoundSocket(inheritedSocket)
            .wait()
    }
}
