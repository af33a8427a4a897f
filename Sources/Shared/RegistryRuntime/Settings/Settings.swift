
/// Every `PYRMUTE_REGISTRY_*` setting of the contract (§12) plus the supervisor's own, with defaults.
public struct Settings: Sendable {
    public enum Environment: String, Sendable, CaseIterable { case development, production, test }
    public enum LogLevel: String, Sendable, CaseIterable { case DEBUG, INFO, WARNING, ERROR, CRITICAL }
    public enum LogFormat: String, Sendable, CaseIterable { case json, console }

    public var appName = "Pyrmute Schema Registry"
    public var appVersion = "1.0.0"
    public var environment = Environment.development
    public var debug = false

    public var host = "0.0.0.0"
    public var port = 8000
    public var reload = false
    public var workers = 1

    public var databaseURL = "sqlite:///./registry.db"
    public var databaseEcho = false
    public var databasePoolSize = 4

    public var enableAuth = false
    /// The web UI under `/ui` (issue 18); nil: on unless the environment is production, like `/docs`.
    public var enableUI: Bool? = nil

    public var corsOrigins = ["*"]
    public var corsAllowCredentials = true
    public var corsAllowMethods = ["*"]
    public var corsAllowHeaders = ["*"]

    public var logLevel = LogLevel.INFO
    public var logFormat = LogFormat.console
    public var enableRequestLogging = true

    public var rateLimitEnabled = false
    public var rateLimitPerMinute = 60

    public var auditEnabled = true
    public var auditMethods = ["POST", "PUT", "PATCH", "DELETE"]
    public var auditPaths = ["/schemas", "/api-keys"]
    /// Proxies whose `X-Forwarded-For` is believed (addresses or IPv4 CIDR blocks).
    public var trustedProxies: [String] = []

    /// The compatibility level in force where no namespace or model sets one, until `PUT /config`
    /// stores another.
    public var defaultCompatibility = CompatibilityLevel.none

    /// Days change events and finished webhook deliveries are kept (pruned in the background).
    public var eventRetentionDays = 30
    /// Hours a webhook delivery is retried before it is given up.
    public var webhookRetryHours = 24.0
    /// The longest wait between two attempts of a delivery, in seconds.
    public var webhookMaxBackoff = 3600.0
    /// Whether this server's workers deliver webhooks (off: events are still recorded and webhooks
    /// managed; another server on the database, or none, delivers).
    public var webhookDeliveryEnabled = true
    /// Webhook URLs may name or resolve to loopback, link-local and private addresses.
    public var webhookAllowPrivate = false
    /// Encrypts webhook secrets at rest when set (never logged).
    public var webhookSecretKey: String? = nil

    public var sentryDSN: String? = nil
    public var sentryTracesSampleRate = 1.0
    public var sentryProfilesSampleRate = 0.0
    public var otelEnabled = false
    public var otelExporterOTLPEndpoint: String? = nil

    /// Largest request body accepted; more is answered with 413.
    public var maxBodySize = 10 * 1024 * 1024
    /// Seconds an idle keep-alive connection stays open.
    public var keepAliveTimeout = 75.0
    /// Seconds a client gets to send a complete request head, and the longest gap allowed
    /// while it sends a body; a slower client gets 408 and is disconnected.
    public var headerTimeout = 10.0

    /// Bytes of ready responses (versions, latest, version lists, listing pages) each worker keeps
    /// in memory, in MiB; 0 turns the cache off.
    public var responseCacheMB = 32
    /// Seconds a cached response is trusted without asking the database, for writes this server
    /// did not make (other servers on the same database); this server's own writes invalidate
    /// at once through the `ChangeBoard`.
    public var responseCacheTTL = 1.0

    /// The supervisor's liveness listener; 0 turns it off.
    public var supervisorHost: String? = nil
    public var supervisorPort = 8001
    /// Seconds a draining worker gets to finish in-flight requests before it is killed.
    public var gracefulTimeout = 30.0
    /// Seconds without a heartbeat after which a worker is killed and replaced; 0 turns it off.
    public var workerTimeout = 30.0
    /// Requests after which a worker is replaced (plus up to `maxRequestsJitter`); 0 turns it off.
    public var maxRequests = 0
    public var maxRequestsJitter = 0

    public init() {}

    public var isProduction: Bool { environment == .production }

    /// Whether `/ui` is served: `PYRMUTE_REGISTRY_ENABLE_UI`, else outside production only.
    public var isUIEnabled: Bool { enableUI ?? !isProduction }

    /// The liveness listener binds to the server's host unless told otherwise.
    public var effectiveSupervisorHost: String { supervisorHost ?? host }
}
