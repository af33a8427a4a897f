import RegistryJSON

/// One difference between an existing version's schema (old) and a new one, found by a
/// compatibility engine, with what it breaks:
/// - backward: data written with the old schema must be readable with the new one (JSON Schema:
///   every document valid under the old schema is valid under the new one);
/// - forward: data written with the new schema must be readable with the old one.
/// A change that breaks neither is still reported (an added optional field, a new description).
public struct SchemaChange: Equatable, Sendable {
    /// A stable code such as `TYPE_NARROWED`, `PROPERTY_ADDED`, `FIELD_REMOVED_WITHOUT_DEFAULT`.
    public let code: String
    /// JSON Schema: a JSON Pointer into the new schema (`#/properties/age`); Avro: the field path
    /// (`#/fields/age`, `#/fields/address/fields/city`). Where the thing exists only in the old
    /// schema, the place it had there.
    public let path: String
    /// A sentence for people: "Property 'age' type narrowed from number to integer".
    public let description: String
    public let breaksBackward: Bool
    public let breaksForward: Bool

    public init(code: String, path: String, description: String, breaksBackward: Bool, breaksForward: Bool) {
        self.code = code
        self.path = path
        self.description = description
        self.breaksBackward = breaksBackward
        self.breaksForward = breaksForward
    }
}
