import Foundation
import RegistryJSON
import XCTest

/// The OTLP/HTTP receiver of the tracing tests (python/otlp_receiver.py): a real process that
/// decodes every export with `opentelemetry-proto` and logs each span; any other POST is logged as
/// a webhook delivery with its headers.
final class OTLPReceiver {
    let port: Int
    let directory: URL
    private var process: Process?

    /// Skips the test when the protocol's bindings are missing (scripts/install-python-tools.sh).
    static func requireLibrary() throws {
        let check = try CommandRunner.run(WebhookReceiver.python,
                                          ["-c", "import opentelemetry.proto.collector.trace.v1.trace_service_pb2"], timeout: 30)
        if check.status != 0 { throw XCTSkip("opentelemetry-proto missing in .venv-tools: run scripts/install-python-tools.sh") }
    }

    init(port: Int = FreePort.next()) throws {
        self.port = port
        directory = Paths.temporaryDirectory("otlp")
        process = try ReceiverProcess.launch("otlp_receiver.py", port: port, directory: directory,
                                             what: "the OTLP receiver to listen")
    }

    deinit {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// The endpoint to give the server (the base URL: the server adds `/v1/traces`).
    var endpoint: String { "http://127.0.0.1:\(port)" }

    private func lines(_ name: String) -> [JSONObject] {
        guard let text = try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { try? JSONParser.parse(String($0)).objectValue }
    }

    /// Every span received, in arrival order.
    var spans: [Span] { lines("spans.jsonl").map(Span.init) }
    /// Every request received, of any kind.
    var requests: [JSONObject] { lines("requests.jsonl") }
    /// The POSTs to other paths than /v1/traces (webhook deliveries), with their headers.
    var hooks: [JSONObject] { lines("hooks.jsonl") }

    /// Waits until `condition` holds for the spans received.
    func wait(_ what: String, timeout: Double = 30, _ condition: ([Span]) -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition(spans) { return }
            usleep(50_000)
        }
        throw TestTimeout(what: "\(what); received: \(spans.map { "\($0.name) \($0.spanID)<-\($0.parentID)" })")
    }

    struct Span {
        let json: JSONObject
        init(_ json: JSONObject) { self.json = json }
        var traceID: String { json["trace_id"]?.stringValue ?? "" }
        var spanID: String { json["span_id"]?.stringValue ?? "" }
        var parentID: String { json["parent_span_id"]?.stringValue ?? "" }
        var name: String { json["name"]?.stringValue ?? "" }
        /// OTLP's numbers: 1 internal, 2 server, 3 client.
        var kind: Int { json["kind"]?.intValue ?? 0 }
        var status: Int { json["status"]?.intValue ?? 0 }
        func attribute(_ key: String) -> JSONValue? { json["attributes"]?.objectValue?[key] }
        func string(_ key: String) -> String? { attribute(key)?.stringValue }
        func int(_ key: String) -> Int? { attribute(key)?.intValue }
        func resource(_ key: String) -> String? { json["resource"]?.objectValue?[key]?.stringValue }
    }
}
