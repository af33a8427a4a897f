import Foundation
import RegistryJSON
import XCTest

/// Webhook management is an admin change: audited with the default settings (AUDIT_PATHS keeps the
/// contract's `["/schemas","/api-keys"]`; webhook changes are audited whatever it says, like the
/// compatibility levels), refusals included, reads not, and no row carries a secret. Both databases.
final class WebhookAuditTests: XCTestCase {
    func testWebhookChangesAuditedByDefault_sqlite() throws { try audited(.sqlite) }
    func testWebhookChangesAuditedByDefault_postgres() throws { try audited(.postgres) }

    private func audited(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 1, environment: WebhookDeliveryTests.fast)
        let writer = try server.createKey("hook-writer", permission: "write", admin: admin)
        let hook = try server.createWebhook("http://127.0.0.1:9/audit", key: admin)
        XCTAssertEqual(try server.call("GET", "/webhooks", key: admin).status, 200)
        XCTAssertEqual(try server.call("GET", "/webhooks/\(hook.id)", key: admin).status, 200)
        XCTAssertEqual(try server.call("PATCH", "/webhooks/\(hook.id)", key: admin, json: #"{"description":"audited"}"#).status, 200)
        let rotated = try server.call("POST", "/webhooks/\(hook.id)/rotate-secret", key: admin)
        XCTAssertEqual(rotated.status, 200, rotated.text)
        XCTAssertEqual(try server.call("POST", "/webhooks", key: writer.key, json: #"{"url":"http://127.0.0.1:9/x"}"#).status, 403)
        XCTAssertEqual(try server.call("DELETE", "/webhooks/\(hook.id)", key: admin).status, 204)

        let (logs, _) = try server.auditLogs(admin: admin, query: "path_prefix=/webhooks", count: 5)
        let seen = logs.map { "\($0["method"]?.stringValue ?? "") \($0["path"]?.stringValue ?? "") \($0["status_code"]?.intValue ?? 0) "
            + "\($0["api_key_name"]?.stringValue ?? "-") \($0["action"]?.stringValue ?? "")" }
        XCTAssertEqual(seen, [   // newest first; the two GETs are not there
            "DELETE /webhooks/\(hook.id) 204 admin delete_webhook",
            "POST /webhooks 403 hook-writer post_webhook",
            "POST /webhooks/\(hook.id)/rotate-secret 200 admin post_webhook",
            "PATCH /webhooks/\(hook.id) 200 admin patch_webhook",
            "POST /webhooks 201 admin post_webhook",
        ])
        let everything = try server.call("/audit-logs?limit=1000", key: admin).text
        XCTAssertFalse(everything.contains("whsec_"), "no secret in the audit trail")
        XCTAssertEqual(try server.stop(), 0)
    }
}
