import NIOCore
import NIOHTTP1
import NIOPosix

/// NIO's HTTP/1.1 server on the listening socket the supervisor handed over as fd 3.
enum HTTPServer {
    static let inheritedSocket: CInt = 3

    static func start(app: Application, tracker: ConnectionTracker, group: EventLoopGroup) throws -> Channel {
        let keepAlive = TimeAmount.milliseconds(Int64(app.settings.keepAliveTimeout * 1000))
        return try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                tracker.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(IdleStateHandler(readTimeout: keepAlive))
                    try pipeline.addHandler(HTTPConnectionHandler(app: app, tracker: tracker))
                }
            }
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
            .withBoundSocket(inheritedSocket)
            .wait()
    }
}
