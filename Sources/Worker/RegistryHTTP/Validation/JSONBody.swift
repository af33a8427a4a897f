import RegistryJSON

/// Reads a JSON object body; an absent, malformed or non-object body is a 422 (the reference
/// answered 500), in FastAPI's shape.
enum JSONBody {
    static func object(_ request: Request) throws -> JSONObject {
        guard var buffer = request.body, buffer.readableBytes > 0 else {
            throw ValidationFailure(issues: [ValidationIssue(type: "missing", location: ["body"], message: "Field required", input: .null)])
        }
        let bytes = buffer.readBytes(length: buffer.readableBytes) ?? []
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch let error as JSONParseError {
            throw ValidationFailure(issues: [ValidationIssue(
                type: "json_invalid", location: ["body", .int(error.offset)], message: "JSON decode error",
                input: .object(JSONObject()), context: JSONObject([("error", .string(error.reason))]))])
        }
        guard case .object(let object) = value else {
            throw ValidationFailure(issues: [ValidationIssue(
                type: "model_attributes_type", location: ["body"],
                message: "Input should be a valid dictionary or object to extract fields from", input: value)])
        }
        return object
    }
}
