import Foundation
import RegistryJSON
import RegistryRuntime

/// A living worker process as the arbiter holds it: its control pipe and what it last reported.
/// Its place in the slot's life is in `SlotState`.
final class WorkerChild {
    let pid: pid_t
    let slotIndex: Int
    let control: ControlPipe
    let startedAt = Timestamp.now()
    /// The counts of its last heartbeat.
    var metrics = MetricsSnapshot()

    init(pid: pid_t, slotIndex: Int, control: ControlPipe) {
        self.pid = pid
        self.slotIndex = slotIndex
        self.control = control
    }
}
