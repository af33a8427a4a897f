import Foundation
import RegistryDomain
import RegistryRuntime
import RegistryStorage
import RegistryTraffic
import XCTest

/// Two servers, each with its own shared table, on one SQLite file: what each counts in memory
/// reaches the other through the database's counters.
final class RateLimitSyncTests: XCTestCase {
    private let windowStart: Int64 = 1_700_000_040
    private lazy var clock = TestClock(Double(windowStart) + 10)

    private func server(_ pool: ConnectionPool, limit: Int, messages: LogMessages = LogMessages()) -> RateLimiter {
        let clock = self.clock
        return RateLimiter(pool: pool, limit: limit, logger: messages.logger, table: .standalone(), clock: { clock.now })
    }

    /// What the rate-limit middleware does: in memory, else in the database.
    private func count(_ limiter: RateLimiter, _ bucket: RateLimitBucket) -> RateLimitDecision? {
        switch limiter.countInMemory(bucket) {
        case .decided(let decision): return decision
        case .needsDatabase(let rest): return limiter.countInDatabase(rest)
        }
    }

    private func counter(_ pool: ConnectionPool, _ bucket: String) throws -> Int? {
        try pool.withConnection { db in
            try db.scalarInt("SELECT hits FROM rate_limit_counters WHERE bucket = $1 AND window_start = $2",
                             [.text(bucket), .int(windowStart)])
        }
    }

    func testServersLearnEachOthersHitsAtTheirNextSync() throws {
        let pool = try temporarySQLitePool()
        let first = server(pool, limit: 10), second = server(pool, limit: 10)
        let key = RateLimitBucket.key(id: 1)
        XCTAssertEqual((0..<3).compactMap { _ in count(first, key)?.remaining }, [9, 8, 7])
        guard case .needsDatabase(let first2) = second.countInMemory(.key(id: 2)) else { return XCTFail("a bucket's first hit") }
        XCTAssertEqual(second.countInDatabase(first2)?.hits, 1)
        guard case .decided = second.countInMemory(.key(id: 2)) else { return XCTFail("the next ones in memory") }
        XCTAssertEqual((0..<2).compactMap { _ in count(second, key)?.remaining }, [8, 7],
                       "its first hit learned the first server's from the database")
        XCTAssertEqual(try counter(pool, "key:1"), 2, "only the first hits are in the database before a sync")

        first.synchronise()
        second.synchronise()
        XCTAssertEqual(count(second, key)?.hits, 6, "3 of the first server's, 2 + 1 of its own")
        first.synchronise()
        XCTAssertEqual(count(first, key)?.hits, 6, "3 + 1 of its own, the 2 the second server had pushed")
        second.synchronise()
        first.synchronise()
        XCTAssertEqual(try counter(pool, "key:1"), 7)

        XCTAssertEqual((0..<3).compactMap { _ in count(first, key)?.hits }, [8, 9, 10])
        first.synchronise()
        second.synchronise()
        XCTAssertEqual(count(second, key)?.isAllowed, false, "the limit is reached across both")
        XCTAssertEqual(second.rejections, 1)
    }

    func testWithoutTheDatabaseEachServerStillLimitsAndWarnsOnce() throws {
        let pool = try temporarySQLitePool(migrated: false)
        let messages = LogMessages()
        let limiter = server(pool, limit: 3, messages: messages)
        let key = RateLimitBucket.key(id: 1)
        XCTAssertEqual((0..<5).compactMap { _ in count(limiter, key)?.isAllowed }, [true, true, true, false, false])
        for _ in 0..<3 { limiter.synchronise() }
        let warnings = messages.all.filter { $0.hasPrefix("warning") }
        XCTAssertEqual(warnings.count, 1, "\(messages.all)")
        XCTAssertTrue(warnings.first?.contains("rate_limit_counters") == true, "\(warnings)")

        try pool.withConnection { _ = try Migrator(connection: $0).migrate() }
        limiter.synchronise()
        XCTAssertEqual(try counter(pool, "key:1"), 5, "the hits counted meanwhile are pushed once it is back")
        XCTAssertTrue(messages.all.last?.hasPrefix("info rate limit counters synchronised again") == true, "\(messages.all)")
    }

    func testABucketWithoutASlotIsCountedInTheDatabase() throws {
        let pool = try temporarySQLitePool()
        let limiter = server(pool, limit: 2)
        let wide = RateLimitBucket.address(String(repeating: "é", count: 100))
        XCTAssertEqual(count(limiter, wide)?.hits, 1)
        XCTAssertEqual(try counter(pool, wide.name), 1)
    }
}
