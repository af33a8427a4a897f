import Foundation
import RegistryDomain
import RegistryRuntime
import XCTest

/// The rate-limit table in shared memory, alone (its sync with a database: RateLimitSyncTests).
final class RateLimitTableTests: XCTestCase {
    private let table = RateLimitTable.standalone()

    /// One hit; a bucket's first in the window as if adding it to the database failed (the sync
    /// adds it later).
    private func hit(_ name: String, _ window: Int64 = 60, abandonBefore: Int64 = 0) -> Int? {
        table.count(name, window: window, abandonBefore: abandonBefore)
    }

    func testCountsEachBucketAndWindowApart() {
        XCTAssertEqual([hit("ip:a"), hit("ip:a"), hit("ip:a")], [1, 2, 3])
        XCTAssertEqual(hit("ip:b"), 1)
        XCTAssertEqual(hit("ip:a", 120), 1, "a new window starts from zero")
        XCTAssertEqual(hit("ip:a"), 4, "the past window's slot is still there until it is reused")
    }

    func testASlotHoldsTheWidestBucketColumn() {
        XCTAssertEqual(RateLimitTable.nameCapacity, RateLimitCounters.bucketWidth)
        XCTAssertEqual(hit(String(repeating: "a", count: RateLimitTable.nameCapacity)), 1)
        XCTAssertNil(hit(String(repeating: "é", count: RateLimitTable.nameCapacity / 2 + 1)), "longer in UTF-8: no slot")
    }

    func testAFullTableHasNoSlotForNewBucketsUntilPastWindowsArePushed() {
        let names = (0..<(3 * RateLimitTable.capacity)).map { "ip:10.\($0 / 65536).\($0 / 256 % 256).\($0 % 256)" }
        let counted = names.filter { hit($0) != nil }
        XCTAssertEqual(counted.count, RateLimitTable.capacity, "every slot is used before buckets go without")
        XCTAssertEqual(counted.compactMap { hit($0) }, Array(repeating: 2, count: counted.count), "the counted keep counting")

        // The next window: the past window's hits are not in the database yet, so its slots are kept…
        XCTAssertNil(hit("ip:new", 120, abandonBefore: 60))
        // …unless that window ended more than a window ago,
        XCTAssertEqual(hit("ip:new", 180, abandonBefore: 120), 1)
        // or once a sync round has taken them.
        _ = table.takeUnpushed(refreshing: 240, limit: 1)
        XCTAssertEqual(counted.prefix(100).compactMap { hit($0, 240, abandonBefore: 180) }, Array(repeating: 1, count: 100))
    }

    func testARoundTakesEachHitOnceAndGivesBackAFailedOne() throws {
        for _ in 0..<3 { _ = hit("ip:a") }
        _ = hit("ip:b")
        let first = table.takeUnpushed(refreshing: 60, limit: 10)
        XCTAssertEqual(first.map { "\($0.bucket)+\($0.hits)" }, ["ip:a+3", "ip:b+1"])
        XCTAssertEqual(table.takeUnpushed(refreshing: 60, limit: 10).map(\.hits), [0, 0], "only reads: nothing new")
        XCTAssertEqual(table.takeUnpushed(refreshing: 120, limit: 10).map(\.hits), [], "another window: nothing to read")

        _ = hit("ip:a")
        let failed = table.takeUnpushed(refreshing: 60, limit: 10)
        table.restore(failed)
        let retried = table.takeUnpushed(refreshing: 60, limit: 10)
        XCTAssertEqual(retried.map { "\($0.bucket)+\($0.hits)" }, ["ip:a+1", "ip:b+0"])

        // The database says 10 for ip:a, of which this server put 4 there: 6 are the others'.
        table.settle(try XCTUnwrap(retried.first), databaseHits: 10)
        XCTAssertEqual(hit("ip:a"), 11)
        XCTAssertEqual(table.takeUnpushed(refreshing: 60, limit: 11).map(\.bucket), ["ip:a", "ip:b"])
        XCTAssertEqual(table.takeUnpushed(refreshing: 60, limit: 11).map(\.bucket), ["ip:b"],
                       "a bucket already at the limit is not read again")
    }

    func testABucketsFirstHitLearnsTheOtherServersCountFromTheDatabase() throws {
        guard case .claimed(let claim) = table.hit("ip:a", window: 60, abandonUnpushedBefore: 0) else {
            return XCTFail("a new bucket takes a slot")
        }
        XCTAssertEqual(table.seed(claim, databaseHits: 5), 5, "4 hits of other servers, then this one")
        XCTAssertEqual(table.hit("ip:a", window: 60, abandonUnpushedBefore: 0), .counted(6))
        XCTAssertEqual(table.takeUnpushed(refreshing: 60, limit: 10).map(\.hits), [1], "the first hit is in the database already")
    }

    func testTheSyncLeaseIsOneHoldersUntilItExpires() {
        XCTAssertTrue(table.acquireSyncLease(holder: 1, now: 100, duration: 10))
        XCTAssertFalse(table.acquireSyncLease(holder: 2, now: 105, duration: 10))
        XCTAssertTrue(table.acquireSyncLease(holder: 1, now: 106, duration: 10), "renewed until 116")
        XCTAssertFalse(table.acquireSyncLease(holder: 2, now: 115, duration: 10))
        XCTAssertTrue(table.acquireSyncLease(holder: 2, now: 116, duration: 10), "expired: taken over")
        table.releaseSyncLease(holder: 1)
        XCTAssertFalse(table.acquireSyncLease(holder: 3, now: 117, duration: 10), "only the holder releases")
        table.releaseSyncLease(holder: 2)
        XCTAssertTrue(table.acquireSyncLease(holder: 3, now: 117, duration: 10))
    }

    func testConcurrentHitsGetDistinctCounts() {
        let counts = LogMessages(), table = table
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<250 {
                counts.append(table.count("key:1", window: 60, abandonBefore: 0).map(String.init) ?? "nil")
            }
        }
        XCTAssertEqual(Set(counts.all), Set((1...2000).map(String.init)))
    }
}

extension RateLimitTable {
    /// `hit`'s count; a claiming hit's database write as if it failed.
    func count(_ name: String, window: Int64, abandonBefore: Int64) -> Int? {
        switch hit(name, window: window, abandonUnpushedBefore: abandonBefore) {
        case .counted(let hits): return hits
        case .claimed(let claim): return unseed(claim)
        case .noRoom: return nil
        }
    }
}
