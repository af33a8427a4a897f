/// The compatibility levels of issue 14 (Confluent's, plus SEMVER). `NONE` checks nothing.
public enum CompatibilityLevel: String, CaseIterable, Sendable {
    case none = "NONE"
    case backward = "BACKWARD"
    case backwardTransitive = "BACKWARD_TRANSITIVE"
    case forward = "FORWARD"
    case forwardTransitive = "FORWARD_TRANSITIVE"
    case full = "FULL"
    case fullTransitive = "FULL_TRANSITIVE"
    case semver = "SEMVER"
}
