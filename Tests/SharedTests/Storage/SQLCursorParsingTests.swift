@testable import RegistryStorage
import XCTest

/// PostgreSQL's text integers are parsed in place; the short path (up to 18 digits, no overflow
/// checks) must agree with the checked one at its edges.
final class SQLCursorParsingTests: XCTestCase {
    private func parse(_ text: String) -> Int? {
        Array(text.utf8).withUnsafeBufferPointer { SQLCursor.parseInteger($0) }
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
}
