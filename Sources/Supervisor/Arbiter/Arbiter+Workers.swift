import CShim
import Foundation
import Logging
import RegistryRuntime
import SupervisorCore

/// The slots' events in, their actions out: the arbiter spawns, signals, reaps and reads the
/// workers; what to do when is `SlotMachine`'s.
extension Arbiter {
    func send(_ event: SlotEvent, to slot: WorkerSlot) {
        perform(slot.machine.handle(event, now: monotonicNow()), for: slot)
    }

    func perform(_ actions: [SlotAction], for slot: WorkerSlot?) {
        for action in actions {
            switch action {
            case .spawn(let held):
                guard let slot else { continue }
                do {
                    let child = try spawner.spawn(slot: slot.index, socket: slot.socket, held: held)
                    children[child.pid] = child
                    send(.spawned(pid: child.pid), to: slot)
                } catch {
                    send(.spawnFailed(error: "\(error)"), to: slot)
                }
            case .release(let pid):
                kill(pid, SIGUSR1)
            case .drain(let pid):
                kill(pid, SIGTERM)
            case .kill(let pid):
                kill(pid, SIGKILL)
            case .log(let line):
                logger.log(level: line.level, "\(line.message)", metadata: line.metadata.mapValues { .string($0) })
            case .countRestart(let reason):
                workerRestarts += 1
                workerRestartsByReason[reason, default: 0] += 1
            case .countRecycle:
                workerRecycles += 1
            case .detach(let worker, let since):
                replaced.add(worker, drainingSince: since)
            case .requeue:
                if let slot, !replacementQueue.contains(where: { $0 === slot }) { replacementQueue.append(slot) }
            case .abandonReplacements:
                replacementQueue.removeAll()
                reloading = false
            case .stopServer(let exitCode):
                beginShutdown(exitCode: exitCode)
            case .remove:
                if let slot { remove(slot) }
            }
        }
    }

    func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid <= 0 { return }
            if let child = children.removeValue(forKey: pid) { bury(child) }
            let exit = ExitStatus(waitStatus: status)
            // A worker that died may have committed a write it never announced on the board:
            // every cached answer of the other workers is suspect.
            if exit != .exited(0) { spawner.region?.board.everythingChanged() }
            if let actions = replaced.exited(pid: pid, exit) {
                perform(actions, for: nil)
            } else if let slot = slots.first(where: { $0.state.owns(pid) }) {
                send(.exited(pid: pid, exit), to: slot)
            }
        }
    }

    /// Reads its last beat and keeps its counts, so totals survive the process.
    private func bury(_ child: WorkerChild) {
        for case .beat(let metrics) in child.control.drain().messages { child.metrics = metrics }
        child.control.close()
        retiredMetrics.add(child.metrics, includingGauges: false)
        metricsDirty = true
    }

    func readReports() {
        for slot in slots {
            for worker in slot.state.workers {
                for message in messages(from: worker.pid) { send(.heard(pid: worker.pid, message), to: slot) }
            }
        }
        for worker in replaced.workers { _ = messages(from: worker.pid) }
    }

    /// What a worker wrote since the last turn; its beats are kept for the metrics.
    private func messages(from pid: pid_t) -> [WorkerMessage] {
        guard let child = children[pid] else { return [] }
        let messages = child.control.drain().messages
        for case .beat(let metrics) in messages {
            child.metrics = metrics
            metricsDirty = true
        }
        return messages
    }

    /// Kills the workers that overstay (starting, silent, draining) and starts the slots whose
    /// backoff has passed.
    func enforceTimeouts() {
        let timeouts = Timeouts(worker: settings.workerTimeout, graceful: settings.gracefulTimeout)
        for slot in slots { send(.tick(timeouts), to: slot) }
        perform(replaced.enforce(timeouts, now: monotonicNow()), for: nil)
    }

    /// Replaces queued slots one at a time: the next once no new worker is starting.
    func advanceReplacement() {
        guard !replacementQueue.isEmpty, !slots.contains(where: { $0.state.isStartingWorker }) else { return }
        let now = monotonicNow()
        guard let index = replacementQueue.firstIndex(where: { $0.machine.replaceAfter <= now }) else { return }
        send(.replace, to: replacementQueue.remove(at: index))
    }
}
