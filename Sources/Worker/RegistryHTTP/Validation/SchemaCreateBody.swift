import RegistryDomain
import RegistryJSON
import RegistrySchemas

/// The SchemaCreate body of contract §6.2, checked field by field like Pydantic would.
enum SchemaCreateBody {
    static func read(_ request: Request) throws -> SchemaSubmission {
        let body = try JSONBody.object(request)
        var issues = ValidationCollector()

        let version = requiredString(body, "version", &issues) ?? ""
        if let value = body["version"]?.stringValue, !SchemaVersion.matchesPattern(value) {
            issues.add("string_pattern_mismatch", ["body", "version"], "String should match pattern '\(SchemaVersion.pattern)'",
                       input: .string(value), context: JSONObject([("pattern", .string(SchemaVersion.pattern))]))
        }
        let jsonSchema = dictionary(body, "json_schema", &issues, required: true)
        var avroSchema: JSONValue?
        if let avro = body["avro_schema"], !avro.isNull {
            avroSchema = dictionary(body, "avro_schema", &issues, required: false)
        }
        var registeredAt = Timestamp.now()
        if let given = body["registered_at"], !given.isNull {
            if case .string(let text) = given {
                if let parsed = Timestamp(iso: text) { registeredAt = parsed } else {
                    issues.add("datetime_from_date_parsing", ["body", "registered_at"],
                               "Input should be a valid datetime, invalid isoformat string: '\(text)'", input: given)
                }
            } else {
                issues.add("string_type", ["body", "registered_at"], "Input should be a valid string", input: given)
            }
        }
        let registeredBy = requiredString(body, "registered_by", &issues) ?? ""
        if let value = body["registered_by"]?.stringValue {
            let length = value.unicodeScalars.count
            if length < 1 {
                issues.add("string_too_short", ["body", "registered_by"], "String should have at least 1 character",
                           input: .string(value), context: JSONObject([("min_length", 1)]))
            } else if length > 255 {
                issues.add("string_too_long", ["body", "registered_by"], "String should have at most 255 characters",
                           input: .string(value), context: JSONObject([("max_length", 255)]))
            } else {
                _ = StoredText.refuse(value, at: ["body", "registered_by"], &issues)
            }
        }
        var meta: JSONValue = .object(JSONObject())
        if body["meta"] != nil { meta = dictionary(body, "meta", &issues, required: false) ?? meta }

        try issues.check(body: .object(body))
        return SchemaSubmission(version: version, jsonSchema: jsonSchema ?? .null, avroSchema: avroSchema,
                                registeredAt: registeredAt, registeredBy: registeredBy, meta: meta)
    }

    private static func requiredString(_ body: JSONObject, _ name: String, _ issues: inout ValidationCollector) -> String? {
        guard let value = body[name] else {
            issues.add("missing", ["body", .string(name)], "Field required", input: .null)
            return nil
        }
        guard case .string(let text) = value else {
            issues.add("string_type", ["body", .string(name)], "Input should be a valid string", input: value)
            return nil
        }
        return text
    }

    private static func dictionary(_ body: JSONObject, _ name: String, _ issues: inout ValidationCollector,
                                   required: Bool) -> JSONValue? {
        guard let value = body[name] else {
            if required { issues.add("missing", ["body", .string(name)], "Field required", input: .null) }
            return nil
        }
        guard case .object = value else {
            issues.add("dict_type", ["body", .string(name)], "Input should be a valid dictionary", input: value)
            return nil
        }
        return value
    }
}
