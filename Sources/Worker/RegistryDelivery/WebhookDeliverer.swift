import Foundation
import Logging
import NIOCore
import NIOPosix
import RegistryDomain
import RegistryRuntime
import RegistryStorage

/// The webhook deliverer (issue 17): every worker runs one on a thread of its own, with its own
/// database connection and event loop; only the holder of the database's `deliverer` lease works
/// (one per database, whatever the number of workers and servers). Each round it turns new events
/// into deliveries, sends the due ones (one at a time per webhook, in order) and, every ten
/// minutes, prunes what is past the retention. Never on the request path.
public final class WebhookDeliverer: @unchecked Sendable {   // state touched by its own thread only, but `stopping`
    private let settings: Settings
    private let pool: ConnectionPool
    private let queue: DeliveryQueue
    private let lease: LeaseKeeper
    private let group: MultiThreadedEventLoopGroup
    private let sender: WebhookSender
    private let logger: Logger
    private let stopping = NSCondition()
    private var stopRequested = false
    private var finished = false
    private var lastPrune = Date.distantPast
    private var lastError = ""

    public init(settings: Settings, url: DatabaseURL, writerGate: WriterGate?, logger: Logger) {
        self.settings = settings
        pool = ConnectionPool(url: url, capacity: 1, writerGate: writerGate)
        queue = DeliveryQueue(pool: pool, box: WebhookSecretBox(passphrase: settings.webhookSecretKey),
                              retryPeriodSeconds: settings.webhookRetryHours * 3600, maxBackoffSeconds: settings.webhookMaxBackoff)
        lease = LeaseKeeper(pool: pool)
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        sender = WebhookSender(group: group, allowPrivate: settings.webhookAllowPrivate)
        self.logger = logger
    }

    public func start() {
        let thread = Thread { [self] in run() }
        thread.name = "pyrmute.deliverer"
        thread.start()
    }

    /// Ends the loop after the attempt in flight, releases the lease, closes the client.
    public func stop() {
        stopping.lock()
        stopRequested = true
        stopping.broadcast()
        let deadline = Date().addingTimeInterval(3)   // an attempt in flight may take 10 s: not worth the drain's time
        while !finished && stopping.wait(until: deadline) {}
        stopping.unlock()
    }

    private var shouldStop: Bool {
        stopping.lock()
        defer { stopping.unlock() }
        return stopRequested
    }

    /// Sleeps up to `seconds`, or until `stop()`.
    private func pause(_ seconds: Double) {
        stopping.lock()
        if !stopRequested { _ = stopping.wait(until: Date().addingTimeInterval(seconds)) }
        stopping.unlock()
    }

    private func run() {
        while !shouldStop {
            var busy = false
            var idle = true
            do {
                if try lease.ensure() {
                    (busy, idle) = try round()
                    if Date().timeIntervalSince(lastPrune) > 600 {
                        lastPrune = Date()
                        try queue.prune(retentionDays: settings.eventRetentionDays)
                    }
                }
                lastError = ""
            } catch {
                let text = "\(error)"
                if text != lastError { logger.warning("webhook delivery failed", metadata: ["error": "\(text)"]) }
                lastError = text
            }
            if !busy { pause(lease.canAttempt && !idle ? 0.2 : 1.0) }
        }
        lease.release()
        sender.shutdown()
        try? group.syncShutdownGracefully()
        pool.close()
        stopping.lock()
        finished = true
        stopping.broadcast()
        stopping.unlock()
    }

    /// One round: whether it sent something (then the next round comes at once), and whether there
    /// is no active webhook at all (then rounds come once a second).
    private func round() throws -> (sent: Bool, idle: Bool) {
        let active = try queue.enqueueNewEvents()
        guard active > 0 else { return (false, true) }
        let jobs = try queue.dueJobs()
        guard !jobs.isEmpty, !shouldStop, lease.canAttempt else { return (false, false) }
        let outcomes = sender.send(jobs)
        for (job, outcome) in zip(jobs, outcomes) {
            try queue.record(job, outcome)
            if !outcome.succeeded {
                logger.info("webhook delivery attempt failed", metadata: [
                    "webhook_id": "\(job.delivery.webhookID)", "event_id": "\(job.delivery.event.id)",
                    "error": "\(outcome.error ?? "")"])
            }
        }
        return (true, false)
    }
}
