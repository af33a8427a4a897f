import CShim
import RegistryJSON

/// What a supervisor hands a worker it spawns, defined once for both sides:
///
///     fd 3                              the slot's listening socket (PYRMUTE_LISTEN_FD in CShim)
///     fd 4                              the write end of the control pipe (`WorkerMessage` lines)
///     fd 5                              the server's `SharedRegion` (shared memory), when announced:
///     PYRMUTE_REGISTRY_SHARED_FD        its descriptor (absent: the worker keeps a region of its own)
///     PYRMUTE_REGISTRY_READY_FD         the control pipe's descriptor (absent: no supervisor)
///     PYRMUTE_REGISTRY_SUPERVISOR_PID   the parent; a worker whose parent is another exits at once
///     PYRMUTE_REGISTRY_WORKER_SLOT      the slot index, for the worker's log lines
///     PYRMUTE_REGISTRY_STARTED_AT       the server's start, microseconds since the epoch
///     PYRMUTE_REGISTRY_HOLD=1           a successor: boot, say `booted`, accept only after SIGUSR1
///
/// A worker that exits with `bootFailure` cannot boot (bad settings, unusable socket): the
/// supervisor does not start it again.
public struct WorkerHandshake: Equatable, Sendable {
    public static let listeningSocket: Int32 = PYRMUTE_LISTEN_FD
    public static let controlPipe: Int32 = PYRMUTE_CONTROL_FD
    public static let sharedRegion: Int32 = PYRMUTE_SHARED_FD
    public static let bootFailure: Int32 = 3

    enum Variable {
        static let controlPipe = "PYRMUTE_REGISTRY_READY_FD"
        static let supervisorPID = "PYRMUTE_REGISTRY_SUPERVISOR_PID"
        static let slot = "PYRMUTE_REGISTRY_WORKER_SLOT"
        static let startedAt = "PYRMUTE_REGISTRY_STARTED_AT"
        static let hold = "PYRMUTE_REGISTRY_HOLD"
        static let sharedRegion = "PYRMUTE_REGISTRY_SHARED_FD"
    }

    /// The control pipe's descriptor; nil for a worker started without a supervisor.
    public var controlPipe: Int32?
    /// The shared region's descriptor; nil when the supervisor shares none.
    public var sharedRegion: Int32?
    public var supervisorPID: Int32?
    public var slot: Int?
    public var startedAt: Timestamp?
    /// A successor that waits for SIGUSR1 before it accepts (see `WorkerMessage.booted`).
    public var held: Bool

    /// The supervisor's side.
    public init(slot: Int, supervisorPID: Int32, startedAt: Timestamp, held: Bool, sharesRegion: Bool) {
        controlPipe = Self.controlPipe
        sharedRegion = sharesRegion ? Self.sharedRegion : nil
        self.supervisorPID = supervisorPID
        self.slot = slot
        self.startedAt = startedAt
        self.held = held
    }

    /// The worker's side.
    public init(environment: [String: String]) {
        controlPipe = environment[Variable.controlPipe].flatMap(Int32.init)
        sharedRegion = environment[Variable.sharedRegion].flatMap(Int32.init)
        supervisorPID = environment[Variable.supervisorPID].flatMap(Int32.init)
        slot = environment[Variable.slot].flatMap(Int.init)
        startedAt = environment[Variable.startedAt].flatMap(Int64.init).map(Timestamp.init)
        held = environment[Variable.hold] == "1"
    }

    /// Sets (or clears) the variables in a child's environment.
    public func apply(to environment: inout [String: String]) {
        environment[Variable.slot] = slot.map(String.init)
        environment[Variable.supervisorPID] = supervisorPID.map(String.init)
        environment[Variable.controlPipe] = controlPipe.map(String.init)
        environment[Variable.sharedRegion] = sharedRegion.map(String.init)
        environment[Variable.startedAt] = startedAt.map { String($0.microseconds) }
        environment[Variable.hold] = held ? "1" : nil
    }
}
