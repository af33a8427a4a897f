import SupervisorCore

/// One place for a worker: its listening socket and its life (`SlotMachine`).
final class WorkerSlot {
    let socket: ListeningSocket
    var machine: SlotMachine

    init(index: Int, socket: ListeningSocket) {
        self.socket = socket
        machine = SlotMachine(index: index)
    }

    var index: Int { machine.index }
    var state: SlotState { machine.state }
}
