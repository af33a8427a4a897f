import RegistryStorage
import Foundation
import RegistryJSON

/// Builds `Settings` from the process environment and a `.env` file (the environment wins).
/// Names are case-insensitive; unknown `PYRMUTE_REGISTRY_*` names are ignored.
public struct SettingsLoader {
    public static let prefix = "PYRMUTE_REGISTRY_"

    private let values: [String: String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment,
                dotEnvPath: String? = ".env") throws {
        var merged: [String: String] = [:]
        if let path = dotEnvPath {
            for (name, value) in try DotEnv.load(path: path) { merged[name.uppercased()] = value }
        }
        for (name, value) in environment { merged[name.uppercased()] = value }
        values = merged
    }

    /// The raw text of a setting, by its name without the prefix (e.g. `PORT`).
    public func raw(_ name: String) -> String? { values[Self.prefix + name] }

    public func load() throws -> Settings {
        var s = Settings()
        try read("APP_NAME", into: &s.appName, string)
        try read("APP_VERSION", into: &s.appVersion, string)
        try read("ENVIRONMENT", into: &s.environment, choice(Settings.Environment.self))
        try read("DEBUG", into: &s.debug, bool)
        try read("HOST", into: &s.host, nonEmpty)
        try read("PORT", into: &s.port, int(1...65535))
        try read("RELOAD", into: &s.reload, bool)
        try read("WORKERS", into: &s.workers, int(1...512))
        try read("DATABASE_URL", into: &s.databaseURL, databaseURL)
        try read("DATABASE_ECHO", into: &s.databaseEcho, bool)
        try read("DATABASE_POOL_SIZE", into: &s.databasePoolSize, int(1...128))
        try read("ENABLE_AUTH", into: &s.enableAuth, bool)
        try read("ENABLE_UI", into: &s.enableUI) { v, name in try bool(v, name) }
        try read("CORS_ORIGINS", into: &s.corsOrigins, list)
        try read("CORS_ALLOW_CREDENTIALS", into: &s.corsAllowCredentials, bool)
        try read("CORS_ALLOW_METHODS", into: &s.corsAllowMethods, list)
        try read("CORS_ALLOW_HEADERS", into: &s.corsAllowHeaders, list)
        try read("LOG_LEVEL", into: &s.logLevel, choice(Settings.LogLevel.self))
        try read("LOG_FORMAT", into: &s.logFormat, choice(Settings.LogFormat.self))
        try read("ENABLE_REQUEST_LOGGING", into: &s.enableRequestLogging, bool)
        try read("RATE_LIMIT_ENABLED", into: &s.rateLimitEnabled, bool)
        try read("RATE_LIMIT_PER_MINUTE", into: &s.rateLimitPerMinute, int(1...1_000_000))
        try read("AUDIT_ENABLED", into: &s.auditEnabled, bool)
        try read("AUDIT_METHODS", into: &s.auditMethods) { try list($0, $1).map { $0.uppercased() } }
        try read("AUDIT_PATHS", into: &s.auditPaths, list)
        try read("TRUSTED_PROXIES", into: &s.trustedProxies, list)
        try read("DEFAULT_COMPATIBILITY", into: &s.defaultCompatibility, choice(CompatibilityLevel.self))
        try read("EVENT_RETENTION_DAYS", into: &s.eventRetentionDays, int(1...3650))
        try read("WEBHOOK_RETRY_HOURS", into: &s.webhookRetryHours) { v, name in
            guard let d = Double(v.trimmingCharacters(in: .whitespaces)), d > 0, d <= 720 else {
                throw invalid(name, v, "a number of hours above 0 and at most 720")
            }
            return d
        }
        try read("WEBHOOK_MAX_BACKOFF", into: &s.webhookMaxBackoff) { v, name in
            guard let d = Double(v.trimmingCharacters(in: .whitespaces)), d >= 0.1, d <= 86400 else {
                throw invalid(name, v, "a number of seconds between 0.1 and 86400")
            }
            return d
        }
        try read("WEBHOOK_DELIVERY_ENABLED", into: &s.webhookDeliveryEnabled, bool)
        try read("WEBHOOK_ALLOW_PRIVATE", into: &s.webhookAllowPrivate, bool)
        try read("WEBHOOK_SECRET_KEY", into: &s.webhookSecretKey) { v, _ in v.isEmpty ? nil : v }
        try read("SENTRY_DSN", into: &s.sentryDSN) { v, _ in v.isEmpty ? nil : v }
        try read("SENTRY_TRACES_SAMPLE_RATE", into: &s.sentryTracesSampleRate, fraction)
        try read("SENTRY_PROFILES_SAMPLE_RATE", into: &s.sentryProfilesSampleRate, fraction)
        try read("OTEL_ENABLED", into: &s.otelEnabled, bool)
        try read("OTEL_EXPORTER_OTLP_ENDPOINT", into: &s.otelExporterOTLPEndpoint) { v, _ in v.isEmpty ? nil : v }
        try read("MAX_BODY_SIZE", into: &s.maxBodySize, int(1024...1 << 30))
        try read("KEEPALIVE_TIMEOUT", into: &s.keepAliveTimeout) { v, name in
            guard let d = Double(v), d > 0, d <= 3600 else { throw invalid(name, v, "a number of seconds between 0 and 3600") }
            return d
        }
        try read("HEADER_TIMEOUT", into: &s.headerTimeout) { v, name in
            guard let d = Double(v.trimmingCharacters(in: .whitespaces)), d > 0, d <= 3600 else {
                throw invalid(name, v, "a number of seconds above 0 and at most 3600")
            }
            return d
        }
        try read("RESPONSE_CACHE_MB", into: &s.responseCacheMB, int(0...65536))
        try read("RESPONSE_CACHE_TTL", into: &s.responseCacheTTL) { v, name in
            guard let d = Double(v.trimmingCharacters(in: .whitespaces)), d >= 0, d <= 86400 else {
                throw invalid(name, v, "a number of seconds between 0 and 86400")
            }
            return d
        }
        try read("SUPERVISOR_HOST", into: &s.supervisorHost) { v, _ in v.isEmpty ? nil : v }
        try read("SUPERVISOR_PORT", into: &s.supervisorPort, int(0...65535))
        try read("GRACEFUL_TIMEOUT", into: &s.gracefulTimeout) { v, name in
            guard let d = Double(v), d >= 0, d <= 3600 else { throw invalid(name, v, "a number of seconds between 0 and 3600") }
            return d
        }
        try read("WORKER_TIMEOUT", into: &s.workerTimeout) { v, name in
            guard let d = Double(v), d == 0 || (d >= 2 && d <= 86400) else {
                throw invalid(name, v, "0 (off) or a number of seconds between 2 and 86400")
            }
            return d
        }
        try read("MAX_REQUESTS", into: &s.maxRequests, int(0...1_000_000_000))
        try read("MAX_REQUESTS_JITTER", into: &s.maxRequestsJitter, int(0...1_000_000_000))
        return s
    }

    private func read<T>(_ name: String, into field: inout T, _ parse: (String, String) throws -> T) throws {
        guard let text = raw(name) else { return }
        field = try parse(text, Self.prefix + name)
    }

    // MARK: parsers (value, full variable name) -> typed value

    private func string(_ v: String, _ name: String) throws -> String { v }

    private func nonEmpty(_ v: String, _ name: String) throws -> String {
        guard !v.trimmingCharacters(in: .whitespaces).isEmpty else { throw invalid(name, v, "a non-empty string") }
        return v
    }

    private func bool(_ v: String, _ name: String) throws -> Bool {
        guard let b = SettingsLoader.parseBool(v) else {
            throw invalid(name, v, "a boolean: true/false, 1/0, yes/no, on/off, t/f, y/n")
        }
        return b
    }

    private func int(_ range: ClosedRange<Int>) -> (String, String) throws -> Int {
        { v, name in
            guard let i = Int(v.trimmingCharacters(in: .whitespaces)), range.contains(i) else {
                throw invalid(name, v, "an integer between \(range.lowerBound) and \(range.upperBound)")
            }
            return i
        }
    }

    private func fraction(_ v: String, _ name: String) throws -> Double {
        guard let d = Double(v.trimmingCharacters(in: .whitespaces)), d >= 0, d <= 1 else {
            throw invalid(name, v, "a number between 0 and 1")
        }
        return d
    }

    private func choice<E: RawRepresentable & CaseIterable>(_ type: E.Type) -> (String, String) throws -> E
    where E.RawValue == String {
        { v, name in
            guard let e = E(rawValue: v) else {
                throw invalid(name, v, "one of " + E.allCases.map(\.rawValue).joined(separator: ", "))
            }
            return e
        }
    }

    /// A JSON array of strings, or comma-separated text (`a, b`), or a bare `*`.
    private func list(_ v: String, _ name: String) throws -> [String] {
        let text = v.trimmingCharacters(in: .whitespaces)
        if text.hasPrefix("[") {
            guard case .array(let items)? = try? JSONParser.parse(text) else {
                throw invalid(name, v, "a JSON array of strings or comma-separated text")
            }
            return try items.map { item in
                guard case .string(let s) = item else { throw invalid(name, v, "a JSON array of strings") }
                return s
            }
        }
        return text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private func databaseURL(_ v: String, _ name: String) throws -> String {
        do { _ = try DatabaseURL(parsing: v) } catch let error as DatabaseURLError {
            throw invalid(name, DatabaseURL.redact(v), error.reason)
        }
        return v
    }

    private func invalid(_ name: String, _ value: String, _ expected: String) -> SettingsError {
        SettingsError(variable: name, value: value, expected: expected)
    }

    public static func parseBool(_ v: String) -> Bool? {
        switch v.trimmingCharacters(in: .whitespaces).lowercased() {
        case "true", "1", "yes", "on", "t", "y": return true
        case "false", "0", "no", "off", "f", "n": return false
        default: return nil
        }
    }
}
