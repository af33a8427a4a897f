@testable import RegistryStorage
import XCTest

/// PostgreSQL's text integers are parsed in place; the short path (up to 18 digits, no overflow
/// checks) must agree with the checked one at its edges.
final class SQLCursorParsingTests: XCTestCase {
    /// As `SQLCursor.integer` reads a PostgreSQL value: the short path on the NUL-terminated
    /// text, else the checked one; where the short path answers, both agree.
    private func parse(_ text: String) -> Int? {
        let checked = Array(text.utf8).withUnsafeBufferPointer { SQLCursor.parseInteger($0) }
        let short = self.short(text)
        if let short { XCTAssertEqual(short, checked, text) }
        return short ?? checked
    }

    private func short(_ text: String) -> Int? {
        (Array(text.utf8) + [0]).withUnsafeBufferPointer { SQLCursor.parseShortInteger($0.baseAddress!) }
    }

    func testShortPathUpTo18Digits() {
        XCTAssertEqual(short("42001"), 42001)
        XCTAssertEqual(short("-999999999999999999"), -999_999_999_999_999_999)
        XCTAssertNil(short("9223372036854775807"), "19 digits: the checked path")
        XCTAssertNil(short("-9223372036854775807"))
        XCTAssertNil(short(""))
        XCTAssertNil(short("-"))
        XCTAssertNil(short("12a"))
    }

    func testIntegersAsPostgreSQLWritesThem() {
        XCTAssertEqual(parse("0"), 0)
        XCTAssertEqual(parse("42001"), 42001)
        XCTAssertEqual(parse("-12"), -12)
        XCTAssertEqual(parse("999999999999999999"), 999_999_999_999_999_999)
        XCTAssertEqual(parse("-999999999999999999"), -999_999_999_999_999_999)
        XCTAssertEqual(parse("9223372036854775807"), Int.max)
        XCTAssertEqual(parse("-9223372036854775807"), -Int.max)
        XCTAssertEqual(parse("0000000000000000000001"), 1, "leading zeros take the checked path")
    }

    func testNotIntegers() {
        XCTAssertNil(parse(""))
        XCTAssertNil(parse("-"))
        XCTAssertNil(parse("12a"))
        XCTAssertNil(parse("1.5"))
        XCTAssertNil(parse("+1"))
        XCTAssertNil(parse("9223372036854775808"), "overflow")
        XCTAssertNil(parse("99999999999999999999"))
    }

    private func entries(_ text: String, wanted: (Int) -> Bool = { _ in true }) -> [[Int]] {
        var found: [[Int]] = []
        Array(text.utf8).withUnsafeBufferPointer {
            SQLCursor.parseEntries($0, head: { head in
                found.append([head.id, Int(head.order.0), Int(head.order.1), Int(head.order.2), head.deprecated ? 1 : 0])
                return wanted(head.id)
            }, place: { found[found.count - 1].append($0) })
        }
        return found
    }

    /// `schema_search_model_hits.versions`: entries after spaces, numbers separated by commas.
    func testEntriesOfNumbers() {
        XCTAssertEqual(entries(" 7,1,0,0,0,3"), [[7, 1, 0, 0, 0, 3]])
        XCTAssertEqual(entries(" 12,1,2,3,1,0,17 130000,0,0,0,0,5"), [[12, 1, 2, 3, 1, 0, 17], [130_000, 0, 0, 0, 0, 5]])
        XCTAssertEqual(entries(" 12,1,2,3,1,0,17 13,4,5,6,0,8,9", wanted: { $0 == 13 }), [[12, 1, 2, 3, 1], [13, 4, 5, 6, 0, 8, 9]],
                       "the places of an entry not wanted are skipped")
        XCTAssertEqual(entries(""), [])
    }
}
