import Foundation
import RegistryJSON
import XCTest

/// OpenTelemetry tracing (issue 19) through real servers and a real OTLP receiver
/// (python/otlp_receiver.py, which decodes every export with `opentelemetry-proto`), on both
/// databases: a request's server span continues the caller's `traceparent`; the thread-pool hop,
/// each SQL statement (its text, never a value), bcrypt and webhook deliveries are spans with the
/// right parents and attributes; the resource names the service; every log line of a request
/// carries its trace and span ids (console on SQLite, JSON on PostgreSQL). With tracing off the
/// receiver hears nothing.
final class TracingTests: XCTestCase {
    func testRequestSpansAndTheirChildren_sqlite() throws { try spans(.sqlite, logFormat: "console") }
    func testRequestSpansAndTheirChildren_postgres() throws { try spans(.postgres, logFormat: "json") }
    func testNothingSentWhenTracingIsOff_sqlite() throws { try off(.sqlite) }
    func testNothingSentWhenTracingIsOff_postgres() throws { try off(.postgres) }

    /// A value that the requests send and that no span may contain (statement text only, no values).
    static let marker = "tracer-marker-7f3a"

    private func tracedServer(_ backend: Backend, _ receiver: OTLPReceiver, logFormat: String) throws -> (ServerProcess, String) {
        try AuthSupport.server(backend, environment: [
            "PYRMUTE_REGISTRY_OTEL_ENABLED": "true",
            "PYRMUTE_REGISTRY_OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
            "OTEL_BSP_SCHEDULE_DELAY": "100",   // milliseconds: the batch leaves quickly
            "PYRMUTE_REGISTRY_APP_NAME": "Traced Registry",
            "PYRMUTE_REGISTRY_APP_VERSION": "9.8.7",
            "PYRMUTE_REGISTRY_LOG_FORMAT": logFormat,
            "PYRMUTE_REGISTRY_WEBHOOK_ALLOW_PRIVATE": "true",
        ])
    }

    private func spans(_ backend: Backend, logFormat: String) throws {
        try OTLPReceiver.requireLibrary()
        let receiver = try OTLPReceiver()
        let (server, admin) = try tracedServer(backend, receiver, logFormat: logFormat)
        let system = backend == .sqlite ? "sqlite" : "postgresql"

        // 1. A registration that continues the caller's trace.
        let callerTrace = "4bf92f3577b34da6a3ce929d0e0e4736", callerSpan = "00f067aa0ba902b7"
        let body = #"{"version":"1.0.0","json_schema":{"type":"object"},"registered_by":"\#(Self.marker)"}"#
        let registered = try server.call("POST", "/schemas/Traced/versions", key: admin, json: body,
                                         headers: [("traceparent", "00-\(callerTrace)-\(callerSpan)-01")])
        XCTAssertEqual(registered.status, 201, registered.text)
        try receiver.wait("the registration's server span") { spans in
            spans.contains { $0.traceID == callerTrace && $0.kind == 2 }
        }
        var all = receiver.spans
        let server1 = try XCTUnwrap(all.first { $0.traceID == callerTrace && $0.kind == 2 })
        XCTAssertEqual(server1.parentID, callerSpan, "the server span's parent is the caller's span")
        XCTAssertEqual(server1.name, "POST /schemas/{model_name}/versions")
        XCTAssertEqual(server1.string("http.request.method"), "POST")
        XCTAssertEqual(server1.string("http.route"), "/schemas/{model_name}/versions")
        XCTAssertEqual(server1.string("url.path"), "/schemas/Traced/versions")
        XCTAssertEqual(server1.int("http.response.status_code"), 201)
        XCTAssertEqual(server1.string("pyrmute.correlation_id"), registered.header("X-Correlation-ID"))
        XCTAssertEqual(server1.resource("service.name"), "Traced Registry")
        XCTAssertEqual(server1.resource("service.version"), "9.8.7")
        XCTAssertEqual(server1.resource("deployment.environment"), "development")

        // The hop to the thread pool is the server span's child; the SQL statements are the hop's.
        try receiver.wait("the registration's SQL spans") { spans in
            spans.contains { $0.traceID == callerTrace && $0.string("db.query.text")?.hasPrefix("INSERT") == true }
        }
        all = receiver.spans
        let trace = all.filter { $0.traceID == callerTrace }
        let hops = trace.filter { $0.name == "thread pool" }
        XCTAssertFalse(hops.isEmpty, "the hop to the thread pool is a span: \(trace.map(\.name))")
        XCTAssertTrue(hops.allSatisfy { $0.parentID == server1.spanID && $0.kind == 1 })
        let statements = trace.filter { $0.attribute("db.query.text") != nil }
        XCTAssertFalse(statements.isEmpty)
        let hopIDs = Set(hops.map(\.spanID))
        for statement in statements {
            XCTAssertTrue(hopIDs.contains(statement.parentID), "\(statement.name) is a child of a hop")
            XCTAssertEqual(statement.kind, 3)
            XCTAssertEqual(statement.string("db.system"), system)
            XCTAssertEqual(statement.string("db.system.name"), system)
            let text = statement.string("db.query.text") ?? ""
            XCTAssertEqual(statement.string("db.operation.name"), statement.name)
            let start = text.drop { $0 == " " || $0 == "\n" || $0 == "(" }.uppercased()
            XCTAssertTrue(start.hasPrefix(statement.name), "\(statement.name): \(text)")
            XCTAssertFalse(text.contains(Self.marker), "a bound value in a statement's span: \(text)")
        }
        XCTAssertTrue(statements.contains { ($0.string("db.query.text") ?? "").contains("$") },
                      "statements keep their placeholders")
        XCTAssertFalse(all.contains { "\($0.json)".contains(Self.marker) }, "no span carries a request's values")
        XCTAssertFalse(all.contains { "\($0.json)".contains(admin) }, "no span carries the key")

        // 2. A request without traceparent starts a trace of its own.
        let read = try server.call("GET", "/schemas/Traced/versions/1.0.0", key: admin)
        XCTAssertEqual(read.status, 200, read.text)
        let readID = try XCTUnwrap(read.header("X-Correlation-ID"))
        try receiver.wait("the read's server span") { spans in
            spans.contains { $0.kind == 2 && $0.string("pyrmute.correlation_id") == readID }
        }
        let server2 = try XCTUnwrap(receiver.spans.first { $0.kind == 2 && $0.string("pyrmute.correlation_id") == readID })
        XCTAssertEqual(server2.parentID, "", "a root span")
        XCTAssertNotEqual(server2.traceID, callerTrace)
        XCTAssertEqual(server2.string("http.route"), "/schemas/{model_name}/versions/{version}")

        // 3. Key creation: bcrypt is a span under the hashing lane's hop.
        let created = try server.call("POST", "/api-keys", key: admin, json: #"{"name":"traced-key","permissions":["read"]}"#)
        XCTAssertEqual(created.status, 201, created.text)
        let createdID = try XCTUnwrap(created.header("X-Correlation-ID"))
        try receiver.wait("the key creation's bcrypt span") { spans in
            guard let root = spans.first(where: { $0.string("pyrmute.correlation_id") == createdID }) else { return false }
            return spans.contains { $0.traceID == root.traceID && $0.name == "bcrypt" }
        }
        all = receiver.spans
        let server3 = try XCTUnwrap(all.first { $0.string("pyrmute.correlation_id") == createdID })
        let lane = try XCTUnwrap(all.first { $0.traceID == server3.traceID && $0.name == "hashing lane" })
        XCTAssertEqual(lane.parentID, server3.spanID)
        let bcrypt = try XCTUnwrap(all.first { $0.traceID == server3.traceID && $0.name == "bcrypt" })
        XCTAssertEqual(bcrypt.parentID, lane.spanID)
        XCTAssertEqual(bcrypt.int("pyrmute.bcrypt.cost"), 12)

        // 4. A webhook delivery is a client span of its own trace, and its traceparent goes along.
        let hook = try server.call("POST", "/webhooks", key: admin,
                                   json: #"{"url":"\#(receiver.endpoint)/hook","events":["schema.registered"]}"#)
        XCTAssertEqual(hook.status, 201, hook.text)
        XCTAssertEqual(try server.call("POST", "/schemas/Hooked/versions", key: admin,
                                       json: #"{"version":"1.0.0","json_schema":{},"registered_by":"t"}"#).status, 201)
        try receiver.wait("the delivery's span") { spans in
            spans.contains { $0.name == "webhook.deliver" && $0.int("http.response.status_code") == 200 }
        }
        let deliveries = receiver.spans.filter { $0.name == "webhook.deliver" }
        XCTAssertTrue(deliveries.allSatisfy { $0.kind == 3 && $0.parentID == "" }, "client spans of their own traces")
        XCTAssertTrue(deliveries.allSatisfy { $0.string("pyrmute.webhook.event_type") == "schema.registered" })
        let sent = Set(deliveries.map { "00-\($0.traceID)-\($0.spanID)-01" })
        let received = receiver.hooks.compactMap { $0["headers"]?.objectValue?["traceparent"]?.stringValue }
        XCTAssertFalse(received.isEmpty)
        XCTAssertTrue(received.allSatisfy(sent.contains), "each delivery carries its span's traceparent: \(received) \(sent)")

        // Every log line of the traced registration carries its trace and span ids.
        try server.waitUntil("the access line of the registration", timeout: 10) {
            server.log.contains(registered.header("X-Correlation-ID") ?? "?")
        }
        let access = server.log.split(separator: "\n").filter {
            $0.contains("request_completed") && $0.contains(registered.header("X-Correlation-ID") ?? "?")
        }
        XCTAssertEqual(access.count, 1, server.log)
        let line = String(access.first ?? "")
        if logFormat == "json" {
            let object = try XCTUnwrap(try JSONParser.parse(line).objectValue)
            XCTAssertEqual(object["trace_id"]?.stringValue, callerTrace)
            XCTAssertEqual(object["span_id"]?.stringValue, server1.spanID)
        } else {
            XCTAssertTrue(line.contains("trace_id=\(callerTrace)"), line)
            XCTAssertTrue(line.contains("span_id=\(server1.spanID)"), line)
        }
    }

    private func off(_ backend: Backend) throws {
        try OTLPReceiver.requireLibrary()
        let receiver = try OTLPReceiver()
        let (server, admin) = try AuthSupport.server(backend, environment: [
            "PYRMUTE_REGISTRY_OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,   // set, but OTEL_ENABLED is not
            "OTEL_BSP_SCHEDULE_DELAY": "100",
        ])
        let body = #"{"version":"1.0.0","json_schema":{},"registered_by":"t"}"#
        XCTAssertEqual(try server.call("POST", "/schemas/Untraced/versions", key: admin, json: body,
                                       headers: [("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")]).status, 201)
        XCTAssertEqual(try server.call("GET", "/schemas/Untraced/versions/1.0.0", key: admin).status, 200)
        XCTAssertEqual(try server.call("POST", "/api-keys", key: admin, json: #"{"name":"untraced-key","permissions":["read"]}"#).status, 201)
        XCTAssertEqual(try server.stop(), 0)   // a drain would export what was queued
        usleep(500_000)
        XCTAssertEqual(receiver.requests.count, 0, "nothing is sent with tracing off: \(receiver.requests)")
        XCTAssertFalse(server.log.contains("trace_id"), "no trace ids in the logs with tracing off")
    }
}
