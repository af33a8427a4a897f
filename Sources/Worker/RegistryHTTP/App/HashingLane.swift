import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Where key creation and rotation run: one thread of their own, so that a bcrypt hash (~0.25 s
/// of CPU, more under load) never holds the threads reads and writes wait for, and a bounded
/// queue in front of it. Past `capacity` waiting hashes a request is answered 503 at once with
/// `Retry-After`: an unbounded queue would make clients time out and the server then mint keys
/// that nobody receives.
final class HashingLane: Sendable {
    static let capacity = 16
    static let busyDetail = "Too many API key creations or rotations in progress. Please try again shortly."

    private let thread: NIOThreadPool
    private let pending = NIOLockedValueBox(0)

    init() {
        thread = NIOThreadPool(numberOfThreads: 1)
        thread.start()
    }

    func run<T: Sendable>(on eventLoop: any EventLoop, _ work: @escaping @Sendable () throws -> T) -> EventLoopFuture<T> {
        let admitted = pending.withLockedValue { count -> Bool in
            guard count < Self.capacity else { return false }
            count += 1
            return true
        }
        guard admitted else {
            return eventLoop.makeFailedFuture(HTTPError(status: .serviceUnavailable, detail: Self.busyDetail,
                                                        headers: ["Retry-After": "1"]))
        }
        return thread.runIfActive(eventLoop: eventLoop, work).always { [pending] _ in
            pending.withLockedValue { $0 -= 1 }
        }
    }
}
