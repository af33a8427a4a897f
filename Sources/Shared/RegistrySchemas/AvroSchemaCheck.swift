// Structural check of a registered Avro schema (API.md §7.7), same checks, order and reasons as
// the reference's `_validate_avro_schema`. The caller prefixes the reason with
// "Invalid Avro schema: " and answers 422. No deeper Avro validation is done.

import RegistryJSON

public enum AvroSchemaCheck {
    /// nil when `avro` passes the structural checks, else the reason text, the first that fails of:
    /// 0. not an object                → "Avro schema must be a dictionary"
    ///    (the request body model rejects non-objects before this check is reached)
    /// 1. `type` is not "record"       → "Avro schema must be of type 'record', got '<str(type)>'"
    ///    (missing or null → 'None'; other values rendered with Python's str(), e.g.
    ///    got '['null', 'string']', got '1', got 'True')
    /// 2. no `name` member             → "Avro schema must have a 'name' field"
    /// 3. no `fields` member           → "Avro schema must have a 'fields' array"
    /// 4. `fields` is not an array     → "Avro schema 'fields' must be an array"
    /// 5. `fields` is empty            → "Avro schema 'fields' array cannot be empty"
    /// then for each field i in order:
    /// 6. not an object                → "Field at index <i> must be a dictionary"
    /// 7. no `name` member             → "Field at index <i> is missing 'name'"
    /// 8. no `type` member             → "Field at index <i> is missing 'type'"
    /// Member presence is what counts (a `null` value is present), as in the reference.
    public static func firstProblem(_ avro: JSONValue) -> String? {
        guard case .object(let schema) = avro else { return "Avro schema must be a dictionary" }

        let type = schema["type"]
        if !isString(type, "record") {
            return "Avro schema must be of type 'record', got '\(PyRepr.str(type))'"
        }
        if !schema.contains(key: "name") { return "Avro schema must have a 'name' field" }
        guard let fieldsValue = schema["fields"] else { return "Avro schema must have a 'fields' array" }
        guard case .array(let fields) = fieldsValue else { return "Avro schema 'fields' must be an array" }
        if fields.isEmpty { return "Avro schema 'fields' array cannot be empty" }

        for (i, item) in fields.enumerated() {
            guard case .object(let field) = item else { return "Field at index \(i) must be a dictionary" }
            if !field.contains(key: "name") { return "Field at index \(i) is missing 'name'" }
            if !field.contains(key: "type") { return "Field at index \(i) is missing 'type'" }
        }
        return nil
    }

    private static func isString(_ value: JSONValue?, _ expected: String) -> Bool {
        guard case .string(let s)? = value else { return false }
        return s.utf8.elementsEqual(expected.utf8)
    }
}
