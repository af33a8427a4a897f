import RegistryDomain

/// Bodies of `/api-keys*` (contract §8) as `APIKeyHandlers` checks them and `APIKeyRecord`
/// writes them, and of `/audit-logs` as `AuditRepository` writes its rows.
extension Components {
    static let permission = "Permission"
    static let apiKeyCreate = "ApiKeyCreate"
    static let apiKeyRevoke = "ApiKeyRevoke"
    static let apiKeyRotate = "ApiKeyRotate"
    static let apiKeyScope = "ApiKeyScope"
    static let apiKeyResponse = "ApiKeyResponse"
    static let apiKeyCreateResponse = "ApiKeyCreateResponse"
    static let apiKeyList = "ApiKeyList"
    static let apiKeyStats = "ApiKeyStats"
    static let apiKeyRotateResponse = "ApiKeyRotateResponse"
    static let auditLogEntry = "AuditLogEntry"
    static let auditLogList = "AuditLogList"

    private static let recordFields: [JSONSchema.Property] = [
        .init("id", .integer()),
        .init("name", .string()),
        .init("permission", .component(permission)),
        .init("created_at", .dateTime),
        .init("created_by", .string(), description: "The creating admin key's name, or `cli`"),
        .init("last_used_at", .nullable(.dateTime)),
        .init("use_count", .integer(minimum: 0)),
        .init("expires_at", .nullable(.dateTime)),
        .init("revoked", .boolean),
        .init("revoked_at", .nullable(.dateTime)),
        .init("revoked_by", .nullable(.string())),
        .init("description", .nullable(.string())),
        .init("rotated_from_id", .nullable(.integer())),
        .init("rotated_to_id", .nullable(.integer())),
        .init("rotation_scheduled_at", .nullable(.dateTime), description: "End of a rotation's grace period"),
        .init("is_active", .boolean, description: "Not revoked, not expired, not past a rotation's grace period"),
        .init("is_expired", .boolean),
        .init("is_rotation_due", .boolean),
    ]

    private static let count = JSONSchema.integer(minimum: 0)

    /// Issue 19: a list of namespace patterns (a namespace, a prefix ending in `*`, null for the
    /// global scope), or null for every namespace.
    static let namespacePatterns = JSONSchema.nullable(.boundedArray(
        .nullable(.string(JSONSchema.StringRules(maxLength: KeyScope.maximumLength, pattern: #"^[^\x00*]*\*?$"#))),
        minItems: 1, maxItems: KeyScope.maximumPatterns))
    static let namespacesDescription = "Namespace patterns: a namespace (`payments`), a prefix ending in `*` (`team-*`; `*` "
        + "alone: every named namespace), or null for the global scope (models without a namespace). null: every namespace."

    static let apiKeys: [(name: String, schema: JSONSchema)] = [
        (permission, .enumeration(Permission.allCases.map(\.rawValue))),
        (apiKeyCreate, .object([
            .init("name", .text(minLength: 3, maxLength: 255), description: "Unique"),
            .init("permission", .component(permission), required: false, default: "read"),
            .init("description", .nullable(.text(maxLength: 1000)), required: false, default: .null),
            .init("expires_in_days", .nullable(.integer(minimum: 1, maximum: 3650)), required: false,
                  description: "null: never expires", default: .null),
            .init("namespaces", namespacePatterns, required: false,
                  description: namespacesDescription + " Absent: every namespace. Read and changed at `/api-keys/{key_id}/scope`.",
                  default: .null),
        ])),
        (apiKeyScope, .object([.init("namespaces", namespacePatterns, description: namespacesDescription)])),
        (apiKeyRevoke, .object([
            .init("revoked_by", .text(minLength: 1, maxLength: 255)),
            .init("reason", .nullable(.text(maxLength: 500)), required: false, description: "Appended to the key's description",
                  default: .null),
        ])),
        (apiKeyRotate, .object([
            .init("grace_period_hours", .nullable(.integer(minimum: 0, maximum: 168)), required: false,
                  description: "How long the old key keeps working; 0 revokes it at once", default: 24),
            .init("reason", .nullable(.text(maxLength: 500)), required: false, default: .null),
        ])),
        (apiKeyResponse, .object(recordFields)),
        (apiKeyCreateResponse, .object(recordFields + [
            .init("api_key", .string(), description: "The key itself: shown this once, never stored"),
        ])),
        (apiKeyList, .object([
            .init("keys", .array(.component(apiKeyResponse)), description: "Newest first"),
            .init("total", count),
        ])),
        (apiKeyStats, .object([
            .init("total_keys", count),
            .init("active_keys", count),
            .init("revoked_keys", count),
            .init("expired_keys", count, description: "Expired and not revoked"),
            .init("by_permission", .object(Permission.allCases.map { .init($0.rawValue, count) }),
                  description: "All keys, revoked included"),
        ])),
        (apiKeyRotateResponse, .object([
            .init("old_key", .component(apiKeyResponse)),
            .init("new_key", .component(apiKeyCreateResponse)),
            .init("grace_period_ends_at", .nullable(.dateTime), description: "null when the old key was revoked at once"),
            .init("message", .string()),
        ])),
    ]

    static let audit: [(name: String, schema: JSONSchema)] = [
        (auditLogEntry, .object([
            .init("id", .integer()),
            .init("timestamp", .nullable(.dateTime)),
            .init("api_key_id", .nullable(.integer())),
            .init("api_key_name", .nullable(.string())),
            .init("permission_level", .nullable(.string())),
            .init("action", .nullable(.string()), description: "e.g. `post_schema`, `delete_key`"),
            .init("resource_type", .nullable(.string())),
            .init("resource_id", .nullable(.string())),
            .init("method", .nullable(.string())),
            .init("path", .nullable(.string())),
            .init("status_code", .nullable(.integer())),
            .init("client_ip", .nullable(.string())),
            .init("user_agent", .nullable(.string())),
            .init("correlation_id", .nullable(.string())),
            .init("duration_ms", .nullable(.number)),
        ])),
        (auditLogList, .object([
            .init("logs", .array(.component(auditLogEntry)), description: "Newest first"),
            .init("total", count, description: "Matching rows"),
            .init("limit", .integer()),
            .init("offset", .integer()),
        ])),
    ]
}
