import RegistryRuntime
import XCTest

final class CompatibilityLevelTests: XCTestCase {
    func testLevelNamesAreTheWireNames() {
        XCTAssertEqual(CompatibilityLevel.allCases.map(\.rawValue), [
            "NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE", "SEMVER",
        ])
        XCTAssertNil(CompatibilityLevel(rawValue: "backward"))
    }
}
