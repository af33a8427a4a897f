import Foundation
import NIOCore
import RegistryRuntime

/// Tells the supervisor, about once a second, that this worker is alive — but only while every
/// event loop keeps turning, so a worker stuck in a loop or stopped (SIGSTOP) falls silent and is
/// replaced after WORKER_TIMEOUT. Each beat carries the worker's metrics. Once the worker has
/// served its request budget (MAX_REQUESTS plus jitter) it asks to be recycled, once.
/// `@unchecked Sendable`: `lastTurn` is only touched under `lock`; `tasks` and `timer` only by
/// `start` and `stop`, on the worker's main thread; `recycleRequested` only on the timer's queue.
final class Heartbeat: @unchecked Sendable {
    private let loops: [EventLoop]
    private let link: SupervisorLink
    private let snapshot: @Sendable () -> MetricsSnapshot
    private let requestsServed: @Sendable () -> Int
    private let requestBudget: Int?
    private let lock = NSLock()
    private var lastTurn: [UInt64]
    private var tasks: [RepeatedTask] = []
    private var timer: DispatchSourceTimer?
    private var recycleRequested = false

    private static let turnInterval = TimeAmount.milliseconds(250)
    /// An event loop that has not turned for this long counts as stuck.
    private static let stuckAfter: UInt64 = 2_000_000_000

    init(group: EventLoopGroup, link: SupervisorLink, settings: Settings,
         requestsServed: @escaping @Sendable () -> Int, snapshot: @escaping @Sendable () -> MetricsSnapshot) {
        loops = Array(group.makeIterator())
        self.link = link
        self.snapshot = snapshot
        self.requestsServed = requestsServed
        requestBudget = settings.maxRequests > 0 ? settings.maxRequests + Int.random(in: 0...settings.maxRequestsJitter) : nil
        lastTurn = Array(repeating: DispatchTime.now().uptimeNanoseconds, count: loops.count)
    }

    func start() {
        for (index, loop) in loops.enumerated() {
            tasks.append(loop.scheduleRepeatedTask(initialDelay: .zero, delay: Self.turnInterval) { [self] _ in
                lock.lock()
                lastTurn[index] = DispatchTime.now().uptimeNanoseconds
                lock.unlock()
            })
        }
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "pyrmute.heartbeat"))
        timer.schedule(deadline: .now() + .milliseconds(500), repeating: .seconds(1))
        timer.setEventHandler { [self] in beat() }
        timer.resume()
        self.timer = timer
    }

    func stop() {
        timer?.cancel()
        tasks.forEach { $0.cancel() }
        link.send(.beat(snapshot()))   // the final counts, so none are lost with this worker
    }

    private func beat() {
        let now = DispatchTime.now().uptimeNanoseconds
        lock.lock()
        let stuck = lastTurn.contains { now > $0 && now - $0 > Self.stuckAfter }
        lock.unlock()
        guard !stuck else { return }
        link.send(.beat(snapshot()), mayDrop: true)
        if let requestBudget, !recycleRequested, requestsServed() >= requestBudget {
            recycleRequested = true
            link.send(.recycle)
        }
    }
}
