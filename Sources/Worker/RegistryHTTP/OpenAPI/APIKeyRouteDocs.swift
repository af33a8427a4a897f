
/// Documentation of `/api-keys*` and `/audit-logs` (contract §8; the audit log is an addition).
/// With authentication off every one of them answers 400 after validating its input, so their
/// other refusals are documented only for authentication on.
extension RouteDoc {
    private static let hashingNote = "The new key is hashed with bcrypt (about a quarter second of CPU). A worker queues at "
        + "most \(HashingLane.capacity) creations and rotations; beyond that it answers 503 with `Retry-After` at once."

    static let createAPIKey = RouteDoc(
        operationID: "create_api_key", summary: "Create a key", description: hashingNote, tag: .apiKeys,
        body: .component(Components.apiKeyCreate),
        success: .json(201, "The key, with its plaintext (shown this once)", .component(Components.apiKeyCreateResponse),
                       links: ["GetKey": "get_api_key", "RevokeKey": "revoke_api_key", "RotateKey": "rotate_api_key",
                               "DeleteKey": "delete_api_key"].sorted { $0.key < $1.key }
                           .map { .init(name: $0.key, operationID: $0.value, parameters: [("key_id", "$response.body#/id")]) }),
        errors: [.authenticationDisabled, .detail(409, "A key with this name exists", when: .authenticationOn)])

    static let listAPIKeys = RouteDoc(
        operationID: "list_api_keys", summary: "List keys", tag: .apiKeys,
        query: [
            Parameter("include_revoked", .boolean, default: false),
            Parameter("permission", .component(Components.permission), description: "Only keys with this permission"),
        ],
        success: .json(200, "Keys, newest first", .component(Components.apiKeyList)),
        errors: [.authenticationDisabled])

    static let apiKeyStats = RouteDoc(operationID: "get_api_key_stats", summary: "Key statistics", tag: .apiKeys,
                                      success: .json(200, "Counts", .component(Components.apiKeyStats)),
                                      errors: [.authenticationDisabled])

    static let getAPIKey = RouteDoc(
        operationID: "get_api_key", summary: "Get a key", tag: .apiKeys, pathParameters: [keyID],
        success: .json(200, "The key (without its plaintext)", .component(Components.apiKeyResponse)),
        errors: [.authenticationDisabled, keyNotFound])

    static let revokeAPIKey = RouteDoc(
        operationID: "revoke_api_key", summary: "Revoke a key", description: "Irreversible; the key stops working at once.",
        tag: .apiKeys, pathParameters: [keyID], body: .component(Components.apiKeyRevoke),
        success: .json(200, "The revoked key", .component(Components.apiKeyResponse)),
        errors: [.authenticationDisabled, keyNotFound, .detail(400, "The key is already revoked", when: .authenticationOn)])

    static let deleteAPIKey = RouteDoc(
        operationID: "delete_api_key", summary: "Delete a key", tag: .apiKeys, pathParameters: [keyID],
        success: ResponseDoc(status: 204, description: "Deleted (no body)"),
        errors: [.authenticationDisabled, keyNotFound])

    static let rotateAPIKey = RouteDoc(
        operationID: "rotate_api_key", summary: "Rotate a key",
        description: "Creates a successor with the same permission, expiry and namespace scope; the old key keeps working for the grace "
            + "period. Send `{}` for the defaults. " + hashingNote,
        tag: .apiKeys, pathParameters: [keyID], body: .component(Components.apiKeyRotate),
        success: .json(200, "The old key, the new key (with its plaintext) and the grace period's end",
                       .component(Components.apiKeyRotateResponse)),
        errors: [.authenticationDisabled, keyNotFound,
                 .detail(400, "The key is revoked or expired", when: .authenticationOn)])

    static let getAPIKeyScope = RouteDoc(
        operationID: "get_api_key_scope", summary: "Get a key's namespace scope",
        description: "`namespaces`: the key's patterns, or null when the key may use every namespace.",
        tag: .apiKeys, pathParameters: [keyID],
        success: .json(200, "The scope", .component(Components.apiKeyScope)),
        errors: [.authenticationDisabled, keyNotFound])

    static let putAPIKeyScope = RouteDoc(
        operationID: "put_api_key_scope", summary: "Set a key's namespace scope",
        description: "Replaces the key's scope (null: every namespace). Every worker uses the new scope from its next "
            + "request. Audited, and recorded as a `key.scope_changed` event.",
        tag: .apiKeys, pathParameters: [keyID], body: .component(Components.apiKeyScope),
        success: .json(200, "The scope now in force", .component(Components.apiKeyScope)),
        errors: [.authenticationDisabled, keyNotFound])

    static let listAuditLogs = RouteDoc(
        operationID: "list_audit_logs", summary: "Read the audit trail", tag: .audit,
        query: [
            Parameter("api_key_id", .integer()),
            Parameter("path_prefix", .text()),
            Parameter("status_code", .integer()),
            Parameter("since", .dateTime, description: "ISO 8601, inclusive"),
            Parameter("until", .dateTime, description: "ISO 8601, inclusive"),
            Parameter("limit", .integer(minimum: 1, maximum: 1000), default: 100),
            Parameter("offset", .integer(minimum: 0), default: 0),
        ],
        success: .json(200, "Rows, newest first", .component(Components.auditLogList)),
        errors: [.authenticationDisabled])

    // MARK: -

    private static let keyID = Parameter("key_id", .integer())
    private static let keyNotFound = ResponseDoc.detail(404, "No key with this id", when: .authenticationOn)
}
