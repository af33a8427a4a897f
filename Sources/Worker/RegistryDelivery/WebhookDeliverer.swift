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
/// into deliveries, sends the due ones (a batch per webhook, one after the other, in order) and,
/// every ten minutes, prunes what is past the retention. Between rounds it watches the server's
/// `ChangeBoard`, which every committed change moves: a change made by this server is delivered
/// at once; one made elsewhere (another server on the database, the CLI) within the 0.2 s poll
/// (1 s while no webhook is active).
/// Never on the request path.
public final class WebhookDeliverer: @unchecked Sendable {   // state touched by its own thread only, but `stopping`
    private let settings: Settings
    private let pool: ConnectionPool
    private let queue: DeliveryQueue
    private let lease: LeaseKeeper
    private let group: MultiThreadedEventLoopGroup
    private let sender: WebhookSender
    private let logger: Logger
    private let board: ChangeBoard?
    private let stopping = NSCondition()
    private var stopRequested = false
    private var finished = false
    private var lastPrune = Date.distantPast
    private var lastError = ""

    /// How often the change board is looked at between rounds.
    static let boardPollSeconds = 0.005
    /// At most this many deliveries of one webhook per round.
    static let batchLimit = 100

    public init(settings: Settings, url: DatabaseURL, writerGate: WriterGate?, board: ChangeBoard?, logger: Logger) {
        self.settings = settings
        self.board = board
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

    /// Sleeps up to `seconds`, or until `stop()`, or (with `since`) until the change board moves
    /// from that generation.
    private func pause(_ seconds: Double, since: UInt64? = nil) {
        let deadline = Date().addingTimeInterval(seconds)
        stopping.lock()
        defer { stopping.unlock() }
        while !stopRequested {
            if let since, generation() != since { return }
            let until = since == nil ? deadline : min(deadline, Date().addingTimeInterval(Self.boardPollSeconds))
            if !stopping.wait(until: until) && until >= deadline { return }
        }
    }

    /// The sum of the board's counters: moves with every change committed by this server.
    private func generation() -> UInt64 {
        guard let board else { return 0 }
        return board.keys &+ board.config &+ board.schemas
    }

    private func run() {
        while !shouldStop {
            var busy = false
            var idle = true
            var holder = false
            let seen = generation()   // before the round reads: a commit after this wakes the next one
            do {
                if try lease.ensure() {
                    holder = true
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
            // With no active webhook the board is not watched: a burst of registrations would
            // otherwise cost a query each for nothing.
            if !busy { pause(lease.canAttempt && !idle ? 0.2 : 1.0, since: holder && !idle && board != nil ? seen : nil) }
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
    /// is no active webhook at all (then rounds come once a second, or on a change).
    private func round() throws -> (sent: Bool, idle: Bool) {
        let webhooks = try queue.enqueueNewEvents()
        guard !webhooks.isEmpty else { return (false, true) }
        let batches = try queue.dueBatches(webhooks, limit: Self.batchLimit)
        guard !batches.isEmpty, !shouldStop, lease.canAttempt else { return (false, false) }
        let end = lease.attemptsEnd
        let outcomes = sender.send(batches, mayStart: { [self] in MonotonicClock.now < end && !shouldStop })
        var attempts: [(DeliveryQueue.Job, DeliveryOutcome)] = []
        for (batch, done) in zip(batches, outcomes) {
            for (job, outcome) in zip(batch, done) {
                attempts.append((job, outcome))
                if !outcome.succeeded {
                    logger.info("webhook delivery attempt failed", metadata: [
                        "webhook_id": "\(job.delivery.webhookID)", "event_id": "\(job.delivery.event.id)",
                        "error": "\(outcome.error ?? "")"])
                }
            }
        }
        try queue.record(attempts)
        return (!attempts.isEmpty, false)
    }
}
