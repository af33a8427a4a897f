import RegistryJSON
import RegistryRuntime
import RegistryStorage
import XCTest

final class SettingsLoaderTests: XCTestCase {
    private func load(_ environment: [String: String]) throws -> Settings {
        try SettingsLoader(environment: environment, dotEnvPath: nil).load()
    }

    func testDefaultsMatchTheContract() throws {
        let s = try load([:])
        XCTAssertEqual(s.databaseURL, "sqlite:///./registry.db")
        XCTAssertEqual(s.port, 8000)
        XCTAssertEqual(s.host, "0.0.0.0")
        XCTAssertEqual(s.workers, 1)
        XCTAssertEqual(s.corsOrigins, ["*"])
        XCTAssertEqual(s.auditMethods, ["POST", "PUT", "PATCH", "DELETE"])
        XCTAssertEqual(s.auditPaths, ["/schemas", "/api-keys"])
        XCTAssertEqual(s.environment, .development)
        XCTAssertEqual(s.logLevel, .INFO)
        XCTAssertEqual(s.rateLimitPerMinute, 60)
        XCTAssertFalse(s.enableAuth)
        XCTAssertTrue(s.auditEnabled)
    }

    func testBooleansListsAndCase() throws {
        let s = try load([
            "pyrmute_registry_enable_auth": "YES", "PYRMUTE_REGISTRY_DEBUG": "t",
            "PYRMUTE_REGISTRY_AUDIT_METHODS": #"["post","delete"]"#,
            "PYRMUTE_REGISTRY_CORS_ALLOW_HEADERS": "X-A, X-B,,",
        ])
        XCTAssertTrue(s.enableAuth)
        XCTAssertTrue(s.debug)
        XCTAssertEqual(s.auditMethods, ["POST", "DELETE"], "JSON audit methods are upper-cased (contract §13.23)")
        XCTAssertEqual(s.corsAllowHeaders, ["X-A", "X-B"])
    }

    func testEventAndWebhookSettings() throws {
        let d = try load([:])
        XCTAssertEqual(d.eventRetentionDays, 30)
        XCTAssertEqual(d.webhookRetryHours, 24)
        XCTAssertFalse(d.webhookAllowPrivate)
        XCTAssertTrue(d.webhookDeliveryEnabled)
        XCTAssertNil(d.webhookSecretKey)
        let s = try load(["PYRMUTE_REGISTRY_EVENT_RETENTION_DAYS": "7", "PYRMUTE_REGISTRY_WEBHOOK_RETRY_HOURS": "0.5",
                          "PYRMUTE_REGISTRY_WEBHOOK_ALLOW_PRIVATE": "true", "PYRMUTE_REGISTRY_WEBHOOK_MAX_BACKOFF": "2",
                          "PYRMUTE_REGISTRY_WEBHOOK_DELIVERY_ENABLED": "false", "PYRMUTE_REGISTRY_WEBHOOK_SECRET_KEY": "k"])
        XCTAssertEqual(s.eventRetentionDays, 7)
        XCTAssertEqual(s.webhookRetryHours, 0.5)
        XCTAssertTrue(s.webhookAllowPrivate)
        XCTAssertEqual(s.webhookMaxBackoff, 2)
        XCTAssertFalse(s.webhookDeliveryEnabled)
        XCTAssertEqual(s.webhookSecretKey, "k")
        for (name, value) in [("EVENT_RETENTION_DAYS", "0"), ("WEBHOOK_RETRY_HOURS", "0"), ("WEBHOOK_ALLOW_PRIVATE", "maybe")] {
            XCTAssertThrowsError(try load(["PYRMUTE_REGISTRY_" + name: value])) { error in
                XCTAssertTrue("\(error)".contains("PYRMUTE_REGISTRY_" + name), "\(error)")
            }
        }
    }

    func testInvalidValuesNameTheVariable() {
        for (name, value) in [("PORT", "0"), ("WORKERS", "-1"), ("SENTRY_TRACES_SAMPLE_RATE", "1.5"),
                              ("LOG_FORMAT", "xml"), ("CORS_ORIGINS", "[1,2]")] {
            XCTAssertThrowsError(try load(["PYRMUTE_REGISTRY_" + name: value])) { error in
                XCTAssertTrue("\(error)".contains("PYRMUTE_REGISTRY_" + name), "\(error)")
            }
        }
    }

    func testDotEnvParsing() {
        let values = DotEnv.parse("""
            # comment
            export A=1
            B="two words" # trailing
            C='single # not a comment'
            D=plain # comment
            E=
            """)
        XCTAssertEqual(values, ["A": "1", "B": "two words", "C": "single # not a comment", "D": "plain", "E": ""])
    }
}

final class DatabaseURLTests: XCTestCase {
    func testSQLiteForms() throws {
        XCTAssertEqual(try DatabaseURL(parsing: "sqlite:///./registry.db").kind, .sqlite(path: "./registry.db"))
        XCTAssertEqual(try DatabaseURL(parsing: "sqlite:///relative.db").kind, .sqlite(path: "relative.db"))
        XCTAssertEqual(try DatabaseURL(parsing: "sqlite:////var/lib/r.db").kind, .sqlite(path: "/var/lib/r.db"))
        XCTAssertTrue(try DatabaseURL(parsing: "sqlite:///:memory:").isMemory)
        XCTAssertTrue(try DatabaseURL(parsing: "sqlite://").isMemory)
    }

    func testPostgresFormsAndRedaction() throws {
        let url = try DatabaseURL(parsing: "postgres://user:p%40ss@db:5432/registry")
        XCTAssertEqual(url.kind, .postgres(uri: "postgresql://user:p%40ss@db:5432/registry"))
        XCTAssertEqual(url.scheme, "postgres")
        XCTAssertEqual("\(url)", "postgres://user:***@db:5432/registry")
        XCTAssertEqual(try DatabaseURL(parsing: "postgresql+psycopg2://u@h/d").scheme, "postgresql+psycopg2")
        XCTAssertEqual(DatabaseURL.redact("postgresql://u@h/d"), "postgresql://u@h/d")
        XCTAssertThrowsError(try DatabaseURL(parsing: "mysql://u:p@h/d"))
        XCTAssertThrowsError(try DatabaseURL(parsing: "registry.db"))
    }
}

final class TimestampTests: XCTestCase {
    func testFormats() {
        let t = Timestamp(microseconds: 1_705_314_600_000_000)   // 2024-01-15T10:30:00Z
        XCTAssertEqual(t.isoZulu, "2024-01-15T10:30:00Z")
        XCTAssertEqual(t.isoOffset, "2024-01-15T10:30:00+00:00")
        XCTAssertEqual(t.storageText, "2024-01-15 10:30:00.000000")
        let u = Timestamp(microseconds: 1_705_314_600_604_321)
        XCTAssertEqual(u.isoZulu, "2024-01-15T10:30:00.604321Z")
        XCTAssertEqual(u.isoOffset, "2024-01-15T10:30:00.604321+00:00")
    }
}
