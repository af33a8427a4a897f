/// Bodies of `/` and the health probes (contract §5).
extension Components {
    static let rootInfo = "RootInfo"
    static let healthStatus = "HealthStatus"
    static let healthFailure = "HealthFailure"
    static let liveness = "Liveness"
    static let readiness = "Readiness"

    static let root: [(name: String, schema: JSONSchema)] = [
        (rootInfo, .object([
            .init("name", .string(), description: "`APP_NAME`"),
            .init("version", .string(), description: "`APP_VERSION`"),
            .init("environment", .enumeration(["development", "production", "test"])),
            .init("documentation", .object([
                .init("swagger", .nullable(.string()), description: "Swagger UI; null in production"),
                .init("redoc", .nullable(.string()), description: "ReDoc; null in production"),
                .init("openapi", .string()),
            ])),
            .init("endpoints", .object([.init("health", .string()), .init("schemas", .string())])),
            .init("repository", .string()),
        ])),
        (healthStatus, .object([
            .init("status", .enumeration(["healthy"])),
            .init("version", .string()),
            .init("environment", .enumeration(["development", "production", "test"])),
            .init("database", .object([
                .init("type", .string(), description: "The database URL's scheme, e.g. `sqlite`, `postgresql`"),
                .init("connected", .boolean),
            ])),
            .init("schemas_count", .integer(minimum: 0), description: "Stored schema versions, all namespaces"),
            .init("uptime_seconds", .number, description: "Since the server started"),
            .init("timestamp", .dateTime),
            .init("healthy", .boolean, description: "True exactly when `status` is `healthy` (read by the Python client's plugin)"),
        ])),
        (healthFailure, .object([
            .init("status", .enumeration(["unhealthy"])),
            .init("error", .string()),
            .init("timestamp", .dateTime),
            .init("healthy", .boolean, description: "Always false here"),
        ])),
        (liveness, .object([.init("alive", .boolean)])),
        (readiness, .object([.init("ready", .boolean)])),
    ]
}
