import CShim
import RegistryRuntime

/// The timeouts a tick enforces; the first two come from the settings (they change on reload).
public struct Timeouts: Equatable, Sendable {
    /// WORKER_TIMEOUT: a running worker that has not beaten for this long is killed; 0 = never.
    public var worker: Double
    /// GRACEFUL_TIMEOUT: a draining worker still alive after this long is killed.
    public var graceful: Double
    /// A worker not serving this long after its spawn is killed.
    public static let start = 30.0
    /// How long a booted successor waits for its predecessor to stop accepting.
    public static let handover = 2.0
    /// How long, at least, a retired slot's worker goes on accepting after new connections were
    /// steered away from its socket, and the socket stays open: handshakes that began before
    /// finish into its queue and are served (a lost SYN-ACK is sent again after a second).
    public static let steer = 1.0

    public init(worker: Double, graceful: Double) {
        self.worker = worker
        self.graceful = graceful
    }
}

/// When a dead worker starts again.
public enum RestartPolicy {
    /// A worker living at least this long before it dies is restarted at once.
    public static let healthyLifetime = 1.0
    public static let maximumBackoff = 10.0

    /// 0.1 s after the first quick death, doubling up to `maximumBackoff`.
    public static func backoff(afterFailures failures: Int) -> Double {
        min(maximumBackoff, 0.1 * Double(1 << min(20, max(0, failures - 1))))
    }
}

/// How a worker ended, decoded from `waitpid`'s status.
public enum ExitStatus: Equatable, Sendable, CustomStringConvertible {
    case exited(Int32)
    case signaled(Int32)
    case other(Int32)

    public init(waitStatus status: Int32) {
        if pyrmute_wifexited(status) != 0 {
            self = .exited(pyrmute_wexitstatus(status))
        } else if pyrmute_wifsignaled(status) != 0 {
            self = .signaled(pyrmute_wtermsig(status))
        } else {
            self = .other(status)
        }
    }

    /// The worker said it cannot boot: starting it again won't help.
    public var isBootFailure: Bool { self == .exited(WorkerHandshake.bootFailure) }

    public var description: String {
        switch self {
        case .exited(let code): return "exit \(code)"
        case .signaled(let signal): return "signal \(signal)"
        case .other(let status): return "status \(status)"
        }
    }
}
