@testable import RegistryDiscovery
import XCTest

/// How a model's versions are packed into its rows of `schema_search_model_hits`.
final class ModelHitsTests: XCTestCase {
    private let key = ModelHits.Key(wordID: 7, kind: "text", namespace: "billing", model: "Invoice")

    func testAnEntryNamesTheVersionItsOrderDeprecationAndPlaces() {
        XCTAssertEqual(ModelHits.entries(schemaID: 42, order: (1, 2, 3), deprecated: false, places: [4, 9]), [" 42,1,2,3,0,4,9"])
        XCTAssertEqual(ModelHits.entries(schemaID: 5, order: (0, 0, 0), deprecated: true, places: [0]), [" 5,0,0,0,1,0"])
    }

    func testTheNamespaceKeyKeepsTheEmptyNamespaceApartFromGlobal() {
        XCTAssertEqual(ModelHits.namespaceKey(nil), "")
        XCTAssertEqual(ModelHits.namespaceKey(""), "=")
        XCTAssertEqual(ModelHits.namespaceKey("billing"), "=billing")
    }

    /// A version with more places than a row holds is split; each piece starts with the version.
    func testLongPlacesAreSplitIntoEntriesThatFitARow() {
        let places = Array(0..<400)
        let entries = ModelHits.entries(schemaID: 12345, order: (1, 0, 0), deprecated: false, places: places)
        XCTAssertGreaterThan(entries.count, 1)
        XCTAssertTrue(entries.allSatisfy { $0.utf8.count <= ModelHits.rowBytes })
        XCTAssertTrue(entries.allSatisfy { $0.hasPrefix(" 12345,1,0,0,0,") })
        let read = entries.flatMap { $0.split(separator: ",").dropFirst(5).map { Int($0)! } }
        XCTAssertEqual(read, places)
    }

    func testEntriesFillANewRowThenStartTheNext() {
        let entries = (1...80).map { (text: " \($0),1,0,\($0),0,2,3", live: true) }
        let rows = ModelHits.pack([key: entries], after: [:])
        XCTAssertEqual(rows.map(\.chunk), Array(0..<Int64(rows.count)))
        XCTAssertGreaterThan(rows.count, 1)
        XCTAssertTrue(rows.allSatisfy { $0.text.utf8.count <= ModelHits.rowBytes })
        XCTAssertEqual(rows.map(\.text).joined(), entries.map(\.text).joined(), "every entry once, in order")
    }

    func testEntriesAreAppendedToTheStoredTailWhileTheyFit() {
        let entry = " 9,1,0,0,0,2"
        let appended = ModelHits.pack([key: [(entry, false)]], after: [key: ModelHits.Tail(chunk: 3, bytes: 100)])
        XCTAssertEqual(appended.map(\.chunk), [3])
        XCTAssertEqual(appended.first?.text, entry, "only the new text: the statement appends it")
        XCTAssertEqual(appended.first?.live, false)
        let full = ModelHits.pack([key: [(entry, true)]], after: [key: ModelHits.Tail(chunk: 3, bytes: ModelHits.rowBytes - 4)])
        XCTAssertEqual(full.map(\.chunk), [4], "a full tail is left alone")
        XCTAssertEqual(full.first?.live, true)
    }

    /// A row never holds a version twice: cutting a version out of a row (`removal`) cuts one entry.
    func testTheEntriesOfASplitVersionGoToRowsOfTheirOwn() {
        let pieces = ModelHits.entries(schemaID: 3, order: (1, 0, 0), deprecated: false, places: Array(0..<300))
        let list = [(text: " 2,1,0,0,0,1", live: true)] + pieces.map { (text: $0, live: true) } + [(text: " 4,1,0,0,0,1", live: true)]
        let rows = ModelHits.pack([key: list], after: [key: ModelHits.Tail(chunk: 0, bytes: 10)])
        for row in rows {
            let versions = row.text.split(separator: " ").map { $0.prefix { $0 != "," } }
            XCTAssertEqual(versions.count, Set(versions).count, row.text)
        }
        XCTAssertEqual(rows.map(\.text).joined(), list.map(\.text).joined())
    }
}
