import CZlib
import Foundation
import RegistryJSON
import XCTest

/// The worker's HTTP layer under hostile or unusual clients: gzip, slow clients (header and body
/// timeouts), oversized heads, oversized bodies.
final class HTTPHardeningTests: XCTestCase {
    func testGzip_sqlite() throws { try gzip(.sqlite) }
    func testGzip_postgres() throws { try gzip(.postgres) }

    // MARK: gzip

    private func gzip(_ backend: Backend) throws {
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 1)
        var properties = JSONObject()
        for i in 0..<60 { properties["field_\(i)"] = ["type": "string", "description": .string("Field number \(i) of the big model.")] }
        XCTAssertEqual(try server.register("/schemas/ns/Big/versions", version: "1.0.0",
                                           schema: ["type": "object", "properties": .object(properties)]).status, 201)
        XCTAssertEqual(try server.register("/schemas/ns/Small/versions", version: "1.0.0").status, 201)
        let big = "/schemas/ns/Big/versions/1.0.0"

        let plain = try server.request(big)
        XCTAssertEqual(plain.status, 200)
        XCTAssertGreaterThan(plain.body.count, 3000)
        XCTAssertNil(plain.header("Content-Encoding"), "no Accept-Encoding, no gzip")
        XCTAssertEqual(plain.header("Vary"), "Accept-Encoding", "the representation depends on Accept-Encoding")

        let zipped = try server.request(big, headers: [("Accept-Encoding", "gzip, deflate, br")])
        XCTAssertEqual(zipped.status, 200)
        XCTAssertEqual(zipped.header("Content-Encoding"), "gzip")
        XCTAssertEqual(zipped.header("Vary"), "Accept-Encoding")
        XCTAssertEqual(zipped.header("Content-Type"), "application/json")
        XCTAssertEqual(zipped.header("Content-Length"), String(zipped.body.count))
        XCTAssertLessThan(zipped.body.count, plain.body.count / 3)
        XCTAssertEqual(try gunzip(zipped.body), plain.body, "gunzips to exactly the uncompressed answer")

        let accepted = ["gzip", "x-gzip", "*", "GZIP;Q=0.5", "br;q=1, gzip;q=0.8", "identity;q=0.5, gzip", "gzip;q=bad, *"]
        for value in accepted {
            let response = try server.request(big, headers: [("Accept-Encoding", value)])
            XCTAssertEqual(response.header("Content-Encoding"), "gzip", value)
            XCTAssertEqual(try gunzip(response.body), plain.body, value)
        }
        let refused = ["gzip;q=0", "gzip; q=0.000", "*, gzip;q=0", "*;q=0", "identity", "deflate, br", "",
                       "gzip;q=0.5, identity", "x-gzip;q=0, identity;q=0.1"]
        for value in refused {
            let response = try server.request(big, headers: [("Accept-Encoding", value)])
            XCTAssertNil(response.header("Content-Encoding"), value)
            XCTAssertEqual(response.body, plain.body, value)
            XCTAssertEqual(response.header("Vary"), "Accept-Encoding", value)
        }

        // CORS's `Vary: Origin` is kept beside it.
        let cors = try server.request(big, headers: [("Accept-Encoding", "gzip"), ("Origin", "https://ui.example"), ("Cookie", "a=b")])
        XCTAssertEqual(cors.header("Access-Control-Allow-Origin"), "https://ui.example")
        XCTAssertEqual(cors.header("Vary"), "Origin, Accept-Encoding")
        XCTAssertEqual(cors.header("Content-Encoding"), "gzip")

        // Under 1000 bytes: never compressed, no Vary.
        let small = try server.request("/schemas/ns/Small/versions/1.0.0", headers: [("Accept-Encoding", "gzip")])
        XCTAssertEqual(small.status, 200)
        XCTAssertLessThan(small.body.count, 1000)
        XCTAssertNil(small.header("Content-Encoding"))
        XCTAssertNil(small.header("Vary"))

        // HEAD: the headers GET would send (same encoding, same Content-Length), and no body.
        for encoding in ["gzip", "identity"] {
            let wire = try Wire(port: server.port)
            let request = "HTTP/1.1\r\nHost: x\r\nAccept-Encoding: \(encoding)\r\n\r\n"
            XCTAssertTrue(wire.send("GET \(big) " + request + "HEAD \(big) " + request))
            let get = try XCTUnwrap(try wire.readResponse())
            let head = try XCTUnwrap(try wire.readResponse(method: "HEAD"))
            XCTAssertEqual(head.status, 200)
            XCTAssertEqual(head.body, [])
            let comparable = { (r: WireResponse) in r.headers.filter { $0.name.lowercased() != "x-correlation-id" }.map { "\($0.name): \($0.value)" } }
            XCTAssertEqual(comparable(head), comparable(get), encoding)
            XCTAssertEqual(get.header("Content-Encoding"), encoding == "gzip" ? "gzip" : nil)
            XCTAssertTrue(wire.send("GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
            XCTAssertEqual(try wire.readResponse()?.status, 200, "nothing stray was sent after the HEAD answer")
        }
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: slow clients

    func testSlowHeadIsCutOffWhileOthersAreServed() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1,
                                       environment: ["PYRMUTE_REGISTRY_HEADER_TIMEOUT": "1"])
        let slow = try Wire(port: server.port)
        let started = Date()
        // One byte every 0.2 s: each gap is short, but the head as a whole is late.
        var served = 0
        for byte in "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n".utf8 {
            if slow.waitReadable(0.2) { break }
            let before = Date()
            XCTAssertEqual(try server.request("/health/live").status, 200)
            XCTAssertLessThan(Date().timeIntervalSince(before), 1.0, "a normal client waits for nobody")
            served += 1
            guard slow.send([byte]) else { break }
        }
        XCTAssertTrue(slow.waitReadable(5))
        let cutOff = Date().timeIntervalSince(started)
        let answer = String(decoding: slow.readToEnd(), as: UTF8.self)
        XCTAssertTrue(answer.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"), answer)
        XCTAssertTrue(answer.contains("\r\nConnection: close\r\n"), answer)
        XCTAssertTrue(answer.hasSuffix(#"{"detail":"Request timeout"}"#), answer)
        XCTAssertGreaterThan(cutOff, 0.9)
        XCTAssertLessThan(cutOff, 3.0)
        XCTAssertGreaterThan(served, 3)

        // A connection that never sends a byte is closed without an answer.
        let silent = try Wire(port: server.port)
        XCTAssertTrue(silent.waitReadable(5))
        XCTAssertEqual(silent.readToEnd(), [])
        XCTAssertEqual(try server.request("/health/live").status, 200)
        XCTAssertEqual(try server.stop(), 0)
    }

    func testManySlowClientsDoNotStopAWorker() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1,
                                       environment: ["PYRMUTE_REGISTRY_HEADER_TIMEOUT": "1.5"])
        let started = Date()
        let slow = try (0..<50).map { _ in try Wire(port: server.port) }
        for wire in slow { XCTAssertTrue(wire.send("GET /health/live HTTP/1.1\r\nHost: x\r\n")) }
        // A header line from each every 0.25 s for 1.2 s, with a normal request in between.
        var latencies: [Double] = []
        var lastLine = started
        while Date().timeIntervalSince(started) < 1.2 {
            for wire in slow where !wire.waitReadable(0) { _ = wire.send("X-Slow: yes\r\n") }
            lastLine = Date()
            let before = Date()
            XCTAssertEqual(try server.request("/health/live").status, 200)
            latencies.append(Date().timeIntervalSince(before))
            usleep(250_000)
        }
        XCTAssertLessThan(latencies.max() ?? 0, 1.0, "\(latencies)")
        for (index, wire) in slow.enumerated() {
            XCTAssertTrue(wire.waitReadable(5), "slow client \(index)")
            let answer = String(decoding: wire.readToEnd(), as: UTF8.self)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 408 "), "slow client \(index): \(answer)")
        }
        // Cut off by the deadline counted from connecting, before a pause since their last line
        // could have reached the timeout.
        XCTAssertLessThan(Date().timeIntervalSince(lastLine), 1.5)
        XCTAssertEqual(try server.request("/health/live").status, 200)
        XCTAssertEqual(try server.stop(), 0)
    }

    func testKeepAliveOutlivesTheHeaderTimeout() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1, environment: [
            "PYRMUTE_REGISTRY_HEADER_TIMEOUT": "1", "PYRMUTE_REGISTRY_KEEPALIVE_TIMEOUT": "3",
        ])
        let wire = try Wire(port: server.port)
        XCTAssertTrue(wire.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(try wire.readResponse()?.status, 200)
        // Idle longer than the header timeout: the keep-alive timeout governs an idle connection.
        XCTAssertFalse(wire.waitReadable(1.6))
        XCTAssertTrue(wire.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(try wire.readResponse()?.status, 200)
        // The next head, once begun, must be complete within the header timeout.
        XCTAssertFalse(wire.waitReadable(1.2))
        let begun = Date()
        XCTAssertTrue(wire.send("GET /health/live HTTP/1.1\r\n"))
        XCTAssertTrue(wire.waitReadable(5))
        XCTAssertLessThan(Date().timeIntervalSince(begun), 1.8, "before the keep-alive timeout")
        XCTAssertEqual(try wire.readResponse()?.status, 408)

        // An idle kept-alive connection still closes after KEEPALIVE_TIMEOUT, silently.
        let idle = try Wire(port: server.port)
        XCTAssertTrue(idle.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"))
        XCTAssertEqual(try idle.readResponse()?.status, 200)
        let answered = Date()
        XCTAssertTrue(idle.waitReadable(8))
        XCTAssertEqual(idle.readToEnd(), [])
        XCTAssertGreaterThan(Date().timeIntervalSince(answered), 2.5)
        XCTAssertEqual(try server.stop(), 0)
    }

    func testSlowBodyIsCutOffButASteadyOneIsNot() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1,
                                       environment: ["PYRMUTE_REGISTRY_HEADER_TIMEOUT": "1"])
        let body = Array(#"{"version":"1.0.0","json_schema":{"type":"object"},"registered_by":"slow"}"#.utf8)
        let head = "POST /schemas/Slow/versions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"

        // Pieces 0.4 s apart over 2.4 s: no gap reaches the timeout, so the body is accepted.
        let steady = try Wire(port: server.port)
        XCTAssertTrue(steady.send(head))
        for start in stride(from: 0, to: body.count, by: 13) {
            XCTAssertFalse(steady.waitReadable(0.4))
            XCTAssertTrue(steady.send(Array(body[start..<min(start + 13, body.count)])))
        }
        XCTAssertEqual(try steady.readResponse()?.status, 201)

        // A body that stops arriving: 408 a timeout after its last piece; others are served meanwhile.
        let stalled = try Wire(port: server.port)
        XCTAssertTrue(stalled.send(head + "{\"version\":"))
        let stalledAt = Date()
        XCTAssertEqual(try server.request("/health/live").status, 200)
        XCTAssertTrue(stalled.waitReadable(5))
        let waited = Date().timeIntervalSince(stalledAt)
        let answer = try XCTUnwrap(try stalled.readResponse())
        XCTAssertEqual(answer.status, 408)
        XCTAssertEqual(answer.header("Connection"), "close")
        XCTAssertEqual(stalled.readToEnd(), [], "then closed")
        XCTAssertGreaterThan(waited, 0.9)
        XCTAssertLessThan(waited, 3.0)
        XCTAssertEqual(try server.request("/schemas/Slow/versions").text, #"{"versions":["1.0.0"]}"#)
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: size limits

    func testOversizedHeadIs431AndTheWorkerKeepsServing() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1)
        // Under NIO's 80 KiB limit: served.
        let large = try Wire(port: server.port)
        XCTAssertTrue(large.send("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Large: \(String(repeating: "a", count: 60_000))\r\n\r\n"))
        XCTAssertEqual(try large.readResponse()?.status, 200)

        for head in ["X-Huge: \(String(repeating: "a", count: 100_000))\r\n",
                     (0..<3000).map { "X-Many-\($0): \(String(repeating: "b", count: 30))\r\n" }.joined()] {
            let huge = try Wire(port: server.port)
            _ = huge.send("GET /health/live HTTP/1.1\r\nHost: x\r\n" + head + "\r\n")
            // Answered, then closed (reset, as the rest of the head is never read).
            let answer = String(decoding: huge.readToEnd(), as: UTF8.self)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 431 Request Header Fields Too Large\r\n"), answer)
            XCTAssertTrue(answer.contains("\r\nConnection: close\r\n"), answer)
            XCTAssertTrue(answer.hasSuffix(#"{"detail":"Request header fields too large"}"#), answer)
            XCTAssertEqual(try server.request("/health/live").status, 200)
        }
        XCTAssertEqual(try server.stop(), 0)
        XCTAssertFalse(server.log.contains("Fatal error"), server.log)
    }

    func testOversizedBodyIs413AndTheWorkerKeepsServing() throws {
        let server = try ServerProcess(databaseURL: Backend.sqlite.freshDatabaseURL(), workers: 1,
                                       environment: ["PYRMUTE_REGISTRY_MAX_BODY_SIZE": "2048"])
        let padding = String(repeating: "x", count: 3000)
        let tooLarge = try server.post("/schemas/Big/versions", json: #"{"version":"1.0.0","json_schema":{},"registered_by":"\#(padding)"}"#)
        XCTAssertEqual(tooLarge.status, 413)
        XCTAssertEqual(tooLarge.detail, "Request body too large (limit 2048 bytes)")
        XCTAssertEqual(tooLarge.header("Connection"), "close")
        XCTAssertEqual(try server.register("/schemas/Big/versions", version: "1.0.0").status, 201, "under the limit")
        XCTAssertEqual(try server.request("/schemas/Big/versions").text, #"{"versions":["1.0.0"]}"#)
        XCTAssertEqual(try server.stop(), 0)
    }

    func testInvalidHeaderTimeoutStopsStartup() throws {
        for value in ["0", "-1", "abc", "3601"] {
            let result = try CommandRunner.cli(["version"], environment: ["PYRMUTE_REGISTRY_HEADER_TIMEOUT": value])
            XCTAssertEqual(result.status, 1, "\(value): \(result.output)")
            XCTAssertTrue(result.output.contains("PYRMUTE_REGISTRY_HEADER_TIMEOUT"), result.output)
        }
        XCTAssertEqual(try CommandRunner.cli(["version"], environment: ["PYRMUTE_REGISTRY_HEADER_TIMEOUT": "0.5"]).status, 0)
    }
}

// MARK: - helpers

private func gunzip(_ bytes: [UInt8]) throws -> [UInt8] {
    // On the heap: zlib checks that the stream's address never changes.
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { stream.deallocate() }
    guard czlib_inflate_init_gzip(stream) == Z_OK else { throw WireError("inflateInit2 failed") }
    defer { inflateEnd(stream) }
    var output: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 16384)
    var status = Z_OK
    bytes.withUnsafeBufferPointer { input in
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
        stream.pointee.avail_in = uInt(input.count)
        while status == Z_OK {
            chunk.withUnsafeMutableBufferPointer { out in
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = uInt(out.count)
                status = inflate(stream, Z_NO_FLUSH)
                output.append(contentsOf: out[0..<(out.count - Int(stream.pointee.avail_out))])
            }
        }
    }
    guard status == Z_STREAM_END, stream.pointee.avail_in == 0 else {
        throw WireError("not exactly one gzip member (zlib status \(status))")
    }
    return output
}
