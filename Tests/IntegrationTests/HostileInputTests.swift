import Foundation
import RegistryJSON
import RegistryRuntime
import XCTest

/// Hostile clients against the real server over raw sockets: hundreds of slowloris connections,
/// oversized heads and bodies, NUL and invalid UTF-8 in paths, queries and bodies, JSON nested
/// 100,000 deep, arrays of a million elements, numbers of 100,000 digits and duplicate keys.
/// Each is answered with a 4xx carrying a JSON `detail` (or the connection is closed), never a
/// 5xx; no worker crashes or is replaced (the supervisor's restart counts stay 0, the pids stay
/// the same); other clients are served meanwhile and afterwards; and every worker's resident
/// peak resident memory (VmHWM in /proc) stays under `rssBoundMiB` (not a timing assertion).
/// `HTTPHardeningTests` covers single slow clients, the header/body timeouts and the 431/413 basics.
final class HostileInputTests: XCTestCase {
    static let rssBoundMiB = 300.0

    // MARK: transport (no database involved)

    func testTwoHundredSlowlorisConnectionsAtOnce() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1,
                                       environment: ["PYRMUTE_REGISTRY_HEADER_TIMEOUT": "2"])
        let watch = try WorkerWatch(server)
        watch.sample("start")
        let head = Array("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8)
        let slow = try (0..<200).map { _ in try Wire(port: server.port) }
        // One byte to every connection per round, a normal request between rounds, for 3.5 s:
        // the header timeout (2 s from connecting) cuts every slow client off on the way.
        var round = 0, served = 0
        let started = Date()
        while Date().timeIntervalSince(started) < 3.5 {
            for socket in slow where !socket.waitReadable(0) {
                _ = socket.send([round < head.count ? head[round] : UInt8(ascii: "a")])
            }
            round += 1
            let normal = try server.request("/health/live")
            XCTAssertEqual(normal.status, 200, "a normal client while 200 slow ones trickle")
            served += 1
            if round == 10 { watch.sample("200 slow connections open") }
            usleep(50_000)
        }
        XCTAssertGreaterThan(served, 10)
        var timedOut = 0
        for (index, socket) in slow.enumerated() {
            let answer = String(decoding: socket.readToEnd(), as: UTF8.self)
            if answer.hasPrefix("HTTP/1.1 408 Request Timeout\r\n") {
                XCTAssertTrue(answer.hasSuffix(#"{"detail":"Request timeout"}"#), "slow client \(index): \(answer)")
                timedOut += 1
            } else {
                XCTAssertEqual(answer, "", "slow client \(index): an answer other than 408")
            }
        }
        XCTAssertGreaterThan(timedOut, 150, "the slow clients were cut off by the header timeout")
        XCTAssertEqual(try server.request("/health/live").status, 200)
        watch.sample("after")
        try watch.assertIntact()
        XCTAssertEqual(try server.stop(), 0)
    }

    func testOversizedHeadsAndBodiesFromManyClients() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 2,
                                       environment: ["PYRMUTE_REGISTRY_MAX_BODY_SIZE": "1048576"])
        let watch = try WorkerWatch(server)
        watch.sample("start")
        let load = LoadGenerator(url: server.baseURL + "/health/live")
        load.start(threads: 1)

        // 50 connections at once, each with a 200 KB header line: 431 (or a reset while sending).
        let hugeHeads = try (0..<50).map { _ in try Wire(port: server.port) }
        let filler = String(repeating: "h", count: 200_000)
        for socket in hugeHeads { _ = socket.send("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Huge: \(filler)\r\n\r\n") }
        var refused431 = 0
        for socket in hugeHeads {
            let answer = String(decoding: socket.readToEnd(), as: UTF8.self)
            if answer.hasPrefix("HTTP/1.1 431 ") { refused431 += 1 } else { XCTAssertEqual(answer, "") }
        }
        XCTAssertGreaterThan(refused431, 0)
        watch.sample("50 heads of 200 KB")

        let cases: [(String, [UInt8], Int?)] = [
            ("request line of 100 KB", bytes("GET /\(String(repeating: "a", count: 100_000)) HTTP/1.1\r\nHost: x\r\n\r\n"), 431),
            ("header name of 100 KB", bytes("GET / HTTP/1.1\r\nHost: x\r\n\(String(repeating: "N", count: 100_000)): v\r\n\r\n"), 431),
            ("50,000 tiny headers", bytes("GET / HTTP/1.1\r\nHost: x\r\n" + String(repeating: "A: b\r\n", count: 50_000) + "\r\n"), 431),
            ("Content-Length beyond 64 bits", bytes("POST /schemas/M/versions HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n{}"), 400),
            ("negative Content-Length", bytes("POST /schemas/M/versions HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n{}"), 400),
            ("two Content-Lengths", bytes("POST /schemas/M/versions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"), 400),
            ("invalid chunk size", bytes("POST /schemas/M/versions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"), 400),
            ("raw invalid UTF-8 in the path", [UInt8]("GET /schemas/".utf8) + [0xFF, 0xFE, 0xC0] + bytes("/versions HTTP/1.1\r\nHost: x\r\n\r\n"), nil),
            ("raw NUL in the path", bytes("GET /schemas/a\u{0}b/versions HTTP/1.1\r\nHost: x\r\n\r\n"), nil),
            ("NUL in a header value", bytes("GET /health/live HTTP/1.1\r\nHost: x\r\nX-A: a\u{0}b\r\n\r\n"), nil),
            ("not HTTP at all", [UInt8](repeating: 0, count: 4096) + [0xFF, 0x00, 0x0D, 0x0A], nil),
            // 3 MiB declared and sent, over the 1 MiB limit: read and dropped, then 413.
            ("body of 3 MiB", bytes("POST /schemas/M/versions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 3145728\r\n\r\n")
                + [UInt8](repeating: UInt8(ascii: " "), count: 3_145_728), 413),
            ("chunked body of 3 MiB", bytes("POST /schemas/M/versions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                + Array(repeating: bytes("10000\r\n") + [UInt8](repeating: UInt8(ascii: " "), count: 65536) + bytes("\r\n"), count: 48).flatMap { $0 }
                + bytes("0\r\n\r\n"), 413),
        ]
        for (what, request, expected) in cases {
            let answer = try Wire.exchange(port: server.port, request)
            assertRefused(answer, what, status: expected, mayClose: expected == 431)
            XCTAssertEqual(try server.request("/health/live").status, 200, "served after: \(what)")
        }
        // Ten clients at once, each sending a 3 MiB body.
        let bodies = try (0..<10).map { _ in try Wire(port: server.port) }
        let threads = DispatchGroup()
        for socket in bodies {
            DispatchQueue.global().async(group: threads) {
                _ = socket.send(bytes("POST /schemas/M/versions HTTP/1.1\r\nHost: x\r\nContent-Length: 3145728\r\n\r\n")
                    + [UInt8](repeating: UInt8(ascii: "["), count: 3_145_728))
            }
        }
        threads.wait()
        for (index, socket) in bodies.enumerated() { assertRefused((try? socket.readResponse()), "parallel body \(index)", status: 413) }
        watch.sample("after the bodies")

        let result = load.stop()
        XCTAssertEqual(result.badResponses, [], "other clients got only 200s")
        XCTAssertGreaterThan(result.succeeded, 0, "other clients were served meanwhile")
        XCTAssertEqual(result.connectionErrors, 0, "\(result.errorSamples)")
        try watch.assertIntact()
        XCTAssertEqual(try server.stop(), 0)
        XCTAssertFalse(server.log.contains("Fatal error"), server.log)
    }

    // MARK: NUL and invalid UTF-8 (they reach the database)

    func testNULAndInvalidUTF8_sqlite() throws { try nulAndInvalidUTF8(.sqlite) }
    func testNULAndInvalidUTF8_postgres() throws { try nulAndInvalidUTF8(.postgres) }

    private func nulAndInvalidUTF8(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1)
        let watch = try WorkerWatch(server)
        XCTAssertEqual(try server.register("/schemas/M/versions", version: "1.0.0").status, 201)

        // A NUL would be cut off by both database drivers (`a%00b` became `a`): refused instead.
        let refusals: [(String, String, [JSONValue], String?)] = [
            ("GET", "/schemas/a%00b/versions", ["path", "model_name"], nil),
            ("GET", "/schemas/M%00x/versions/latest", ["path", "model_name"], nil),
            ("GET", "/schemas/ns%00/M/versions", ["path", "namespace"], nil),
            ("GET", "/schemas/M/versions/1.0.0%00", ["path", "version"], nil),
            ("GET", "/schemas/M/versions?namespace=%00", ["query", "namespace"], nil),
            ("GET", "/schemas/M%00/namespaces", ["path", "model_name"], nil),
            ("GET", "/schemas?namespace=x%00", ["query", "namespace"], nil),
            ("GET", "/schemas?model_name=M%00", ["query", "model_name"], nil),
            ("GET", "/schemas/M/compare?from_version=1.0.0%00&to_version=1.0.0", ["query", "from_version"], nil),
            ("DELETE", "/schemas/M/versions/1.0.0%00?force=true", ["path", "version"], nil),
            ("POST", "/schemas/M/versions/1.0.0/deprecate?message=old%00", ["query", "message"], nil),
            ("POST", "/schemas/M/versions/1.0.0%00/undeprecate", ["path", "version"], nil),
            ("POST", "/schemas/a%00b/versions", ["path", "model_name"], #"{"version":"1.0.0","json_schema":{},"registered_by":"x"}"#),
            ("POST", "/schemas/ns%00/M/versions", ["path", "namespace"], #"{"version":"1.0.0","json_schema":{},"registered_by":"x"}"#),
            ("POST", "/schemas/M/versions", ["body", "registered_by"], #"{"version":"2.0.0","json_schema":{},"registered_by":"x\u0000y"}"#),
            ("POST", "/api-keys", ["body", "name"], #"{"name":"ab\u0000c"}"#),
        ]
        for (method, path, location, body) in refusals {
            let response = try server.request(method, path, headers: [("Content-Type", "application/json")], body: body.map(bytes))
            XCTAssertEqual(response.status, 422, "\(method) \(path): \(response.text)")
            let issue = try response.json()["detail"]?.arrayValue?.first
            XCTAssertEqual(issue?["type"], "string_pattern_mismatch", "\(method) \(path): \(response.text)")
            XCTAssertEqual(issue?["loc"], .array(location), "\(method) \(path)")
            XCTAssertEqual(issue?["ctx"]?["pattern"], .string(#"^[^\x00]*$"#), "\(method) \(path)")
        }
        // Nothing was stored, deleted or deprecated under the cut names.
        XCTAssertEqual(try server.request("/schemas/a/versions").status, 404, "no model `a` from `a%00b`")
        XCTAssertEqual(try server.request("/schemas/ns/M/versions").status, 404, "no namespace `ns` from `ns%00`")
        XCTAssertEqual(try server.request("/schemas/M/versions").text, #"{"versions":["1.0.0"]}"#)
        let kept = try server.request("/schemas/M/versions/1.0.0").json()
        XCTAssertEqual(kept["deprecated"], false)
        XCTAssertEqual(kept["registered_by"], "tester")

        // NUL inside the stored JSON documents is escaped JSON text, and round-trips exactly.
        let withNUL: JSONValue = ["type": "object", "properties": ["a\u{0}b": ["const": "\u{0}"]]]
        let stored = try server.register("/schemas/Nul/versions", version: "1.0.0", schema: withNUL, extra: [("meta", ["k\u{0}": "v\u{0}"])])
        XCTAssertEqual(stored.status, 201, stored.text)
        let read = try server.request("/schemas/Nul/versions/1.0.0").json()
        XCTAssertEqual(read["json_schema"], withNUL)
        XCTAssertEqual(read["meta"], ["k\u{0}": "v\u{0}"])

        // Percent-encoded invalid UTF-8 decodes with U+FFFD, as Starlette's unquote does.
        let replaced = try server.request("/schemas/%FF%FEx/versions")
        XCTAssertEqual(replaced.status, 404)
        XCTAssertEqual(replaced.detail, "Model \u{FFFD}\u{FFFD}x not found")
        let registered = try server.register("/schemas/%C0%AFbad/versions", version: "1.0.0")
        XCTAssertEqual(registered.status, 201, registered.text)
        XCTAssertEqual(try registered.json()["model_name"], "\u{FFFD}\u{FFFD}bad")
        XCTAssertEqual(try server.request("/schemas?namespace=%FF").status, 200)

        // Invalid UTF-8 inside a JSON body: Python's decode error, as a 422.
        let prefix = #"{"version":"3.0.0","json_schema":{},"registered_by":""#
        let invalid = try server.request("POST", "/schemas/M/versions", headers: [("Content-Type", "application/json")],
                                         body: bytes(prefix) + [0xFF, 0xC3] + bytes(#""}"#))
        XCTAssertEqual(invalid.status, 422, invalid.text)
        let issue = try invalid.json()["detail"]?.arrayValue?.first
        XCTAssertEqual(issue?["type"], "json_invalid")
        XCTAssertEqual(issue?["ctx"]?["error"], .string("'utf-8' codec can't decode byte 0xff in position \(prefix.utf8.count): invalid start byte"))
        // A lone surrogate escape becomes U+FFFD.
        let surrogate = try server.post("/schemas/M/versions", json: #"{"version":"3.0.0","json_schema":{},"registered_by":"a\ud800b"}"#)
        XCTAssertEqual(surrogate.status, 201, surrogate.text)
        XCTAssertEqual(try surrogate.json()["registered_by"], "a\u{FFFD}b")

        try watch.assertIntact()
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: JSON bodies: nesting, size, numbers, duplicate keys

    func testHostileJSONBodies_sqlite() throws { try hostileJSONBodies(.sqlite) }
    func testHostileJSONBodies_postgres() throws { try hostileJSONBodies(.postgres) }

    private func hostileJSONBodies(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2)
        let watch = try WorkerWatch(server)
        watch.sample("start")
        let load = LoadGenerator(url: server.baseURL + "/health/live")
        load.start(threads: 1)
        let register = "/schemas/Deep/versions"

        // 100,000 levels: refused at the parser's depth limit (512), before any recursion can hurt.
        let deep = 100_000
        for (what, body) in [
            ("[ × 100,000", String(repeating: "[", count: deep)),
            ("{\"a\": × 100,000", String(repeating: #"{"a":"#, count: deep)),
            ("[ × 100,000 closed", String(repeating: "[", count: deep) + String(repeating: "]", count: deep)),
            ("inside json_schema", #"{"version":"1.0.0","registered_by":"x","json_schema":"# + String(repeating: #"{"not":"#, count: deep)
                + "{}" + String(repeating: "}", count: deep) + "}"),
            ("inside meta", #"{"version":"1.0.0","registered_by":"x","json_schema":{},"meta":{"m":"# + String(repeating: "[", count: deep)
                + String(repeating: "]", count: deep) + "}}"),
        ] {
            let response = try post(server, register, body)
            XCTAssertEqual(response.status, 422, "\(what): \(response.text.prefix(300))")
            let issue = try response.json()["detail"]?.arrayValue?.first
            XCTAssertEqual(issue?["type"], "json_invalid", what)
            XCTAssertEqual(issue?["ctx"]?["error"], "Maximum nesting depth exceeded", what)
        }
        // The limit's edge: 512 levels parse (an array is not an object: 422, echoing the array, so
        // the answer itself is nested deeper than this client's parser reads), 513 do not.
        let edge = try post(server, register, String(repeating: "[", count: 512) + String(repeating: "]", count: 512))
        XCTAssertEqual(edge.status, 422)
        XCTAssertTrue(edge.text.hasPrefix(#"{"detail":[{"type":"model_attributes_type","loc":["body"],"#), String(edge.text.prefix(200)))
        let over = try post(server, register, String(repeating: "[", count: 513) + String(repeating: "]", count: 513))
        XCTAssertEqual(try over.json()["detail"]?.arrayValue?.first?["type"], "json_invalid")
        XCTAssertEqual(try over.json()["detail"]?.arrayValue?.first?["loc"], ["body", 512])

        // Deep but parseable: a JSON Schema 100 levels deep passes the meta-schema check, and meta
        // 500 levels deep (never validated) goes to the database and back unchanged; a JSON Schema
        // 500 levels deep exceeds the meta-schema walk's depth limit (3,000 steps; Python's
        // jsonschema gives up earlier, with a RecursionError and a 500): a clean 422.
        func nested(_ levels: Int) -> JSONValue {
            var value: JSONValue = ["type": "string"]
            for _ in 0..<levels { value = ["not": value] }
            return value
        }
        let deepSchema = try server.register(register, version: "1.0.0", schema: nested(100), extra: [("meta", nested(500))])
        XCTAssertEqual(deepSchema.status, 201, String(deepSchema.text.prefix(300)))
        let deepRead = try server.request("/schemas/Deep/versions/1.0.0").json()
        XCTAssertTrue(deepRead["json_schema"] == nested(100) && deepRead["meta"] == nested(500), "100 and 500 levels round-trip")
        let tooDeep = try server.register(register, version: "2.0.0", schema: nested(500))
        XCTAssertEqual(tooDeep.status, 422)
        XCTAssertEqual(tooDeep.detail, "Invalid JSON Schema: maximum recursion depth exceeded")
        watch.sample("nesting")

        // A million elements within MAX_BODY_SIZE.
        let million = 1_000_000
        let zeros = Array(repeating: "0", count: million).joined(separator: ",")
        let enumSchema = try post(server, "/schemas/Long/versions",
                                  #"{"version":"1.0.0","registered_by":"x","json_schema":{"enum":["# + zeros + "]}}")
        XCTAssertEqual(enumSchema.status, 201, String(enumSchema.text.prefix(300)))
        XCTAssertEqual(try server.request("/schemas/Long/versions/latest").json()["json_schema"]?["enum"]?.arrayValue?.count, million)
        let topArray = try post(server, "/schemas/Long/versions", "[" + zeros + "]")
        XCTAssertEqual(topArray.status, 422)
        XCTAssertEqual(try topArray.json()["detail"]?.arrayValue?.first?["type"], "model_attributes_type")
        let notUnique = try post(server, "/schemas/Long/versions", #"{"version":"2.0.0","registered_by":"x","json_schema":{"required":["#
            + Array(repeating: #""a""#, count: million).joined(separator: ",") + "]}}")
        XCTAssertEqual(notUnique.status, 422)
        XCTAssertTrue(notUnique.detail?.hasPrefix("Invalid JSON Schema: ['a', 'a', ") == true, String(notUnique.text.prefix(200)))
        XCTAssertTrue(notUnique.detail?.hasSuffix("] has non-unique elements") == true)
        let manyKeys = (0..<100_000).map { #""k\#($0)":\#($0)"# }.joined(separator: ",")
        let wide = try post(server, "/schemas/Wide/versions", #"{"version":"1.0.0","registered_by":"x","json_schema":{},"meta":{"# + manyKeys + "}}")
        XCTAssertEqual(wide.status, 201, String(wide.text.prefix(300)))
        XCTAssertEqual(try wide.json()["meta"]?.objectValue?.count, 100_000)
        watch.sample("a million elements")

        // Number literals of 100,000 digits are kept verbatim; where a number must be an integer
        // or lie in a range, the answer is a 4xx.
        let digits = "7" + String(repeating: "3", count: 99_999)
        let huge = try post(server, "/schemas/Num/versions",
                            #"{"version":"1.0.0","registered_by":"x","json_schema":{"minimum":-\#(digits),"maxLength":\#(digits)},"meta":{"n":\#(digits).5e-99999}}"#)
        XCTAssertEqual(huge.status, 201, String(huge.text.prefix(300)))
        let hugeText = try server.request("/schemas/Num/versions/1.0.0").text
        XCTAssertTrue(hugeText.contains(#""minimum":-\#(digits),"maxLength":\#(digits)}"#), "kept verbatim")
        XCTAssertTrue(hugeText.contains(#""meta":{"n":\#(digits).5e-99999}"#), "kept verbatim")
        let infinite = try post(server, "/schemas/Num/versions", #"{"version":"2.0.0","registered_by":"x","json_schema":{"maxLength":1e100000}}"#)
        XCTAssertEqual(infinite.status, 422)
        XCTAssertEqual(infinite.detail, "Invalid JSON Schema: inf is not of type 'integer'")
        let bigVersion = try post(server, "/schemas/Num/versions", #"{"version":"\#(digits).0.0","registered_by":"x","json_schema":{}}"#)
        XCTAssertEqual(bigVersion.status, 400)
        XCTAssertTrue(bigVersion.detail?.hasPrefix("Invalid version format '7333") == true)
        let days = try post(server, "/api-keys", #"{"name":"many-days","expires_in_days":\#(digits)}"#)
        XCTAssertEqual(days.status, 422, "validation before the authentication-disabled 400")
        XCTAssertEqual(try days.json()["detail"]?.arrayValue?.first?["type"], "less_than_equal")
        let limit = try server.request("/schemas?limit=\(String(digits.prefix(5000)))")
        XCTAssertEqual(limit.status, 422)

        // Duplicate keys: the last value wins, in the first key's place (Python's json).
        let duplicates = try post(server, "/schemas/Dup/versions", #"{"version":"1.0.0","version":"2.0.0","registered_by":"a","#
            + #""json_schema":{"type":"string","title":"t","type":"object"},"registered_by":"b"}"#)
        XCTAssertEqual(duplicates.status, 201, duplicates.text)
        let duplicated = try duplicates.json()
        XCTAssertEqual(duplicated["version"], "2.0.0")
        XCTAssertEqual(duplicated["registered_by"], "b")
        XCTAssertEqual(duplicated["json_schema"], ["type": "object", "title": "t"])
        XCTAssertEqual(try server.request("/schemas/Dup/versions/2.0.0").json()["json_schema"]?.serialized(), #"{"type":"object","title":"t"}"#)
        let sameKey = (0..<100_000).map { #""k":\#($0)"# }.joined(separator: ",")
        let repeated = try post(server, "/schemas/Dup/versions", #"{"version":"3.0.0","registered_by":"x","json_schema":{},"meta":{"# + sameKey + "}}")
        XCTAssertEqual(repeated.status, 201)
        XCTAssertEqual(try repeated.json()["meta"], ["k": 99_999])
        watch.sample("after")

        let result = load.stop()
        XCTAssertEqual(result.badResponses, [], "other clients got only 200s")
        XCTAssertGreaterThan(result.succeeded, 0, "other clients were served meanwhile")
        XCTAssertEqual(result.connectionErrors, 0, "\(result.errorSamples)")
        try watch.assertIntact()
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: -

    private func post(_ server: ServerProcess, _ path: String, _ body: String) throws -> HTTPClientResponse {
        try SimpleHTTPClient.request("POST", server.baseURL + path, headers: [("Content-Type", "application/json")],
                                     body: bytes(body), timeout: 120)
    }

    /// A 4xx with a JSON `detail` (of `status` when given), or, when `status` is nil or `mayClose`,
    /// a connection closed without an answer (a server that stops reading a request midway and
    /// closes can have its answer lost to the reset).
    private func assertRefused(_ answer: WireResponse?, _ what: String, status: Int?, mayClose: Bool = false,
                               file: StaticString = #filePath, line: UInt = #line) {
        guard let answer else {
            XCTAssertTrue(status == nil || mayClose, "\(what): closed without the expected \(status ?? 0)", file: file, line: line)
            return
        }
        if let status { XCTAssertEqual(answer.status, status, "\(what): \(answer.text.prefix(300))", file: file, line: line) }
        XCTAssertTrue((400..<500).contains(answer.status), "\(what): \(answer.status) \(answer.text.prefix(300))", file: file, line: line)
        XCTAssertEqual(answer.header("Content-Type"), "application/json", what, file: file, line: line)
        XCTAssertNotNil((try? JSONParser.parse(answer.body))?["detail"], "\(what): \(answer.text.prefix(300))", file: file, line: line)
    }
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// The server's workers as the test began: same pids and no restarts at the end, and their
/// resident memory, sampled along the way, under the bound.
private final class WorkerWatch {
    let server: ServerProcess
    let pids: [pid_t]
    private(set) var peakMiB: [pid_t: Double] = [:]

    init(_ server: ServerProcess) throws {
        self.server = server
        pids = try server.workerPIDs()
    }

    /// Reads every worker's resident memory now (VmRSS) and its peak so far (VmHWM, the kernel's
    /// high-water mark, so nothing between samples is missed) and prints them.
    func sample(_ label: String) {
        let figures = pids.map { pid -> String in
            let rss = Self.statusMiB(pid, "VmRSS") ?? -1, peak = Self.statusMiB(pid, "VmHWM") ?? -1
            peakMiB[pid] = max(peakMiB[pid] ?? 0, peak)
            return String(format: "%d: %.1f MiB (peak %.1f)", pid, rss, peak)
        }
        print("worker RSS (\(label)): \(figures.joined(separator: ", "))")
    }

    func assertIntact(file: StaticString = #filePath, line: UInt = #line) throws {
        sample("end")
        let liveness = try server.liveness()
        let slots = liveness["slots"]?.arrayValue ?? []
        XCTAssertEqual(slots.map { $0["restarts"]?.intValue }, pids.map { _ in 0 }, "no worker restarted: \(liveness)", file: file, line: line)
        XCTAssertEqual(try server.workerPIDs(), pids, "the same workers serve", file: file, line: line)
        XCTAssertEqual(liveness["workers_running"]?.intValue, pids.count, file: file, line: line)
        for pid in pids {
            let peak = peakMiB[pid] ?? -1
            XCTAssertGreaterThan(peak, 0, "RSS of \(pid) was read", file: file, line: line)
            XCTAssertLessThan(peak, HostileInputTests.rssBoundMiB, "worker \(pid) peak RSS (VmHWM)", file: file, line: line)
        }
        XCTAssertFalse(server.log.contains("Fatal error"), server.log, file: file, line: line)
    }

    /// A `kB` field of /proc/<pid>/status in MiB.
    static func statusMiB(_ pid: pid_t, _ field: String) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field + ":") }),
              let kib = Double(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") else { return nil }
        return kib / 1024
    }
}
