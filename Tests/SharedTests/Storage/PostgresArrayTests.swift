import RegistryStorage
import XCTest

/// The text form of a PostgreSQL array bound as one parameter: every element quoted, so that an
/// empty string, `NULL`, commas and braces stay text, with `"` and `\` escaped.
final class PostgresArrayTests: XCTestCase {
    func testElementsAreQuotedAndEscaped() {
        XCTAssertEqual(PostgresArray.literal(["=billing", "", "NULL", "{x,y}", #"a"b"#, #"c\d"#]),
                       #"{"=billing","","NULL","{x,y}","a\"b","c\\d"}"#)
        XCTAssertEqual(PostgresArray.literal([]), "{}")
    }

    func testNumbersAreWrittenAsTheyAre() {
        XCTAssertEqual(PostgresArray.literal(["1", "42"], quoted: false), "{1,42}")
    }
}
