import NIOConcurrencyHelpers
import NIOCore

/// Knows every open connection, so that a drain can ask each to finish and close, and tell
/// when the last one has gone.
final class ConnectionTracker: @unchecked Sendable {
    private let lock = NIOLock()
    private var channels: [ObjectIdentifier: Channel] = [:]
    private var draining = false
    private var drained: EventLoopPromise<Void>?

    func track(_ channel: Channel) {
        let lateArrival = lock.withLock { () -> Bool in
            channels[ObjectIdentifier(channel)] = channel
            return draining
        }
        channel.closeFuture.whenComplete { _ in self.forget(channel) }
        if lateArrival {
            // Accepted just as the drain began: its request may still be on the wire. Responses
            // carry `Connection: close` now; one that never sends anything is closed shortly.
            channel.eventLoop.scheduleTask(in: .seconds(1)) {
                channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
            }
        }
    }

    var count: Int { lock.withLock { channels.count } }

    /// True once a drain began: responses then close their connection.
    var isDraining: Bool { lock.withLock { draining } }

    /// Asks every connection to quiesce: idle ones close now, busy ones after their response.
    func drain(on eventLoop: EventLoop) -> EventLoopFuture<Void> {
        let promise = eventLoop.makePromise(of: Void.self)
        let open = lock.withLock { () -> [Channel] in
            draining = true
            drained = promise
            return Array(channels.values)
        }
        if open.isEmpty { promise.succeed(()) }
        for channel in open { channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
        return promise.futureResult
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
