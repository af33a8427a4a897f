#if canImport(Glibc)
// Before Foundation, which re-exports it: `stderr` is a C global that Swift 6 cannot prove safe.
@preconcurrency import Glibc
#endif
import CShim
import Foundation
import Logging
import NIOCore
import NIOPosix
import RegistryDelivery
import RegistryDomain
import RegistryHTTP
import RegistryRuntime
import RegistryStorage
import RegistryTelemetry
import RegistryTracing

/// A worker's life: spawn → settings → database pool → serve → drain → exit.
/// Exit status `WorkerHandshake.bootFailure` tells the supervisor the worker cannot boot (bad
/// settings): restarting won't help.
enum WorkerProcess {
    static let bootFailure = WorkerHandshake.bootFailure

    static func run() -> Never {
        pyrmute_line_buffer_stdout()
        let environment = ProcessInfo.processInfo.environment
        AllocatorTuning.apply(environment: environment)
        let handshake = WorkerHandshake(environment: environment)
        // Keep fd 3 (and the readiness pipe) out of any process this one might start, such as
        // Swift's crash backtracer.
        _ = pyrmute_set_cloexec(HTTPServer.inheritedSocket)
        let link = handshake.controlPipe.map(SupervisorLink.init)
        _ = pyrmute_set_parent_death_signal(SIGTERM)
        signal(SIGPIPE, SIG_IGN)   // a closed control pipe or client socket is an error to handle, not death
        if let supervisor = handshake.supervisorPID, getppid() != supervisor {
            exit(0)   // the supervisor died before the death signal was armed
        }

        let settings: Settings
        let url: DatabaseURL
        do {
            settings = try SettingsLoader().load()
            url = try DatabaseURL(parsing: settings.databaseURL)
        } catch {
            fputs("pyrmute-registry-worker: \(error)\n", stderr)
            exit(bootFailure)
        }
        // With tracing on, lines logged inside a request's thread-pool work carry its trace and span ids.
        LogSetup.bootstrap(settings, process: "worker", output: EventLoopLogOutput(),
                           metadataProvider: settings.otelEnabled ? Traces.currentLogMetadata : nil)
        var logger = Logger(label: "pyrmute.worker")
        logger[metadataKey: "slot"] = "\(handshake.slot.map(String.init) ?? "-")"
        let telemetry: Telemetry?
        do {
            telemetry = try Telemetry.start(settings, logger: logger)   // before the pipeline is built: it asks `Traces.enabled`
        } catch {
            fputs("pyrmute-registry-worker: cannot start tracing: \(error)\n", stderr)
            exit(bootFailure)
        }

        let region = SharedRegion.attach(descriptor: handshake.sharedRegion)
        let pool = ConnectionPool(url: url, capacity: settings.databasePoolSize, writerGate: region.writerGate)
        if url.isMemory {
            // An in-memory database lives in this process only: create its tables here.
            do { _ = try pool.withConnection { try Migrator(connection: $0).migrate() } } catch {
                fputs("pyrmute-registry-worker: cannot create tables in memory: \(error)\n", stderr)
                exit(bootFailure)
            }
        }
        let threadPool = NIOThreadPool(numberOfThreads: pool.capacity)
        threadPool.start()
        let threads = environment["PYRMUTE_REGISTRY_WORKER_THREADS"].flatMap(Int.init)
            ?? max(1, System.coreCount / max(1, settings.workers))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let startedAt = handshake.startedAt ?? .now()
        let app = Application(settings: settings, pool: pool, threadPool: threadPool, startedAt: startedAt, logger: logger,
                              board: region.board, rateLimits: region.rateLimits)
        let http = HTTPChannel(app: app)   // the route table and the OpenAPI document, built before a successor waits
        let tracker = ConnectionTracker()
        let signals = ProcessSignals()
        if handshake.held, let link {
            // A successor: booted beside its predecessor; it accepts only once that one has
            // stopped, so that two processes never accept on one socket.
            link.send(.booted)
            guard signals.waitForGo() else { exit(0) }
        }

        let server: Channel
        do {
            server = try HTTPServer.start(http: http, tracker: tracker, group: group)
        } catch {
            fputs("pyrmute-registry-worker: cannot serve on fd \(HTTPServer.inheritedSocket): \(error)\n", stderr)
            exit(bootFailure)
        }

        var heartbeat: Heartbeat?
        if let link {
            link.send(.ready)
            heartbeat = Heartbeat(group: group, link: link, settings: settings,
                                  requestsServed: { app.metrics.requestsServed }, snapshot: app.metricsSnapshot)
            heartbeat?.start()
        }
        app.startBackgroundWork()
        // Webhook delivery: its own thread, connection and event loop; works only while this
        // process holds the database's lease. An in-memory database is this process's alone: no
        // deliverer's connection could see it.
        let deliverer = url.isMemory || !settings.webhookDeliveryEnabled ? nil : WebhookDeliverer(settings: settings, url: url, writerGate: region.writerGate,
                                                              board: region.board, logger: logger)
        deliverer?.start()
        logger.info("worker started", metadata: ["event_loops": "\(threads)", "database": "\(url.scheme)"])

        signals.waitForStop()
        logger.info("worker draining", metadata: ["connections": "\(tracker.count)"])
        // Stop accepting first, and close the listener only once connections already accepted
        // have been set up on their event loops: NIO resets a connection whose setup is still
        // in flight when the listener closes.
        try? server.setOption(ChannelOptions.autoRead, value: false).wait()
        link?.send(.listenerClosed)
        usleep(100_000)
        try? server.close().wait()
        try? tracker.drain(on: group.next()).wait()
        signals.cancel()
        deliverer?.stop()
        app.flushPending()
        telemetry?.shutdown()   // exports the spans still queued
        heartbeat?.stop()
        link?.flush()
        try? threadPool.syncShutdownGracefully()
        pool.close()
        try? group.syncShutdownGracefully()
        logger.info("worker stopped")
        exit(0)
    }
}
