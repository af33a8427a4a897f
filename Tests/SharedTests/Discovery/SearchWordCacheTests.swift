@testable import RegistryRuntime
@testable import RegistrySchemas
import XCTest

/// The words a worker keeps per query word: found again after a registration of this server (the
/// change board moves) or after the trust window, and bounded by words, not entries.
final class SearchWordCacheTests: XCTestCase {
    private func graded(_ count: Int, from first: Int64 = 1) -> SearchWordCache.Graded {
        let words = (0..<Int64(count)).map { SearchPostingsQueries.Word(id: first + $0, word: "w\(first + $0)") }
        return SearchWordCache.Graded(words: words, grades: Dictionary(uniqueKeysWithValues: words.map { ($0.id, 1) }))
    }

    /// Looks `word` up and says whether the index was asked.
    private func lookup(_ cache: SearchWordCache, _ word: String, _ validity: SearchWordCache.Validity?, size: Int = 1) -> Bool {
        var asked = false
        _ = cache.graded(word, validity: validity) {
            asked = true
            return graded(size)
        }
        return asked
    }

    func testKeptUntilTheBoardMoves() {
        let cache = SearchWordCache()
        let board = ChangeBoard.standalone()
        let validity = SearchWordCache.Validity(board: board, trust: 60)
        XCTAssertTrue(lookup(cache, "cust", validity))
        XCTAssertFalse(lookup(cache, "cust", validity))
        board.modelChanged(namespace: "shop", model: "Order")
        XCTAssertTrue(lookup(cache, "cust", validity))
        XCTAssertFalse(lookup(cache, "cust", validity))
        XCTAssertTrue(lookup(cache, "cust", nil), "without a board nothing is kept")
    }

    func testTrustWindow() throws {
        let cache = SearchWordCache()
        let validity = SearchWordCache.Validity(board: ChangeBoard.standalone(), trust: 0.05)
        XCTAssertTrue(lookup(cache, "cust", validity))
        XCTAssertFalse(lookup(cache, "cust", validity))
        Thread.sleep(forTimeInterval: 0.1)
        XCTAssertTrue(lookup(cache, "cust", validity), "another server's registration is seen within the TTL")
        let unlimited = SearchWordCache.Validity(board: ChangeBoard.standalone(), trust: 0)
        XCTAssertTrue(lookup(cache, "order", unlimited))
        Thread.sleep(forTimeInterval: 0.1)
        XCTAssertFalse(lookup(cache, "order", unlimited), "a TTL of 0 is no time limit")
    }

    func testBoundedByWords() {
        let cache = SearchWordCache()
        let validity = SearchWordCache.Validity(board: ChangeBoard.standalone(), trust: 60)
        // A broad pattern is not kept.
        XCTAssertTrue(lookup(cache, "a", validity, size: SearchWordCache.wordsPerEntry + 1))
        XCTAssertTrue(lookup(cache, "a", validity, size: SearchWordCache.wordsPerEntry + 1))
        // Patterns of 5,000 words each: the cache empties when the next would pass the capacity.
        let fitting = SearchWordCache.wordCapacity / SearchWordCache.wordsPerEntry
        for index in 0..<fitting { XCTAssertTrue(lookup(cache, "p\(index)", validity, size: SearchWordCache.wordsPerEntry)) }
        XCTAssertFalse(lookup(cache, "p0", validity, size: SearchWordCache.wordsPerEntry))
        XCTAssertTrue(lookup(cache, "p\(fitting)", validity, size: SearchWordCache.wordsPerEntry))
        XCTAssertTrue(lookup(cache, "p0", validity, size: SearchWordCache.wordsPerEntry), "emptied to make room")
    }

    func testPostingCountsKeptPerKindUntilTheBoardMoves() {
        let cache = SearchWordCache()
        let board = ChangeBoard.standalone()
        let validity = SearchWordCache.Validity(board: board, trust: 60)
        var counted: [String] = []
        func count(_ word: String, _ kind: SearchQuery.Kind, _ validity: SearchWordCache.Validity?) -> Int {
            cache.postingCount(word, kind: kind, validity: validity) {
                counted.append("\(kind.rawValue) \(word)")
                return counted.count
            }
        }
        XCTAssertEqual(count("cust", .field, validity), 1)
        XCTAssertEqual(count("cust", .field, validity), 1)
        XCTAssertEqual(count("cust", .text, validity), 2, "each kind is counted apart")
        XCTAssertEqual(count("order", .field, validity), 3)
        board.modelChanged(namespace: "shop", model: "Order")
        XCTAssertEqual(count("cust", .field, validity), 4)
        XCTAssertEqual(count("cust", .field, nil), 5, "without a board nothing is kept")
        XCTAssertEqual(counted, ["field cust", "text cust", "field order", "field cust", "field cust"])
    }
}
