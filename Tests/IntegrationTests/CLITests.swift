import Foundation
import RegistryDomain
import RegistryRuntime
import RegistryStorage
import XCTest

/// The CLI's output and exit codes, contract §11.
final class CLITests: XCTestCase {
    func testHelpListsAllNineCommands() throws {
        for arguments in [["--help"], []] {
            let result = try CommandRunner.cli(arguments)
            XCTAssertEqual(result.status, 0, result.output)
            for command in ["serve", "init-db", "create-admin-key", "list-keys", "revoke-key", "check-health",
                            "version", "config", "generate-env"] {
                XCTAssertTrue(result.output.contains(command), "help lacks \(command): \(result.output)")
            }
        }
        let serveHelp = try CommandRunner.cli(["serve", "--help"])
        for option in ["--host", "--port", "--workers", "--log-level", "--reload", "--access-log", "--no-access-log"] {
            XCTAssertTrue(serveHelp.output.contains(option), "serve --help lacks \(option)")
        }
    }

    func testVersion() throws {
        let result = try CommandRunner.cli(["version"])
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(result.output, "Pyrmute Schema Registry v1.0.0\nEnvironment: development\n")
    }

    func testConfigHidesCredentials() throws {
        let result = try CommandRunner.cli(["config"], environment: [
            "PYRMUTE_REGISTRY_DATABASE_URL": "postgresql://admin:hunter2@db.example:5432/registry",
            "PYRMUTE_REGISTRY_WORKERS": "3",
        ])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertFalse(result.output.contains("hunter2"))
        XCTAssertFalse(result.output.contains("admin:"))
        for line in ["Current Configuration:", String(repeating: "=", count: 50), "App Name: Pyrmute Schema Registry",
                     "Version: 1.0.0", "Environment: development", "Debug: False", "Server:", "  Host: 0.0.0.0",
                     "  Port: 8000", "  Reload: False", "  Workers: 3", "Database:", "  URL: postgresql://***",
                     "  Echo: False", "Authentication:", "  Enabled: False", "CORS:", "  Origins: ['*']",
                     "  Allow Credentials: True", "Logging:", "  Level: INFO"] {
            XCTAssertTrue(result.output.split(separator: "\n", omittingEmptySubsequences: false).contains(Substring(line)),
                          "config lacks line '\(line)':\n\(result.output)")
        }
    }

    func testGenerateEnvWritesLoadableTemplateAndRefusesToOverwrite() throws {
        let dir = Paths.temporaryDirectory("genenv")
        let first = try CommandRunner.cli(["generate-env"], directory: dir)
        XCTAssertEqual(first.status, 0, first.output)
        XCTAssertEqual(first.output, "✓ Generated .env.example\n")
        let text = try String(contentsOf: dir.appendingPathComponent(".env.example"), encoding: .utf8)
        for section in ["# Application", "# Server", "# Database", "# Authentication", "# CORS", "# Logging", "# Rate Limiting"] {
            XCTAssertTrue(text.contains(section), section)
        }
        for name in ["APP_NAME", "APP_VERSION", "ENVIRONMENT", "DEBUG", "HOST", "PORT", "RELOAD", "WORKERS", "DATABASE_URL",
                     "DATABASE_ECHO", "ENABLE_AUTH", "CORS_ORIGINS", "CORS_ALLOW_CREDENTIALS", "CORS_ALLOW_METHODS",
                     "CORS_ALLOW_HEADERS", "LOG_LEVEL", "LOG_FORMAT", "ENABLE_REQUEST_LOGGING", "RATE_LIMIT_ENABLED",
                     "RATE_LIMIT_PER_MINUTE", "AUDIT_ENABLED", "AUDIT_METHODS", "AUDIT_PATHS", "SUPERVISOR_PORT"] {
            XCTAssertTrue(text.contains("\nPYRMUTE_REGISTRY_\(name)="), "template lacks \(name)")
        }
        XCTAssertFalse(text.contains("PYRMUTE_REGISTRY_API_KEY="))
        XCTAssertTrue(text.contains("pyrmute-registry create-admin-key"))

        let again = try CommandRunner.cli(["generate-env"], directory: dir)
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.output, "File .env.example already exists. Use --force to overwrite.\n")
        XCTAssertEqual(try CommandRunner.cli(["generate-env", "--force"], directory: dir).status, 0)

        // Copied to .env, it loads cleanly and yields the defaults.
        let custom = try CommandRunner.cli(["generate-env", "-o", ".env"], directory: dir)
        XCTAssertEqual(custom.output, "✓ Generated .env\n")
        let config = try CommandRunner.cli(["config"], directory: dir)
        XCTAssertEqual(config.status, 0, config.output)
        XCTAssertEqual(config.output, try CommandRunner.cli(["config"]).output)
    }

    func testInitDBCreatesTablesIdempotently_sqlite() throws { try initDB(.sqlite) }
    func testInitDBCreatesTablesIdempotently_postgres() throws { try initDB(.postgres) }

    private func initDB(_ backend: Backend) throws {
        let url = try backend.freshDatabaseURL()
        for run in 0..<2 {
            let result = try CommandRunner.cli(["init-db"], environment: ["PYRMUTE_REGISTRY_DATABASE_URL": url])
            XCTAssertEqual(result.status, 0, result.output)
            XCTAssertTrue(result.output.hasPrefix("Initializing database: \(backend == .sqlite ? "sqlite" : "postgresql")...\n"), result.output)
            XCTAssertTrue(result.output.hasSuffix("✓ Database initialized successfully!\n"), result.output)
            XCTAssertEqual(result.output.contains("Applied migrations: 1, 2, 3, 4, 5, 6, 7, 8"), run == 0, result.output)
        }
        let db = try Database.connect(DatabaseURL(parsing: url))
        defer { db.close() }
        XCTAssertEqual(try Migrator(connection: db).appliedVersions(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
        for table in ["schemas", "api_keys", "audit_logs"] {
            XCTAssertEqual(try db.scalarInt("SELECT count(*) FROM \(table)"), 0)
        }
        // --database-url initialises the database it names (the reference only printed it).
        let other = try backend.freshDatabaseURL()
        let result = try CommandRunner.cli(["init-db", "--database-url", other])
        XCTAssertEqual(result.status, 0, result.output)
        let otherDB = try Database.connect(DatabaseURL(parsing: other))
        defer { otherDB.close() }
        XCTAssertEqual(try Migrator(connection: otherDB).appliedVersions(), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])
    }

    func testInitDBFailureIsOneLineWithoutPassword() throws {
        let port = FreePort.next()
        let result = try CommandRunner.cli(["init-db", "--database-url", "postgresql://u:topsecret@127.0.0.1:\(port)/db"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.output.hasPrefix("Initializing database: postgresql...\n✗ Failed to initialize database: "), result.output)
        XCTAssertFalse(result.output.contains("topsecret"))
        XCTAssertEqual(result.output.split(separator: "\n").count, 2, result.output)
    }

    func testCheckHealth_sqlite() throws { try checkHealth(.sqlite) }
    func testCheckHealth_postgres() throws { try checkHealth(.postgres) }

    private func checkHealth(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1)
        let result = try CommandRunner.cli(["check-health", "--url", server.baseURL + "/"])
        XCTAssertEqual(result.status, 0, result.output)
        let lines = result.output.split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(lines.prefix(6)), [
            "Checking health at \(server.baseURL)/health...", "✓ Registry is healthy!", "  Version: 1.0.0",
            "  Environment: development", "  Database: \(backend.scheme)", "  Schemas: 0",
        ])
        XCTAssertTrue(lines[6].hasPrefix("  Uptime: ") && lines[6].hasSuffix("s"), lines[6])

        let notFound = try CommandRunner.cli(["check-health", "--url", server.baseURL + "/nowhere"])
        XCTAssertEqual(notFound.status, 1)
        XCTAssertTrue(notFound.output.contains("✗ Health check failed with status 404"), notFound.output)
        XCTAssertEqual(try server.stop(), 0)

        let down = try CommandRunner.cli(["check-health", "--url", "http://127.0.0.1:\(FreePort.next())"])
        XCTAssertEqual(down.status, 1)
        XCTAssertTrue(down.output.contains("✗ Failed to connect: "), down.output)
    }

    /// `check-health --url https://…`: through a TLS proxy in front of the real server, with a
    /// self-signed certificate that is trusted through SSL_CERT_FILE, and refused without it.
    func testCheckHealthOverHTTPS() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let cert = directory.appendingPathComponent("cert.pem").path, key = directory.appendingPathComponent("key.pem").path
        let made = try CommandRunner.run("/usr/bin/env", ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                                                          "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                                                          "-keyout", key, "-out", cert])
        XCTAssertEqual(made.status, 0, made.output)

        let proxy = Process()
        proxy.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        proxy.arguments = ["python3", Paths.repositoryRoot.appendingPathComponent("Tests/IntegrationTests/python/tls_proxy.py").path,
                           cert, key, server.baseURL]
        let output = Pipe()
        proxy.standardOutput = output
        try proxy.run()
        defer { proxy.terminate(); proxy.waitUntilExit() }
        let portLine = String(decoding: output.fileHandleForReading.availableData, as: UTF8.self)
        let port = try XCTUnwrap(Int(portLine.trimmingCharacters(in: .whitespacesAndNewlines)), portLine)
        let url = "https://127.0.0.1:\(port)"

        let trusted = try CommandRunner.cli(["check-health", "--url", url], environment: ["SSL_CERT_FILE": cert])
        XCTAssertEqual(trusted.status, 0, trusted.output)
        XCTAssertEqual(Array(trusted.output.split(separator: "\n").prefix(3)),
                       ["Checking health at \(url)/health...", "✓ Registry is healthy!", "  Version: 1.0.0"])

        let untrusted = try CommandRunner.cli(["check-health", "--url", url])
        XCTAssertEqual(untrusted.status, 1, untrusted.output)
        XCTAssertTrue(untrusted.output.contains("✗ Failed to connect: ") && untrusted.output.lowercased().contains("certificate"),
                      untrusted.output)
        XCTAssertEqual(try server.stop(), 0)
    }

    func testServePrintsBannerAndShutsDownGracefully() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 2, arguments: ["--log-level", "warning"])
        XCTAssertEqual(try server.stop(signal: SIGINT), 0)
        let log = server.log
        let expected = """
            Starting Pyrmute Schema Registry v1.0.0
            Environment: development
            Server: http://127.0.0.1:\(server.port)
            Workers: 2
            Reload: False
            Docs: http://127.0.0.1:\(server.port)/docs
            ReDoc: http://127.0.0.1:\(server.port)/redoc
            """
        XCTAssertTrue(log.hasPrefix(expected), log)
        XCTAssertTrue(log.contains("Shutting down gracefully..."), log)
        XCTAssertFalse(log.contains(" INFO "), "--log-level warning still logs INFO:\n\(log)")
    }

    func testReloadForcesOneWorker() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1, arguments: ["--reload", "--workers", "4"])
        XCTAssertEqual(try server.workerPIDs().count, 1)
        XCTAssertTrue(server.log.contains("Workers: 1\nReload: True\n"), server.log)
        XCTAssertEqual(try server.stop(), 0)
    }

}
