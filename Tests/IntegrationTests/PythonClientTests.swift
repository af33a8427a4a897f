import Foundation
import XCTest

/// The Python client from PyPI (`pyrmute-registry==0.0.1`, installed into .venv-client by
/// scripts/install-python-client.sh) registers, fetches, lists, compares, deprecates and deletes.
final class PythonClientTests: XCTestCase {
    func testPythonClientRoundTrip_sqlite() throws { try roundTrip(.sqlite) }
    func testPythonClientRoundTrip_postgres() throws { try roundTrip(.postgres) }

    private func roundTrip(_ backend: Backend) throws {
        let python = Paths.repositoryRoot.appendingPathComponent(".venv-client/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            if ProcessInfo.processInfo.environment["PYRMUTE_TEST_REQUIRE_POSTGRES"] == "1" {
                return XCTFail("no Python client: run scripts/install-python-client.sh")
            }
            throw XCTSkip("no Python client: run scripts/install-python-client.sh")
        }
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        let script = Paths.repositoryRoot.appendingPathComponent("Tests/IntegrationTests/python/client_roundtrip.py").path
        let result = try CommandRunner.run(python, [script, server.baseURL], timeout: 120)
        XCTAssertEqual(result.status, 0, result.output)
        XCTAssertEqual(result.output.split(separator: "\n").filter { $0.hasPrefix("ok ") },
                       ["ok health", "ok register", "ok conflict", "ok get", "ok list", "ok compare", "ok deprecate-delete"],
                       result.output)
        XCTAssertEqual(try server.stop(), 0)
    }
}
