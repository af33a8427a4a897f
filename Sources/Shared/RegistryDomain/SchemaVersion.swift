
/// `MAJOR.MINOR.PATCH`, ordered numerically (contract §7.2).
public struct SchemaVersion: Comparable, Sendable {
    public let major: Int64, minor: Int64, patch: Int64

    public static func < (a: SchemaVersion, b: SchemaVersion) -> Bool {
        (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch)
    }

    /// The body regex of the contract: `^\d+\.\d+\.\d+(-[a-zA-Z0-9.-]+)?$`.
    public static func matchesPattern(_ text: String) -> Bool {
        var parts = 0, digits = 0
        var index = text.utf8.startIndex
        let bytes = text.utf8
        while index != bytes.endIndex {
            let c = bytes[index]
            if c >= 0x30 && c <= 0x39 {
                digits += 1
            } else if c == UInt8(ascii: "."), parts < 2, digits > 0 {
                parts += 1
                digits = 0
            } else if c == UInt8(ascii: "-"), parts == 2, digits > 0 {
                let suffix = bytes[bytes.index(after: index)...]
                return !suffix.isEmpty && suffix.allSatisfy { b in
                    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
                        || b == UInt8(ascii: ".") || b == UInt8(ascii: "-")
                }
            } else {
                return false
            }
            index = bytes.index(after: index)
        }
        return parts == 2 && digits > 0
    }

    public static let pattern = #"^\d+\.\d+\.\d+(-[a-zA-Z0-9.-]+)?$"#

    /// Strict `X.Y.Z`; nil for anything else (or numbers beyond 64 bits).
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }),
              let a = Int64(parts[0]), let b = Int64(parts[1]), let c = Int64(parts[2]) else { return nil }
        major = a; minor = b; patch = c
    }

    /// The 400 text of contract §3.2 for a version that passed the pattern but is not `X.Y.Z`.
    public static func formatError(_ text: String) -> String {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let reason: String
        if parts.count != 3 {
            reason = "Version must have exactly 3 parts (major.minor.patch)"
        } else {
            let bad = parts.first { Int64($0) == nil } ?? parts[2]
            reason = "Version parts must be integers: invalid literal for int() with base 10: '\(bad)'"
        }
        return "Invalid version format '\(text)': Invalid version string: '\(text)'\n\(reason). Expected 'major.minor.patch'"
    }

    /// Sorts version strings numerically, keeping the given order for equal versions.
    public static func sorted(_ versions: [String]) -> [String] {
        versions.enumerated().sorted { a, b in
            let va = SchemaVersion(a.element), vb = SchemaVersion(b.element)
            switch (va, vb) {
            case let (x?, y?) where x != y: return x < y
            default: return a.offset < b.offset
            }
        }.map(\.element)
    }
}
