import Foundation
import Logging
import RegistryDomain
import RegistryTraffic
import RegistryStorage
import XCTest

/// The rate limiter against a real SQLite file with a clock the test moves: its database path
/// (buckets the shared table has no slot for) here, the table and its sync in RateLimitSyncTests.
final class RateLimiterTests: XCTestCase {
    // 1_700_000_040 is a window start: 29.75 s into the window, 30.25 s left.
    private let windowStart: Int64 = 1_700_000_040
    private lazy var clock = TestClock(Double(windowStart) + 29.75)

    private func pool(migrated: Bool = true) throws -> ConnectionPool { try temporarySQLitePool(migrated: migrated) }

    private func limiter(_ pool: ConnectionPool, limit: Int, messages: LogMessages = LogMessages()) -> RateLimiter {
        let clock = self.clock
        return RateLimiter(pool: pool, limit: limit, logger: messages.logger, clock: { clock.now })
    }

    func testWindowIsTheWallClockMinute() {
        XCTAssertEqual(RateLimitWindow(containing: 59.999).start, 0)
        XCTAssertEqual(RateLimitWindow(containing: 60).start, 60)
        XCTAssertEqual(RateLimitWindow(containing: 1_700_000_099.9).end, 1_700_000_100)
    }

    func testCountsExactlyPerBucketAndWindow() throws {
        let limiter = limiter(try pool(), limit: 3)
        let key = RateLimitBucket.key(id: 7)
        for expectedRemaining in [2, 1, 0] {
            let decision = try XCTUnwrap(limiter.countInDatabase(key))
            XCTAssertTrue(decision.isAllowed)
            XCTAssertEqual(decision.remaining, expectedRemaining)
            XCTAssertEqual(decision.resetsAt, windowStart + 60)
            XCTAssertEqual(decision.secondsUntilReset, 31)
        }
        let refused = try XCTUnwrap(limiter.countInDatabase(key))
        XCTAssertFalse(refused.isAllowed)
        XCTAssertEqual(refused.remaining, 0)
        XCTAssertEqual(refused.hits, 4)
        XCTAssertEqual(limiter.rejections, 1)

        XCTAssertEqual(limiter.countInDatabase(.address("10.0.0.1"))?.remaining, 2, "another bucket counts apart")

        clock.now += 60
        let next = try XCTUnwrap(limiter.countInDatabase(key))
        XCTAssertEqual(next.hits, 1, "a new window starts from zero")
        XCTAssertEqual(next.resetsAt, windowStart + 120)

        clock.now = Double(windowStart + 119) + 0.999
        XCTAssertEqual(limiter.countInDatabase(key)?.secondsUntilReset, 1, "Retry-After is at least one second")
    }

    func testConcurrentHitsGetDistinctCounts() throws {
        let limiter = limiter(try pool(), limit: 100)
        let counts = LogMessages()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<25 { counts.append(limiter.countInDatabase(.address("10.0.0.2")).map { String($0.hits) } ?? "nil") }
        }
        XCTAssertEqual(Set(counts.all), Set((1...200).map(String.init)), "every hit got its own count")
        XCTAssertEqual(limiter.rejections, 100)
    }

    func testPurgeKeepsTheCurrentAndPreviousWindow() throws {
        let pool = try pool()
        let limiter = limiter(pool, limit: 10)
        for window in 0..<3 {
            if window > 0 { clock.now += 60 }
            _ = limiter.countInDatabase(.key(id: 1))
        }
        try limiter.purgeExpiredWindows()
        let windows = try pool.withConnection { db in
            try db.query("SELECT window_start FROM rate_limit_counters ORDER BY window_start").compactMap { $0.int(0) }
        }
        XCTAssertEqual(windows, [Int(windowStart) + 60, Int(windowStart) + 120])
    }

    func testBucketNamesCarryNoSecret() {
        XCTAssertEqual(RateLimitBucket.key(id: 42).name, "key:42")
        XCTAssertEqual(RateLimitBucket.address("::1").name, "ip:::1")
        XCTAssertEqual(RateLimitBucket.address(nil).name, "ip:unknown")
        XCTAssertEqual(RateLimitBucket.address(String(repeating: "9", count: 500)).name.count, RateLimitBucket.maximumLength)
    }

    func testFailsOpenAndWarnsOncePerErrorText() throws {
        let messages = LogMessages()
        let limiter = limiter(try pool(migrated: false), limit: 1, messages: messages)
        for _ in 0..<5 { XCTAssertNil(limiter.countInDatabase(.key(id: 1)), "no counter table: served without a decision") }
        XCTAssertEqual(limiter.rejections, 0)
        let warnings = messages.all.filter { $0.hasPrefix("warning") }
        XCTAssertEqual(warnings.count, 1, "\(messages.all)")
        XCTAssertTrue(warnings.first?.contains("rate_limit_counters") == true, "\(warnings)")
    }
}
