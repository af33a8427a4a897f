import Foundation
import RegistryJSON
import RegistryRuntime
import XCTest

/// The change feed of issue 17 (`GET /events`) through the real server, on both databases: every
/// event type with its data, permissions (key events need ADMIN), filters, paging with `after=`,
/// the feed across a restart, and (PostgreSQL) concurrent writers followed by a poller.
final class EventFeedTests: XCTestCase {
    func testEveryTypeDataAndPermissions_sqlite() throws { try everyType(.sqlite) }
    func testEveryTypeDataAndPermissions_postgres() throws { try everyType(.postgres) }
    func testAfterAcrossRestart_sqlite() throws { try acrossRestart(.sqlite) }
    func testAfterAcrossRestart_postgres() throws { try acrossRestart(.postgres) }
    func testConcurrentWritersPollerSeesEachEventOnceInOrder_postgres() throws { try concurrentWriters(.postgres, workers: 4) }
    func testConcurrentWritersPollerSeesEachEventOnceInOrder_sqlite() throws { try concurrentWriters(.sqlite, workers: 2) }

    static let allTypes = ["schema.registered", "schema.overwritten", "schema.deprecated", "schema.undeprecated",
                           "schema.deleted", "config.changed", "key.created", "key.revoked", "key.rotated", "key.deleted",
                           "key.scope_changed"]

    /// Makes one change of every type (as `admin`); returns the names of the keys made.
    static func everyChange(_ server: ServerProcess, admin: String?) throws {
        func ok(_ response: HTTPClientResponse, _ what: String) {
            XCTAssertTrue((200..<300).contains(response.status), "\(what): \(response.status) \(response.text)")
        }
        let body = #"{"version":"1.0.0","json_schema":{"type":"object"},"registered_by":"tester"}"#
        ok(try server.call("POST", "/schemas/billing/Invoice/versions", key: admin, json: body), "register")
        ok(try server.call("POST", "/schemas/billing/Invoice/versions?allow_overwrite=true", key: admin, json: body), "overwrite")
        ok(try server.call("POST", "/schemas/billing/Invoice/versions/1.0.0/deprecate?message=old", key: admin), "deprecate")
        ok(try server.call("POST", "/schemas/billing/Invoice/versions/1.0.0/undeprecate", key: admin), "undeprecate")
        ok(try server.call("DELETE", "/schemas/billing/Invoice/versions/1.0.0?force=true", key: admin), "delete")
        ok(try server.putLevel("/config/namespaces/billing", "BACKWARD", key: admin), "config")
        if let admin {
            let made = try server.createKey("events-probe", permission: "write", admin: admin)
            ok(try server.call("POST", "/api-keys/\(made.id)/rotate", key: admin, json: #"{"grace_period_hours":1}"#), "rotate")
            ok(try server.call("POST", "/api-keys/\(made.id)/revoke", key: admin, json: #"{"revoked_by":"t"}"#), "revoke")
            ok(try server.call("DELETE", "/api-keys/\(made.id)", key: admin), "delete key")
        }
    }

    private func everyType(_ backend: Backend) throws {
        let (server, admin) = try AuthSupport.server(backend, workers: 2)
        let reader = try server.createKey("feed-reader", permission: "read", admin: admin).key
        let start = try server.feed(key: admin)   // key.created of feed-reader
        try Self.everyChange(server, admin: admin)

        let events = try server.feed(after: start.last?["id"]?.stringValue, key: admin)
        XCTAssertEqual(events.map { $0["type"]?.stringValue ?? "" },
                       ["schema.registered", "schema.overwritten", "schema.deprecated", "schema.undeprecated", "schema.deleted",
                        "config.changed", "key.created", "key.rotated", "key.revoked", "key.deleted"])
        let ids = events.compactMap { $0["id"]?.stringValue }
        XCTAssertEqual(Set(ids).count, events.count, "ids are unique")
        XCTAssertEqual(ids, ids.sorted(), "ids sort as the feed does")
        for event in events {
            XCTAssertEqual(event.keys, ["id", "type", "occurred_at", "data"])
            let data = try XCTUnwrap(event["data"]?.objectValue)
            XCTAssertEqual(Array(data.keys.prefix(4)), ["namespace", "model_name", "version", "actor"], "\(event)")
            XCTAssertEqual(data["actor"]?.stringValue, "admin", "\(event)")
            XCTAssertNotNil(Timestamp(iso: event["occurred_at"]?.stringValue ?? ""))
            let text = JSONValue.object(event).serialized()
            XCTAssertFalse(text.contains("key_hash") || text.contains("$2b$") || text.contains("api_key\""), text)
        }
        XCTAssertEqual(events[0]["data"]?["namespace"]?.stringValue, "billing")
        XCTAssertEqual(events[0]["data"]?["model_name"]?.stringValue, "Invoice")
        XCTAssertEqual(events[0]["data"]?["version"]?.stringValue, "1.0.0")
        XCTAssertEqual(events[2]["data"]?["deprecation_message"]?.stringValue, "old")
        XCTAssertEqual(events[5]["data"]?["compatibility"]?.stringValue, "BACKWARD")
        XCTAssertEqual(events[5]["data"]?["scope"]?.stringValue, "namespace")
        XCTAssertEqual(events[6]["data"]?["key_name"]?.stringValue, "events-probe")
        XCTAssertEqual(events[7]["data"]?["new_key_name"]?.stringValue.map { $0.hasPrefix("events-probe-rotated-") }, true)

        // A READ key: schema and config events, never key events; naming key events is 403.
        let visible = try server.feed(key: reader)
        XCTAssertEqual(visible.map { $0["type"]?.stringValue ?? "" },
                       ["schema.registered", "schema.overwritten", "schema.deprecated", "schema.undeprecated", "schema.deleted",
                        "config.changed"])
        XCTAssertEqual(try server.call("GET", "/events?type=key.*", key: reader).status, 403)
        XCTAssertEqual(try server.call("GET", "/events?type=schema.registered,key.created", key: reader).status, 403)
        XCTAssertEqual(try server.call("GET", "/events", key: nil).status, 401)
        XCTAssertEqual(try server.feed(query: "&type=key.*", key: admin).count, 6)   // the CLI admin, 2 creations, rotate, revoke, delete
        XCTAssertEqual(try server.feed(query: "&type=schema.deprecated,config.changed", key: reader).count, 2)
        XCTAssertEqual(try server.feed(query: "&namespace=billing", key: reader).count, 6)
        XCTAssertEqual(try server.feed(query: "&namespace=other", key: reader).count, 0)

        // Paging: one event a page, the same events.
        XCTAssertEqual(try server.feed(key: admin, limit: 1).map { $0["id"]?.stringValue ?? "" },
                       try server.feed(key: admin).map { $0["id"]?.stringValue ?? "" })
        // Validation.
        XCTAssertEqual(try server.call("GET", "/events?after=nope", key: reader).status, 422)
        XCTAssertEqual(try server.call("GET", "/events?type=schema.nope", key: reader).status, 422)
        XCTAssertEqual(try server.call("GET", "/events?limit=0", key: reader).status, 422)
        let empty = try server.call("GET", "/events?after=\(ids.last!)", key: admin)
        XCTAssertEqual(empty.status, 200)
        XCTAssertEqual(try empty.json()["next_after"]?.stringValue, ids.last!, "an empty page keeps the cursor")
        XCTAssertEqual(try server.stop(), 0)
    }

    private func acrossRestart(_ backend: Backend) throws {
        let url = try backend.freshDatabaseURL()
        var server: ServerProcess? = try ServerProcess(databaseURL: url, workers: 2)
        try Self.everyChange(server!, admin: nil)
        let first = try server!.feed()
        XCTAssertEqual(first.count, 6)
        XCTAssertEqual(try server!.stop(), 0)
        server = nil
        let again = try ServerProcess(databaseURL: url, workers: 2)
        XCTAssertEqual(try again.feed().map { $0["id"]?.stringValue ?? "" }, first.map { $0["id"]?.stringValue ?? "" },
                       "the same ids after a restart")
        let body = #"{"version":"2.0.0","json_schema":{},"registered_by":"tester"}"#
        XCTAssertEqual(try again.call("POST", "/schemas/Later/versions", key: nil, json: body).status, 201)
        let next = try again.feed(after: first.last?["id"]?.stringValue)
        XCTAssertEqual(next.map { $0["type"]?.stringValue ?? "" }, ["schema.registered"])
        XCTAssertEqual(next.first?["data"]?["model_name"]?.stringValue, "Later")
        XCTAssertEqual(next.first?["data"]?["actor"], .null, "no key with authentication off")
        XCTAssertEqual(try again.stop(), 0)
    }

    /// Writers register concurrently while a poller follows `after=`: it must see every event
    /// exactly once, in the order the complete feed shows at the end.
    private func concurrentWriters(_ backend: Backend, workers: Int) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: workers)
        let writers = 6, perWriter = 25
        let done = DispatchGroup()
        let failures = NSLock()
        var failed: [String] = []
        for w in 0..<writers {
            DispatchQueue.global().async(group: done) {
                for v in 0..<perWriter {
                    let body = #"{"version":"1.0.\#(v)","json_schema":{},"registered_by":"w"}"#
                    let response = try? server.call("POST", "/schemas/ns\(w % 3)/Model\(w)/versions", key: nil, json: body)
                    if response?.status != 201 {
                        failures.lock(); failed.append("\(response?.status ?? 0) \(response?.text ?? "")"); failures.unlock()
                    }
                }
            }
        }
        var seen: [String] = []
        var cursor: String? = nil
        let poll = { () throws -> Void in
            let page = try server.feed(after: cursor, limit: 7)
            seen += page.compactMap { $0["id"]?.stringValue }
            if let last = seen.last { cursor = last }
        }
        while done.wait(timeout: .now() + .milliseconds(20)) == .timedOut { try poll() }
        try poll()
        XCTAssertEqual(failed, [])
        // On PostgreSQL the feed holds back events while any older transaction of the cluster runs
        // (another test's, say): wait until all have settled.
        var all: [String] = []
        let deadline = Date().addingTimeInterval(15)
        repeat {
            all = try server.feed().compactMap { $0["id"]?.stringValue }
        } while all.count < writers * perWriter && Date() < deadline
        while seen.count < all.count, Date() < deadline { try poll() }
        XCTAssertEqual(all.count, writers * perWriter)
        XCTAssertEqual(Set(seen).count, seen.count, "no event twice")
        XCTAssertEqual(seen, all, "the poller saw every event, in the final order")
        XCTAssertEqual(try server.stop(), 0)
    }
}
