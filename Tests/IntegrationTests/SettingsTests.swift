import Foundation
import XCTest

/// Settings through the real CLI: environment over `.env`, both list forms, invalid values.
final class SettingsTests: XCTestCase {
    func testEnvironmentBeatsDotEnv() throws {
        let dir = Paths.temporaryDirectory("dotenv")
        try """
        # comment
        PYRMUTE_REGISTRY_APP_NAME="From DotEnv"
        PYRMUTE_REGISTRY_ENVIRONMENT=test  # inline comment
        pyrmute_registry_app_version='2.0.0'
        """.write(to: dir.appendingPathComponent(".env"), atomically: true, encoding: .utf8)

        let fromFile = try CommandRunner.cli(["version"], directory: dir)
        XCTAssertEqual(fromFile.status, 0)
        XCTAssertEqual(fromFile.output, "From DotEnv v2.0.0\nEnvironment: test\n")

        let fromEnv = try CommandRunner.cli(["version"], environment: ["PYRMUTE_REGISTRY_APP_NAME": "From Env"], directory: dir)
        XCTAssertEqual(fromEnv.output, "From Env v2.0.0\nEnvironment: test\n")
    }

    func testListsAcceptJSONAndCommaSeparatedText() throws {
        for value in [#"["https://a.example","https://b.example"]"#, "https://a.example, https://b.example", "https://a.example,https://b.example"] {
            let result = try CommandRunner.cli(["config"], environment: ["PYRMUTE_REGISTRY_CORS_ORIGINS": value])
            XCTAssertEqual(result.status, 0, result.output)
            XCTAssertTrue(result.output.contains("  Origins: ['https://a.example', 'https://b.example']\n"), result.output)
        }
        let star = try CommandRunner.cli(["config"], environment: ["PYRMUTE_REGISTRY_CORS_ORIGINS": "*"])
        XCTAssertTrue(star.output.contains("  Origins: ['*']\n"), star.output)
    }

    func testInvalidValueStopsStartupNamingTheVariable() throws {
        let cases: [(String, String)] = [
            ("PYRMUTE_REGISTRY_PORT", "abc"), ("PYRMUTE_REGISTRY_PORT", "70000"), ("PYRMUTE_REGISTRY_WORKERS", "0"),
            ("PYRMUTE_REGISTRY_ENVIRONMENT", "Production"), ("PYRMUTE_REGISTRY_LOG_LEVEL", "debug"),
            ("PYRMUTE_REGISTRY_ENABLE_AUTH", "maybe"), ("PYRMUTE_REGISTRY_CORS_ORIGINS", #"["unterminated"#),
            ("PYRMUTE_REGISTRY_DATABASE_URL", "mysql://u:p@h/db"),
        ]
        for (name, value) in cases {
            let result = try CommandRunner.cli(["serve", "--port", String(FreePort.next())],
                                               environment: [name: value, "PYRMUTE_REGISTRY_SUPERVISOR_PORT": "0"])
            XCTAssertEqual(result.status, 1, "\(name)=\(value): \(result.output)")
            XCTAssertTrue(result.output.contains(name), "\(name)=\(value): \(result.output)")
            XCTAssertFalse(result.output.contains("Starting "), "\(name)=\(value) started anyway")
        }
        // In .env too.
        let dir = Paths.temporaryDirectory("badenv")
        try "PYRMUTE_REGISTRY_RATE_LIMIT_PER_MINUTE=lots\n".write(to: dir.appendingPathComponent(".env"), atomically: true, encoding: .utf8)
        let result = try CommandRunner.cli(["version"], directory: dir)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.output.contains("PYRMUTE_REGISTRY_RATE_LIMIT_PER_MINUTE"), result.output)
    }

    func testUnknownVariablesAreIgnoredAndNamesAreCaseInsensitive() throws {
        let result = try CommandRunner.cli(["version"], environment: [
            "PYRMUTE_REGISTRY_ENABLE_AUDIT": "whatever", "pyrmute_registry_environment": "production",
        ])
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertTrue(result.output.contains("Environment: production"), result.output)
    }
}
