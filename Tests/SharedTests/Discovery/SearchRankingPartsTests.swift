@testable import RegistrySchemas
import XCTest

/// The two data structures search ranking rests on, against the standard library's.
final class SearchRankingPartsTests: XCTestCase {
    func testPairTableAgreesWithDictionary() {
        var generator = SystemRandomNumberGenerator()
        var table = PairTable()
        var reference: [[Int]: Int] = [:]
        for value in 0..<50_000 {
            let pair = [Int.random(in: 0...30_000, using: &generator), Int.random(in: 0...40, using: &generator)]
            table.set(pair[0], pair[1], value)
            reference[pair] = value
        }
        XCTAssertEqual(table.count, reference.count)
        for (pair, value) in reference { XCTAssertEqual(table[pair[0], pair[1]], value) }
        XCTAssertNil(table[30_001, 0])
        XCTAssertNil(table[0, 41])
    }

    func testSmallestIsTheSortedPrefix() {
        for count in [0, 1, 5, 20, 100, 2_500] {
            let items = (0..<count).map { _ in Int.random(in: 0..<1_000_000) }
            for page in [1, 20, 120, count, count + 5] {
                XCTAssertEqual(items.smallest(page, by: <), Array(items.sorted().prefix(page)), "\(count) items, \(page) wanted")
            }
        }
        XCTAssertEqual([3, 1, 2].smallest(0, by: <), [])
    }
}
