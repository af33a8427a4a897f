import Foundation
import RegistryTraffic
import RegistryRuntime
import XCTest

/// Rate limiting through the real server (docs/rate-limiting.md): one counter per key or client
/// address per wall-clock minute, in the database, exact across workers and servers.
final class RateLimitTests: XCTestCase {
    func testExactAcrossWorkers_sqlite() throws { try exactAcrossWorkers(.sqlite) }
    func testExactAcrossWorkers_postgres() throws { try exactAcrossWorkers(.postgres) }
    func testParallelClientsGetExactlyTheLimit_sqlite() throws { try parallelClients(.sqlite) }
    func testParallelClientsGetExactlyTheLimit_postgres() throws { try parallelClients(.postgres) }
    func testPerKeyWithAuthentication_sqlite() throws { try perKey(.sqlite) }
    func testPerKeyWithAuthentication_postgres() throws { try perKey(.postgres) }
    func testHealthExemptAndDisabled_sqlite() throws { try exemptAndDisabled(.sqlite) }
    func testHealthExemptAndDisabled_postgres() throws { try exemptAndDisabled(.postgres) }
    func testSharedAcrossServers_sqlite() throws { try acrossServers(.sqlite) }
    func testSharedAcrossServers_postgres() throws { try acrossServers(.postgres) }
    func testFailsOpenWithoutCounters_sqlite() throws { try failsOpen(.sqlite) }
    func testFailsOpenWithoutCounters_postgres() throws { try failsOpen(.postgres) }

    func testLimitBelowOneStopsStartup() throws {
        for value in ["0", "-5", "many"] {
            let result = try CommandRunner.cli(["serve", "--port", String(FreePort.next())], environment: [
                "PYRMUTE_REGISTRY_RATE_LIMIT_ENABLED": "true", "PYRMUTE_REGISTRY_RATE_LIMIT_PER_MINUTE": value,
                "PYRMUTE_REGISTRY_SUPERVISOR_PORT": "0",
            ])
            XCTAssertEqual(result.status, 1, "\(value): \(result.output)")
            XCTAssertTrue(result.output.contains("PYRMUTE_REGISTRY_RATE_LIMIT_PER_MINUTE"), "\(value): \(result.output)")
        }
    }

    // MARK: - scenarios

    private func exactAcrossWorkers(_ backend: Backend) throws {
        let limit = 20
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2, environment: Self.limited(limit))
        let reset = Self.waitForRoomInTheMinute()
        // One connection per request, so the kernel spreads them over both workers' sockets.
        for expected in (0..<limit).reversed() {
            let response = try server.request("/", headers: [("X-Correlation-ID", "rl-\(expected)")])
            XCTAssertEqual(response.status, 200, response.text)
            response.assertRateLimit(limit: limit, remaining: expected, reset: reset)
            XCTAssertNil(response.header("Retry-After"))
        }
        for attempt in 0..<6 {
            let refused = try server.request("/", headers: [("X-Correlation-ID", "rl-over-\(attempt)")])
            refused.assertRefused(limit: limit, reset: reset)
        }
        let pids = try server.workerPIDs()
        let servedBy = Set(server.log.split(separator: "\n").filter { $0.contains("correlation_id=rl-") }.compactMap { line in
            pids.first { line.contains(" \($0)]") || line.contains("pid=\($0)") }
        })
        XCTAssertEqual(servedBy.count, 2, "both workers served (\(servedBy) of \(pids))")
        XCTAssertEqual(try server.stop(), 0)
    }

    /// Concurrent clients behind a trusted proxy: each forwarded address is a bucket of its own
    /// and gets exactly the limit, every count handed out once.
    private func parallelClients(_ backend: Backend) throws {
        let limit = 15, extra = 9
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2,
                                       environment: Self.limited(limit, ["PYRMUTE_REGISTRY_TRUSTED_PROXIES": "127.0.0.1"]))
        let reset = Self.waitForRoomInTheMinute()
        let responses = try Self.parallel(2 * (limit + extra), threads: 8) { index in
            try server.request("/schemas", headers: [("X-Forwarded-For", index % 2 == 0 ? "203.0.113.7" : "203.0.113.8")])
        }
        for address in 0..<2 {
            let mine = responses.enumerated().filter { $0.offset % 2 == address }.map(\.element)
            let allowed = mine.filter { $0.status == 200 }
            XCTAssertEqual(allowed.count, limit, "address \(address): \(mine.map(\.status))")
            XCTAssertEqual(allowed.compactMap { $0.header("X-RateLimit-Remaining").flatMap(Int.init) }.sorted(), Array(0..<limit))
            let refused = mine.filter { $0.status != 200 }
            XCTAssertEqual(refused.count, extra)
            refused.forEach { $0.assertRefused(limit: limit, reset: reset) }
        }
        try AuthSupport.withDatabase(server.databaseURL) { db in
            let rows = try db.query("SELECT bucket, hits FROM rate_limit_counters ORDER BY bucket")
            XCTAssertEqual(rows.map { "\($0.string(0) ?? "?")=\($0.int(1) ?? -1)" },
                           ["ip:203.0.113.7=\(limit + extra)", "ip:203.0.113.8=\(limit + extra)"])
        }
        XCTAssertEqual(try server.stop(), 0)
    }

    private func perKey(_ backend: Backend) throws {
        let limit = 6
        let (server, admin) = try AuthSupport.server(backend, workers: 2, environment: Self.limited(limit))
        let first = try server.createKey("first", admin: admin)
        let second = try server.createKey("second", admin: admin)
        let reset = Self.waitForRoomInTheMinute()

        for remaining in (0..<limit).reversed() {
            let response = try server.call("/schemas", key: first.key)
            XCTAssertEqual(response.status, 200, response.text)
            response.assertRateLimit(limit: limit, remaining: remaining, reset: reset)
        }
        try server.call("/schemas", key: first.key).assertRefused(limit: limit, reset: reset)
        try server.call("GET", "/schemas", bearer: first.key).assertRefused(limit: limit, reset: reset)

        let other = try server.call("/schemas", key: second.key)
        XCTAssertEqual(other.status, 200, "the second key has its own budget")
        other.assertRateLimit(limit: limit, remaining: limit - 1, reset: reset)
        // A 403 is counted against the key that was verified.
        let forbidden = try server.register("/schemas/ns/Model/versions", version: "1.0.0", key: second.key)
        forbidden.assertForbidden("write", "read key registering")
        forbidden.assertRateLimit(limit: limit, remaining: limit - 2, reset: reset)

        // No key and invalid keys are counted against the client address, 401 or not.
        let missing = try server.call("/schemas", key: nil)
        missing.assertUnauthorized(AuthSupport.required, "no key")
        missing.assertRateLimit(limit: limit, remaining: limit - 1, reset: reset)
        for remaining in (0..<(limit - 1)).reversed() {
            let guessed = try server.call("/schemas", key: AuthSupport.garbageKey())
            guessed.assertUnauthorized(AuthSupport.invalid, "guessed key")
            guessed.assertRateLimit(limit: limit, remaining: remaining, reset: reset)
        }
        try server.call("/schemas", key: AuthSupport.garbageKey()).assertRefused(limit: limit, reset: reset)
        try server.call("/schemas", key: nil).assertRefused(limit: limit, reset: reset)
        XCTAssertEqual(try server.call("/schemas", key: second.key).status, 200, "a refused address does not block a valid key")

        try AuthSupport.withDatabase(server.databaseURL) { db in
            let buckets = try db.query("SELECT bucket FROM rate_limit_counters WHERE window_start = $1",
                                       [.int(reset - 60)]).compactMap { $0.string(0) }
            // The admin key's bucket is there too when the key creations fell in this minute.
            XCTAssertTrue(Set(buckets).isSuperset(of: ["key:\(first.id)", "key:\(second.id)", "ip:127.0.0.1"]), "\(buckets)")
            XCTAssertTrue(buckets.allSatisfy { $0 == "ip:127.0.0.1" || $0.range(of: "^key:[0-9]+$", options: .regularExpression) != nil },
                          "no key material in bucket names: \(buckets)")
        }
        XCTAssertEqual(try server.stop(), 0)
    }

    private func exemptAndDisabled(_ backend: Backend) throws {
        let limit = 3
        let url = try backend.freshDatabaseURL()
        let server = try ServerProcess(databaseURL: url, workers: 2, environment: Self.limited(limit))
        let reset = Self.waitForRoomInTheMinute()
        for path in ["/health/live", "/health", "/health/ready"] {
            for _ in 0..<(limit + 5) {
                let response = try server.request(path)
                XCTAssertEqual(response.status, 200, "\(path): \(response.text)")
                XCTAssertNil(response.header("X-RateLimit-Limit"), path)
                XCTAssertNil(response.header("X-RateLimit-Remaining"), path)
            }
        }
        for _ in 0..<limit { XCTAssertEqual(try server.request("/schemas").status, 200) }
        let refused = try server.request("/schemas", headers: [("Origin", "https://ui.example")])
        refused.assertRefused(limit: limit, reset: reset)
        XCTAssertEqual(refused.header("Access-Control-Expose-Headers"),
                       "X-Correlation-ID, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset, Retry-After")
        XCTAssertNotNil(refused.header("X-Correlation-ID"))
        let preflight = try server.request("OPTIONS", "/schemas", headers: [
            ("Origin", "https://ui.example"), ("Access-Control-Request-Method", "GET"),
        ])
        XCTAssertEqual(preflight.status, 200, "preflights are answered before the limit")
        XCTAssertNil(preflight.header("X-RateLimit-Limit"))
        XCTAssertEqual(try server.request("/health/live").status, 200, "probes answer while the address is refused")
        XCTAssertEqual(try server.stop(), 0)

        let disabled = try ServerProcess(databaseURL: url, workers: 2, environment: [
            "PYRMUTE_REGISTRY_RATE_LIMIT_ENABLED": "false", "PYRMUTE_REGISTRY_RATE_LIMIT_PER_MINUTE": String(limit),
        ])
        for path in ["/", "/schemas"] {
            for _ in 0..<(limit + 5) {
                let response = try disabled.request(path)
                XCTAssertEqual(response.status, 200, "\(path): \(response.text)")
                XCTAssertNil(response.header("X-RateLimit-Limit"), path)
                XCTAssertNil(response.header("Retry-After"), path)
            }
        }
        XCTAssertEqual(try disabled.stop(), 0)
    }

    /// Two servers (pods) on one database share each counter.
    private func acrossServers(_ backend: Backend) throws {
        let limit = 10
        let url = try backend.freshDatabaseURL()
        let first = try ServerProcess(databaseURL: url, workers: 2, environment: Self.limited(limit))
        let second = try ServerProcess(databaseURL: url, workers: 2, environment: Self.limited(limit))
        let reset = Self.waitForRoomInTheMinute()
        for remaining in (0..<limit).reversed() {
            let server = remaining % 2 == 0 ? first : second
            let response = try server.request("/schemas")
            XCTAssertEqual(response.status, 200, response.text)
            response.assertRateLimit(limit: limit, remaining: remaining, reset: reset)
        }
        try first.request("/schemas").assertRefused(limit: limit, reset: reset)
        try second.request("/schemas").assertRefused(limit: limit, reset: reset)
        XCTAssertEqual(try first.stop(), 0)
        XCTAssertEqual(try second.stop(), 0)
    }

    /// Without its counter table the server serves requests unlimited and warns once per worker.
    private func failsOpen(_ backend: Backend) throws {
        let limit = 2
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2, environment: Self.limited(limit))
        XCTAssertEqual(try server.request("/schemas").status, 200)
        try AuthSupport.withDatabase(server.databaseURL) { db in try db.executeScript("DROP TABLE rate_limit_counters") }
        for _ in 0..<(limit + 8) {
            let response = try server.request("/schemas")
            XCTAssertEqual(response.status, 200, response.text)
            XCTAssertNil(response.header("X-RateLimit-Remaining"), "nothing was counted")
        }
        let warnings = server.log.split(separator: "\n").filter { $0.contains("rate limit counters unavailable") }
        XCTAssertTrue((1...2).contains(warnings.count), "one warning per worker, got:\n\(warnings.joined(separator: "\n"))")
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - helpers

    static func limited(_ limit: Int, _ extra: [String: String] = [:]) -> [String: String] {
        ["PYRMUTE_REGISTRY_RATE_LIMIT_ENABLED": "true", "PYRMUTE_REGISTRY_RATE_LIMIT_PER_MINUTE": String(limit)]
            .merging(extra) { _, new in new }
    }

    /// Waits for the next minute when fewer than `seconds` remain in this one, so that the test's
    /// requests share one window; returns that window's end (epoch seconds).
    static func waitForRoomInTheMinute(_ seconds: Double = 20) -> Int64 {
        let now = Date().timeIntervalSince1970
        let left = 60 - now.truncatingRemainder(dividingBy: 60)
        if left < seconds { usleep(useconds_t((left + 0.2) * 1_000_000)) }
        return RateLimitWindow(containing: Date().timeIntervalSince1970).end
    }

    /// Runs `count` requests on `threads` threads; the responses in index order.
    static func parallel(_ count: Int, threads: Int,
                         _ request: @escaping @Sendable (Int) throws -> HTTPClientResponse) throws -> [HTTPClientResponse] {
        let queue = RequestQueue(count: count)
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            Thread {
                while let index = queue.take() { queue.store(Result { try request(index) }, at: index) }
                group.leave()
            }.start()
        }
        group.wait()
        return try queue.results.map { try $0!.get() }
    }
}

/// Hands out request indexes to threads and keeps their results.
private final class RequestQueue: @unchecked Sendable {
    private let lock = NSLock()
    private let count: Int
    private var next = 0
    private var stored: [Result<HTTPClientResponse, Error>?]

    init(count: Int) {
        self.count = count
        stored = Array(repeating: nil, count: count)
    }

    func take() -> Int? {
        lock.withLock {
            guard next < count else { return nil }
            next += 1
            return next - 1
        }
    }

    func store(_ result: Result<HTTPClientResponse, Error>, at index: Int) { lock.withLock { stored[index] = result } }

    var results: [Result<HTTPClientResponse, Error>?] { lock.withLock { stored } }
}

extension HTTPClientResponse {
    func assertRateLimit(limit: Int, remaining: Int, reset: Int64, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(header("X-RateLimit-Limit"), String(limit), "status \(status)", file: file, line: line)
        XCTAssertEqual(header("X-RateLimit-Remaining"), String(remaining), "status \(status)", file: file, line: line)
        XCTAssertEqual(header("X-RateLimit-Reset"), String(reset), "status \(status)", file: file, line: line)
    }

    /// The 429: exact body, `Retry-After` within the window, the counter at zero.
    func assertRefused(limit: Int, reset: Int64, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(status, 429, text, file: file, line: line)
        XCTAssertEqual(text, #"{"detail":"Rate limit exceeded: \#(limit) requests per minute"}"#, file: file, line: line)
        XCTAssertEqual(header("Content-Type"), "application/json", file: file, line: line)
        assertRateLimit(limit: limit, remaining: 0, reset: reset, file: file, line: line)
        let retryAfter = header("Retry-After").flatMap(Int.init) ?? -1
        let left = Int((Double(reset) - Date().timeIntervalSince1970).rounded(.up))
        XCTAssertTrue((1...60).contains(retryAfter) && abs(retryAfter - left) <= 2,
                      "Retry-After \(retryAfter), \(left) s left in the window", file: file, line: line)
    }
}
