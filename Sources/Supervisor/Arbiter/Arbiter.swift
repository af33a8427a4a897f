import CShim
import Foundation
import Logging
import RegistryJSON
import RegistryRuntime
import SupervisorCore

/// The supervisor loop (after gunicorn's arbiter): wait for a signal or a tick, reap dead
/// workers, read what the living ones report, replace the dead, the silent and the worn out, and
/// keep the liveness document, the metrics and systemd up to date.
///
/// Signals: TERM and INT drain every worker and exit 0 (a second INT, or QUIT, kills at once);
/// HUP re-reads the settings and replaces every worker, each successor serving before its
/// predecessor drains; TTIN/TTOU add or retire one worker.
final class Arbiter {
    var settings: Settings
    /// Settings as they are now (environment, `.env`, the command line), for HUP.
    let reloadSettings: () throws -> Settings
    let host: String
    let port: Int
    var spawner: WorkerSpawner
    let signals: SignalSet
    let liveness: LivenessServer?
    let notifier: SystemdNotifier
    let logger: Logger
    let watchBinary: Bool
    let startedAt = Timestamp.now()

    var slots: [WorkerSlot]
    /// Every living worker process by pid: its control pipe and its last metrics.
    var children: [pid_t: WorkerChild] = [:]
    /// Replaced workers finishing their requests.
    var replaced = ReplacedWorkers()
    var replacementQueue: [WorkerSlot] = []
    var shutdownDeadline: Double?
    var exitCode: Int32 = 0
    var binaryStamp: timespec?
    var lastBinaryCheck = 0.0

    /// Counts of workers that have exited, so that totals survive them.
    var retiredMetrics = MetricsSnapshot()
    var workerRestarts = 0
    var workerRestartsByReason: [RestartReason: Int] = [:]
    var workerRecycles = 0
    var metricsDirty = true
    var lastMetricsRender = 0.0
    var announcedReady = false
    var reloading = false
    var lastStatus = ""

    init(settings: Settings, reloadSettings: @escaping () throws -> Settings, sockets: [ListeningSocket],
         spawner: WorkerSpawner, signals: SignalSet, liveness: LivenessServer?, watchBinary: Bool, logger: Logger) {
        self.settings = settings
        self.reloadSettings = reloadSettings
        host = settings.host
        port = settings.port
        self.spawner = spawner
        self.signals = signals
        self.liveness = liveness
        self.watchBinary = watchBinary
        self.logger = logger
        notifier = SystemdNotifier(logger: logger)
        slots = sockets.enumerated().map { WorkerSlot(index: $0.offset, socket: $0.element) }
        binaryStamp = Self.modificationTime(spawner.executable)
    }

    func run() -> Int32 {
        for slot in slots { send(.start, to: slot) }
        while true {
            if let signal = signals.wait(timeout: 0.1) { handle(signal) }
            reap()
            readReports()
            if let deadline = shutdownDeadline {
                if children.isEmpty { break }
                if monotonicNow() > deadline { killAll(reason: "graceful timeout expired") }
                publish()
                continue
            }
            enforceTimeouts()
            advanceReplacement()
            if watchBinary { checkBinary() }
            publish()
        }
        publish(force: true)
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
            if shutdownDeadline != nil { killAll(reason: "second interrupt") } else { beginShutdown() }
        case SIGQUIT:
            beginShutdown()
            killAll(reason: "quick shutdown (QUIT)")
        case SIGHUP:
            reload()
        case SIGTTIN:
            addSlot()
        case SIGTTOU:
            retireLastSlot()
        default:
            break
        }
    }

    func beginShutdown(exitCode: Int32 = 0) {
        guard shutdownDeadline == nil else { return }
        self.exitCode = exitCode
        print("Shutting down gracefully...")
        notifier.stopping()
        logger.info("draining workers", metadata: ["timeout_s": "\(settings.gracefulTimeout)"])
        shutdownDeadline = monotonicNow() + settings.gracefulTimeout
        replacementQueue.removeAll()
        for slot in slots { send(.shutdown, to: slot) }
        publish(force: true)
    }

    func killAll(reason: String) {
        for worker in slots.flatMap(\.state.workers) + replaced.workers {
            logger.warning("killing worker", metadata: ["slot": "\(worker.slot)", "pid": "\(worker.pid)", "reason": "\(reason)"])
            kill(worker.pid, SIGKILL)
        }
    }

    func addSlot() {
        do {
            let socket = try ListeningSocket.open(host: host, port: port)
            let slot = WorkerSlot(index: (slots.map(\.index).max() ?? -1) + 1, socket: socket)
            slots.append(slot)
            logger.info("adding a worker", metadata: ["slot": "\(slot.index)", "workers": "\(slots.count)"])
            send(.start, to: slot)
        } catch {
            logger.error("cannot add a worker", metadata: ["error": "\(error)"])
        }
    }

    func retireLastSlot() {
        let keeping = slots.filter { !$0.machine.retiring }
        guard keeping.count > 1, let slot = keeping.last else { return }
        logger.info("retiring a worker", metadata: ["slot": "\(slot.index)"])
        replacementQueue.removeAll { $0 === slot }
        send(.retire, to: slot)
    }

    func remove(_ slot: WorkerSlot) {
        close(slot.socket.fd)
        slots.removeAll { $0 === slot }
        replacementQueue.removeAll { $0 === slot }
    }

    static func modificationTime(_ path: String) -> timespec? {
        var info = stat()
        return stat(path, &info) == 0 ? info.st_mtim : nil
    }
}

func monotonicNow() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
