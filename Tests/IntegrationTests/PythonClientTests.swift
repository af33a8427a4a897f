import Foundation
import XCTest

/// The Python client from PyPI (`pyrmute-registry==0.0.1`, installed into .venv-client by
/// scripts/install-python-client.sh) registers, fetches, lists, compares, deprecates and deletes.
final class PythonClientTests: XCTestCase {
    func testPythonClientRoundTrip_sqlite() throws { try roundTrip(.sqlite) }
    func testPythonClientRoundTrip_postgres() throws { try roundTrip(.postgres) }
    func testPluginRegistersDecoratedModelsAndIsInSync_sqlite() throws { try pluginSync(.sqlite) }
    func testPluginRegistersDecoratedModelsAndIsInSync_postgres() throws { try pluginSync(.postgres) }

    private func roundTrip(_ backend: Backend) throws {
        let python = try Self.python()
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        let script = Paths.repositoryRoot.appendingPathComponent("Tests/IntegrationTests/python/client_roundtrip.py").path
        let result = try CommandRunner.run(python, [script, server.baseURL], timeout: 120)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.output.split(separator: "\n").filter { $0.hasPrefix("ok ") },
                       ["ok health", "ok register", "ok conflict", "ok get", "ok list", "ok compare", "ok deprecate-delete"],
                       result.output)
        XCTAssertEqual(try server.stop(), 0)
    }

    /// `RegistryPlugin(fail_on_error=True)` reads `health["healthy"]` before it registers anything.
    private func pluginSync(_ backend: Backend) throws {
        let python = try Self.python()
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        let script = Paths.repositoryRoot.appendingPathComponent("Tests/IntegrationTests/python/plugin_sync.py").path
        let result = try CommandRunner.run(python, [script, server.baseURL], timeout: 120)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.output.split(separator: "\n").filter { $0.hasPrefix("ok ") },
                       ["ok healthy", "ok registered", "ok in_sync", "ok fetched"], result.output)
        XCTAssertEqual(try server.request("/schemas/orders/Order/versions").json()["versions"], ["1.0.0", "2.0.0"])
        XCTAssertEqual(try server.stop(), 0)
    }

    private static func python() throws -> String {
        let python = Paths.repositoryRoot.appendingPathComponent(".venv-client/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            let missing = "no Python client: run scripts/install-python-client.sh"
            // CI (which requires every tool) fails instead of skipping.
            if ProcessInfo.processInfo.environment["PYRMUTE_TEST_REQUIRE_POSTGRES"] == "1" { throw MissingTool(description: missing) }
            throw XCTSkip(missing)
        }
        return python
    }
}

private struct MissingTool: Error, CustomStringConvertible {
    let description: String
}
