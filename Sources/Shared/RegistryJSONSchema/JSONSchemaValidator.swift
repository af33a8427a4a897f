// JSON Schema Draft 2020-12 validation with python-jsonschema (4.2x) compatible results.
//
// `JSONSchemaCheck.metaSchemaError` reproduces `Draft202012Validator.check_schema(schema)`: the
// schema is validated against the official 2020-12 meta-schema (with python's default format
// checker, i.e. `format: "regex"` is checked with python `re` syntax; `uri` / `uri-reference` are
// not, as their optional python dependencies are absent) and the message of the error
// `check_schema` raises (the first one `iter_errors` yields) is returned.
//
// `JSONSchemaValidator` validates instances like `Draft202012Validator(schema).iter_errors` (no
// format assertion, like python's default).

import RegistryJSON

/// One validation error, shaped like python-jsonschema's `ValidationError`.
public struct JSONSchemaValidationError: Sendable, CustomStringConvertible {
    /// python `error.message`.
    public let message: String
    /// python `error.path` (relative to the parent error for `context` entries); indexes as decimal strings.
    public let path: [String]
    /// python `error.schema_path` (relative to the parent error for `context` entries).
    public let schemaPath: [String]
    /// The failing keyword (python `error.validator`); "" for a `false` schema (python `None`).
    public let validator: String
    /// For `anyOf` / `oneOf`: the errors of every subschema (python `error.context`).
    public let context: [JSONSchemaValidationError]

    init(message: String, pathElems: [JSPathElem], schemaPathElems: [JSPathElem], keyword: String?,
         context: [JSONSchemaValidationError]) {
        self.message = message
        self.context = context
        path = pathElems.map { $0.string }
        schemaPath = schemaPathElems.map { $0.string }
        validator = keyword ?? ""
    }

    public var description: String { message }
}

public enum JSONSchemaCheck {
    /// nil when `schema` is a valid Draft 2020-12 schema; otherwise the first line of the message of
    /// the `SchemaError` python-jsonschema's `Draft202012Validator.check_schema(schema)` raises.
    ///
    /// Note: python-jsonschema 4.x's `check_schema` raises the *first* error `iter_errors` yields
    /// (not `best_match`); this does the same. Where python iterates a `set` (several invalid
    /// subschemas under `properties`, `$defs`, ...), python's order depends on the string-hash
    /// seed; here it is the schema's key order.
    public static func metaSchemaError(_ schema: JSONValue) -> String? {
        let (failed, errors) = JSEvaluator.evaluate(JSMetaValidator.root, schema, mode: .first, checkFormats: true)
        guard failed, let e = errors.first else { return nil }
        return PyRepr.firstLine(e.message)
    }
}

/// The compiled Draft 2020-12 meta-schema, built once per process (thread-safe lazy static).
enum JSMetaValidator {
    static let root: JSNode = {
        do {
            return try JSCompiler().compileMeta()
        } catch {
            fatalError("embedded Draft 2020-12 meta-schema failed to compile: \(error)")
        }
    }()
}

public enum JSONSchemaValidatorError: Error, CustomStringConvertible, Equatable {
    /// The schema is not a valid Draft 2020-12 schema (python-jsonschema's `check_schema` message).
    case invalidSchema(String)
    /// A `$ref` / `$dynamicRef` that cannot be resolved without network access.
    case unresolvableReference(String)
    /// A `pattern` / `patternProperties` regex that the ICU engine cannot run like python `re`.
    case unsupportedPattern(String, String)

    public var description: String {
        switch self {
        case .invalidSchema(let m): return "Invalid JSON Schema: \(m)"
        case .unresolvableReference(let r): return "Unresolvable JSON reference: \(PyRepr.repr(r))"
        case .unsupportedPattern(let p, let why): return "Unsupported pattern \(PyRepr.repr(p)): \(why)"
        }
    }
}

/// Validates instances against a Draft 2020-12 schema.
public struct JSONSchemaValidator: @unchecked Sendable {
    private let root: JSNode

    /// Throws `JSONSchemaValidatorError.invalidSchema` when the schema fails the meta-schema,
    /// `.unresolvableReference` for references outside the schema (and the 2020-12 meta-schemas),
    /// `.unsupportedPattern` for regexes ICU cannot run (e.g. python conditional groups).
    public init(schema: JSONValue) throws {
        if let message = JSONSchemaCheck.metaSchemaError(schema) {
            throw JSONSchemaValidatorError.invalidSchema(message)
        }
        root = try JSCompiler().compileRoot(schema, preloadMeta: false)
    }

    /// All errors, in python-jsonschema's iteration order (sets iterated in instance order).
    public func errors(_ instance: JSONValue) -> [JSONSchemaValidationError] {
        JSEvaluator.evaluate(root, instance, mode: .all, checkFormats: false).errors
    }

    public func isValid(_ instance: JSONValue) -> Bool {
        !JSEvaluator.evaluate(root, instance, mode: .validity, checkFormats: false).failed
    }
}
