import Foundation
import RegistryJSON
import RegistryRuntime

/// One worker process as the supervisor sees it.
final class WorkerChild {
    enum Phase: String {
        /// Spawned, not yet serving.
        case starting
        case running
        /// Told to finish its requests and exit.
        case draining
    }

    let pid: pid_t
    let slotIndex: Int
    let control: ControlPipe
    let startedAt = Timestamp.now()
    /// Monotonic times: spawn, last message, start of the drain.
    let spawnedAt = monotonicNow()
    var lastHeard = monotonicNow()
    var drainStartedAt: Double?
    var phase = Phase.starting
    /// The counts of its last heartbeat.
    var metrics = MetricsSnapshot()
    var askedToRecycle = false
    /// SIGKILL sent (timeouts); waiting to be reaped.
    var killed = false
    /// A held successor: when it said `booted`, and whether it was told to accept (SIGUSR1).
    var bootedAt: Double?
    var released = false

    init(pid: pid_t, slotIndex: Int, control: ControlPipe) {
        self.pid = pid
        self.slotIndex = slotIndex
        self.control = control
    }

    var lifetime: Double { monotonicNow() - spawnedAt }

    /// Lets a held successor accept connections.
    func release() {
        guard !released else { return }
        released = true
        kill(pid, SIGUSR1)
    }

    /// Asks the worker to finish in-flight requests and exit.
    func drain() {
        guard phase != .draining else { return }
        phase = .draining
        drainStartedAt = monotonicNow()
        kill(pid, SIGTERM)
    }
}
