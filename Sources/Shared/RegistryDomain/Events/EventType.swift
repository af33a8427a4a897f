/// The kinds of change event (issue 17). Key events are readable with ADMIN only.
public enum EventType: String, Sendable, CaseIterable {
    case schemaRegistered = "schema.registered"
    case schemaOverwritten = "schema.overwritten"
    case schemaDeprecated = "schema.deprecated"
    case schemaUndeprecated = "schema.undeprecated"
    case schemaDeleted = "schema.deleted"
    case configChanged = "config.changed"
    case keyCreated = "key.created"
    case keyRevoked = "key.revoked"
    case keyRotated = "key.rotated"
    case keyDeleted = "key.deleted"
    case keyScopeChanged = "key.scope_changed"

    public var isKeyEvent: Bool { rawValue.hasPrefix("key.") }

    /// The types a filter names: an exact type, a family (`schema.*`), or `*` (all).
    /// Nil when the pattern names no type.
    public static func matching(_ pattern: String) -> [EventType]? {
        if pattern == "*" { return allCases }
        if pattern.hasSuffix(".*") {
            let family = String(pattern.dropLast(1))
            let found = allCases.filter { $0.rawValue.hasPrefix(family) }
            return found.isEmpty ? nil : found
        }
        return EventType(rawValue: pattern).map { [$0] }
    }
}
