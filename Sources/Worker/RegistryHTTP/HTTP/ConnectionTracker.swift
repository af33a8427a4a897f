import NIOConcurrencyHelpers
import NIOCore

/// Knows every open connection, so that a drain can ask each to finish and close, and tell
/// when the last one has gone. `@unchecked Sendable`: its mutable fields are only touched under
/// `lock`.
public final class ConnectionTracker: @unchecked Sendable {
    private let lock = NIOLock()
    private var channels: [ObjectIdentifier: (channel: Channel, acceptedAt: NIODeadline)] = [:]
    private var draining = false
    private var drained: EventLoopPromise<Void>?

    public init() {}

    public func track(_ channel: Channel) {
        let lateArrival = lock.withLock { () -> Bool in
            channels[ObjectIdentifier(channel)] = (channel, .now())
            return draining
        }
        channel.closeFuture.whenComplete { _ in self.forget(channel) }
        if lateArrival {
            // Accepted just as the drain began: its request may still be on the wire. Responses
            // carry `Connection: close` now; one that never sends anything is closed shortly.
            Self.quiesce(channel, in: Self.firstRequestGrace)
        }
    }

    /// A connection accepted this recently may have its first request on the wire, unread: it is
    /// not closed as idle by a drain before this much time has passed.
    private static let firstRequestGrace = TimeAmount.seconds(1)

    public var count: Int { lock.withLock { channels.count } }

    /// True once a drain began: responses then close their connection.
    var isDraining: Bool { lock.withLock { draining } }

    /// Asks every connection to quiesce: idle ones close now (just-accepted ones after
    /// `firstRequestGrace`), busy ones after their response.
    public func drain(on eventLoop: EventLoop) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        let open = lock.withLock { () -> [(channel: Channel, acceptedAt: NIODeadline)] in
            draining = true
            drained = promise
            return Array(channels.values)
        }
        if open.isEmpty { promise.succeed(()) }
        let now = NIODeadline.now()
        for (channel, acceptedAt) in open {
            Self.quiesce(channel, in: max(.zero, Self.firstRequestGrace - (now - acceptedAt)))
        }
        return promise.futureResult
    }

    private static func quiesce(_ channel: Channel, in delay: TimeAmount) {
        guard delay > .zero else {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
            return
        }
        channel.eventLoop.scheduleTask(in: delay) {
            channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
    }

    private func forget(_ channel: Channel) {
        let finished = lock.withLock { () -> EventLoopPromise<Void>? in
            channels.removeValue(forKey: ObjectIdentifier(channel))
            guard draining, channels.isEmpty, let promise = drained else { return nil }
            drained = nil
            return promise
        }
        finished?.succeed(())
    }
}
