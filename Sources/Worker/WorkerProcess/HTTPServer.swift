import NIOCore
import NIOHTTP1
import NIOPosix

/// NIO's HTTP/1.1 server on the listening socket the supervisor handed over as fd 3.
enum HTTPServer {
    static let inheritedSocket: CInt = 3

    static func start(app: Application, tracker: ConnectionTracker, group: EventLoopGroup) throws -> Channel {
        let keepAlive = TimeAmount.fromSeconds(app.settings.keepAliveTimeout)
        let headerTimeout = TimeAmount.fromSeconds(app.settings.headerTimeout)
        return try ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                tracker.track(channel)
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    // encoder, decoder, pipelining, header validation (NIO's defaults: 80 KiB of headers)
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: false)
                    let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
                    try pipeline.addHandler(RequestTimeoutHandler(timeout: headerTimeout), position: .after(decoder))
                    try pipeline.addHandler(ProtocolErrorHandler())
                    try pipeline.addHandler(IdleStateHandler(readTimeout: keepAlive))
                    try pipeline.addHandler(HTTPConnectionHandler(app: app, tracker: tracker))
                }
            }
            .childChannelOption(ChannelOptions.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(ChannelOptions.maxMessagesPerRead, value: 16)
            .withBoundSocket(inheritedSocket)
            .wait()
    }
}

private extension TimeAmount {
    static func fromSeconds(_ value: Double) -> TimeAmount { .milliseconds(Int64(value * 1000)) }
}
