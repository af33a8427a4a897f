import Foundation
import Logging
import NIOConcurrencyHelpers
import RegistryDomain
import RegistryTraffic
import RegistryRuntime

/// The worker's periodic database work, off the event loops: four times a second it polls the
/// key-state version and writes batched usage counts and audit rows; deletes past rate-limit
/// windows once a minute.
final class BackgroundWork: Sendable {
    private let settings: Settings
    private let keys: KeyAuthenticator
    private let usage: UsageRecorder
    private let audit: AuditRecorder?
    private let rateLimiter: RateLimiter?
    private let logger: Logger
    private let timer = NIOLockedValueBox<TimerBox?>(nil)
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
        let source = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "pyrmute.background"))
        source.schedule(deadline: .now(), repeating: .milliseconds(250))
        source.setEventHandler { [self] in runOnce() }
        source.resume()
        timer.withLockedValue { $0 = TimerBox(source: source) }
    }

    /// Stops the timer and writes what is still queued (at drain).
    func stopAndFlush() {
        timer.withLockedValue { $0?.source.cancel() }
        do {
            try usage.flush()
            try audit?.flush()
        } catch {
            logger.error("could not write usage counts or audit rows at exit", metadata: ["error": "\(error)"])
        }
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

/// The timer source, which Dispatch does not declare Sendable: it is only created, then cancelled
/// (a thread-safe Dispatch call), under `BackgroundWork.timer`'s lock.
private struct TimerBox: @unchecked Sendable {
    let source: DispatchSourceTimer
}
