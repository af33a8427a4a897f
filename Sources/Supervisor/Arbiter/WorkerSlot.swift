import Foundation
import Shared

/// One place for a worker: its listening socket and the process currently serving it.
final class WorkerSlot {
    enum State: String {
        /// Spawned, not yet serving.
        case starting
        case running
        /// Told to finish its requests and exit.
        case draining
        /// Dead; restarts at `restartAt`.
        case backoff
        /// No process and none planned (shutdown, or the slot is being removed).
        case stopped
    }

    let index: Int
    let socket: ListeningSocket
    var state = State.stopped
    var pid: pid_t = 0
    var startedAt: Timestamp?
    /// Read end of the pipe the worker writes one byte to once it serves.
    var readyPipe: Int32 = -1
    var restarts = 0
    /// Quick deaths in a row; sets the backoff.
    var consecutiveFailures = 0
    var restartAt: Double = 0
    /// Monotonic time of the last spawn.
    var spawnedAt: Double = 0
    /// Respawn at once when the current process exits (reload, binary change).
    var replaceOnExit = false
    /// Close the socket and drop the slot when the current process exits (SIGTTOU).
    var retireOnExit = false

    init(index: Int, socket: ListeningSocket) {
        self.index = index
        self.socket = socket
    }

    var hasProcess: Bool { pid > 0 }
}
