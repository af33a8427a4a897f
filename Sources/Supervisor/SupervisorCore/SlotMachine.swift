import Foundation
import Logging
import RegistryRuntime

/// The policy of one worker slot: `handle` takes an event and the time, moves `state` on and
/// returns what the arbiter must do. Pure: no process, no clock, no I/O.
///
///     stopped ─start─▶ starting ─ready─▶ running ─replace, recycle─▶ handingOver ─successor ready─▶ running
///                         │                 │                        (Handover.swift)
///                         └──── exited ─────┴─▶ backoff ─tick─▶ starting   (at once after a healthy life)
///     any ─shutdown─▶ draining ─exited─▶ stopped
///
/// Retirement (SIGTTOU, fewer WORKERS), steered: the arbiter has left the slot's socket out of the
/// reuseport program, so it gets no new connection; its worker goes on serving what the socket
/// holds. Then, on `acceptQueue`:
///
///     running ─queue empty, Timeouts.steer passed─▶ draining ─exited─▶ stopped ─queue empty─▶ removed
///                                                                        └─ queue not empty ─▶ starting (serves it; drains again)
///
/// Unsteered (no program could be attached): any ─retire─▶ draining ─exited─▶ removed.
public struct SlotMachine: Equatable, Sendable {
    public let index: Int
    public internal(set) var state: SlotState = .stopped
    public internal(set) var restarts = 0
    /// Quick deaths or failed replacements in a row; sets the backoff.
    public internal(set) var consecutiveFailures = 0
    /// Monotonic time before which a failed replacement is not tried again.
    public internal(set) var replaceAfter = 0.0
    /// Retired (SIGTTOU, fewer WORKERS): removed once its processes exit (steered: and its
    /// socket's queue is empty).
    public internal(set) var retiring = false
    /// New connections were steered away from the retiring slot's socket.
    public internal(set) var steered = false
    /// When the slot was retired.
    public internal(set) var retiredAt = 0.0
    /// `.remove` was returned: the slot is gone.
    public internal(set) var removed = false
    public internal(set) var shuttingDown = false

    public init(index: Int) { self.index = index }

    public mutating func handle(_ event: SlotEvent, now: Double) -> [SlotAction] {
        var actions: [SlotAction] = []
        if event == .shutdown { shuttingDown = true }
        if case .retire(let steered) = event {
            if !retiring {
                retiring = true
                retiredAt = now
                self.steered = steered
                if steered {
                    actions.append(log(.info, "retiring: new connections go to the other workers; this one serves what its socket holds"))
                }
            } else if !steered {
                self.steered = false   // steering failed meanwhile: drain now, as unsteered
            }
        }
        if removed { return actions }
        if case .handingOver(var handover) = state {
            state = handle(event, during: &handover, now: now, actions: &actions)
            return actions
        }
        switch event {
        case .start:
            if case .stopped = state, !shuttingDown, !retiring { actions.append(.spawn(held: false)) }
        case .replace:
            switch state {
            case .running: actions.append(.spawn(held: true))
            case .backoff: actions.append(.spawn(held: false))   // a queued dead worker starts at once
            default: break
            }
        case .spawned(let pid):
            let worker = Worker(pid: pid, slot: index, spawnedAt: now)
            if case .running(let current) = state {
                state = .handingOver(Handover(predecessor: .running(current), successor: worker))
                restarts += 1
                actions += [.countRestart(.replaced), log(.info, "successor spawned", ["pid": "\(pid)"])]
            } else {
                state = .starting(worker)
                actions.append(log(.info, "worker spawned", ["pid": "\(pid)"]))
            }
        case .spawnFailed(let error):
            if case .running = state {
                actions.append(log(.error, "cannot spawn successor", ["error": error]))
                retryReplacement(now: now, actions: &actions)
            } else {
                actions.append(log(.error, "cannot spawn worker", ["error": error]))
                scheduleRestart(lived: 0, now: now, actions: &actions)
            }
        case .heard(let pid, let message):
            heard(message, from: pid, now: now, actions: &actions)
        case .exited(let pid, let status):
            switch state {
            case .starting(let worker) where worker.pid == pid,
                 .running(let worker) where worker.pid == pid:
                exited(worker, status, drained: false, now: now, actions: &actions)
            case .draining(let worker, _) where worker.pid == pid:
                exited(worker, status, drained: true, now: now, actions: &actions)
            default:
                break
            }
        case .tick(let timeouts):
            switch state {
            case .backoff(let until) where now >= until && !(retiring && steered):   // retiring: `acceptQueue` decides
                actions.append(.spawn(held: false))
            case .starting(var worker):
                if now - worker.spawnedAt > Timeouts.start {
                    kill(&worker, reason: "did not start in \(Int(Timeouts.start)) s", actions: &actions)
                }
                state = .starting(worker)
            case .running(var worker):
                if let silence = heartbeatOverdue(worker, timeouts, now: now) {
                    kill(&worker, reason: "no heartbeat for \(Int(silence)) s (WORKER_TIMEOUT)", actions: &actions)
                }
                state = .running(worker)
            case .draining(var worker, let since):
                if now - since > timeouts.graceful {
                    kill(&worker, reason: "still draining after GRACEFUL_TIMEOUT", actions: &actions)
                }
                state = .draining(worker, since: since)
            default:
                break
            }
        case .retire where steered:
            break   // the worker serves on; `acceptQueue` drains it once the socket's queue is empty
        case .shutdown, .retire:
            switch state {
            case .backoff:
                state = .stopped
            case .starting(let worker), .running(let worker):
                state = .draining(worker, since: now)
                actions.append(.drain(pid: worker.pid))
            case .stopped, .draining, .handingOver:
                break
            }
            if case .retire = event, !state.hasProcess { remove(&actions) }
        case .acceptQueue(let queued):
            retiringQueue(queued, now: now, actions: &actions)
        }
        return actions
    }

    /// A steered retirement, each turn: drain the worker once the socket's queue is empty and the
    /// connections begun before the steering have had `Timeouts.steer` to arrive; once no worker
    /// is left, remove the slot if nothing is queued, or start one to serve what is.
    private mutating func retiringQueue(_ queued: Int, now: Double, actions: inout [SlotAction]) {
        guard retiring, steered, !shuttingDown else { return }
        let settled = now - retiredAt >= Timeouts.steer
        switch state {
        case .running(let worker):
            guard settled, queued == 0 else { return }
            state = .draining(worker, since: now)
            actions += [log(.info, "retiring slot's socket is empty; draining its worker", ["pid": "\(worker.pid)"]),
                        .drain(pid: worker.pid)]
        case .stopped, .backoff:
            if queued == 0 {
                if settled { remove(&actions) }
            } else if case .backoff(let until) = state, now < until {
                return
            } else {
                actions += [log(.warning, "connections still queued on a retiring slot's socket; starting a worker to serve them",
                                ["queued": "\(queued)"]),
                            .spawn(held: false)]
            }
        case .starting, .draining, .handingOver:
            break
        }
    }

    private mutating func remove(_ actions: inout [SlotAction]) {
        state = .stopped
        removed = true
        actions.append(.remove)
    }

    private mutating func heard(_ message: WorkerMessage, from pid: Int32, now: Double, actions: inout [SlotAction]) {
        switch state {
        case .starting(var worker) where worker.pid == pid:
            worker.lastHeard = now
            if message == .ready {
                state = .running(worker)
                actions.append(log(.info, "worker ready", ["pid": "\(pid)"]))
            } else {
                state = .starting(worker)
            }
        case .running(var worker) where worker.pid == pid:
            worker.lastHeard = now
            state = .running(worker)
            if message == .recycle, !shuttingDown, !retiring {
                actions += [.countRecycle, log(.info, "worker served its request budget; recycling", ["pid": "\(pid)"]),
                            .spawn(held: true)]
            }
        case .draining(var worker, let since) where worker.pid == pid:
            worker.lastHeard = now
            state = .draining(worker, since: since)
        default:
            break
        }
    }

    /// The slot's only worker exited (`drained`: it had been told to).
    private mutating func exited(_ worker: Worker, _ status: ExitStatus, drained: Bool, now: Double, actions: inout [SlotAction]) {
        state = .stopped
        let pid = "\(worker.pid)"
        if shuttingDown {
            actions.append(log(.info, "worker exited", ["pid": pid, "status": "\(status)"]))
        } else if retiring, !steered {
            actions.append(log(.info, "worker retired", ["pid": pid]))
            remove(&actions)
        } else if retiring {
            // The slot goes once its socket is empty (`acceptQueue`); a worker that died early
            // is started again after the usual backoff if there is still something to serve.
            if drained {
                actions.append(log(.info, "worker retired", ["pid": pid]))
            } else {
                let lived = now - worker.spawnedAt
                actions.append(log(.warning, "worker died", ["pid": pid, "status": "\(status)", "lived_s": String(format: "%.2f", lived)]))
                if lived < RestartPolicy.healthyLifetime {
                    consecutiveFailures += 1
                    state = .backoff(until: now + RestartPolicy.backoff(afterFailures: consecutiveFailures))
                }
            }
        } else if status.isBootFailure {
            actions += [log(.critical, "worker failed to boot; stopping", ["pid": pid]), .stopServer(exitCode: 1)]
        } else {
            let lived = now - worker.spawnedAt
            actions += [log(.warning, "worker died", ["pid": pid, "status": "\(status)", "lived_s": String(format: "%.2f", lived)]),
                        .countRestart(worker.killed ? .timeout : .crashed)]
            restarts += 1
            scheduleRestart(lived: lived, now: now, actions: &actions)
        }
    }

    // MARK: - shared with the handover

    mutating func scheduleRestart(lived: Double, now: Double, actions: inout [SlotAction]) {
        if lived >= RestartPolicy.healthyLifetime {
            consecutiveFailures = 0
            state = .stopped
            actions.append(.spawn(held: false))
            return
        }
        consecutiveFailures += 1
        let delay = RestartPolicy.backoff(afterFailures: consecutiveFailures)
        state = .backoff(until: now + delay)
        actions.append(log(.warning, "worker restarting after backoff", ["delay_s": "\(delay)"]))
    }

    mutating func retryReplacement(now: Double, actions: inout [SlotAction]) {
        consecutiveFailures += 1
        replaceAfter = now + RestartPolicy.backoff(afterFailures: consecutiveFailures)
        actions.append(.requeue)
    }

    mutating func resetFailures() { consecutiveFailures = 0 }

    /// SIGKILL, once per worker.
    func kill(_ worker: inout Worker, reason: String, actions: inout [SlotAction]) {
        guard !worker.killed else { return }
        worker.killed = true
        actions += [LogLine(.error, "killing worker", ["slot": "\(worker.slot)", "pid": "\(worker.pid)", "reason": reason]).action,
                    .kill(pid: worker.pid)]
    }

    /// How long a running worker has been silent, when that is longer than WORKER_TIMEOUT.
    func heartbeatOverdue(_ worker: Worker, _ timeouts: Timeouts, now: Double) -> Double? {
        let silence = now - worker.lastHeard
        return timeouts.worker > 0 && silence > timeouts.worker ? silence : nil
    }

    /// A log line about this slot.
    func log(_ level: LogLine.Level, _ message: String, _ metadata: [String: String] = [:]) -> SlotAction {
        LogLine(level, message, metadata.merging(["slot": "\(index)"]) { own, _ in own }).action
    }
}

extension LogLine {
    public typealias Level = Logging.Logger.Level
    var action: SlotAction { .log(self) }
}
