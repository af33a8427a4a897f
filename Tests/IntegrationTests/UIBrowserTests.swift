import Foundation
import XCTest

/// The web UI in a real browser (issue 18): Debian's `chromium` and `chromium-driver`
/// (scripts/install-deps.sh) driven by `selenium`, with `axe-selenium-python` for the
/// accessibility pass (scripts/install-python-tools.sh, into .venv-tools) — the script
/// Tests/IntegrationTests/python/ui_browser.py clicks home → namespace → model → version → diff →
/// check, on both databases, with authentication off and on (key prompt), fails on a console error,
/// a failed request, a critical axe violation or hostile text that ran, and saves a screenshot of
/// each page into the test's temporary directory (printed).
final class UIBrowserTests: XCTestCase {
    func testClickThroughAuthOff_sqlite() throws { try clickThrough(.sqlite, auth: false) }
    func testClickThroughAuthOff_postgres() throws { try clickThrough(.postgres, auth: false) }
    func testClickThroughAuthOn_sqlite() throws { try clickThrough(.sqlite, auth: true) }
    func testClickThroughAuthOn_postgres() throws { try clickThrough(.postgres, auth: true) }

    private static let steps = ["ok home", "ok search", "ok namespace", "ok model", "ok version", "ok version-tools", "ok diff",
                                "ok diff-backward", "ok check-form", "ok check", "ok hostile-namespace", "ok hostile-model", "ok done"]

    private func clickThrough(_ backend: Backend, auth: Bool) throws {
        let python = try Self.tool(".venv-tools/bin/python", hint: "run scripts/install-python-tools.sh")
        for program in ["/usr/bin/chromium", "/usr/bin/chromedriver"] {
            _ = try Self.tool(program, hint: "run scripts/install-deps.sh (chromium, chromium-driver)")
        }
        let server: ServerProcess, key: String?
        if auth {
            (server, key) = try AuthSupport.server(backend)
        } else {
            (server, key) = (try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1), nil)
        }
        try UISupport.seed(server, headers: key.map { [("X-API-Key", $0)] } ?? [])
        let shots = Paths.temporaryDirectory("ui-\(backend)-auth-\(auth ? "on" : "off")")
        let script = Paths.repositoryRoot.appendingPathComponent("Tests/IntegrationTests/python/ui_browser.py").path
        let result = try CommandRunner.run(python, [script, server.baseURL, shots.path] + (key.map { ["--key", $0] } ?? []),
                                           timeout: 240)
        print("UIBrowserTests screenshots (\(backend), auth \(auth ? "on" : "off")): \(shots.path)")
        XCTAssertEqual(result.status, 0, result.output)
        let ok = result.output.split(separator: "\n").filter { $0.hasPrefix("ok ") }.map(String.init)
        XCTAssertEqual(ok, (auth ? ["ok key-prompt"] : []) + Self.steps, result.output)
        for name in ["home", "namespace", "model", "version", "diff-backward", "check"] + (auth ? ["key-prompt"] : []) {
            XCTAssertTrue(FileManager.default.fileExists(atPath: shots.appendingPathComponent("\(name).png").path), name)
        }
        XCTAssertEqual(try server.stop(), 0)
    }

    /// The path if it is executable; CI (which requires every tool) fails instead of skipping.
    private static func tool(_ path: String, hint: String) throws -> String {
        let full = path.hasPrefix("/") ? path : Paths.repositoryRoot.appendingPathComponent(path).path
        guard FileManager.default.isExecutableFile(atPath: full) else {
            let missing = "\(full) missing: \(hint)"
            if ProcessInfo.processInfo.environment["PYRMUTE_TEST_REQUIRE_POSTGRES"] == "1" { throw UIMissingTool(description: missing) }
            throw XCTSkip(missing)
        }
        return full
    }
}

private struct UIMissingTool: Error, CustomStringConvertible {
    let description: String
}
