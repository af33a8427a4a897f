import Foundation
import RegistryTraffic
import RegistryRuntime
import XCTest

/// Rate limiting through the real server (docs/rate-limiting.md): one counter per key or client
/// address per wall-clock minute, in the server's shared memory (exact across its workers), synced
/// with the database's counters (shared by the servers on it).
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
    func testKeepsLimitingWithoutTheDatabaseCounters_sqlite() throws { try keepsLimitingWithoutCounters(.sqlite) }
    func testKeepsLimitingWithoutTheDatabaseCounters_postgres() throws { try keepsLimitingWithoutCounters(.postgres) }

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
        // Every request counted, refused ones too, once the sync has added them to the database.
        let expected = ["ip:203.0.113.7=\(limit + extra)", "ip:203.0.113.8=\(limit + extra)"]
        let counters = {
            try AuthSupport.withDatabase(server.databaseURL) { db in
                try db.query("SELECT bucket, hits FROM rate_limit_counters ORDER BY bucket").map {
                    "\($0.string(0) ?? "?")=\($0.int(1) ?? -1)"
                }
            }
        }
        try? server.waitUntil("the counters in the database", timeout: Self.syncWait) { try counters() == expected }
        XCTAssertEqual(try counters(), expected)
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

        let expected: Set = ["key:\(first.id)", "key:\(second.id)", "ip:127.0.0.1"]
        let synced = {
            try AuthSupport.withDatabase(server.databaseURL) { db in
                try db.query("SELECT bucket FROM rate_limit_counters WHERE window_start = $1", [.int(reset - 60)])
                    .compactMap { $0.string(0) }
            }
        }
        try? server.waitUntil("the buckets in the database", timeout: Self.syncWait) { Set(try synced()).isSuperset(of: expected) }
        let buckets = try synced()
        do {
            // The admin key's bucket is there too when the key creations fell in this minute.
            XCTAssertTrue(Set(buckets).isSuperset(of: expected), "\(buckets)")
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

    /// Two servers (pods) on one database share each counter through their syncs: a server's
    /// remaining count includes the other's hits once both have synced since, and a burst on both
    /// at once is admitted at most `limit` plus what the other server admitted in the last two
    /// sync intervals (docs/rate-limiting.md).
    private func acrossServers(_ backend: Backend) throws {
        let limit = 30
        let url = try backend.freshDatabaseURL()
        let environment = Self.limited(limit, ["PYRMUTE_REGISTRY_TRUSTED_PROXIES": "127.0.0.1"])
        let first = try ServerProcess(databaseURL: url, workers: 2, environment: environment)
        let second = try ServerProcess(databaseURL: url, workers: 2, environment: environment)
        let reset = Self.waitForRoomInTheMinute(30)

        // Runs on one server, then the other, with time for the syncs between: exact.
        var remaining = limit
        for (server, count) in [(first, 12), (second, 9), (first, 6), (second, 3)] {
            for _ in 0..<count {
                remaining -= 1
                let response = try server.request("/schemas")
                XCTAssertEqual(response.status, 200, response.text)
                response.assertRateLimit(limit: limit, remaining: remaining, reset: reset)
            }
            usleep(useconds_t(Self.syncSettle * 1_000_000))
        }
        try first.request("/schemas").assertRefused(limit: limit, reset: reset)
        try second.request("/schemas").assertRefused(limit: limit, reset: reset)

        // A burst on both servers at once (turn about, 20 ms apart), from another address.
        let servers = [first, second]
        var admitted: [(server: Int, at: Date)] = []
        for index in 0..<(4 * limit) {
            let response = try servers[index % 2].request("/schemas", headers: [("X-Forwarded-For", "198.51.100.9")])
            if response.status == 200 { admitted.append((index % 2, Date())) }
            usleep(20_000)
        }
        let last = try XCTUnwrap(admitted.last)
        let recentByTheOther = admitted.filter { $0.server != last.server && last.at.timeIntervalSince($0.at) <= Self.syncLag }.count
        XCTAssertGreaterThanOrEqual(admitted.count, limit, "never fewer than the limit")
        XCTAssertLessThanOrEqual(admitted.count, limit + recentByTheOther,
                                 "over the limit by at most what the other server admitted in the last \(Self.syncLag) s")

        let expected = limit + 2
        let counter = {
            try AuthSupport.withDatabase(url) { db in
                try db.scalarInt("SELECT hits FROM rate_limit_counters WHERE bucket = 'ip:127.0.0.1' AND window_start = $1",
                                 [.int(reset - 60)])
            }
        }
        try? first.waitUntil("the counter in the database", timeout: Self.syncWait) { try counter() == expected }
        XCTAssertEqual(try counter(), expected, "every request of both servers, refused ones too")
        XCTAssertEqual(try first.stop(), 0)
        XCTAssertEqual(try second.stop(), 0)
    }

    /// Without its counter table the server still limits, from its shared memory (the sync
    /// fails and warns once per distinct error), and serves what is within the limit.
    private func keepsLimitingWithoutCounters(_ backend: Backend) throws {
        let limit = 3
        let server = try ServerProcess(databaseURL: backend.freshDatabaseURL(), workers: 2, environment: Self.limited(limit))
        let reset = Self.waitForRoomInTheMinute()
        XCTAssertEqual(try server.request("/schemas").status, 200)
        try AuthSupport.withDatabase(server.databaseURL) { db in try db.executeScript("DROP TABLE rate_limit_counters") }
        for remaining in (0..<(limit - 1)).reversed() {
            let response = try server.request("/schemas")
            XCTAssertEqual(response.status, 200, response.text)
            response.assertRateLimit(limit: limit, remaining: remaining, reset: reset)
        }
        for _ in 0..<8 { try server.request("/schemas").assertRefused(limit: limit, reset: reset) }
        usleep(useconds_t(Self.syncSettle * 1_000_000))
        let warnings = server.log.split(separator: "\n").filter { $0.contains("rate limit counters could not be synchronised") }
        XCTAssertTrue((1...2).contains(warnings.count), "one warning per syncing worker, got:\n\(warnings.joined(separator: "\n"))")
        XCTAssertTrue(warnings.allSatisfy { $0.contains("rate_limit_counters") }, "\(warnings)")
        XCTAssertFalse(server.log.contains("serving requests without limiting"))
        XCTAssertEqual(try server.stop(), 0)
    }

    // MARK: - helpers

    /// Long enough for every server to have synced twice (at `RateLimiter.syncInterval`) on a busy machine.
    static let syncSettle = 10 * RateLimiter.syncInterval
    /// How long a server's hits may take to reach another's count: two sync intervals, plus the
    /// rounds' own time and scheduling on a busy machine.
    static let syncLag = 2 * RateLimiter.syncInterval + 0.3
    static let syncWait = 5.0

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
