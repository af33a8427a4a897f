import Foundation
import RegistryJSON
import RegistryRuntime
import XCTest

/// Webhooks of issue 17 through real servers and a real receiver (python/webhook_receiver.py,
/// which verifies every signature with the Standard Webhooks reference library), on both
/// databases: every event type signed, the secret's rotation, redelivery, the receiver down then
/// up, kill -9 of the delivering worker, two servers on one PostgreSQL, 410, redirects and SSRF.
final class WebhookDeliveryTests: XCTestCase {
    func testEveryTypeSignedRotationRedelivery_sqlite() throws { try everyType(.sqlite) }
    func testEveryTypeSignedRotationRedelivery_postgres() throws { try everyType(.postgres) }
    func testReceiverDownThenUpDeliversInOrder_sqlite() throws { try receiverDown(.sqlite) }
    func testReceiverDownThenUpDeliversInOrder_postgres() throws { try receiverDown(.postgres) }
    func testKill9OfTheDeliveringWorkerLosesNothing_sqlite() throws { try kill9(.sqlite) }
    func testKill9OfTheDeliveringWorkerLosesNothing_postgres() throws { try kill9(.postgres) }
    func testTwoServersOnOnePostgresDeliverEachEventOnce() throws { try twoServers() }
    func testGoneDeactivatesAndRedirectsAreNotFollowed_sqlite() throws { try goneAndRedirect(.sqlite) }
    func testGoneDeactivatesAndRedirectsAreNotFollowed_postgres() throws { try goneAndRedirect(.postgres) }
    func testBurstDeliveredInFeedOrderOncePerWebhook_sqlite() throws { try burst(.sqlite) }
    func testBurstDeliveredInFeedOrderOncePerWebhook_postgres() throws { try burst(.postgres) }
    func testPrivateAddressesRefused_sqlite() throws { try ssrf(.sqlite) }
    func testPrivateAddressesRefused_postgres() throws { try ssrf(.postgres) }

    static let fast = ["PYRMUTE_REGISTRY_WEBHOOK_ALLOW_PRIVATE": "true", "PYRMUTE_REGISTRY_WEBHOOK_MAX_BACKOFF": "1"]

    private func register(_ server: ServerProcess, _ model: String, _ version: String, key: String? = nil) throws {
        let body = #"{"version":"\#(version)","json_schema":{},"registered_by":"tester"}"#
        let response = try server.call("POST", "/schemas/\(model)/versions", key: key, json: body)
        XCTAssertEqual(response.status, 201, response.text)
    }

    private func everyType(_ backend: Backend) throws {
        try WebhookReceiver.requireLibrary()
        let receiver = try WebhookReceiver()
        let (server, admin) = try AuthSupport.server(backend, workers: 2, environment: Self.fast)
        // By name: the deliverer resolves it once, checks the address and connects there, while
        // `Host` keeps the name.
        let hook = try server.createWebhook(receiver.url("/ok/all", host: "localhost"), key: admin)
        XCTAssertTrue(hook.secret.hasPrefix("whsec_"))
        XCTAssertEqual(Data(base64Encoded: String(hook.secret.dropFirst(6)))?.count, 32)
        try receiver.trust(["/ok/all": [hook.secret]])
        let shown = try server.call("GET", "/webhooks/\(hook.id)", key: admin)
        XCTAssertEqual(shown.status, 200)
        XCTAssertFalse(shown.text.contains(hook.secret), "the secret is shown once")
        XCTAssertNil(try shown.json()["secret"])

        try EventFeedTests.everyChange(server, admin: admin)
        try receiver.wait("ten deliveries", timeout: 30) { $0.count >= 10 }
        let got = receiver.deliveries
        XCTAssertEqual(got.map { $0["type"]?.stringValue ?? "" },
                       ["schema.registered", "schema.overwritten", "schema.deprecated", "schema.undeprecated", "schema.deleted",
                        "config.changed", "key.created", "key.rotated", "key.revoked", "key.deleted"])
        XCTAssertTrue(got.allSatisfy { $0["valid"]?.boolValue == true }, "every signature verifies: \(got)")
        XCTAssertEqual(Set(got.map { $0["host"]?.stringValue ?? "" }), ["localhost:\(receiver.port)"], "Host keeps the URL's name")
        let feed = try server.feed(key: admin).suffix(10)
        XCTAssertEqual(got.map { $0["event_id"]?.stringValue ?? "" }, feed.map { $0["id"]?.stringValue ?? "" },
                       "the webhook-id and body id are the feed's ids")
        XCTAssertTrue(got.allSatisfy { $0["webhook_id"]?.stringValue == $0["event_id"]?.stringValue })

        // Deliveries are recorded.
        let deliveries = try server.call("GET", "/webhooks/\(hook.id)/deliveries", key: admin)
        XCTAssertEqual(deliveries.status, 200)
        let rows = try XCTUnwrap(try deliveries.json()["deliveries"]?.arrayValue)
        XCTAssertEqual(rows.count, 10)
        XCTAssertTrue(rows.allSatisfy { $0["status"]?.stringValue == "succeeded" && $0["response_code"]?.intValue == 200 })

        // Rotation with a grace period: two signatures, the old and the new secret both verify.
        let rotated = try server.call("POST", "/webhooks/\(hook.id)/rotate-secret", key: admin, json: #"{"grace_period_hours":1}"#)
        XCTAssertEqual(rotated.status, 200, rotated.text)
        let newSecret = try XCTUnwrap(try rotated.json()["secret"]?.stringValue)
        XCTAssertNotEqual(newSecret, hook.secret)
        try receiver.trust(["/ok/all": [newSecret]])
        try register(server, "AfterRotation", "1.0.0", key: admin)
        try receiver.wait("a delivery after the rotation", timeout: 20) { $0.count >= 11 }
        XCTAssertEqual(receiver.deliveries.last?["signatures"]?.intValue, 2)
        XCTAssertEqual(receiver.deliveries.last?["valid"]?.boolValue, true, "verifies with the new secret")
        try receiver.trust(["/ok/all": [hook.secret]])
        let redeliver = try server.call("POST", "/webhooks/\(hook.id)/deliveries/\(rows[0]["id"]!.intValue!)/redeliver", key: admin)
        XCTAssertEqual(redeliver.status, 202, redeliver.text)
        try receiver.wait("the redelivery", timeout: 20) { $0.count >= 12 }
        XCTAssertEqual(receiver.deliveries.last?["valid"]?.boolValue, true, "verifies with the old secret in its grace period")
        XCTAssertEqual(receiver.deliveries.last?["event_id"], got.last?["event_id"], "the same event again")

        // CRUD edges.
        XCTAssertEqual(try server.call("GET", "/webhooks/999999", key: admin).status, 404)
        let reader = try server.createKey("hook-reader", permission: "read", admin: admin).key
        XCTAssertEqual(try server.call("GET", "/webhooks", key: reader).status, 403)
        let patched = try server.call("PATCH", "/webhooks/\(hook.id)", key: admin, json: #"{"events":["schema.*"],"description":"d"}"#)
        XCTAssertEqual(patched.status, 200, patched.text)
        XCTAssertEqual(try patched.json()["events"], ["schema.*"])
        XCTAssertEqual(try server.call("PATCH", "/webhooks/\(hook.id)", key: admin, json: #"{"events":["nope"]}"#).status, 422)
        XCTAssertEqual(try server.call("DELETE", "/webhooks/\(hook.id)", key: admin).status, 204)
        XCTAssertEqual(try server.call("DELETE", "/webhooks/\(hook.id)", key: admin).status, 404)
        XCTAssertEqual(try server.stop(), 0)
    }

    private func receiverDown(_ backend: Backend) throws {
        try WebhookReceiver.requireLibrary()
        let receiver = try WebhookReceiver(start: false)
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2, environment: Self.fast)
        let hook = try server.createWebhook(receiver.url("/ok/down"))
        try receiver.trust(["/ok/down": [hook.secret]])
        for v in 0..<8 { try register(server, "Down", "1.0.\(v)") }
        Thread.sleep(forTimeInterval: 30)   // the receiver is down for 30 s: attempts fail, retries back off
        let pending = try server.call("GET", "/webhooks/\(hook.id)/deliveries?status=pending", key: nil)
        XCTAssertEqual(try pending.json()["total"]?.intValue, 8, pending.text)
        XCTAssertGreaterThan(try pending.json()["deliveries"]?[7]?["attempts"]?.intValue ?? 0, 1, "the first was retried")
        try receiver.start()
        try receiver.wait("all eight", timeout: 30) { Set($0.compactMap { $0["event_id"]?.stringValue }).count >= 8 }
        let ids = try server.feed().map { $0["id"]?.stringValue ?? "" }
        XCTAssertEqual(receiver.deliveries.compactMap { $0["event_id"]?.stringValue }, ids, "in order, each once")
        XCTAssertTrue(receiver.deliveries.allSatisfy { $0["valid"]?.boolValue == true })
        // Every attempt is recorded: the first delivery's failures, then its success.
        try server.waitUntil("the outcomes recorded", timeout: 10) {
            try server.call("GET", "/webhooks/\(hook.id)/deliveries?status=succeeded", key: nil).json()["total"]?.intValue == 8
        }
        let rows = try server.call("GET", "/webhooks/\(hook.id)/deliveries", key: nil).json()["deliveries"]?.arrayValue ?? []
        let history = rows.last?["attempt_history"]?.arrayValue ?? []
        XCTAssertGreaterThan(history.count, 2, "\(rows.last ?? .null)")
        XCTAssertNotNil(history.first?["error"]?.stringValue, "the receiver was down")
        XCTAssertEqual(history.first?["response_code"], .null)
        XCTAssertEqual(history.last?["response_code"]?.intValue, 200)
        XCTAssertEqual(rows.last?["attempts"]?.intValue, history.count)
        XCTAssertEqual(try server.stop(), 0)
    }

    private func kill9(_ backend: Backend) throws {
        try WebhookReceiver.requireLibrary()
        let receiver = try WebhookReceiver()
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2, environment: Self.fast)
        let hook = try server.createWebhook(receiver.url("/slow/kill"))
        try receiver.trust(["/slow/kill": [hook.secret]])
        for v in 0..<4 { try register(server, "Kill", "1.0.\(v)") }
        try receiver.wait("a delivery in flight", timeout: 20) { !$0.isEmpty }
        // The deliverer is one of the workers: kill them all mid-delivery (each 4 s long).
        for pid in try server.workerPIDs() { kill(pid, SIGKILL) }
        let ids = try server.feed().map { $0["id"]?.stringValue ?? "" }
        XCTAssertEqual(ids.count, 4)
        try receiver.wait("every event after the takeover", timeout: 90) {
            Set($0.compactMap { $0["event_id"]?.stringValue }) == Set(ids)
        }
        // At least once, in order: the first arrivals of the ids are in feed order.
        var firsts: [String] = []
        for id in receiver.deliveries.compactMap({ $0["event_id"]?.stringValue }) where !firsts.contains(id) { firsts.append(id) }
        XCTAssertEqual(firsts, ids)
        XCTAssertTrue(receiver.deliveries.allSatisfy { $0["valid"]?.boolValue == true })
        XCTAssertEqual(try server.stop(), 0)
    }

    private func twoServers() throws {
        try WebhookReceiver.requireLibrary()
        let receiver = try WebhookReceiver()
        let url = try Backend.postgres.freshDatabaseURL()
        let a = try ServerProcess(databaseURL: url, workers: 2, environment: Self.fast)
        let b = try ServerProcess(databaseURL: url, workers: 2, environment: Self.fast)
        let hook = try a.createWebhook(receiver.url("/ok/two"))
        try receiver.trust(["/ok/two": [hook.secret]])
        for v in 0..<20 { try register(v % 2 == 0 ? a : b, "Two", "1.0.\(v)") }
        try receiver.wait("twenty deliveries", timeout: 60) { $0.count >= 20 }
        Thread.sleep(forTimeInterval: 2)   // time for a duplicate to show up, if there were one
        let ids = try a.feed().map { $0["id"]?.stringValue ?? "" }
        XCTAssertEqual(receiver.deliveries.compactMap { $0["event_id"]?.stringValue }, ids, "each once, in order")
        XCTAssertEqual(try a.stop(), 0)
        XCTAssertEqual(try b.stop(), 0)
    }

    private func goneAndRedirect(_ backend: Backend) throws {
        try WebhookReceiver.requireLibrary()
        let receiver = try WebhookReceiver()
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1, environment: Self.fast)
        let gone = try server.createWebhook(receiver.url("/gone/x"))
        let redirect = try server.createWebhook(receiver.url("/redirect/x"))
        let big = try server.createWebhook(receiver.url("/big/x"))
        try receiver.trust(["/gone/x": [gone.secret], "/redirect/x": [redirect.secret], "/big/x": [big.secret]])
        try register(server, "Gone", "1.0.0")
        try server.waitUntil("the 410 deactivates the webhook", timeout: 20) {
            try server.call("GET", "/webhooks/\(gone.id)", key: nil).json()["active"]?.boolValue == false
        }
        let hook = try server.call("GET", "/webhooks/\(gone.id)", key: nil).json()
        XCTAssertNotNil(hook["deactivated_reason"]?.stringValue)
        let rows = try server.call("GET", "/webhooks/\(gone.id)/deliveries", key: nil).json()["deliveries"]?.arrayValue ?? []
        XCTAssertEqual(rows.first?["response_code"]?.intValue, 410)
        XCTAssertEqual(rows.first?["status"]?.stringValue, "failed")
        try register(server, "Gone", "1.0.1")
        try server.waitUntil("big answers are cut short but count", timeout: 20) {
            let rows = try server.call("GET", "/webhooks/\(big.id)/deliveries?status=succeeded", key: nil).json()
            return rows["total"]?.intValue == 2
        }
        try server.waitUntil("the redirect is attempted twice", timeout: 20) {
            receiver.deliveries(to: "/redirect/x").count >= 2
        }
        XCTAssertEqual(receiver.deliveries(to: "/gone/x").count, 1, "no delivery after the 410")
        XCTAssertEqual(receiver.deliveries(to: "/ok/redirected").count, 0, "redirects are not followed")
        let attempts = try server.call("GET", "/webhooks/\(redirect.id)/deliveries", key: nil).json()["deliveries"]?.arrayValue ?? []
        XCTAssertEqual(attempts.last?["response_code"]?.intValue, 307)
        XCTAssertEqual(attempts.last?["status"]?.stringValue, "pending")
        XCTAssertEqual(try server.stop(), 0)
    }

    /// Many events at once from concurrent writers, to two webhooks and a failing one: each
    /// working webhook gets every event once, in feed order (deliveries go out in batches).
    private func burst(_ backend: Backend) throws {
        try WebhookReceiver.requireLibrary()
        let receiver = try WebhookReceiver()
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2, environment: Self.fast)
        let first = try server.createWebhook(receiver.url("/ok/first"))
        let second = try server.createWebhook(receiver.url("/ok/second"))
        let failing = try server.createWebhook(receiver.url("/fail/third"))
        try receiver.trust(["/ok/first": [first.secret], "/ok/second": [second.secret], "/fail/third": [failing.secret]])
        let writers = 4, each = 30
        let lock = NSLock()
        var failures: [String] = []
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            for v in 0..<each {
                let body = #"{"version":"1.0.\#(v)","json_schema":{},"registered_by":"burst"}"#
                let status = (try? server.call("POST", "/schemas/Burst\(w)/versions", key: nil, json: body).status) ?? 0
                if status != 201 { lock.withLock { failures.append("Burst\(w) 1.0.\(v): \(status)") } }
            }
        }
        XCTAssertEqual(failures, [])
        let ids = try server.feed().map { $0["id"]?.stringValue ?? "" }
        XCTAssertEqual(ids.count, writers * each)
        try receiver.wait("every event to both", timeout: 60) {
            $0.filter { $0["path"]?.stringValue == "/ok/first" }.count >= ids.count
                && $0.filter { $0["path"]?.stringValue == "/ok/second" }.count >= ids.count
        }
        Thread.sleep(forTimeInterval: 1)   // time for a duplicate to show up, if there were one
        for path in ["/ok/first", "/ok/second"] {
            XCTAssertEqual(receiver.deliveries(to: path).compactMap { $0["event_id"]?.stringValue }, ids, "\(path): each once, in order")
            XCTAssertTrue(receiver.deliveries(to: path).allSatisfy { $0["valid"]?.boolValue == true })
        }
        // The failing webhook keeps retrying its first delivery only: nothing overtakes it.
        let tried = Set(receiver.deliveries(to: "/fail/third").compactMap { $0["event_id"]?.stringValue })
        XCTAssertEqual(tried, [ids[0]])
        XCTAssertEqual(try server.stop(), 0)
    }

    private func ssrf(_ backend: Backend) throws {
        try WebhookReceiver.requireLibrary()
        let receiver = try WebhookReceiver()
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1,
                                       environment: ["PYRMUTE_REGISTRY_WEBHOOK_MAX_BACKOFF": "1"])
        for refused in ["http://127.0.0.1:\(receiver.port)/ok/x", "http://[::1]:\(receiver.port)/ok/x", "http://10.1.2.3/x",
                        "http://192.168.0.1/x", "http://172.16.0.1/x", "http://169.254.169.254/latest", "http://[fe80::1]/x",
                        "http://[fd00::1]/x", "http://[::ffff:127.0.0.1]/x", "http://localhost:\(receiver.port)/x",
                        "ftp://example.com/x", "not a url"] {
            let response = try server.call("POST", "/webhooks", key: nil, json: #"{"url":"\#(refused)"}"#)
            XCTAssertEqual(response.status, 422, "\(refused): \(response.text)")
        }
        // Hosts that are no address literal but resolve to loopback (`127.1`, a number) pass creation
        // and are refused when delivering, after resolution.
        let name = "127.1"
        let hook = try server.createWebhook("http://\(name):\(receiver.port)/ok/named")
        let number = try server.createWebhook("http://2130706433:\(receiver.port)/ok/number")
        try register(server, "Refused", "1.0.0")
        try server.waitUntil("a refused attempt of the number", timeout: 20) {
            let rows = try server.call("GET", "/webhooks/\(number.id)/deliveries", key: nil).json()["deliveries"]?.arrayValue ?? []
            return rows.first?["error"]?.stringValue?.contains("loopback") == true
        }
        try server.waitUntil("a refused attempt", timeout: 20) {
            let rows = try server.call("GET", "/webhooks/\(hook.id)/deliveries", key: nil).json()["deliveries"]?.arrayValue ?? []
            return rows.first?["error"]?.stringValue?.contains("loopback") == true
        }
        // A real name: this machine's, which resolves to a loopback or private address here (and in
        // most containers); refused after resolution too.
        let machine = Self.hostName()
        if let address = Self.addresses(machine).first, Self.isPrivateIPv4(address) {
            let named = try server.createWebhook("http://\(machine):\(receiver.port)/ok/machine")
            try register(server, "Refused", "1.0.1")
            try server.waitUntil("a refused attempt of \(machine)", timeout: 20) {
                let rows = try server.call("GET", "/webhooks/\(named.id)/deliveries", key: nil).json()["deliveries"]?.arrayValue ?? []
                return rows.first?["error"]?.stringValue?.contains("refused: \(machine) resolves to") == true
            }
        }
        XCTAssertEqual(receiver.deliveries.count, 0, "nothing reached the receiver")
        XCTAssertEqual(try server.stop(), 0)
    }

    static func hostName() -> String {
        var name = [CChar](repeating: 0, count: 256)
        gethostname(&name, name.count)
        return String(cString: name)
    }

    /// The IPv4 addresses `name` resolves to.
    static func addresses(_ name: String) -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(name, nil, &hints, &result) == 0, let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var found: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            if getnameinfo(info.pointee.ai_addr, info.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                found.append(String(cString: buffer))
            }
            cursor = info.pointee.ai_next
        }
        return found
    }

    static func isPrivateIPv4(_ address: String) -> Bool {
        let parts = address.split(separator: ".").compactMap { Int($0) }
        guard parts.count == 4 else { return false }
        return parts[0] == 127 || parts[0] == 10 || (parts[0] == 192 && parts[1] == 168) || (parts[0] == 172 && (16...31).contains(parts[1]))
    }
}
