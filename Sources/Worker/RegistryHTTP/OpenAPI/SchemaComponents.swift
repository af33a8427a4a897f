import RegistryDomain
import RegistryJSON
import RegistrySchemas

/// Bodies of the schema endpoints (contract §6): `SchemaCreate` as `SchemaCreateBody` checks it,
/// the rest as `SchemaRecord`, `SchemaComparison`, `AvroComparison` and the listing write them.
extension Components {
    static let schemaCreate = "SchemaCreate"
    static let schemaResponse = "SchemaResponse"
    static let versionList = "VersionList"
    static let schemaComparison = "SchemaComparison"
    static let schemaChanges = "SchemaChanges"
    static let propertyChange = "PropertyChange"
    static let breakingChange = "BreakingChange"
    static let avroChanges = "AvroChanges"
    static let avroFieldChange = "AvroFieldChange"
    static let deletedSchema = "DeletedSchema"
    static let modelNamespaces = "ModelNamespaces"
    static let schemaListItem = "SchemaListItem"
    static let schemaList = "SchemaList"

    /// `SchemaVersion.pattern` with ASCII digits: the check that answers 422 accepts no other
    /// digits, while `\d` would let generators and validators of the document use any Unicode digit.
    private static let versionPattern = #"^[0-9]+\.[0-9]+\.[0-9]+(-[a-zA-Z0-9.-]+)?$"#
    private static let compatibility = JSONSchema.enumeration(["breaking", "backward_compatible", "identical"])
    private static let names = JSONSchema.array(.string())

    static let schemas: [(name: String, schema: JSONSchema)] = [
        (schemaCreate, .object([
            .init("version", .string(.init(pattern: versionPattern)),
                  description: "`major.minor.patch`; a pre-release suffix passes the pattern but is refused with 400"),
            .init("json_schema", .anyObject, description: "A JSON Schema; must be valid against the Draft 2020-12 meta-schema"),
            .init("avro_schema", .nullable(.anyObject), required: false,
                  description: "An Avro record schema (`type`, `name`, non-empty `fields`)", default: .null),
            .init("registered_at", .nullable(.dateTime), required: false, description: "ISO 8601; defaults to now (UTC)",
                  default: .null),
            .init("registered_by", .text(minLength: 1, maxLength: 255)),
            .init("meta", .anyObject, required: false, default: .object(JSONObject())),
        ])),
        (schemaResponse, .object([
            .init("id", .integer()),
            .init("namespace", .nullable(.string()), description: "null for a global schema"),
            .init("model_name", .string()),
            .init("version", .string()),
            .init("json_schema", .anyObject),
            .init("avro_schema", .nullable(.anyObject)),
            .init("registered_at", .dateTime),
            .init("registered_by", .string()),
            .init("meta", .anyObject),
            .init("deprecated", .boolean),
            .init("deprecated_at", .nullable(.dateTime)),
            .init("deprecation_message", .nullable(.string())),
        ])),
        (versionList, .object([.init("versions", names, description: "Ascending by (major, minor, patch)")])),
        (schemaComparison, .object([
            .init("namespace", .nullable(.string())),
            .init("model_name", .string()),
            .init("from_version", .string()),
            .init("to_version", .string()),
            .init("changes", .component(schemaChanges)),
        ])),
        (schemaChanges, .object([
            .init("properties_added", names),
            .init("properties_removed", names),
            .init("properties_modified", .array(.component(propertyChange))),
            .init("required_added", names),
            .init("required_removed", names),
            .init("breaking_changes", .array(.component(breakingChange))),
            .init("compatibility", compatibility, description: "Decided by the JSON Schemas alone"),
            .init("avro_changes", .component(avroChanges), required: false,
                  description: "Present when both versions carry an Avro record schema"),
        ])),
        (propertyChange, .object([.init("property", .string()), .init("from", .any), .init("to", .any)])),
        (breakingChange, .object([
            .init("type", .string(), description: "e.g. `properties_removed`, `type_changed`, `required_fields_added`, "
                  + "`fields_removed`, `field_type_changed`, `fields_added_without_default`"),
            .init("details", names, required: false),
            .init("property", .string(), required: false),
            .init("field", .string(), required: false),
            .init("from", .any, required: false),
            .init("to", .any, required: false),
            .init("description", .string()),
        ])),
        (avroChanges, .object([
            .init("fields_added", names),
            .init("fields_removed", names),
            .init("fields_type_changed", .array(.component(avroFieldChange))),
            .init("breaking_changes", .array(.component(breakingChange))),
            .init("compatibility", compatibility),
        ])),
        (avroFieldChange, .object([.init("field", .string()), .init("from", .any), .init("to", .any)])),
        (deletedSchema, .object([
            .init("deleted", .boolean),
            .init("namespace", .nullable(.string()), description: "As given in the request"),
            .init("model_name", .string()),
            .init("version", .string()),
        ])),
        (modelNamespaces, .object([
            .init("namespaces", .map(names), description: "Namespace → its versions; global rows under `\"null\"`"),
        ])),
        (schemaListItem, .object([
            .init("namespace", .nullable(.string())),
            .init("model_name", .string()),
            .init("versions", names),
            .init("latest_version", .string()),
            .init("registered_by", names),
            .init("deprecated_versions", names, description: "Empty unless `include_deprecated=true`"),
        ])),
        (schemaList, .object([
            .init("schemas", .array(.component(schemaListItem))),
            .init("total", .integer(minimum: 0), description: "Models on this page"),
            .init("limit", .integer()),
            .init("offset", .integer()),
            .init("total_count", .integer(minimum: 0), description: "Matching models"),
        ])),
    ]
}
