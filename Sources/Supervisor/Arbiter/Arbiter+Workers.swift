import CShim
import Foundation
import RegistryRuntime

/// Starting, reaping, listening to and replacing worker processes.
extension Arbiter {
    func start(_ slot: WorkerSlot) {
        do {
            let worker = try spawner.spawn(slot)
            slot.current = worker
            logger.info("worker spawned", metadata: ["slot": "\(slot.index)", "pid": "\(worker.pid)"])
        } catch {
            logger.error("cannot spawn worker", metadata: ["slot": "\(slot.index)", "error": "\(error)"])
            scheduleRestart(slot, lived: 0)
        }
    }

    /// Starts a successor beside the slot's running worker; it takes over once it serves.
    func startSuccessor(_ slot: WorkerSlot) {
        do {
            let worker = try spawner.spawn(slot, held: true)
            slot.incoming = worker
            slot.restarts += 1
            workerRestarts += 1
            logger.info("successor spawned", metadata: ["slot": "\(slot.index)", "pid": "\(worker.pid)"])
        } catch {
            logger.error("cannot spawn successor", metadata: ["slot": "\(slot.index)", "error": "\(error)"])
            retryReplacement(slot)
        }
    }

    func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid <= 0 { return }
            let outcome = Self.describe(status)
            if let index = outgoing.firstIndex(where: { $0.pid == pid }) {
                let worker = outgoing.remove(at: index)
                bury(worker)
                logger.info("replaced worker exited", metadata: ["slot": "\(worker.slotIndex)", "pid": "\(pid)", "status": "\(outcome)"])
                continue
            }
            guard let slot = slots.first(where: { $0.current?.pid == pid || $0.incoming?.pid == pid }) else { continue }
            if let successor = slot.incoming, successor.pid == pid {
                slot.incoming = nil
                bury(successor)
                successorDied(slot, status: status, outcome: outcome)
                continue
            }
            guard let worker = slot.current else { continue }
            slot.current = nil
            bury(worker)
            if shutdownDeadline != nil {
                logger.info("worker exited", metadata: ["slot": "\(slot.index)", "pid": "\(pid)", "status": "\(outcome)"])
            } else if slot.retireOnExit {
                if !slot.hasProcess {
                    logger.info("worker retired", metadata: ["slot": "\(slot.index)", "pid": "\(pid)"])
                    remove(slot)
                }
            } else if let successor = slot.incoming {
                if worker.phase == .draining {
                    logger.info("replaced worker exited", metadata: ["slot": "\(slot.index)", "pid": "\(pid)", "status": "\(outcome)"])
                } else {
                    logger.warning("worker died while its successor starts", metadata: ["slot": "\(slot.index)", "pid": "\(pid)", "status": "\(outcome)"])
                }
                if successor.bootedAt != nil { successor.release() }
            } else if pyrmute_wifexited(status) != 0, pyrmute_wexitstatus(status) == WorkerExit.bootFailure {
                logger.critical("worker failed to boot; stopping", metadata: ["slot": "\(slot.index)", "pid": "\(pid)"])
                beginShutdown(exitCode: 1)
            } else {
                logger.warning("worker died", metadata: ["slot": "\(slot.index)", "pid": "\(pid)", "status": "\(outcome)",
                                                         "lived_s": "\(String(format: "%.2f", worker.lifetime))"])
                slot.restarts += 1
                workerRestarts += 1
                scheduleRestart(slot, lived: worker.lifetime)
            }
        }
    }

    /// Reads its last reports and keeps its counts, so totals survive the process.
    private func bury(_ worker: WorkerChild) {
        absorb(worker.control.drain().messages, from: worker)
        worker.control.close()
        retiredMetrics.add(worker.metrics, includingGauges: false)
        metricsDirty = true
    }

    private func successorDied(_ slot: WorkerSlot, status: Int32, outcome: String) {
        if pyrmute_wifexited(status) != 0, pyrmute_wexitstatus(status) == WorkerExit.bootFailure {
            logger.critical("new worker cannot boot (check the settings); the running workers keep serving",
                            metadata: ["slot": "\(slot.index)"])
            replacementQueue.removeAll()
            reloading = false
            return
        }
        logger.warning("successor died before serving", metadata: ["slot": "\(slot.index)", "status": "\(outcome)"])
        if shutdownDeadline == nil, !slot.retireOnExit { retryReplacement(slot) }
        if slot.retireOnExit, !slot.hasProcess { remove(slot) }
    }

    private func retryReplacement(_ slot: WorkerSlot) {
        slot.consecutiveFailures += 1
        slot.replaceAfter = monotonicNow() + backoff(slot.consecutiveFailures)
        if !replacementQueue.contains(where: { $0 === slot }) { replacementQueue.append(slot) }
    }

    func scheduleRestart(_ slot: WorkerSlot, lived: Double) {
        if lived >= Self.healthyLifetime {
            slot.consecutiveFailures = 0
            start(slot)
            return
        }
        slot.consecutiveFailures += 1
        let delay = backoff(slot.consecutiveFailures)
        slot.restartAt = monotonicNow() + delay
        logger.warning("worker restarting after backoff", metadata: ["slot": "\(slot.index)", "delay_s": "\(delay)"])
    }

    private func backoff(_ failures: Int) -> Double {
        min(Self.maximumBackoff, 0.1 * pow(2, Double(max(0, failures - 1))))
    }

    func restartDueWorkers() {
        let now = monotonicNow()
        for slot in slots where slot.current == nil {
            guard let due = slot.restartAt, now >= due else { continue }
            slot.restartAt = nil
            start(slot)
        }
    }

    // MARK: - reports

    func readReports() {
        for slot in slots {
            for worker in [slot.current, slot.incoming].compactMap({ $0 }) {
                absorb(worker.control.drain().messages, from: worker)
            }
        }
        for worker in outgoing { absorb(worker.control.drain().messages, from: worker) }
    }

    private func absorb(_ messages: [WorkerMessage], from worker: WorkerChild) {
        for message in messages {
            worker.lastHeard = monotonicNow()
            switch message {
            case .booted:
                worker.bootedAt = monotonicNow()
                handOver(to: worker)
            case .listenerClosed:
                if let slot = slots.first(where: { $0.current === worker }), let successor = slot.incoming, successor.bootedAt != nil {
                    successor.release()
                }
            case .ready:
                guard worker.phase == .starting else { continue }
                worker.phase = .running
                logger.info("worker ready", metadata: ["slot": "\(worker.slotIndex)", "pid": "\(worker.pid)"])
                promoteIfSuccessor(worker)
            case .beat(let metrics):
                worker.metrics = metrics
                metricsDirty = true
            case .recycle:
                recycle(worker)
            }
        }
    }

    /// A successor has booted: its predecessor stops accepting (and drains); the successor is
    /// released once the predecessor says its listener is closed.
    private func handOver(to successor: WorkerChild) {
        guard let slot = slots.first(where: { $0.incoming === successor }) else { return }
        if let old = slot.current, old.phase != .draining {
            old.drain()
        } else {
            successor.release()
        }
    }

    private func promoteIfSuccessor(_ worker: WorkerChild) {
        guard let slot = slots.first(where: { $0.incoming === worker }) else { return }
        slot.incoming = nil
        slot.consecutiveFailures = 0
        if let old = slot.current {
            old.drain()
            outgoing.append(old)
            logger.info("worker replaced; predecessor draining", metadata: ["slot": "\(slot.index)", "old_pid": "\(old.pid)", "pid": "\(worker.pid)"])
        }
        slot.current = worker
    }

    private func recycle(_ worker: WorkerChild) {
        guard shutdownDeadline == nil, !worker.askedToRecycle,
              let slot = slots.first(where: { $0.current === worker }), !slot.retireOnExit, slot.incoming == nil else { return }
        worker.askedToRecycle = true
        workerRecycles += 1
        logger.info("worker served its request budget; recycling", metadata: ["slot": "\(slot.index)", "pid": "\(worker.pid)"])
        startSuccessor(slot)
    }

    // MARK: - timeouts and replacement

    func enforceTimeouts() {
        let now = monotonicNow()
        for slot in slots {
            for worker in [slot.current, slot.incoming].compactMap({ $0 }) {
                switch worker.phase {
                case .starting where worker.lifetime > Self.startTimeout:
                    terminate(worker, reason: "did not start in \(Int(Self.startTimeout)) s")
                case .running where settings.workerTimeout > 0 && now - worker.lastHeard > settings.workerTimeout:
                    terminate(worker, reason: "no heartbeat for \(Int(now - worker.lastHeard)) s (WORKER_TIMEOUT)")
                case .draining where now - (worker.drainStartedAt ?? now) > settings.gracefulTimeout:
                    terminate(worker, reason: "still draining after GRACEFUL_TIMEOUT")
                default:
                    break
                }
            }
        }
        for slot in slots {
            guard let successor = slot.incoming, let booted = successor.bootedAt, !successor.released,
                  now - booted > Self.handoverTimeout else { continue }
            logger.warning("predecessor did not report its listener closed; releasing the successor", metadata: ["slot": "\(slot.index)"])
            successor.release()
        }
        for worker in outgoing where now - (worker.drainStartedAt ?? now) > settings.gracefulTimeout {
            terminate(worker, reason: "still draining after GRACEFUL_TIMEOUT")
        }
    }

    private func terminate(_ worker: WorkerChild, reason: String) {
        guard !worker.killed else { return }
        worker.killed = true
        logger.error("killing worker", metadata: ["slot": "\(worker.slotIndex)", "pid": "\(worker.pid)", "reason": "\(reason)"])
        kill(worker.pid, SIGKILL)
    }

    /// Replaces queued slots one at a time: the next once no successor is starting.
    func advanceReplacement() {
        guard !replacementQueue.isEmpty, !slots.contains(where: { $0.incoming != nil || $0.current?.phase == .starting }) else { return }
        let now = monotonicNow()
        guard let index = replacementQueue.firstIndex(where: { $0.replaceAfter <= now }) else { return }
        let slot = replacementQueue.remove(at: index)
        if slot.current?.phase == .running {
            startSuccessor(slot)
        } else if slot.current == nil, slot.restartAt != nil {
            slot.restartAt = nil
            start(slot)
        }
    }
}
