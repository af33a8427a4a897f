import RegistryDomain
import RegistryRuntime

/// Which directions a new version is checked in against one existing version.
public struct CheckedDirections: Sendable, Equatable {
    public var backward: Bool
    public var forward: Bool

    public static let backwardOnly = CheckedDirections(backward: true, forward: false)
    public static let forwardOnly = CheckedDirections(backward: false, forward: true)
    public static let both = CheckedDirections(backward: true, forward: true)

    /// `backward`, `forward` or `both`, as a message's `direction` says it.
    var label: String {
        switch (backward, forward) {
        case (true, true): return "both"
        case (false, true): return "forward"
        default: return "backward"
        }
    }
}

/// The rule of each level (issue 14): which existing versions a new one is compared with, and in
/// which direction. Pure: the versions come in, the plan goes out.
enum CompatibilityPolicy {
    struct Existing: Equatable {
        let id: Int
        let version: String
        let number: SchemaVersion
    }

    struct Comparison: Equatable {
        let existing: Existing
        let directions: CheckedDirections
    }

    /// `existing` in ascending semantic order, without the new version itself (an overwrite is
    /// checked against the others). The plan keeps that order.
    static func plan(_ level: CompatibilityLevel, new: SchemaVersion, existing: [Existing]) -> [Comparison] {
        switch level {
        case .none:
            return []
        case .backward, .forward, .full:
            guard let latest = existing.last else { return [] }
            return [Comparison(existing: latest, directions: directions(level))]
        case .backwardTransitive, .forwardTransitive, .fullTransitive:
            return existing.map { Comparison(existing: $0, directions: directions(level)) }
        case .semver:
            // A version that opens a MAJOR line may change anything; otherwise backward with every
            // lower version of its line, and forward too with those of its MAJOR.MINOR (a patch).
            return existing.filter { $0.number.major == new.major && $0.number < new }.map {
                Comparison(existing: $0, directions: $0.number.minor == new.minor ? .both : .backwardOnly)
            }
        }
    }

    private static func directions(_ level: CompatibilityLevel) -> CheckedDirections {
        switch level {
        case .forward, .forwardTransitive: return .forwardOnly
        case .full, .fullTransitive: return .both
        default: return .backwardOnly
        }
    }
}
