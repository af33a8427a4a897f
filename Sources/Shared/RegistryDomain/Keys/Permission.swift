
/// `read < write < delete < admin` (contract §2.4).
public enum Permission: String, Sendable, CaseIterable, Comparable {
    case read, write, delete, admin

    public var level: Int {
        switch self {
        case .read: return 1
        case .write: return 2
        case .delete: return 3
        case .admin: return 4
        }
    }

    public static func < (a: Permission, b: Permission) -> Bool { a.level < b.level }

    public func satisfies(_ required: Permission) -> Bool { self >= required }
}
