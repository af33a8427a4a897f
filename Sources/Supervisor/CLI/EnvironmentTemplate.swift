import RegistryRuntime
import RegistryStorage

/// The `.env` template of `generate-env`: every setting with its default, grouped and commented.
enum EnvironmentTemplate {
    static var text: String {
        let d = Settings()
        return """
        # Pyrmute Schema Registry configuration.
        # Copy to .env (read from the working directory); real environment variables win over it.
        # Lists accept a JSON array (["a","b"]) or comma-separated text (a,b).

        # Application
        PYRMUTE_REGISTRY_APP_NAME="\(d.appName)"
        PYRMUTE_REGISTRY_APP_VERSION="\(d.appVersion)"
        PYRMUTE_REGISTRY_ENVIRONMENT=\(d.environment.rawValue)  # development, production or test
        PYRMUTE_REGISTRY_DEBUG=\(d.debug)

        # Server
        PYRMUTE_REGISTRY_HOST=\(d.host)
        PYRMUTE_REGISTRY_PORT=\(d.port)
        PYRMUTE_REGISTRY_RELOAD=\(d.reload)  # restart workers when the worker binary changes
        PYRMUTE_REGISTRY_WORKERS=\(d.workers)
        # The supervisor's liveness listener (0 turns it off); binds to HOST unless SUPERVISOR_HOST is set
        PYRMUTE_REGISTRY_SUPERVISOR_PORT=\(d.supervisorPort)
        # PYRMUTE_REGISTRY_SUPERVISOR_HOST=127.0.0.1
        # Seconds draining workers get to finish in-flight requests on shutdown
        PYRMUTE_REGISTRY_GRACEFUL_TIMEOUT=\(Int(d.gracefulTimeout))
        # A worker silent for this many seconds is killed and replaced (0 = off)
        PYRMUTE_REGISTRY_WORKER_TIMEOUT=\(Int(d.workerTimeout))
        # Replace a worker after this many requests plus a random 0-JITTER more (0 = never)
        PYRMUTE_REGISTRY_MAX_REQUESTS=\(d.maxRequests)
        PYRMUTE_REGISTRY_MAX_REQUESTS_JITTER=\(d.maxRequestsJitter)
        # Largest accepted request body in bytes, and idle keep-alive timeout in seconds
        PYRMUTE_REGISTRY_MAX_BODY_SIZE=\(d.maxBodySize)
        PYRMUTE_REGISTRY_KEEPALIVE_TIMEOUT=\(Int(d.keepAliveTimeout))
        # Seconds a client gets to send a request head, and the longest pause allowed within a body (408 after)
        PYRMUTE_REGISTRY_HEADER_TIMEOUT=\(Int(d.headerTimeout))
        # MiB of ready responses each worker keeps (0 = off), and seconds one is trusted for writes of other servers
        PYRMUTE_REGISTRY_RESPONSE_CACHE_MB=\(d.responseCacheMB)
        PYRMUTE_REGISTRY_RESPONSE_CACHE_TTL=\(d.responseCacheTTL)

        # Database
        PYRMUTE_REGISTRY_DATABASE_URL=\(d.databaseURL)
        # PYRMUTE_REGISTRY_DATABASE_URL=postgresql://user:password@localhost:5432/registry
        # PYRMUTE_REGISTRY_DATABASE_URL=mysql://user:password@localhost:3306/registry  (not supported by this server)
        PYRMUTE_REGISTRY_DATABASE_ECHO=\(d.databaseEcho)
        # Database connections per worker
        PYRMUTE_REGISTRY_DATABASE_POOL_SIZE=\(d.databasePoolSize)

        # Authentication
        # Create the first admin key with: pyrmute-registry create-admin-key --name admin
        PYRMUTE_REGISTRY_ENABLE_AUTH=\(d.enableAuth)
        PYRMUTE_REGISTRY_AUDIT_ENABLED=\(d.auditEnabled)
        PYRMUTE_REGISTRY_AUDIT_METHODS=["POST","PUT","PATCH","DELETE"]
        PYRMUTE_REGISTRY_AUDIT_PATHS=["/schemas","/api-keys"]

        # CORS
        PYRMUTE_REGISTRY_CORS_ORIGINS=["*"]
        PYRMUTE_REGISTRY_CORS_ALLOW_CREDENTIALS=\(d.corsAllowCredentials)
        PYRMUTE_REGISTRY_CORS_ALLOW_METHODS=["*"]
        PYRMUTE_REGISTRY_CORS_ALLOW_HEADERS=["*"]

        # Logging
        PYRMUTE_REGISTRY_LOG_LEVEL=\(d.logLevel.rawValue)  # DEBUG, INFO, WARNING, ERROR or CRITICAL
        PYRMUTE_REGISTRY_LOG_FORMAT=\(d.logFormat.rawValue)  # console or json (json is forced in production)
        PYRMUTE_REGISTRY_ENABLE_REQUEST_LOGGING=\(d.enableRequestLogging)

        # Rate Limiting
        PYRMUTE_REGISTRY_RATE_LIMIT_ENABLED=\(d.rateLimitEnabled)
        PYRMUTE_REGISTRY_RATE_LIMIT_PER_MINUTE=\(d.rateLimitPerMinute)

        # Compatibility (the server scope until PUT /config stores one; see docs/compatibility.md)
        PYRMUTE_REGISTRY_DEFAULT_COMPATIBILITY=\(d.defaultCompatibility.rawValue)  # \(CompatibilityLevel.allCases.map(\.rawValue).joined(separator: ", "))

        # Change events and webhooks (see docs/events.md)
        # Days events and finished deliveries are kept
        PYRMUTE_REGISTRY_EVENT_RETENTION_DAYS=\(d.eventRetentionDays)
        # Hours a delivery is retried (exponential backoff with jitter, at most WEBHOOK_MAX_BACKOFF seconds apart)
        PYRMUTE_REGISTRY_WEBHOOK_RETRY_HOURS=\(d.webhookRetryHours)
        PYRMUTE_REGISTRY_WEBHOOK_MAX_BACKOFF=\(d.webhookMaxBackoff)
        # Whether this server delivers webhooks (off: events are recorded, another server or none delivers)
        PYRMUTE_REGISTRY_WEBHOOK_DELIVERY_ENABLED=\(d.webhookDeliveryEnabled)
        # Allow webhook URLs that name or resolve to loopback, link-local or private addresses
        PYRMUTE_REGISTRY_WEBHOOK_ALLOW_PRIVATE=\(d.webhookAllowPrivate)
        # Encrypts webhook signing secrets at rest (AES-256-GCM); keep it stable, or stored secrets cannot be read
        # PYRMUTE_REGISTRY_WEBHOOK_SECRET_KEY=

        # Observability
        # PYRMUTE_REGISTRY_SENTRY_DSN=
        PYRMUTE_REGISTRY_SENTRY_TRACES_SAMPLE_RATE=\(d.sentryTracesSampleRate)
        PYRMUTE_REGISTRY_SENTRY_PROFILES_SAMPLE_RATE=\(d.sentryProfilesSampleRate)
        PYRMUTE_REGISTRY_OTEL_ENABLED=\(d.otelEnabled)
        # OTLP over HTTP (docs/tracing.md): a collector's base URL, /v1/traces is appended
        # PYRMUTE_REGISTRY_OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318

        """
    }
}
