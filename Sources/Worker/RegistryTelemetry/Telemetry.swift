import Dispatch
import Logging
import OTel
import RegistryRuntime
import RegistryTracing
import ServiceLifecycle
import Tracing

/// OpenTelemetry for the worker (OTEL_ENABLED; docs/tracing.md): swift-otel's tracer with its batch
/// span processor and OTLP/HTTP (protobuf) exporter, bootstrapped as the process's tracer, and its
/// background work run on a task of its own. `shutdown()` at drain exports what is still queued.
public final class Telemetry: @unchecked Sendable {   // immutable; the semaphore is thread-safe
    private let group: ServiceGroup
    private let finished = DispatchSemaphore(value: 0)

    /// Nil when OTEL_ENABLED is false: nothing is bootstrapped, nothing is ever sent.
    public static func start(_ settings: Settings, logger: Logger) throws -> Telemetry? {
        guard settings.otelEnabled else { return nil }
        let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration(settings, logger: logger))
        InstrumentationSystem.bootstrap(tracer)
        Traces.activate(logMetadata: OTel.makeLoggingMetadataProvider())
        return Telemetry(service: service, logger: logger)
    }

    /// The configuration the settings give (standard `OTEL_*` variables such as
    /// `OTEL_EXPORTER_OTLP_HEADERS` or `OTEL_BSP_SCHEDULE_DELAY` still apply on top, as swift-otel reads them).
    static func configuration(_ settings: Settings, logger: Logger) -> OTel.Configuration {
        var configuration = OTel.Configuration.default
        configuration.serviceName = settings.appName
        configuration.resourceAttributes = [
            "service.version": settings.appVersion,
            "deployment.environment": settings.environment.rawValue,
        ]
        configuration.diagnosticLogger = .custom(logger)
        configuration.diagnosticLogLevel = .warning
        configuration.propagators = [.traceContext]
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.enabled = true
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        if let endpoint = settings.otelExporterOTLPEndpoint {
            configuration.traces.exporter = .otlp
            configuration.traces.otlpExporter.endpoint = tracesURL(endpoint)
        } else {
            // The reference exports only to a configured endpoint: spans still give the logs their ids.
            configuration.traces.exporter = .none
        }
        return configuration
    }

    /// The OTLP/HTTP traces URL of `endpoint`: as given when it has a path, else with `/v1/traces`
    /// (what OTEL_EXPORTER_OTLP_ENDPOINT means for the HTTP protocol).
    static func tracesURL(_ endpoint: String) -> String {
        guard let scheme = endpoint.range(of: "://") else { return endpoint }
        let rest = endpoint[scheme.upperBound...]
        guard let slash = rest.firstIndex(of: "/") else { return endpoint + "/v1/traces" }
        return rest[slash...] == "/" ? endpoint + "v1/traces" : endpoint
    }

    private init(service: some Service, logger: Logger) {
        group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [], cancellationSignals: [],
                                                  logger: logger))
        Task.detached { [group, finished] in
            do { try await group.run() } catch { logger.warning("tracing stopped", metadata: ["error": "\(error)"]) }
            finished.signal()
        }
    }

    /// Exports the spans still queued and stops, waiting at most `seconds`.
    public func shutdown(seconds: Double = 2) {
        Task.detached { [group] in await group.triggerGracefulShutdown() }
        _ = finished.wait(timeout: .now() + seconds)
    }
}
