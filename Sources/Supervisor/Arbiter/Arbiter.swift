import CShim
import Foundation
import Logging
import Shared

/// The supervisor loop (after gunicorn's arbiter): wait for a signal or a tick, reap dead
/// workers, restart them with a backoff, and keep the liveness document current.
///
/// Signals: TERM and INT drain every worker and exit 0 (a second INT, or QUIT, kills at once);
/// HUP replaces the workers one slot at a time; TTIN/TTOU add or retire one worker.
final class Arbiter {
    private let settings: Settings
    private let host: String
    private let port: Int
    private let spawner: WorkerSpawner
    private let signals: SignalSet
    private let liveness: LivenessServer?
    private let logger: Logger
    private let watchBinary: Bool
    private let startedAt = Timestamp.now()

    private var slots: [WorkerSlot]
    private var replacementQueue: [WorkerSlot] = []
    private var shutdownDeadline: Double?
    private var exitCode: Int32 = 0
    private var binaryStamp: timespec?
    private var lastBinaryCheck = 0.0

    /// A worker living at least this long before it dies is restarted at once.
    private static let healthyLifetime = 1.0
    private static let maximumBackoff = 10.0
    private static let startTimeout = 30.0

    init(settings: Settings, host: String, port: Int, sockets: [ListeningSocket], spawner: WorkerSpawner,
         signals: SignalSet, liveness: LivenessServer?, watchBinary: Bool, logger: Logger) {
        self.settings = settings
        self.host = host
        self.port = port
        self.spawner = spawner
        self.signals = signals
        self.liveness = liveness
        self.watchBinary = watchBinary
        self.logger = logger
        slots = sockets.enumerated().map { WorkerSlot(index: $0.offset, socket: $0.element) }
        binaryStamp = Self.modificationTime(spawner.executable)
    }

    func run() -> Int32 {
        slots.forEach(start)
        while true {
            if let signal = signals.wait(timeout: 0.1) { handle(signal) }
            reap()
            if let deadline = shutdownDeadline {
                if slots.allSatisfy({ !$0.hasProcess }) { break }
                if monotonicNow() > deadline { killAll(SIGKILL, reason: "graceful timeout expired") }
                continue
            }
            pollReadiness()
            restartDueWorkers()
            advanceReplacement()
            if watchBinary { checkBinary() }
            publish()
        }
        publish()
        logger.info("supervisor stopped", metadata: ["exit_code": "\(exitCode)"])
        return exitCode
    }

    // MARK: - signals

    private func handle(_ signal: Int32) {
        switch signal {
        case SIGCHLD:
            break
        case SIGTERM:
            beginShutdown()   // a repeated TERM (systemd, Kubernetes, scripts) keeps the drain going
        case SIGINT:
            if shutdownDeadline != nil { killAll(SIGKILL, reason: "second interrupt") } else { beginShutdown() }
        case SIGQUIT:
            beginShutdown()
            killAll(SIGKILL, reason: "quick shutdown (QUIT)")
        case SIGHUP:
            logger.info("reload requested: replacing workers one at a time")
            replacementQueue = slots
        case SIGTTIN:
            addSlot()
        case SIGTTOU:
            retireLastSlot()
        default:
            break
        }
    }

    private func beginShutdown(exitCode: Int32 = 0) {
        guard shutdownDeadline == nil else { return }
        self.exitCode = exitCode
        print("Shutting down gracefully...")
        logger.info("draining workers", metadata: ["timeout_s": "\(settings.gracefulTimeout)"])
        shutdownDeadline = monotonicNow() + settings.gracefulTimeout
        for slot in slots {
            if slot.hasProcess {
                kill(slot.pid, SIGTERM)
                slot.state = .draining
            } else {
                slot.state = .stopped
            }
        }
        publish()
    }

    private func killAll(_ signal: Int32, reason: String) {
        for slot in slots where slot.hasProcess {
            logger.warning("killing worker", metadata: ["slot": "\(slot.index)", "pid": "\(slot.pid)", "reason": "\(reason)"])
            kill(slot.pid, signal)
        }
    }

    private func addSlot() {
        do {
            let socket = try ListeningSocket.open(host: host, port: port)
            let slot = WorkerSlot(index: (slots.map(\.index).max() ?? -1) + 1, socket: socket)
            slots.append(slot)
            logger.info("adding a worker", metadata: ["slot": "\(slot.index)", "workers": "\(slots.count)"])
            start(slot)
        } catch {
            logger.error("cannot add a worker", metadata: ["error": "\(error)"])
        }
    }

    private func retireLastSlot() {
        guard slots.count > 1, let slot = slots.last(where: { !$0.retireOnExit }),
              slots.filter({ !$0.retireOnExit }).count > 1 else { return }
        logger.info("retiring a worker", metadata: ["slot": "\(slot.index)"])
        slot.retireOnExit = true
        if slot.hasProcess {
            kill(slot.pid, SIGTERM)
            slot.state = .draining
        } else {
            remove(slot)
        }
    }

    private func remove(_ slot: WorkerSlot) {
        close(slot.socket.fd)
        slots.removeAll { $0 === slot }
        replacementQueue.removeAll { $0 === slot }
    }

    // MARK: - workers

    private func start(_ slot: WorkerSlot) {
        do {
            try spawner.spawn(slot)
            slot.spawnedAt = monotonicNow()
            logger.info("worker spawned", metadata: ["slot": "\(slot.index)", "pid": "\(slot.pid)"])
        } catch {
            logger.error("cannot spawn worker", metadata: ["slot": "\(slot.index)", "error": "\(error)"])
            scheduleRestart(slot, lived: 0)
        }
    }

    private func reap() {
        while true {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid <= 0 { return }
            guard let slot = slots.first(where: { $0.pid == pid }) else { continue }
            let lived = monotonicNow() - slot.spawnedAt
            let outcome = Self.describe(status)
            if slot.readyPipe >= 0 { close(slot.readyPipe); slot.readyPipe = -1 }
            slot.pid = 0
            if shutdownDeadline != nil {
                slot.state = .stopped
                logger.info("worker exited", metadata: ["slot": "\(slot.index)", "pid": "\(pid)", "status": "\(outcome)"])
            } else if slot.retireOnExit {
                logger.info("worker retired", metadata: ["slot": "\(slot.index)", "pid": "\(pid)"])
                remove(slot)
            } else if slot.replaceOnExit {
                slot.replaceOnExit = false
                slot.restarts += 1
                start(slot)
            } else if pyrmute_wifexited(status) != 0, pyrmute_wexitstatus(status) == 3 {
                logger.critical("worker failed to boot; stopping", metadata: ["slot": "\(slot.index)", "pid": "\(pid)"])
                beginShutdown(exitCode: 1)
            } else {
                logger.warning("worker died", metadata: ["slot": "\(slot.index)", "pid": "\(pid)", "status": "\(outcome)",
                                                         "lived_s": "\(String(format: "%.2f", lived))"])
                slot.restarts += 1
                scheduleRestart(slot, lived: lived)
            }
        }
    }

    private func scheduleRestart(_ slot: WorkerSlot, lived: Double) {
        if lived >= Self.healthyLifetime {
            slot.consecutiveFailures = 0
            start(slot)
            return
        }
        slot.consecutiveFailures += 1
        let delay = min(Self.maximumBackoff, 0.1 * pow(2, Double(slot.consecutiveFailures - 1)))
        slot.state = .backoff
        slot.restartAt = monotonicNow() + delay
        logger.warning("worker restarting after backoff", metadata: ["slot": "\(slot.index)", "delay_s": "\(delay)"])
    }

    private func restartDueWorkers() {
        let now = monotonicNow()
        for slot in slots where slot.state == .backoff && now >= slot.restartAt { start(slot) }
    }

    private func pollReadiness() {
        for slot in slots where slot.state == .starting && slot.readyPipe >= 0 {
            var byte: UInt8 = 0
            let n = read(slot.readyPipe, &byte, 1)
            if n == 1 {
                slot.state = .running
                close(slot.readyPipe)
                slot.readyPipe = -1
                logger.info("worker ready", metadata: ["slot": "\(slot.index)", "pid": "\(slot.pid)"])
            } else if n == 0 {
                close(slot.readyPipe)   // exited before serving; reap() takes it from here
                slot.readyPipe = -1
            } else if monotonicNow() - slot.spawnedAt > Self.startTimeout {
                logger.error("worker did not start in time", metadata: ["slot": "\(slot.index)", "pid": "\(slot.pid)"])
                kill(slot.pid, SIGKILL)
            }
        }
    }

    /// Replaces queued slots one at a time: the next only once no slot is starting or draining.
    private func advanceReplacement() {
        guard !replacementQueue.isEmpty,
              !slots.contains(where: { $0.state == .starting || $0.state == .draining }) else { return }
        let slot = replacementQueue.removeFirst()
        if slot.hasProcess {
            slot.replaceOnExit = true
            slot.state = .draining
            kill(slot.pid, SIGTERM)
        } else if slot.state == .backoff {
            start(slot)
        }
    }

    private func checkBinary() {
        let now = monotonicNow()
        guard now - lastBinaryCheck >= 1 else { return }
        lastBinaryCheck = now
        let stamp = Self.modificationTime(spawner.executable)
        guard let stamp, let old = binaryStamp, stamp.tv_sec != old.tv_sec || stamp.tv_nsec != old.tv_nsec else { return }
        binaryStamp = stamp
        logger.info("worker binary changed: reloading workers")
        replacementQueue = slots
    }

    // MARK: - liveness

    private func publish() {
        guard let liveness else { return }
        let running = slots.filter { $0.state == .running }.count
        let slotList: [JSONValue] = slots.map { slot in
            [
                "slot": .int(slot.index),
                "pid": slot.hasProcess ? .int(Int(slot.pid)) : .null,
                "state": .string(slot.state.rawValue),
                "started_at": slot.startedAt.map { .string($0.isoZulu) } ?? .null,
                "restarts": .int(slot.restarts),
            ]
        }
        let document: JSONValue = [
            "status": running > 0 ? "ok" : "unavailable",
            "supervisor_pid": .int(Int(getpid())),
            "started_at": .string(startedAt.isoZulu),
            "uptime_seconds": .double((Timestamp.now().secondsSinceEpoch - startedAt.secondsSinceEpoch)),
            "workers_running": .int(running),
            "workers_expected": .int(slots.filter { !$0.retireOnExit }.count),
            "shutting_down": .bool(shutdownDeadline != nil),
            "slots": .array(slotList),
        ]
        liveness.update(document, healthy: running > 0)
    }

    // MARK: - helpers

    static func describe(_ status: Int32) -> String {
        if pyrmute_wifexited(status) != 0 { return "exit \(pyrmute_wexitstatus(status))" }
        if pyrmute_wifsignaled(status) != 0 { return "signal \(pyrmute_wtermsig(status))" }
        return "status \(status)"
    }

    private static func modificationTime(_ path: String) -> timespec? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mtim : nil
    }
}

func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
