import Foundation
import RegistryJSON
import XCTest

/// The webhook receiver of the event tests (python/webhook_receiver.py): a real process that
/// verifies each delivery with the Standard Webhooks reference library and logs it.
final class WebhookReceiver {
    let port: Int
    let directory: URL
    private var process: Process?

    static var python: String { Paths.repositoryRoot.appendingPathComponent(".venv-tools/bin/python").path }

    /// Skips the test when the reference library is missing (scripts/install-python-tools.sh).
    static func requireLibrary() throws {
        let check = try CommandRunner.run(python, ["-c", "import standardwebhooks"], timeout: 30)
        if check.status != 0 { throw XCTSkip("standardwebhooks missing in .venv-tools: run scripts/install-python-tools.sh") }
    }

    init(port: Int = FreePort.next(), start: Bool = true) throws {
        self.port = port
        directory = Paths.temporaryDirectory("receiver")
        if start { try self.start() }
    }

    deinit { stop() }

    func url(_ path: String, host: String = "127.0.0.1") -> String { "http://\(host):\(port)\(path)" }

    func start() throws {
        process = try ReceiverProcess.launch("webhook_receiver.py", port: port, directory: directory,
                                             what: "the webhook receiver to listen")
    }

    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        self.process = nil
    }

    /// The secrets that may sign deliveries to `path`.
    func trust(_ secrets: [String: [String]]) throws {
        let object = JSONObject(secrets.map { ($0.key, JSONValue.array($0.value.map(JSONValue.string))) })
        try JSONValue.object(object).serialized().write(to: directory.appendingPathComponent("secrets.json"),
                                                        atomically: true, encoding: .utf8)
    }

    /// Every delivery received, in arrival order.
    var deliveries: [JSONObject] {
        guard let text = try? String(contentsOf: directory.appendingPathComponent("deliveries.jsonl"), encoding: .utf8) else {
            return []
        }
        return text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)).objectValue }
    }

    func deliveries(to path: String) -> [JSONObject] { deliveries.filter { $0["path"]?.stringValue == path } }

    /// Waits until `condition` holds for the deliveries received.
    func wait(_ what: String, timeout: Double, _ condition: ([JSONObject]) -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(deliveries) { return }
            usleep(50_000)
        }
        throw TestTimeout(what: "\(what); received: \(deliveries.map { "\($0["path"]?.stringValue ?? "") \($0["type"]?.stringValue ?? "")" })")
    }
}

/// Calls of the event and webhook endpoints.
extension ServerProcess {
    /// `POST /webhooks`: the webhook and its secret.
    func createWebhook(_ url: String, events: [String] = ["*"], namespace: String? = nil, key: String? = nil) throws
        -> (id: Int, secret: String) {
        var body = JSONObject([("url", .string(url)), ("events", .array(events.map(JSONValue.string)))])
        if let namespace { body["namespace"] = .string(namespace) }
        let response = try call("POST", "/webhooks", key: key, json: JSONValue.object(body).serialized())
        guard response.status == 201, let json = try? response.json(), let id = json["id"]?.intValue,
              let secret = json["secret"]?.stringValue else {
            throw TestTimeout(what: "POST /webhooks answered \(response.status): \(response.text)")
        }
        return (id, secret)
    }

    /// Every event of the feed after `after`, following `next_after` page by page.
    func feed(after: String? = nil, query: String = "", key: String? = nil, limit: Int = 100) throws -> [JSONObject] {
        var events: [JSONObject] = []
        var cursor = after
        while true {
            var path = "/events?limit=\(limit)" + query
            if let cursor { path += "&after=\(cursor)" }
            let response = try call("GET", path, key: key)
            guard response.status == 200, let json = try? response.json(), let page = json["events"]?.arrayValue else {
                throw TestTimeout(what: "GET \(path) answered \(response.status): \(response.text)")
            }
            events += page.compactMap(\.objectValue)
            cursor = json["next_after"]?.stringValue
            if json["has_more"]?.boolValue != true { return events }
        }
    }
}
