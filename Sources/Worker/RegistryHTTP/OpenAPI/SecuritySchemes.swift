import RegistryJSON

/// The two ways to present a key (contract §2.2): `X-API-Key`, or `Authorization: Bearer`.
/// Either one satisfies an operation; `X-API-Key` wins when both are sent.
enum SecuritySchemes {
    static let apiKeyHeader = "APIKeyHeader"
    static let bearer = "HTTPBearer"

    static let components: JSONValue = [
        apiKeyHeader: ["type": "apiKey", "in": "header", "name": "X-API-Key"],
        bearer: ["type": "http", "scheme": "bearer", "description": "The same key as `Authorization: Bearer <key>`"],
    ]

    /// An operation's `security`: either scheme alone.
    static let requirement: JSONValue = [[apiKeyHeader: []], [bearer: []]]
}
