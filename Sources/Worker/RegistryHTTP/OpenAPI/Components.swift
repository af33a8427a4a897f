/// `components.schemas`: the named shapes of bodies, as the handlers and services write them
/// (field names, order, nullability). Names follow the reference's Pydantic models where it had one.
enum Components {
    static var all: [(name: String, schema: JSONSchema)] {
        errors + root + schemas + compatibilityBodies + discoveryBodies + apiKeys + events + webhooks + audit
    }

    static let errorDetail = "ErrorDetail"
    static let validationError = "ValidationError"
    static let httpValidationError = "HTTPValidationError"

    static let errors: [(name: String, schema: JSONSchema)] = [
        (errorDetail, .object([.init("detail", .string(), description: "What went wrong")])),
        (validationError, .object([
            .init("type", .string(), description: "Pydantic error type, e.g. `missing`, `string_too_long`, `int_parsing`"),
            .init("loc", .array(.anyOf([.string(), .integer()])),
                  description: "Where: `body`, `query` or `path`, then the field name"),
            .init("msg", .string()),
            .init("input", .any, description: "The offending value (null when missing)"),
            .init("ctx", .anyObject, required: false, description: "The rule's parameters, e.g. `max_length`"),
        ])),
        (httpValidationError, .object([
            .init("detail", .array(.component(validationError))),
            .init("body", .nullable(.anyObject), description: "The request's JSON object, or null"),
        ])),
    ]
}
