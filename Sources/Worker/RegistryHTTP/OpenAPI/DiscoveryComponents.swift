/// The bodies of the discovery endpoints (issue 16).
extension Components {
    static let canonicalForms = "CanonicalForms"
    static let schemaLookup = "SchemaLookup"
    static let schemaLookupMatches = "SchemaLookupMatches"
    static let searchResults = "SearchResults"

    private static let hex64 = JSONSchema.string(.init(pattern: "^[0-9a-f]{64}$"))

    static let discoveryBodies: [(name: String, schema: JSONSchema)] = [
        (canonicalForms, .object([
            .init("json_schema", .object([
                .init("canonical", .string(), description: "RFC 8785 (JSON Canonicalization Scheme) text of the stored JSON Schema"),
                .init("sha256", hex64, description: "SHA-256 of the canonical text, hex"),
            ])),
            .init("avro_schema", .nullable(.object([
                .init("canonical", .string(), description: "The Avro specification's Parsing Canonical Form"),
                .init("sha256", hex64, description: "SHA-256 of the canonical form, hex"),
                .init("rabin", .string(.init(pattern: "^[0-9a-f]{16}$")),
                      description: "CRC-64-AVRO of the canonical form: its 8 bytes little-endian (single-object encoding order), hex"),
            ])), description: "null when the version has no Avro schema"),
        ])),
        (schemaLookup, .object([
            .init("json_schema", .nullable(.anyObject), required: false,
                  description: "Matched by its RFC 8785 form: key order, whitespace and number spelling do not matter"),
            .init("avro_schema", .nullable(.anyObject), required: false,
                  description: "Matched by its Parsing Canonical Form. At least one of the two; with both, both must match"),
            .init("namespace", .nullable(.text(maxLength: 255)), required: false,
                  description: "Absent or null: every namespace; empty or `null`: global models only"),
            .init("model_name", .nullable(.text(maxLength: 255)), required: false, description: "Exact model name"),
        ])),
        (schemaLookupMatches, .object([
            .init("matches", .array(.object([
                .init("namespace", .nullable(.string())),
                .init("model_name", .string()),
                .init("version", .string()),
                .init("deprecated", .boolean),
            ])), description: "Global models first, then by namespace, model name and version"),
        ])),
        (searchResults, .object([
            .init("total", .integer(minimum: 0), description: "Results in all, beyond this page"),
            .init("results", .array(.object([
                .init("namespace", .nullable(.string())),
                .init("model_name", .string()),
                .init("version", .string()),
                .init("kind", .enumeration(["model", "field", "text"])),
                .init("matched", .string(), description: "The name found, or the text's words that matched"),
                .init("path", .nullable(.string()),
                      description: "JSON Pointer into `source` (a field, or the text's `title`, `description` or `doc`); "
                          + "null for the model name and the deprecation message"),
                .init("source", .enumeration(["model_name", "json_schema", "avro_schema", "deprecation_message"])),
                .init("score", .integer(minimum: 1, maximum: 3),
                      description: "3 exact, 2 prefix, 1 substring: the weakest of the query's words"),
            ]))),
        ])),
    ]
}
