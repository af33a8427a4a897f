import NIOCore
import NIOHTTP1
import RegistryRuntime

/// The handlers of one HTTP connection, in order: NIO's encoder, decoder and pipelining,
/// the header/body timeout right after the decoder, the answer to unparsable requests, the
/// keep-alive timeout and the connection handler that runs the request pipeline.
public struct HTTPChannel: Sendable {
    private let requests: RequestPipeline
    private let settings: Settings

    /// Builds the request pipeline (the route table, the OpenAPI document): once per worker.
    public init(app: Application) {
        requests = RequestPipeline(app: app)
        settings = app.settings
    }

    /// Adds the handlers to a new connection's pipeline (on its event loop).
    public func configure(_ pipeline: ChannelPipeline.SynchronousOperations, tracker: ConnectionTracker) throws {
        // encoder, decoder, pipelining, header validation (NIO's defaults: 80 KiB of headers)
        try pipeline.configureHTTPServerPipeline(withErrorHandling: false)
        let decoder = try pipeline.handler(type: ByteToMessageHandler<HTTPRequestDecoder>.self)
        try pipeline.addHandler(RequestTimeoutHandler(timeout: .fromSeconds(settings.headerTimeout)), position: .after(decoder))
        try pipeline.addHandler(ProtocolErrorHandler())
        try pipeline.addHandler(IdleStateHandler(readTimeout: .fromSeconds(settings.keepAliveTimeout)))
        try pipeline.addHandler(HTTPConnectionHandler(requests: requests, tracker: tracker, maxBodySize: settings.maxBodySize))
    }
}

private extension TimeAmount {
    static func fromSeconds(_ value: Double) -> TimeAmount { .milliseconds(Int64(value * 1000)) }
}
