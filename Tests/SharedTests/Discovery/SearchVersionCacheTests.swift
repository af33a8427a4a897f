@testable import RegistryRuntime
@testable import RegistrySchemas
import XCTest

/// The versions' models and orders a worker keeps by id: forgotten when this server changes a
/// schema (the change board moves) or after the trust window, never kept without a board, and
/// what was read under an earlier era is not kept.
final class SearchVersionCacheTests: XCTestCase {
    private typealias Name = SearchPostingsQueries.VersionTable.ModelName

    private func found(_ id: Int, _ namespace: String?, _ model: String, minor: Int64 = 0) -> SearchVersionCache.Found {
        SearchVersionCache.Found(schemaID: id, model: Name(namespace: namespace, name: model), order: (1, minor, 0))
    }

    /// The model names and minor versions the cache knows for `ids` ("-" for unknown).
    private func known(_ cache: SearchVersionCache, _ ids: [Int], _ validity: SearchWordCache.Validity?) -> [String] {
        let lookup = cache.lookUp(ids, validity)
        return lookup.identities.map { identity in
            identity.map { "\(lookup.models[$0.model].namespace ?? "")::\(lookup.models[$0.model].name)@1.\($0.order.1)" } ?? "-"
        }
    }

    func testKeptUntilTheBoardMoves() {
        let cache = SearchVersionCache()
        let board = ChangeBoard.standalone()
        let validity = SearchWordCache.Validity(board: board, trust: 60)
        XCTAssertEqual(known(cache, [7, 9], validity), ["-", "-"])
        cache.keep([found(7, "shop", "Order", minor: 2), found(9, nil, "Plain")], era: cache.lookUp([], validity).era)
        XCTAssertEqual(known(cache, [9, 7, 8], validity), ["::Plain@1.0", "shop::Order@1.2", "-"])
        board.modelChanged(namespace: "shop", model: "Order")
        XCTAssertEqual(known(cache, [7, 9], validity), ["-", "-"], "a deletion may have freed an id")
        XCTAssertEqual(known(cache, [7], nil), ["-"])
    }

    func testWhatWasReadBeforeAChangeIsNotKept() {
        let cache = SearchVersionCache()
        let board = ChangeBoard.standalone()
        let validity = SearchWordCache.Validity(board: board, trust: 60)
        let era = cache.lookUp([7], validity).era
        board.modelChanged(namespace: "shop", model: "Order")
        XCTAssertEqual(known(cache, [7], validity), ["-"])
        cache.keep([found(7, "shop", "Order")], era: era)
        XCTAssertEqual(known(cache, [7], validity), ["-"])
        cache.keep([found(7, "shop", "Order")], era: nil)
        XCTAssertEqual(known(cache, [7], validity), ["-"], "nothing is kept without a board")
    }

    func testTrustWindow() {
        let cache = SearchVersionCache()
        let validity = SearchWordCache.Validity(board: ChangeBoard.standalone(), trust: 0.05)
        cache.keep([found(7, "shop", "Order")], era: cache.lookUp([], validity).era)
        XCTAssertEqual(known(cache, [7], validity), ["shop::Order@1.0"])
        Thread.sleep(forTimeInterval: 0.1)
        XCTAssertEqual(known(cache, [7], validity), ["-"], "another server's deletion is seen within the TTL")
    }

    func testModelsAreSharedAndBounded() {
        let cache = SearchVersionCache()
        let validity = SearchWordCache.Validity(board: ChangeBoard.standalone(), trust: 0)
        let versions = (1...5).map { found($0, "shop", "Order", minor: Int64($0)) }
        cache.keep(versions, era: cache.lookUp([], validity).era)
        let lookup = cache.lookUp([1, 5], validity)
        XCTAssertEqual(lookup.models.count, 1)
        XCTAssertEqual(lookup.identities.map { $0?.model }, [0, 0])
        let full = (100..<(100 + SearchVersionCache.capacity)).map { found($0, "big", "Model") }
        cache.keep(full, era: cache.lookUp([], validity).era)
        XCTAssertEqual(known(cache, [1, 100], validity), ["-", "big::Model@1.0"], "emptied to make room")
    }
}
