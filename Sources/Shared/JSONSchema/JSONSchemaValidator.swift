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

    let pathElems: [JSPathElem]
    let schemaPathElems: [JSPathElem]
    /// nil for a `false` schema.
    let keyword: String?
    /// python `error._matches_type()`.
    let matchesType: Bool

    init(message: String, pathElems: [JSPathElem], schemaPathElems: [JSPathElem], keyword: String?,
         context: [JSONSchemaValidationError], matchesType: Bool) {
        self.message = message
        self.pathElems = pathElems
        self.schemaPathElems = schemaPathElems
        self.keyword = keyword
        self.context = context
        self.matchesType = matchesType
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

    /// Every meta-schema error, in python's iteration order, with contexts.
    static func metaSchemaErrors(_ schema: JSONValue) -> [JSONSchemaValidationError] {
        JSEvaluator.evaluate(JSMetaValidator.root, schema, mode: .all, checkFormats: true).errors
    }

    /// python `best_match(Draft202012Validator(META_SCHEMA, format_checker=...).iter_errors(schema)).message`,
    /// first line.
    static func metaSchemaBestMatch(_ schema: JSONValue) -> String? {
        JSONSchemaBestMatch.bestMatch(metaSchemaErrors(schema)).map { PyRepr.firstLine($0.message) }
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

    /// The first error python would yield, or nil.
    func firstError(_ instance: JSONValue) -> JSONSchemaValidationError? {
        JSEvaluator.evaluate(root, instance, mode: .first, checkFormats: false).errors.first
    }
}

/// python-jsonschema's `exceptions.relevance` and `best_match`.
enum JSONSchemaBestMatch {
    static let weak: Set<String> = ["anyOf", "oneOf"]

    /// Three-way comparison of python `relevance(a)` and `relevance(b)`:
    /// `(-len(path), path, validator not in weak, validator in strong, not _matches_type())`.
    static func compare(_ a: JSONSchemaValidationError, _ b: JSONSchemaValidationError) -> Int {
        let la = a.pathElems.count, lb = b.pathElems.count
        if la != lb { return la > lb ? -1 : 1 }
        for (x, y) in zip(a.pathElems, b.pathElems) where x != y {
            return JSPathElem.less(x, y) ? -1 : 1
        }
        let wa = !(a.keyword.map { weak.contains($0) } ?? false)
        let wb = !(b.keyword.map { weak.contains($0) } ?? false)
        if wa != wb { return wa ? 1 : -1 }
        let ta = !a.matchesType, tb = !b.matchesType
        if ta != tb { return ta ? 1 : -1 }
        return 0
    }

    /// python `best_match(errors)`.
    static func bestMatch(_ errors: [JSONSchemaValidationError]) -> JSONSchemaValidationError? {
        guard var best = errors.first else { return nil }
        for e in errors.dropFirst() where compare(e, best) > 0 { best = e }
        while !best.context.isEmpty {
            // heapq.nsmallest(2, context, key): stop when the two smallest tie.
            var smallest = best.context[0]
            var ties = 1
            for e in best.context.dropFirst() {
                let c = compare(e, smallest)
                if c < 0 { smallest = e; ties = 1 } else if c == 0 { ties += 1 }
            }
            if ties >= 2 { return best }
            best = smallest
        }
        return best
    }
}
