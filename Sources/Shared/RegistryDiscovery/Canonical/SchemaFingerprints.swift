import RegistryJSON

/// A stored version's canonical forms and their fingerprints (issue 16): what
/// `…/versions/{version}/canonical` shows and what lookup by content compares.
public struct SchemaFingerprints: Sendable, Equatable {
    public struct JSONSchemaForm: Sendable, Equatable {
        public let canonical: String
        public let sha256: String
    }

    public struct AvroForm: Sendable, Equatable {
        public let canonical: String
        public let sha256: String
        /// CRC-64-AVRO, 16 hex digits, little-endian.
        public let rabin: String
    }

    public let jsonSchema: JSONSchemaForm
    public let avroSchema: AvroForm?

    public init(jsonSchema: JSONValue, avroSchema: JSONValue?) {
        self.jsonSchema = Self.jsonForm(jsonSchema)
        self.avroSchema = avroSchema.map(Self.avroForm)
    }

    public static func jsonForm(_ schema: JSONValue) -> JSONSchemaForm {
        let canonical = JSONCanonicalization.canonical(schema)
        return JSONSchemaForm(canonical: canonical, sha256: Hex.sha256(canonical))
    }

    public static func avroForm(_ schema: JSONValue) -> AvroForm {
        let canonical = AvroCanonicalForm.canonical(schema)
        return AvroForm(canonical: canonical, sha256: Hex.sha256(canonical),
                        rabin: RabinFingerprint.littleEndianHex(RabinFingerprint.fingerprint(canonical.utf8)))
    }

    /// The answer of the canonical route.
    public var json: JSONValue {
        [
            "json_schema": ["canonical": .string(jsonSchema.canonical), "sha256": .string(jsonSchema.sha256)],
            "avro_schema": avroSchema.map { avro -> JSONValue in
                ["canonical": .string(avro.canonical), "sha256": .string(avro.sha256), "rabin": .string(avro.rabin)]
            } ?? .null,
        ]
    }
}
