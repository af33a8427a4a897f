import Foundation
import RegistryDomain
import RegistryJSON
import XCTest

/// `create-admin-key`, `list-keys` and `revoke-key` on both databases (contract §11.3–§11.5,
/// with the port's changes: one `✗` line per error, `--expires-in-days` checked).
final class KeyCLITests: XCTestCase {
    func testCreateAdminKey_sqlite() throws { try createAdminKey(.sqlite) }
    func testCreateAdminKey_postgres() throws { try createAdminKey(.postgres) }
    func testListKeys_sqlite() throws { try listKeys(.sqlite) }
    func testListKeys_postgres() throws { try listKeys(.postgres) }
    func testRevokeKeySeenByRunningServer_sqlite() throws { try revokeKey(.sqlite) }
    func testRevokeKeySeenByRunningServer_postgres() throws { try revokeKey(.postgres) }

    private func cli(_ arguments: [String], _ url: String, auth: Bool = false, input: String? = nil) throws -> CommandResult {
        var environment = ["PYRMUTE_REGISTRY_DATABASE_URL": url]
        if auth { environment["PYRMUTE_REGISTRY_ENABLE_AUTH"] = "true" }
        return try CommandRunner.cli(arguments, environment: environment, input: input)
    }

    private func lines(_ output: String) -> [String] {
        output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    private let timestamp = #"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}"#

    private func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: "^" + pattern + "$", options: .regularExpression) != nil
    }

    // MARK: - create-admin-key

    private func createAdminKey(_ backend: Backend) throws {
        let url = try backend.freshDatabaseURL()
        let result = try cli(["create-admin-key", "--name", "ops"], url)
        XCTAssertEqual(result.status, 0, result.output)
        let output = lines(result.output)
        let key = try XCTUnwrap(AuthSupport.printedKey(result.output), result.output)
        XCTAssertTrue(AuthSupport.isKeyShaped(key), key)
        // The success block, in order.
        let ordered = [
            "✓ API Key created successfully!", "", "Key Details:", String(repeating: "=", count: 60), "Name:        ops",
            "Permission:  admin", nil, "Expires:     Never", "", "API Key (save this - it won't be shown again):", key, "", "Usage:",
        ]
        for (index, line) in ordered.enumerated() {
            guard index < output.count else { XCTFail("output too short: \(result.output)"); break }
            if let line { XCTAssertEqual(output[index], line, "line \(index)") }
        }
        XCTAssertTrue(matches(output[6], "Created:     " + timestamp), output[6])
        XCTAssertTrue(output.contains(#"  curl -H "X-API-Key: \#(key)" http://localhost:8000/schemas"#), result.output)
        XCTAssertTrue(output.contains(#"  curl -H "Authorization: Bearer \#(key)" http://localhost:8000/schemas"#), result.output)
        XCTAssertEqual(output.last(where: { !$0.isEmpty }), "⚠️  IMPORTANT: Save this key securely. It cannot be recovered!")

        let today = String(Timestamp.now().storageText.prefix(10))
        let row = try AuthSupport.withDatabase(url) { db in
            try db.query("SELECT name, permission, created_by, description, key_hash, expires_at, use_count FROM api_keys").first
        }
        XCTAssertEqual(row?.string(0), "ops")
        XCTAssertEqual(row?.string(1), "admin")
        XCTAssertEqual(row?.string(2), "cli")
        XCTAssertEqual(row?.string(3), "Created via CLI on \(today)")
        XCTAssertTrue(row?.string(4)?.hasPrefix("$2b$12$") == true)
        XCTAssertEqual(row?.string(4)?.count, 60)
        XCTAssertTrue(row?.isNull(5) == true)
        XCTAssertEqual(row?.int(6), 0)

        // Short options, case-insensitive permission, expiry, description; with auth on in the environment.
        let options = try cli(["create-admin-key", "-n", "ci", "-p", "WRITE", "-d", "CI key", "-e", "30"], url, auth: true)
        XCTAssertEqual(options.status, 0, options.output)
        XCTAssertTrue(lines(options.output).contains("Permission:  write"), options.output)
        XCTAssertTrue(lines(options.output).contains { matches($0, "Expires:     " + timestamp) }, options.output)
        let ciKey = try XCTUnwrap(AuthSupport.printedKey(options.output))

        // Name from the prompt.
        let prompted = try cli(["create-admin-key", "--permission", "read"], url, input: "prompted\n")
        XCTAssertEqual(prompted.status, 0, prompted.output)
        XCTAssertTrue(prompted.output.contains("API key name"), prompted.output)
        XCTAssertTrue(lines(prompted.output).contains { $0.hasSuffix("Name:        prompted") }, prompted.output)

        // Errors: one ✗ line, exit 1, nothing written.
        let invalid = try cli(["create-admin-key", "--name", "nope", "--permission", "superuser"], url)
        XCTAssertEqual(invalid.status, 1)
        XCTAssertEqual(invalid.output, "✗ Invalid permission: superuser. Must be one of: read, write, delete, admin\n")
        let duplicate = try cli(["create-admin-key", "--name", "ops"], url)
        XCTAssertEqual(duplicate.status, 1)
        XCTAssertEqual(duplicate.output, "✗ API key with name 'ops' already exists\n")
        let emptyName = try cli(["create-admin-key"], url, input: "\n")
        XCTAssertEqual(emptyName.status, 1, emptyName.output)
        XCTAssertTrue(emptyName.output.contains("✗ "), emptyName.output)
        for days in ["0", "3651"] {
            let badExpiry = try cli(["create-admin-key", "--name", "bad-expiry", "--expires-in-days", days], url)
            XCTAssertEqual(badExpiry.status, 1, badExpiry.output)
            XCTAssertTrue(badExpiry.output.hasPrefix("✗ "), badExpiry.output)
        }
        XCTAssertEqual(try AuthSupport.withDatabase(url) { try $0.scalarInt("SELECT count(*) FROM api_keys") }, 3)

        // The CLI's keys work against a server with authentication on.
        let server = try ServerProcess(databaseURL: url, workers: 1, environment: ["PYRMUTE_REGISTRY_ENABLE_AUTH": "true"])
        let listed = try server.call("/api-keys", key: key)
        XCTAssertEqual(listed.status, 200, listed.text)
        XCTAssertEqual(try listed.json()["keys"]?.arrayValue?.map { $0["created_by"] }, ["cli", "cli", "cli"])
        let registered = try server.call("POST", "/schemas/ns/User/versions", bearer: ciKey,
                                         json: #"{"version":"1.0.0","json_schema":{},"registered_by":"ci"}"#)
        XCTAssertEqual(registered.status, 201, registered.text)
        try server.call("/api-keys", key: ciKey).assertForbidden("admin", "CLI write key on /api-keys")
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - list-keys

    private func listKeys(_ backend: Backend) throws {
        let url = try backend.freshDatabaseURL()
        let empty = try cli(["list-keys"], url)
        XCTAssertEqual(empty.status, 0, empty.output)
        XCTAssertEqual(empty.output, "No API keys found.\n")

        XCTAssertEqual(try cli(["create-admin-key", "--name", "first", "--permission", "read"], url).status, 0)
        XCTAssertEqual(try cli(["create-admin-key", "--name", "second", "--permission", "write", "-d", "second key", "-e", "10"], url).status, 0)
        try AuthSupport.withDatabase(url) { db in
            try db.execute("UPDATE api_keys SET use_count = 3, last_used_at = $1 WHERE name = 'first'", [.text("2024-05-01 10:00:00.000000")])
        }

        let listed = try cli(["list-keys"], url)
        XCTAssertEqual(listed.status, 0, listed.output)
        let output = lines(listed.output)
        XCTAssertEqual(Array(output.prefix(4)), ["Found 2 API key(s):", String(repeating: "=", count: 80), "", "second [ACTIVE]"])
        let first = try XCTUnwrap(output.firstIndex(of: "first [ACTIVE]"), listed.output)
        XCTAssertTrue(first > 3, "newest first")
        XCTAssertEqual(output[4], "  ID:         2")
        XCTAssertEqual(output[5], "  Permission: write")
        XCTAssertTrue(matches(output[6], "  Created:    " + timestamp + " by cli"), output[6])
        XCTAssertEqual(output[7], "  Last used:  Never")
        XCTAssertTrue(matches(output[8], "  Expires:    " + timestamp), output[8])
        XCTAssertEqual(output[9], "  Description: second key")
        XCTAssertEqual(output[first + 1], "  ID:         1")
        XCTAssertEqual(output[first + 2], "  Permission: read")
        XCTAssertEqual(output[first + 4], "  Last used:  2024-05-01 10:00:00.000000 (3 times)")
        XCTAssertFalse(listed.output.contains("$2b$"))

        // Revoked keys are hidden unless asked for.
        let revoked = try cli(["revoke-key", "first", "-r", "rotated out"], url, input: "y\n")
        XCTAssertEqual(revoked.status, 0, revoked.output)
        let active = try cli(["list-keys"], url)
        XCTAssertTrue(active.output.hasPrefix("Found 1 API key(s):\n"), active.output)
        XCTAssertFalse(active.output.contains("first ["), active.output)
        let all = try cli(["list-keys", "--include-revoked"], url, auth: true)
        XCTAssertEqual(all.status, 0, all.output)
        XCTAssertTrue(all.output.hasPrefix("Found 2 API key(s):\n"), all.output)
        let allLines = lines(all.output)
        XCTAssertTrue(allLines.contains("first [REVOKED]"), all.output)
        XCTAssertTrue(allLines.contains { matches($0, "  Revoked:    " + timestamp + " by cli") }, all.output)
        XCTAssertTrue(all.output.contains("Revocation reason: rotated out"), all.output)

        // Expired wins over the other states.
        try AuthSupport.backdate("expires_at", keyID: 2, databaseURL: url)
        let expired = try cli(["list-keys"], url)
        XCTAssertTrue(lines(expired.output).contains("second [EXPIRED]"), expired.output)
        XCTAssertTrue(lines(expired.output).contains("  Expires:    2020-01-01 00:00:00.000000"), expired.output)
    }

    // MARK: - revoke-key

    private func revokeKey(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 2)
        let url = server.databaseURL
        let target = try AuthSupport.cliKey(url, name: "target", permission: "read")
        for _ in 0..<6 { XCTAssertEqual(try server.call("/schemas", key: target).status, 200) }

        let unknown = try cli(["revoke-key", "nobody"], url, input: "y\n")
        XCTAssertEqual(unknown.status, 1)
        XCTAssertEqual(unknown.output, "✗ API key 'nobody' not found\n")

        for answer in ["n\n", "\n", "", "maybe\n"] {
            let cancelled = try cli(["revoke-key", "target"], url, input: answer)
            XCTAssertEqual(cancelled.status, 1, "answer \(answer.debugDescription): \(cancelled.output)")
            XCTAssertTrue(cancelled.output.hasPrefix("Are you sure you want to revoke 'target'? [y/N]: "), cancelled.output)
            XCTAssertTrue(cancelled.output.hasSuffix("Revocation cancelled.\n"), cancelled.output)
        }
        XCTAssertEqual(try server.call("/schemas", key: target).status, 200, "still valid after cancelling")

        let done = try cli(["revoke-key", "target", "--reason", "leaked"], url, auth: true, input: "y\n")
        XCTAssertEqual(done.status, 0, done.output)
        XCTAssertTrue(done.output.hasSuffix("✓ API key 'target' has been revoked\n"), done.output)
        // The running server refuses it on every worker within a second.
        try server.waitForStatus(401, "key revoked by the CLI") { try server.call("/schemas", key: target) }
        usleep(700_000)
        for _ in 0..<10 { try server.call("/schemas", key: target).assertUnauthorized(AuthSupport.invalid, "key revoked by the CLI") }
        let record = try XCTUnwrap(try server.call("/api-keys?include_revoked=true", key: admin).json()["keys"]?.arrayValue?
            .first { $0["name"] == "target" })
        XCTAssertEqual(record["revoked"], true)
        XCTAssertEqual(record["revoked_by"], "cli")
        XCTAssertTrue(record["description"]?.stringValue?.hasSuffix("\n\nRevocation reason: leaked") == true, "\(record)")

        let again = try cli(["revoke-key", "target"], url, input: "y\n")
        XCTAssertEqual(again.status, 1)
        XCTAssertEqual(again.output, "✗ API key 'target' is already revoked\n")

        // "yes" in any case confirms.
        XCTAssertEqual(try AuthSupport.cliKey(url, name: "other", permission: "read").count, 43)
        let yes = try cli(["revoke-key", "other"], url, input: "YES\n")
        XCTAssertEqual(yes.status, 0, yes.output)
        XCTAssertEqual(try server.call("/api-keys/stats", key: admin).json()["revoked_keys"], 2)
        XCTAssertEqual(try server.stop(), 0)
    }
}
