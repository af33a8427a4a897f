/// One worker process as its slot's policy sees it. Times are monotonic seconds.
public struct Worker: Equatable, Sendable {
    public let pid: Int32
    public let slot: Int
    public let spawnedAt: Double
    /// Its last message: a running worker silent for WORKER_TIMEOUT is killed.
    public var lastHeard: Double
    /// SIGKILL sent (a timeout); waiting for its exit.
    public var killed = false

    public init(pid: Int32, slot: Int, spawnedAt: Double) {
        self.pid = pid
        self.slot = slot
        self.spawnedAt = spawnedAt
        lastHeard = spawnedAt
    }
}

/// A worker slot's life: one listening socket and the process (or, during a handover, the two
/// processes) serving it. `SlotMachine.handle` is the only place that changes it.
public enum SlotState: Equatable, Sendable {
    /// No process and none planned: before the first start, or after the worker exited for good
    /// (shutdown, a worker that cannot boot).
    case stopped
    /// Its worker died young; the next one starts at `until`.
    case backoff(until: Double)
    /// Spawned, not serving yet.
    case starting(Worker)
    case running(Worker)
    /// Told to finish its requests and exit (SIGTERM): shutdown, retirement, or a successor that
    /// failed after its predecessor had stopped accepting.
    case draining(Worker, since: Double)
    /// A successor starts beside the worker it replaces (reload, recycling): see `Handover`.
    case handingOver(Handover)
}

extension SlotState {
    /// The liveness document's name for it.
    public var name: String {
        switch self {
        case .stopped: return "stopped"
        case .backoff: return "backoff"
        case .starting: return "starting"
        case .running: return "running"
        case .draining: return "draining"
        case .handingOver(let handover):
            switch handover.predecessor {
            case .running: return "running"
            case .draining: return "draining"
            case .exited: return "starting"
            }
        }
    }

    /// The worker the liveness document shows: the one that serves, or served, the slot (a
    /// successor only once it has taken over).
    public var shownWorker: Worker? {
        switch self {
        case .stopped, .backoff: return nil
        case .starting(let worker), .running(let worker), .draining(let worker, _): return worker
        case .handingOver(let handover): return handover.predecessor.worker
        }
    }

    /// Every living process of the slot.
    public var workers: [Worker] {
        switch self {
        case .stopped, .backoff: return []
        case .starting(let worker), .running(let worker), .draining(let worker, _): return [worker]
        case .handingOver(let handover): return [handover.predecessor.worker, handover.successor].compactMap { $0 }
        }
    }

    public var hasProcess: Bool { !workers.isEmpty }

    public func owns(_ pid: Int32) -> Bool { workers.contains { $0.pid == pid } }

    /// Serving, or handing over: the predecessor has stopped accepting and its booted successor
    /// is about to start (connections wait in the socket's queue meanwhile).
    public var isServing: Bool {
        switch self {
        case .running: return true
        case .handingOver(let handover):
            switch handover.predecessor {
            case .running: return true
            case .draining: return handover.successorBooted
            case .exited: return false
            }
        default: return false
        }
    }

    /// A worker on its way in: the replacement queue waits until no slot is in this state.
    public var isStartingWorker: Bool {
        switch self {
        case .starting, .handingOver: return true
        default: return false
        }
    }

    public var isHandingOver: Bool {
        if case .handingOver = self { return true }
        return false
    }
}
