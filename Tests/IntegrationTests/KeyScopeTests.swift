import Foundation
import RegistryJSON
import RegistryRuntime
import XCTest

/// API keys scoped to namespaces (issue 19) through the real server (two workers), on both
/// databases: every route family (schemas, config and compatibility, listing, search, lookup,
/// events), the scope routes, their validation, rotation, and a scope change seen by the next
/// request on any worker.
final class KeyScopeTests: XCTestCase {
    func testRouteFamiliesHonourTheScope_sqlite() throws { try routeFamilies(.sqlite) }
    func testRouteFamiliesHonourTheScope_postgres() throws { try routeFamilies(.postgres) }
    func testScopeRoutesRotationAndChanges_sqlite() throws { try scopeManagement(.sqlite) }
    func testScopeRoutesRotationAndChanges_postgres() throws { try scopeManagement(.postgres) }

    static let schema = #"{"type":"object","properties":{"amount":{"type":"number"}}}"#
    static let unscopedOnly = #"{"detail":"Requires an API key not scoped to namespaces"}"#

    /// payments::Invoice, team-a::Order, team-b::Order, other::Secret and the global Shared, all
    /// with the same JSON Schema.
    private func seed(_ server: ServerProcess, admin: String) throws {
        for path in ["/schemas/payments/Invoice", "/schemas/team-a/Order", "/schemas/team-b/Order", "/schemas/other/Secret",
                     "/schemas/Shared"] {
            let response = try server.call("POST", path + "/versions", key: admin,
                                           json: #"{"version":"1.0.0","json_schema":\#(Self.schema),"registered_by":"t"}"#)
            XCTAssertEqual(response.status, 201, "\(path): \(response.text)")
        }
    }

    private func routeFamilies(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 2)
        try seed(server, admin: admin)
        let reader = try server.createKey("scoped-reader", admin: admin, extra: #","namespaces":["payments","team-*"]"#).key
        let writer = try server.createKey("scoped-writer", permission: "write", admin: admin,
                                          extra: #","namespaces":["payments",null]"#).key
        let teamAdmin = try server.createKey("team-a-admin", permission: "admin", admin: admin, extra: #","namespaces":["team-a"]"#).key

        // Schema routes: namespaced paths, the global form and its `?namespace=`.
        XCTAssertEqual(try server.call("/schemas/payments/Invoice/versions/1.0.0", key: reader).status, 200)
        XCTAssertEqual(try server.call("/schemas/team-b/Order/versions", key: reader).status, 200)
        assertNotPermitted(try server.call("/schemas/other/Secret/versions/1.0.0", key: reader), "other")
        assertNotPermitted(try server.call("/schemas/other/Secret/versions/latest", key: reader), "other")
        assertNotPermitted(try server.call("/schemas/Shared/versions/latest", key: reader), "null")
        assertNotPermitted(try server.call("/schemas/Shared/versions/1.0.0/canonical", key: reader), "null")
        assertNotPermitted(try server.call("/schemas/Shared/compare?from_version=1.0.0&to_version=1.0.0", key: reader), "null")
        XCTAssertEqual(try server.call("/schemas/Shared/versions/latest?namespace=payments", key: reader).status, 404,
                       "the global form with ?namespace= addresses that namespace")
        assertNotPermitted(try server.call("/schemas/Shared/versions/latest?namespace=other", key: reader), "other")
        XCTAssertEqual(try server.call("/schemas/Shared/versions/latest", key: writer).status, 200, "null: the global scope")
        try server.call("DELETE", "/schemas/other/Secret/versions/1.0.0", key: reader).assertForbidden("delete", "permission first")
        XCTAssertEqual(try server.register("/schemas/payments/New/versions", version: "1.0.0", key: writer).status, 201)
        XCTAssertEqual(try server.register("/schemas/Global2/versions", version: "1.0.0", key: writer).status, 201)
        assertNotPermitted(try server.register("/schemas/team-a/New/versions", version: "1.0.0", key: writer), "team-a")
        assertNotPermitted(try server.call("POST", "/schemas/team-a/Order/versions/1.0.0/deprecate", key: writer), "team-a")

        // Listing: filtered silently, counted within the scope; an explicit filter outside it is refused.
        let listed = try server.call("/schemas", key: reader)
        XCTAssertEqual(listed.status, 200)
        XCTAssertEqual(try models(listed.json()["schemas"]), ["payments::Invoice", "payments::New", "team-a::Order", "team-b::Order"])
        XCTAssertEqual(try listed.json()["total_count"]?.intValue, 4)
        let page = try server.call("/schemas?limit=1&offset=2", key: reader).json()
        XCTAssertEqual(models(page["schemas"]), ["team-a::Order"])
        XCTAssertEqual(page["total_count"]?.intValue, 4)
        XCTAssertEqual(try models(server.call("/schemas", key: writer).json()["schemas"]),
                       ["Global2", "Shared", "payments::Invoice", "payments::New"])
        XCTAssertEqual(try server.call("/schemas", key: admin).json()["total_count"]?.intValue, 7, "unscoped: every model")
        XCTAssertEqual(try models(server.call("/schemas?namespace=team-b", key: reader).json()["schemas"]), ["team-b::Order"])
        assertNotPermitted(try server.call("/schemas?namespace=other", key: reader), "other")
        assertNotPermitted(try server.call("/schemas?namespace=null", key: reader), "null")
        XCTAssertEqual(try server.call("/schemas/Order/namespaces", key: reader).text, #"{"namespaces":{"team-a":["1.0.0"],"team-b":["1.0.0"]}}"#)
        XCTAssertEqual(try server.call("/schemas/Order/namespaces", key: writer).status, 404, "none left: as if absent")
        XCTAssertEqual(try server.call("/schemas/Shared/namespaces", key: writer).text, #"{"namespaces":{"null":["1.0.0"]}}"#)

        // Search and lookup.
        let search = try server.call("/search?q=amount&kind=field", key: reader).json()
        XCTAssertEqual(search["total"]?.intValue, 3)
        XCTAssertEqual(Set(search["results"]?.arrayValue?.compactMap { $0["namespace"]?.stringValue } ?? []),
                       ["payments", "team-a", "team-b"])
        XCTAssertEqual(try server.call("/search?q=amount&kind=field", key: admin).json()["total"]?.intValue, 5)
        assertNotPermitted(try server.call("/search?q=amount&namespace=other", key: reader), "other")
        let lookupBody = #"{"json_schema":\#(Self.schema)}"#
        XCTAssertEqual(try matches(server.call("POST", "/schemas/lookup", key: reader, json: lookupBody)),
                       ["payments::Invoice", "team-a::Order", "team-b::Order"])
        XCTAssertEqual(try matches(server.call("POST", "/schemas/lookup", key: writer, json: lookupBody)),
                       ["Shared", "payments::Invoice"])
        assertNotPermitted(try server.call("POST", "/schemas/lookup", key: reader, json: #"{"json_schema":{},"namespace":"other"}"#),
                           "other")

        // The web UI (issue 18): its pages are scoped like the routes whose data they show.
        XCTAssertEqual(try server.call("/ui/model?namespace=payments&model=Invoice", key: reader).status, 200)
        assertNotPermitted(try server.call("/ui/model?namespace=other&model=Secret", key: reader), "other")
        assertNotPermitted(try server.call("/ui/version?model=Shared&version=1.0.0", key: reader), "null")
        assertNotPermitted(try server.call("/ui/namespace?namespace=other", key: reader), "other")
        let home = try server.call("/ui", key: reader).text
        XCTAssertTrue(home.contains("/ui/namespace?namespace=payments"), home)
        XCTAssertFalse(home.contains("/ui/namespace?namespace=other"), "a namespace outside the scope is not listed")
        let found = try server.call("/ui?q=Secret", key: reader).text
        XCTAssertFalse(found.contains("namespace=other"), "search results stay within the scope")
        XCTAssertTrue(try server.call("/ui?q=Secret", key: admin).text.contains("namespace=other"), "unscoped: found")

        // Config and compatibility: a scoped admin administers its namespaces only.
        XCTAssertEqual(try server.putLevel("/config/namespaces/team-a", "BACKWARD", key: teamAdmin).status, 200)
        XCTAssertEqual(try server.putLevel("/schemas/team-a/Order/config", "FULL", key: teamAdmin).status, 200)
        assertNotPermitted(try server.putLevel("/config/namespaces/team-b", "BACKWARD", key: teamAdmin), "team-b")
        assertNotPermitted(try server.putLevel("/schemas/Shared/config", "BACKWARD", key: teamAdmin), "null")
        assertNotPermitted(try server.call("DELETE", "/config/namespaces/payments", key: teamAdmin), "payments")
        let serverLevel = try server.putLevel("/config", "FULL", key: teamAdmin)
        XCTAssertEqual(serverLevel.status, 403)
        XCTAssertEqual(serverLevel.text, Self.unscopedOnly)
        XCTAssertEqual(try server.call("/config", key: reader).status, 200, "the server's default is readable")
        assertNotPermitted(try server.call("/config/namespaces/other", key: reader), "other")
        let check = #"{"version":"2.0.0","json_schema":{},"registered_by":"t"}"#
        XCTAssertEqual(try server.call("POST", "/schemas/payments/Invoice/compatibility", key: reader, json: check).status, 200)
        assertNotPermitted(try server.call("POST", "/schemas/other/Secret/compatibility", key: reader, json: check), "other")
        assertNotPermitted(try server.call("POST", "/schemas/Shared/compatibility", key: reader, json: check), "null")

        // Events: the scope's namespaces only, never key events.
        let seen = try server.feed(key: reader)
        XCTAssertEqual(Set(seen.compactMap { $0["data"]?["namespace"]?.stringValue }), ["payments", "team-a", "team-b"])
        XCTAssertEqual(seen.filter { $0["data"]?["namespace"] == .null }.count, 0, "\(seen)")
        XCTAssertEqual(seen.count, 6, "3 + 1 registrations, 2 config changes: \(seen.map { $0["type"] ?? .null })")
        XCTAssertEqual(try server.feed(key: reader, limit: 1).count, 6, "paging within the scope")
        let adminFeed = try server.feed(key: teamAdmin)
        XCTAssertFalse(adminFeed.contains { ($0["type"]?.stringValue ?? "").hasPrefix("key.") }, "a scoped admin sees no key events")
        XCTAssertEqual(try server.call("/events?type=key.*", key: teamAdmin).text, Self.unscopedOnly)
        assertNotPermitted(try server.call("/events?namespace=other", key: reader), "other")
        XCTAssertTrue(try server.feed(key: admin).contains { $0["data"]?["namespace"]?.stringValue == "other" })
        XCTAssertEqual(try server.feed(key: writer).filter { $0["data"]?["namespace"] == .null }.count, 2,
                       "with null: the global registrations (Shared, Global2)")

        // Server-wide administration needs an unscoped key.
        for (method, path) in [("GET", "/api-keys"), ("GET", "/api-keys/1"), ("GET", "/api-keys/1/scope"), ("GET", "/webhooks"),
                               ("GET", "/audit-logs"), ("GET", "/metrics")] {
            let response = try server.call(method, path, key: teamAdmin)
            XCTAssertEqual(response.status, 403, "\(method) \(path)")
            XCTAssertEqual(response.text, Self.unscopedOnly, "\(method) \(path)")
        }
        let create = try server.call("POST", "/api-keys", key: teamAdmin, json: #"{"name":"escalation","permission":"admin"}"#)
        XCTAssertEqual(create.text, Self.unscopedOnly)
        XCTAssertEqual(try server.call("/api-keys/stats", key: admin).json()["total_keys"]?.intValue, 4, "nothing was created")
        XCTAssertEqual(try server.stop(), 0)
    }

    private func scopeManagement(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 2)
        try seed(server, admin: admin)
        let made = try server.createKey("scoped", admin: admin, extra: #","namespaces":["payments","team-*",null]"#)
        XCTAssertEqual(made.record.objectValue?.keys, AuthSupport.recordFields + ["api_key"], "the record is unchanged")
        let plain = try server.createKey("plain", admin: admin)
        XCTAssertEqual(try server.call("/api-keys/\(made.id)", key: admin).json().objectValue?.keys, AuthSupport.recordFields)
        XCTAssertEqual(try server.call("/api-keys/\(made.id)/scope", key: admin).text, #"{"namespaces":["payments","team-*",null]}"#)
        XCTAssertEqual(try server.call("/api-keys/\(plain.id)/scope", key: admin).text, #"{"namespaces":null}"#)
        XCTAssertEqual(try server.call("/api-keys/1/scope", key: admin).text, #"{"namespaces":null}"#, "the CLI's key is unscoped")
        XCTAssertEqual(try server.call("/api-keys/99999/scope", key: admin).status, 404)

        // Invalid scopes: 422 with the place and the reason; nothing stored.
        func issue(_ response: HTTPClientResponse) throws -> JSONValue? {
            XCTAssertEqual(response.status, 422, response.text)
            return try response.json()["detail"]?.arrayValue?.first
        }
        let inner = try issue(server.call("PUT", "/api-keys/\(made.id)/scope", key: admin, json: #"{"namespaces":["ok","a*b"]}"#))
        XCTAssertEqual(inner?["type"]?.stringValue, "value_error")
        XCTAssertEqual(inner?["loc"], ["body", "namespaces", 1])
        XCTAssertEqual(inner?["msg"]?.stringValue, "Value error, '*' may only end a namespace pattern (as in 'team-*')")
        XCTAssertEqual(try issue(server.call("PUT", "/api-keys/\(made.id)/scope", key: admin, json: #"{"namespaces":[]}"#))?["type"],
                       "too_short")
        XCTAssertEqual(try issue(server.call("PUT", "/api-keys/\(made.id)/scope", key: admin, json: #"{"namespaces":"payments"}"#))?["type"],
                       "list_type")
        XCTAssertEqual(try issue(server.call("PUT", "/api-keys/\(made.id)/scope", key: admin, json: #"{"namespaces":[1]}"#))?["loc"],
                       ["body", "namespaces", 0])
        XCTAssertEqual(try issue(server.call("PUT", "/api-keys/\(made.id)/scope", key: admin, json: "{}"))?["type"], "missing")
        let long = String(repeating: "n", count: 256)
        XCTAssertEqual(try issue(server.call("POST", "/api-keys", key: admin,
                                             json: #"{"name":"bad-scope","namespaces":["\#(long)"]}"#))?["type"], "string_too_long")
        XCTAssertEqual(try server.call("GET", "/api-keys", key: admin).json()["total"]?.intValue, 3, "no key made from a bad body")
        XCTAssertEqual(try server.call("/api-keys/\(made.id)/scope", key: admin).text, #"{"namespaces":["payments","team-*",null]}"#)

        // A change holds from the next request on every worker (several connections reach both).
        let key = made.key
        for _ in 0..<6 { assertNotPermitted(try server.call("/schemas/other/Secret/versions/1.0.0", key: key), "other") }
        let put = try server.call("PUT", "/api-keys/\(made.id)/scope", key: admin, json: #"{"namespaces":["other"]}"#)
        XCTAssertEqual(put.status, 200)
        XCTAssertEqual(put.text, #"{"namespaces":["other"]}"#)
        for _ in 0..<6 {
            XCTAssertEqual(try server.call("/schemas/other/Secret/versions/1.0.0", key: key).status, 200)
            assertNotPermitted(try server.call("/schemas/payments/Invoice/versions/1.0.0", key: key), "payments")
        }
        XCTAssertEqual(try server.call("PUT", "/api-keys/\(made.id)/scope", key: admin, json: #"{"namespaces":null}"#).text,
                       #"{"namespaces":null}"#)
        for _ in 0..<6 {
            XCTAssertEqual(try server.call("/schemas/payments/Invoice/versions/1.0.0", key: key).status, 200)
            XCTAssertEqual(try server.call("/schemas/Shared/versions/1.0.0", key: key).status, 200)
        }
        XCTAssertEqual(try server.call("PUT", "/api-keys/\(made.id)/scope", key: admin, json: #"{"namespaces":["team-*"]}"#).status, 200)

        // Rotation: the successor keeps the scope (and the old key, in its grace period, too).
        let rotated = try server.call("POST", "/api-keys/\(made.id)/rotate", key: admin, json: #"{"grace_period_hours":1}"#).json()
        let newID = try XCTUnwrap(rotated["new_key"]?["id"]?.intValue)
        let newKey = try XCTUnwrap(rotated["new_key"]?["api_key"]?.stringValue)
        XCTAssertEqual(rotated["new_key"]?.objectValue?.keys, AuthSupport.recordFields + ["api_key"])
        XCTAssertEqual(try server.call("/api-keys/\(newID)/scope", key: admin).text, #"{"namespaces":["team-*"]}"#)
        XCTAssertEqual(try server.call("/schemas/team-b/Order/versions/1.0.0", key: newKey).status, 200)
        assertNotPermitted(try server.call("/schemas/payments/Invoice/versions/1.0.0", key: newKey), "payments")
        assertNotPermitted(try server.call("/schemas/payments/Invoice/versions/1.0.0", key: key), "payments")

        // Audited, and a `key.scope_changed` event per change.
        let audited = try server.auditLogs(admin: admin, query: "path_prefix=/api-keys/\(made.id)/scope&status_code=200")
        XCTAssertEqual(audited.total, 3, "three scope changes: \(audited.logs)")
        XCTAssertEqual(Set(audited.logs.compactMap { $0["method"]?.stringValue }), ["PUT"])
        let changes = try server.feed(query: "&type=key.scope_changed", key: admin)
        XCTAssertEqual(changes.map { $0["data"]?["namespaces"] ?? .string("?") }, [["other"], .null, ["team-*"]])
        XCTAssertEqual(changes.first?["data"]?["key_name"]?.stringValue, "scoped")
        XCTAssertEqual(changes.first?["data"]?["actor"]?.stringValue, "admin")

        // Deleting the key deletes its scope (a new key with the same id space starts unscoped).
        XCTAssertEqual(try server.call("DELETE", "/api-keys/\(newID)", key: admin).status, 204)
        XCTAssertEqual(try server.call("/api-keys/\(newID)/scope", key: admin).status, 404)
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: -

    private func assertNotPermitted(_ response: HTTPClientResponse, _ namespace: String,
                                    file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(response.status, 403, response.text, file: file, line: line)
        XCTAssertEqual(response.text, #"{"detail":"Key not permitted for namespace '\#(namespace)'"}"#, file: file, line: line)
    }

    private func models(_ items: JSONValue?) -> [String] {
        (items?.arrayValue ?? []).map { item in
            (item["namespace"]?.stringValue.map { $0 + "::" } ?? "") + (item["model_name"]?.stringValue ?? "")
        }
    }

    private func matches(_ response: HTTPClientResponse) throws -> [String] {
        XCTAssertEqual(response.status, 200, response.text)
        return models(try response.json()["matches"])
    }
}
