import CShim
import Foundation
import SupervisorCore

/// Scale-down without a dropped connection. Every slot's socket is in one `SO_REUSEPORT` group;
/// closing a socket resets the connections in its accept queue (unless the host enables
/// `net.ipv4.tcp_migrate_req`). So a retired slot is steered first: a classic BPF program on the
/// group (SO_ATTACH_REUSEPORT_CBPF) gives new connections only to the sockets of the slots that
/// are not retiring; the retiring slot's worker goes on accepting what its socket already holds,
/// drains once the queue is empty (`SlotMachine`, `acceptQueue`), and the socket closes empty.
///
/// The program names sockets by their index in the kernel's array (`ReuseportGroup`, which
/// follows the kernel's order as sockets start and stop listening), and is attached again
/// whenever that array or the set of slots taking new connections changes.
extension Arbiter {
    /// Attaches the program for the slots that take new connections (every slot not retiring,
    /// and not `leftOut`); false when none would. When the kernel refuses it, steering is off for
    /// good (retirements drain at once, as without it) and the group's program is removed, so
    /// that no stale one picks sockets by old indices.
    @discardableResult
    func steer(leavingOut leftOut: WorkerSlot? = nil) -> Bool {
        guard steeringWorks else { return false }
        let accepting = Set(slots.filter { !$0.machine.retiring && $0 !== leftOut }.map(\.index))
        return attach(group.program(accepting: accepting), what: "steering")
    }

    /// Reports each turn how much a steered retiring slot's socket holds.
    func advanceRetirements() {
        for slot in slots where slot.machine.retiring && slot.machine.steered && !slot.machine.removed {
            send(.acceptQueue(max(0, Int(pyrmute_listen_queue_length(slot.socket.fd)))), to: slot)
        }
    }

    /// Takes a removed slot's socket out of the group and closes it, keeping the program right
    /// throughout: the kernel moves the group's last socket into the place of the one leaving, so
    /// a program that leaves both out holds for that moment, and the program for the new order
    /// follows.
    func closeSocket(of slot: WorkerSlot) {
        let queued = pyrmute_listen_queue_length(slot.socket.fd)
        if queued > 0 {
            logger.warning("closing a retired slot's socket with connections queued on it",
                           metadata: ["slot": "\(slot.index)", "queued": "\(queued)"])
        }
        if steeringWorks, group.index(of: slot.index) != nil {
            let accepting = Set(slots.filter { !$0.machine.retiring }.map(\.index))
            if let interim = group.programWhileStopping(slot.index, accepting: accepting) {
                _ = attach(interim, what: "steering while a socket closes")
            }
        }
        // shutdown, not only close: the socket leaves the group now even if some other process
        // still holds a descriptor of it, so the order the programs assume is the kernel's.
        _ = pyrmute_listener_stop(slot.socket.fd)
        close(slot.socket.fd)
        group.stopped(slot.index)
        steer()
    }

    private func attach(_ program: [BPFInstruction]?, what: String) -> Bool {
        // Nothing to choose among (no slot takes new connections): the last program stays.
        guard steeringWorks, let program, let anchor = slots.first(where: { group.index(of: $0.index) != nil }) else { return false }
        let code = program.map { pyrmute_bpf_insn(code: $0.code, jt: $0.jt, jf: $0.jf, k: $0.k) }
        let error = code.withUnsafeBufferPointer { pyrmute_reuseport_attach_cbpf(anchor.socket.fd, $0.baseAddress, UInt16($0.count)) }
        guard error != 0 else { return true }
        steeringWorks = false
        logger.error("cannot steer new connections among the workers' sockets (SO_ATTACH_REUSEPORT_CBPF); retiring a worker may now reset connections queued on its socket",
                     metadata: ["step": "\(what)", "error": "\(String(cString: strerror(error)))"])
        _ = pyrmute_reuseport_detach(anchor.socket.fd)
        for slot in slots where slot.machine.retiring && slot.machine.steered {
            send(.retire(steered: false), to: slot)
        }
        return false
    }
}
