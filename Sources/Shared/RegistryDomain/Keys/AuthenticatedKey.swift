import RegistryJSON

/// A key that authenticated: what permission checks and the audit trail need.
public struct AuthenticatedKey: Sendable {
    public let id: Int
    public let name: String
    public let permission: Permission
    public let expiresAt: Timestamp?
    public let rotationScheduledAt: Timestamp?
    /// The namespaces the key may use; nil: every namespace (read with the key, cached with it).
    public let scope: KeyScope?

    init(_ record: APIKeyRecord, scope: KeyScope?) {
        self.scope = scope
        id = record.id
        name = record.name
        permission = record.permission
        expiresAt = record.expiresAt
        rotationScheduledAt = record.rotationScheduledAt
    }

    /// Expired, or past its rotation grace period.
    func isUsable(at now: Timestamp) -> Bool {
        if let expiresAt, now > expiresAt { return false }
        if let rotationScheduledAt, now >= rotationScheduledAt { return false }
        return true
    }
}
