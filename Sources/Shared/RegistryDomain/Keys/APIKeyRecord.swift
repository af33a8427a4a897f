import RegistryJSON

/// One row of `api_keys`, without its hash.
public struct APIKeyRecord: Sendable {
    public var id: Int
    public var name: String
    public var permission: Permission
    public var createdAt: Timestamp
    public var createdBy: String
    public var lastUsedAt: Timestamp?
    public var useCount: Int
    public var expiresAt: Timestamp?
    public var revoked: Bool
    public var revokedAt: Timestamp?
    public var revokedBy: String?
    public var description: String?
    public var rotatedFromID: Int?
    public var rotatedToID: Int?
    public var rotationScheduledAt: Timestamp?

    public func isExpired(at now: Timestamp = .now()) -> Bool { expiresAt.map { now > $0 } ?? false }

    /// Past its rotation grace period (enforced here; the reference never did).
    public func isRotationDue(at now: Timestamp = .now()) -> Bool {
        !revoked && (rotationScheduledAt.map { now >= $0 } ?? false)
    }

    /// Usable for authentication now: not revoked, not expired, not past a rotation's grace.
    public func isActive(at now: Timestamp = .now()) -> Bool { !revoked && !isExpired(at: now) && !isRotationDue(at: now) }

    /// ApiKeyResponse of contract §8.2, fields in order.
    public func json(at now: Timestamp = .now()) -> JSONObject {
        func time(_ t: Timestamp?) -> JSONValue { t.map { .string($0.isoZulu) } ?? .null }
        func text(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        func int(_ i: Int?) -> JSONValue { i.map(JSONValue.int) ?? .null }
        return JSONObject([
            ("id", .int(id)), ("name", .string(name)), ("permission", .string(permission.rawValue)),
            ("created_at", time(createdAt)), ("created_by", .string(createdBy)), ("last_used_at", time(lastUsedAt)),
            ("use_count", .int(useCount)), ("expires_at", time(expiresAt)), ("revoked", .bool(revoked)),
            ("revoked_at", time(revokedAt)), ("revoked_by", text(revokedBy)), ("description", text(description)),
            ("rotated_from_id", int(rotatedFromID)), ("rotated_to_id", int(rotatedToID)),
            ("rotation_scheduled_at", time(rotationScheduledAt)),
            ("is_active", .bool(isActive(at: now))), ("is_expired", .bool(isExpired(at: now))),
            ("is_rotation_due", .bool(isRotationDue(at: now))),
        ])
    }
}
