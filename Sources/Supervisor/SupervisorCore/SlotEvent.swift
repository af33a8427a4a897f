import Logging
import RegistryRuntime

/// What happens to a slot: the arbiter's decisions, its workers' messages and exits, the clock.
public enum SlotEvent: Equatable, Sendable {
    /// Start a worker in an empty slot (the first start, a slot added with TTIN).
    case start
    /// Replace the running worker (reload, changed binary): a successor beside it.
    case replace
    /// The outcome of a `.spawn` action.
    case spawned(pid: Int32)
    case spawnFailed(error: String)
    /// A line on a worker's control pipe.
    case heard(pid: Int32, WorkerMessage)
    case exited(pid: Int32, ExitStatus)
    /// A turn of the arbiter's loop (not during shutdown): timeouts and due restarts.
    case tick(Timeouts)
    /// Drain the slot's workers; nothing restarts any more.
    case shutdown
    /// Drain the slot's workers and remove the slot (SIGTTOU, fewer WORKERS on reload).
    case retire
}

/// What the arbiter does for a slot, in order.
public enum SlotAction: Equatable, Sendable {
    /// Spawn a worker for the slot (`held`: a successor that waits for SIGUSR1 before it
    /// accepts), then answer with `.spawned` or `.spawnFailed`.
    case spawn(held: Bool)
    /// SIGUSR1: a held successor may accept.
    case release(pid: Int32)
    /// SIGTERM: finish the requests in flight and exit.
    case drain(pid: Int32)
    /// SIGKILL.
    case kill(pid: Int32)
    case log(LogLine)
    /// One more restart in `worker_restarts_total`, and in its reason's count.
    case countRestart(RestartReason)
    /// One more recycle in `worker_recycles_total`.
    case countRecycle
    /// The replaced predecessor leaves the slot and drains among `ReplacedWorkers`.
    case detach(Worker, drainingSince: Double)
    /// Queue the slot's replacement again; it is tried after `SlotMachine.replaceAfter`.
    case requeue
    /// A successor cannot boot: give up the replacements (the running workers keep serving).
    case abandonReplacements
    /// A worker cannot boot: the server drains and exits with this status.
    case stopServer(exitCode: Int32)
    /// A retired slot without a process: close its socket and forget it.
    case remove
}

public struct LogLine: Equatable, Sendable {
    public let level: Logger.Level
    public let message: String
    public let metadata: [String: String]

    public init(_ level: Logger.Level, _ message: String, _ metadata: [String: String]) {
        self.level = level
        self.message = message
        self.metadata = metadata
    }
}

/// Why a slot's worker was started again (`pyrmute_worker_restarts_by_reason_total`).
public enum RestartReason: String, Sendable, CaseIterable {
    /// It exited or was killed by a signal on its own.
    case crashed
    /// The supervisor killed it: no start, no heartbeat or no end of its drain in time.
    case timeout
    /// A successor took over (reload, recycling after MAX_REQUESTS, a HUP).
    case replaced
}
