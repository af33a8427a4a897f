import Foundation

/// One place for a worker: its listening socket, the process serving it and, while it is being
/// replaced, the successor that takes over once it serves.
final class WorkerSlot {
    let index: Int
    let socket: ListeningSocket
    var current: WorkerChild?
    /// A replacement starting beside `current` (reload, recycling); promoted when it is ready.
    var incoming: WorkerChild?
    var restarts = 0
    /// Quick deaths in a row; sets the backoff.
    var consecutiveFailures = 0
    /// Monotonic time of the next start after a death; nil when none is planned.
    var restartAt: Double?
    /// Monotonic time before which a failed replacement is not tried again.
    var replaceAfter = 0.0
    /// Close the socket and drop the slot when its process exits (SIGTTOU, fewer WORKERS on reload).
    var retireOnExit = false

    init(index: Int, socket: ListeningSocket) {
        self.index = index
        self.socket = socket
    }

    var hasProcess: Bool { current != nil || incoming != nil }
    /// Serving, or handing over: the predecessor has stopped accepting and its booted successor
    /// is about to start (connections wait in the socket's queue meanwhile).
    var isRunning: Bool {
        current?.phase == .running || (incoming?.bootedAt != nil && current?.phase == .draining)
    }

    /// For the liveness document.
    var stateName: String {
        if let current { return current.phase.rawValue }
        if incoming != nil { return "starting" }
        return restartAt != nil ? "backoff" : "stopped"
    }
}
