import RegistryJSON

/// The seven JSON Schema type names, with python-jsonschema's draft 2020-12 type checker.
enum JSType: UInt8 {
    case array, boolean, integer, null, number, object, string

    init?(name: String) {
        switch name {
        case "array": self = .array
        case "boolean": self = .boolean
        case "integer": self = .integer
        case "null": self = .null
        case "number": self = .number
        case "object": self = .object
        case "string": self = .string
        default: return nil
        }
    }

    func matches(_ v: JSONValue) -> Bool {
        switch (self, v) {
        case (.array, .array), (.boolean, .bool), (.null, .null), (.number, .number),
             (.object, .object), (.string, .string):
            return true
        case (.integer, .number(let s)):
            return PyNumber(literal: s).isIntegral
        default:
            return false
        }
    }
}
