import Foundation
import Logging
import NIOConcurrencyHelpers
import RegistryDomain
import RegistryTraffic
import RegistryRuntime

/// The worker's periodic database work, off the event loops: four times a second it polls the
/// key-state version and writes batched usage counts and audit rows, and deletes past rate-limit
/// windows once a minute; every `RateLimiter.syncInterval` it syncs the rate-limit counters (on a
/// queue of its own, so that the other work does not delay it).
final class BackgroundWork: Sendable {
    private let settings: Settings
    private let keys: KeyAuthenticator
    private let usage: UsageRecorder
    private let audit: AuditRecorder?
    private let rateLimiter: RateLimiter?
    private let logger: Logger
    private let timers = NIOLockedValueBox<[TimerBox]>([])
    private let syncQueue = DispatchQueue(label: "pyrmute.ratelimit-sync")
    /// The last failure logged, so that a lasting one is logged once (only touched on the timer's queue).
    private let lastError = NIOLockedValueBox("")

    init(settings: Settings, keys: KeyAuthenticator, usage: UsageRecorder, audit: AuditRecorder?, rateLimiter: RateLimiter?,
         logger: Logger) {
        self.settings = settings
        self.keys = keys
        self.usage = usage
        self.audit = audit
        self.rateLimiter = rateLimiter
        self.logger = logger
    }

    func start() {
        guard settings.enableAuth || rateLimiter != nil else { return }
        var started = [Self.repeating(on: DispatchQueue(label: "pyrmute.background"), every: .milliseconds(250)) { [self] in
            runOnce()
        }]
        if let rateLimiter {
            let interval = DispatchTimeInterval.milliseconds(Int(RateLimiter.syncInterval * 1000))
            started.append(Self.repeating(on: syncQueue, every: interval) { rateLimiter.synchronise() })
        }
        timers.withLockedValue { $0 = started }
    }

    /// Stops the timers and writes what is still queued (at drain).
    func stopAndFlush() {
        timers.withLockedValue { $0.forEach { $0.source.cancel() } }
        do {
            try usage.flush()
            try audit?.flush()
        } catch {
            logger.error("could not write usage counts or audit rows at exit", metadata: ["error": "\(error)"])
        }
        // On the sync's queue: after a round still running, never beside it.
        if let rateLimiter { syncQueue.sync { rateLimiter.finishSynchronising() } }
    }

    private static func repeating(on queue: DispatchQueue, every interval: DispatchTimeInterval,
                                  _ work: @escaping @Sendable () -> Void) -> TimerBox {
        let source = DispatchSource.makeTimerSource(queue: queue)
        source.schedule(deadline: .now(), repeating: interval)
        source.setEventHandler(handler: work)
        source.resume()
        return TimerBox(source: source)
    }

    private func runOnce() {
        do {
            if settings.enableAuth {
                try keys.refreshState()
                try usage.flush()
                try audit?.flush()
            }
            try rateLimiter?.purgeExpiredWindows()
            lastError.withLockedValue { $0 = "" }
        } catch {
            let text = "\(error)"
            let isNew = lastError.withLockedValue { last in
                defer { last = text }
                return text != last
            }
            if isNew { logger.warning("background database work failed", metadata: ["error": "\(text)"]) }
        }
    }
}

/// A timer source, which Dispatch does not declare Sendable: it is only created, then cancelled
/// (a thread-safe Dispatch call), under `BackgroundWork.timers`' lock.
private struct TimerBox: @unchecked Sendable {
    let source: DispatchSourceTimer
}
