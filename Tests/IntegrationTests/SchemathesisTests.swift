import Foundation
import XCTest

/// schemathesis (from PyPI, in .venv-tools) fuzzes every operation of a real server's
/// `/openapi.json`: no 5xx, and every answer's status, content type, headers and body as the
/// document says. `scripts/schemathesis.sh` starts the server (one worker), runs schemathesis
/// deterministically (the same test cases every run) and checks afterwards that the worker was
/// never replaced; these tests run it with authentication off and on, on both databases.
final class SchemathesisTests: XCTestCase {
    func testDocumentHoldsUnderFuzzing_authOff_sqlite() throws { try fuzz(.sqlite, auth: false) }
    func testDocumentHoldsUnderFuzzing_authOff_postgres() throws { try fuzz(.postgres, auth: false) }
    func testDocumentHoldsUnderFuzzing_authOn_sqlite() throws { try fuzz(.sqlite, auth: true) }
    func testDocumentHoldsUnderFuzzing_authOn_postgres() throws { try fuzz(.postgres, auth: true) }

    private func fuzz(_ backend: Backend, auth: Bool) throws {
        let schemathesis = Paths.repositoryRoot.appendingPathComponent(".venv-tools/bin/schemathesis").path
        guard FileManager.default.isExecutableFile(atPath: schemathesis) else {
            if ProcessInfo.processInfo.environment["PYRMUTE_TEST_REQUIRE_POSTGRES"] == "1" {
                return XCTFail("no schemathesis: run scripts/install-python-tools.sh")
            }
            throw XCTSkip("no schemathesis: run scripts/install-python-tools.sh")
        }
        let script = Paths.repositoryRoot.appendingPathComponent("scripts/schemathesis.sh").path
        var arguments = [script, "--bin-dir", Paths.binaries.path, "--database-url", try backend.freshDatabaseURL()]
        if auth { arguments.append("--auth") }
        let result = try CommandRunner.run("/bin/bash", arguments, timeout: 240)
        let context = "schemathesis, auth \(auth ? "on" : "off"), \(backend):\n\(String(result.output.suffix(30_000)))"
        XCTAssertEqual(result.status, 0, context)
        XCTAssertTrue(result.output.contains("schemathesis.sh: OK ("), context)

        // Every documented operation was exercised: the two runs select complementary parts of
        // the document, and each tested everything it selected.
        let selected = matches(#"Selected: (\d+)/(\d+)"#, in: result.output)
        let tested = matches(#"Tested: (\d+)"#, in: result.output)
        XCTAssertEqual(selected.count, 2, context)
        XCTAssertEqual(selected.map { $0[0] }.reduce(0, +), selected.first?[1], "selected operations cover the document")
        XCTAssertEqual(tested.map { $0[0] }, selected.map { $0[0] }, "every selected operation was tested")
        XCTAssertGreaterThan(selected.first?[1] ?? 0, 30, "operations in the document")
        let cases = matches(#"(\d+) generated, (\d+) passed"#, in: result.output)
        XCTAssertEqual(cases.count, 2, context)
        for counts in cases {
            XCTAssertGreaterThan(counts[0], 50, "test cases per run")
            XCTAssertEqual(counts[0], counts[1], "every test case passed")
        }
    }

    /// The integer groups of every match of `pattern`.
    private func matches(_ pattern: String, in text: String) -> [[Int]] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { match in
            (1..<match.numberOfRanges).compactMap { Range(match.range(at: $0), in: text).flatMap { Int(text[$0]) } }
        }
    }
}
