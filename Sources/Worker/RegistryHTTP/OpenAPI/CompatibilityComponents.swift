import RegistryRuntime

/// The bodies of the compatibility endpoints (issue 14).
extension Components {
    static let compatibilityConfig = "CompatibilityConfig"
    static let compatibilityConfigUpdate = "CompatibilityConfigUpdate"
    static let compatibilityCheck = "CompatibilityCheck"
    static let compatibilityMessage = "CompatibilityMessage"
    static let incompatibleSchema = "IncompatibleSchema"

    private static let level = JSONSchema.enumeration(CompatibilityLevel.allCases.map(\.rawValue))
    private static let messages = JSONSchema.array(.component(compatibilityMessage))

    static let compatibilityBodies: [(name: String, schema: JSONSchema)] = [
        (compatibilityConfig, .object([
            .init("compatibility", level, description: "The level in force at this scope"),
            .init("source", .enumeration(["model", "namespace", "server"]), description: "The scope that sets it"),
        ])),
        (compatibilityConfigUpdate, .object([.init("compatibility", level)])),
        (compatibilityCheck, .object([
            .init("compatible", .boolean, description: "No message is breaking"),
            .init("level", level, description: "The level checked: `?level=` or the one in force"),
            .init("checked_against", .array(.string()), description: "The versions compared with, ascending"),
            .init("messages", messages, description: "Every change found, breaking or not"),
        ])),
        (compatibilityMessage, .object([
            .init("version", .string(), description: "The existing version compared with"),
            .init("schema", .enumeration(["json", "avro"])),
            .init("direction", .enumeration(["backward", "forward", "both"]),
                  description: "Breaking: the direction(s) it breaks; otherwise the direction(s) checked"),
            .init("path", .string(), description: "JSON Pointer into the new schema, or the Avro field path"),
            .init("change", .string(), description: "A stable code, e.g. `TYPE_NARROWED`, `FIELD_ADDED_WITHOUT_DEFAULT`"),
            .init("breaking", .boolean),
            .init("description", .string()),
        ])),
        (incompatibleSchema, .object([
            .init("detail", .string(), description: "The level, the version and the first break"),
            .init("messages", messages),
        ])),
    ]
}
