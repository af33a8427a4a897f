/// The compatibility levels of issue 14 (Confluent's, plus SEMVER): which existing versions a new
/// one is checked against, and in which direction. `NONE` checks nothing and is the built-in
/// default, so a deployment that never sets a level behaves as the reference does.
public enum CompatibilityLevel: String, CaseIterable, Sendable {
    case none = "NONE"
    case backward = "BACKWARD"
    case backwardTransitive = "BACKWARD_TRANSITIVE"
    case forward = "FORWARD"
    case forwardTransitive = "FORWARD_TRANSITIVE"
    case full = "FULL"
    case fullTransitive = "FULL_TRANSITIVE"
    case semver = "SEMVER"

    /// `'NONE', 'BACKWARD', … or 'SEMVER'`, as Pydantic lists an enum's values in a 422.
    public static var quotedList: String {
        let quoted = allCases.map { "'\($0.rawValue)'" }
        return quoted.dropLast().joined(separator: ", ") + " or " + quoted.last!
    }
}
