import Foundation
import Logging
import RegistryRuntime

/// The policy of one worker slot: `handle` takes an event and the time, moves `state` on and
/// returns what the arbiter must do. Pure: no process, no clock, no I/O.
///
///     stopped ─start─▶ starting ─ready─▶ running ─replace, recycle─▶ handingOver ─successor ready─▶ running
///                         │                 │                        (Handover.swift)
///                         └──── exited ─────┴─▶ backoff ─tick─▶ starting   (at once after a healthy life)
///     any ─shutdown, retire─▶ draining ─exited─▶ stopped                   (retired: removed)
public struct SlotMachine: Equatable, Sendable {
    public let index: Int
    public internal(set) var state: SlotState = .stopped
    public internal(set) var restarts = 0
    /// Quick deaths or failed replacements in a row; sets the backoff.
    public internal(set) var consecutiveFailures = 0
    /// Monotonic time before which a failed replacement is not tried again.
    public internal(set) var replaceAfter = 0.0
    /// Retired (SIGTTOU, fewer WORKERS): removed once its processes exit.
    public internal(set) var retiring = false
    public internal(set) var shuttingDown = false

    public init(index: Int) { self.index = index }

    public mutating func handle(_ event: SlotEvent, now: Double) -> [SlotAction] {
        var actions: [SlotAction] = []
        if event == .shutdown { shuttingDown = true }
        if event == .retire { retiring = true }
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
                 .running(let worker) where worker.pid == pid,
                 .draining(let worker, _) where worker.pid == pid:
                exited(worker, status, now: now, actions: &actions)
            default:
                break
            }
        case .tick(let timeouts):
            switch state {
            case .backoff(let until) where now >= until:
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
            if event == .retire, !state.hasProcess { actions.append(.remove) }
        }
        return actions
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

    /// The slot's only worker exited.
    private mutating func exited(_ worker: Worker, _ status: ExitStatus, now: Double, actions: inout [SlotAction]) {
        state = .stopped
        let pid = "\(worker.pid)"
        if shuttingDown {
            actions.append(log(.info, "worker exited", ["pid": pid, "status": "\(status)"]))
        } else if retiring {
            actions += [log(.info, "worker retired", ["pid": pid]), .remove]
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
