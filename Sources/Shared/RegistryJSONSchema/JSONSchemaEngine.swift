// The validation engine: applies compiled keywords in schema order, producing python-jsonschema's
// errors (messages, paths, schema paths, `anyOf` / `oneOf` contexts) in python-jsonschema's
// iteration order (python's `set` iterations — additional / unevaluated properties — follow the
// instance's key order here).
//
// Three modes keep the hot paths cheap:
//   * .validity — stop at the first failure, build nothing (python `is_valid`);
//   * .first    — stop at the first error and build only that message (python `check_schema`);
//   * .all      — every error with paths and full contexts (python `iter_errors`).

import RegistryJSON

enum JSMode {
    case validity, first, all
}

/// The evaluator is a struct with mutating methods so that its stacks are accessed without
/// dynamic exclusivity checks; sub-evaluations (anyOf branches, `is_valid` checks) save and
/// restore the "sink" fields.
struct JSEvaluator {
    private var path: [JSPathElem] = []
    private var schemaPath: [JSPathElem] = []
    // The current sink.
    private var mode: JSMode
    private var failed = false
    private var errors: [JSONSchemaValidationError] = []
    private var pathBase = 0
    private var schemaBase = 0
    private let checkFormats: Bool
    /// Nesting of `eval` calls; bounded so that self-referencing schemas (python: RecursionError)
    /// and pathological nesting cannot exhaust the thread's stack.
    private var depth = 0
    private var overflowed = false
    /// The walk also stops when the thread's stack runs low (`JSStack`): debug builds use several
    /// times more stack per level than release builds (about 1.2 KB per level with -O, where the
    /// depth limit below is reached first: ~3.6 MB, enough for every document `JSONParser` accepts
    /// under the meta-schema; python gives up far earlier).
    private let stackLimit: UInt
    static let maxDepth = 3_000
    static let recursionMessage = "maximum recursion depth exceeded"

    private struct SavedSink {
        let mode: JSMode
        let failed: Bool
        let errors: [JSONSchemaValidationError]
        let pathBase: Int
        let schemaBase: Int
    }

    init(mode: JSMode, checkFormats: Bool) {
        self.mode = mode
        self.checkFormats = checkFormats
        stackLimit = JSStack.limit()
        if mode == .all {
            path.reserveCapacity(16)
            schemaPath.reserveCapacity(64)
        }
    }

    /// Validates `instance` against `root`; returns whether it failed and the top-level errors.
    static func evaluate(_ root: JSNode, _ instance: JSONValue, mode: JSMode,
                         checkFormats: Bool) -> (failed: Bool, errors: [JSONSchemaValidationError]) {
        var ev = JSEvaluator(mode: mode, checkFormats: checkFormats)
        return ev.run(root, instance)
    }

    /// Validates `instance` against the root schema; returns the top-level errors.
    mutating func run(_ root: JSNode, _ instance: JSONValue) -> (failed: Bool, errors: [JSONSchemaValidationError]) {
        eval(root, instance, nil)
        if overflowed && !errors.contains(where: { $0.message == JSEvaluator.recursionMessage }) && mode != .validity {
            // The overflow happened inside a sub-evaluation (e.g. an anyOf branch): report it here.
            errors.append(JSONSchemaValidationError(
                message: JSEvaluator.recursionMessage, pathElems: [], schemaPathElems: [], keyword: nil,
                context: []))
        }
        return (failed || overflowed, errors)
    }

    /// Paths are only tracked when every error is wanted.
    @inline(__always) private var tracking: Bool { mode == .all }
    @inline(__always) private var stop: Bool { (failed && mode != .all) || overflowed }

    @inline(__always) private mutating func pushSchema(_ e: JSPathElem) {
        if tracking { schemaPath.append(e) }
    }
    @inline(__always) private mutating func popSchema() {
        if tracking { schemaPath.removeLast() }
    }
    @inline(__always) private mutating func pushPath(_ e: JSPathElem) {
        if tracking { path.append(e) }
    }
    @inline(__always) private mutating func popPath() {
        if tracking { path.removeLast() }
    }

    private mutating func beginSink(_ m: JSMode) -> SavedSink {
        let saved = SavedSink(mode: mode, failed: failed, errors: errors, pathBase: pathBase, schemaBase: schemaBase)
        // Paths are pushed only while tracking (mode .all); a sub-sink's paths are relative to here.
        mode = m
        failed = false
        errors = []
        pathBase = path.count
        schemaBase = schemaPath.count
        return saved
    }

    private mutating func endSink(_ saved: SavedSink) -> (failed: Bool, errors: [JSONSchemaValidationError]) {
        let result = (failed, errors)
        mode = saved.mode
        failed = saved.failed
        errors = saved.errors
        pathBase = saved.pathBase
        schemaBase = saved.schemaBase
        return result
    }

    // MARK: Errors

    private mutating func fail(_ node: JSNode, _ instance: JSONValue, _ validator: String?,
                               _ message: () -> String, context: [JSONSchemaValidationError] = []) {
        failed = true
        // After a recursion overflow every pending check is unreliable: report only the overflow.
        if overflowed { return }
        if mode == .validity { return }
        let p = tracking ? Array(path[pathBase...]) : []
        let sp = tracking ? Array(schemaPath[schemaBase...]) : []
        errors.append(JSONSchemaValidationError(
            message: message(), pathElems: p, schemaPathElems: sp, keyword: validator,
            context: context))
    }

    // MARK: Sub-evaluations

    /// python `validator.evolve(schema=node).is_valid(instance)`.
    private mutating func isValid(_ node: JSNode, _ instance: JSONValue, _ scope: JSScope?) -> Bool {
        if let b = node.boolValue { return b }
        let saved = beginSink(.validity)
        eval(node, instance, scope)
        return !endSink(saved).failed
    }

    /// Runs `node` into a fresh sink whose paths are relative to the current position.
    private mutating func collect(_ node: JSNode, _ instance: JSONValue, _ scope: JSScope?, mode m: JSMode,
                                  schemaPathElem: JSPathElem?) -> (failed: Bool, errors: [JSONSchemaValidationError]) {
        let saved = beginSink(m)
        if node.boolValue != nil {
            // python `descend` yields the False-schema error before adding its path segments.
            eval(node, instance, scope)
        } else {
            if let e = schemaPathElem { pushSchema(e) }
            eval(node, instance, scope)
            if schemaPathElem != nil { popSchema() }
        }
        return endSink(saved)
    }

    /// python `descend(instance, schema, path=, schema_path=)`.
    @inline(__always)
    private mutating func descend(_ node: JSNode, _ instance: JSONValue, _ scope: JSScope?,
                                  path p: JSPathElem? = nil, schemaPath sp: JSPathElem? = nil) {
        if let b = node.boolValue {
            // python `descend` yields the False-schema error before adding its path segments.
            if !b { eval(node, instance, scope) }
            return
        }
        if let p = p { pushPath(p) }
        if let sp = sp { pushSchema(sp) }
        eval(node, instance, scope)
        if sp != nil { popSchema() }
        if p != nil { popPath() }
    }

    /// Follows a reference: python `Resolver.lookup` (+ dynamic anchor resolution).
    @inline(__always)
    private func follow(_ ref: JSRef, from node: JSNode, _ scope: JSScope?) -> (JSNode, JSScope?) {
        let b = node.base
        var newScope = scope
        if !b.uri.isEmpty && (scope == nil || ref.uriResource !== b) {
            newScope = JSScope.push(b, scope)
        }
        var target: JSNode = ref.target
        if let name = ref.dynamicName {
            var s = newScope
            while let e = s {
                if let n = e.resource.dynamicAnchors[name] { target = n }
                s = e.parent
            }
        }
        return (target, newScope)
    }

    // MARK: Evaluation

    /// Depth accounting for every recursive walk; false (and the overflow recorded) at the limit.
    @inline(__always)
    private mutating func enter(_ node: JSNode, _ instance: JSONValue) -> Bool {
        if depth >= JSEvaluator.maxDepth || overflowed || JSStack.exhausted(stackLimit) {
            if !overflowed {
                fail(node, instance, nil, { JSEvaluator.recursionMessage })
                overflowed = true
            }
            return false
        }
        depth += 1
        return true
    }

    mutating func eval(_ node: JSNode, _ instance: JSONValue, _ scope: JSScope?) {
        guard enter(node, instance) else { return }
        defer { depth -= 1 }
        if let b = node.boolValue {
            if !b {
                fail(node, instance, nil, { "False schema does not allow \(PyRepr.repr(instance))" })
            }
            return
        }
        for kw in node.keywords {
            apply(kw, node, instance, scope)
            if stop { return }
        }
    }

    private mutating func apply(_ kw: JSKeyword, _ node: JSNode, _ instance: JSONValue, _ scope: JSScope?) {
        switch kw.kind {
        case .ref(let ref):
            let (target, newScope) = follow(ref, from: node, scope)
            if kw.name == "$ref" {
                eval(target, instance, newScope)
            } else {
                pushSchema(.key(kw.name))
                eval(target, instance, newScope)
                popSchema()
            }
            return
        case let .ifThenElse(ifNode, thenNode, elseNode):
            if isValid(ifNode, instance, scope) {
                if let t = thenNode { descend(t, instance, scope, schemaPath: .key("then")) }
            } else if let e = elseNode {
                descend(e, instance, scope, schemaPath: .key("else"))
            }
            return
        default:
            break
        }
        pushSchema(.key(kw.name))
        defer { popSchema() }
        let name = kw.name

        switch kw.kind {
        case .ref, .ifThenElse:
            break

        case let .type(types, names):
            for t in types where t.matches(instance) { return }
            fail(node, instance, name, { "\(PyRepr.repr(instance)) is not of type \(names.map { PyRepr.repr($0) }.joined(separator: ", "))" })

        case .properties(let props):
            guard case .object(let o) = instance else { return }
            if o.isEmpty { return }
            var hits: [(Int, JSONValue)] = []
            for (k, v) in o {
                if let i = props.lookup(k) { hits.append((i, v)) }
            }
            if hits.count > 1 { hits.sort { $0.0 < $1.0 } }
            for (i, v) in hits {
                let pname = props.entries[i].name
                descend(props.entries[i].node, v, scope, path: .key(pname), schemaPath: .key(pname))
                if stop { return }
            }

        case .additionalProperties(let ap):
            guard case .object(let o) = instance else { return }
            if ap.boolValue == true { return }
            var extras: [String] = []
            for (k, _) in o where isAdditional(k, node) { extras.append(k) }
            if extras.isEmpty { return }
            if ap.boolValue == nil {
                for k in extras {
                    descend(ap, o[k]!, scope, path: .key(k))
                    if stop { return }
                }
            } else {
                fail(node, instance, name, {
                    let sorted = extras.sorted(by: PyJSON.less)
                    if case .object(let schema) = node.json, case .object(let pp)? = schema["patternProperties"] {
                        let verb = sorted.count == 1 ? "does" : "do"
                        let joined = sorted.map { PyRepr.repr($0) }.joined(separator: ", ")
                        let patterns = pp.keys.sorted(by: PyJSON.less).map { PyRepr.repr($0) }.joined(separator: ", ")
                        return "\(joined) \(verb) not match any of the regexes: \(patterns)"
                    }
                    return "Additional properties are not allowed (\(JSEvaluator.extrasMsg(sorted.map { PyRepr.repr($0) })) unexpected)"
                })
            }

        case .allOf(let subs):
            for (i, s) in subs.enumerated() {
                descend(s, instance, scope, schemaPath: .index(i))
                if stop { return }
            }

        case .anyOf(let subs):
            if mode == .all {
                var all: [JSONSchemaValidationError] = []
                for (i, s) in subs.enumerated() {
                    let sub = collect(s, instance, scope, mode: .all, schemaPathElem: .index(i))
                    if !sub.failed { return }
                    all.append(contentsOf: sub.errors)
                }
                fail(node, instance, name, { "\(PyRepr.repr(instance)) is not valid under any of the given schemas" }, context: all)
            } else {
                for s in subs where isValid(s, instance, scope) { return }
                fail(node, instance, name, { "\(PyRepr.repr(instance)) is not valid under any of the given schemas" })
            }

        case .oneOf(let subs):
            var firstValid: Int?
            var all: [JSONSchemaValidationError] = []
            for (i, s) in subs.enumerated() {
                if mode == .all {
                    let sub = collect(s, instance, scope, mode: .all, schemaPathElem: .index(i))
                    if !sub.failed { firstValid = i; break }
                    all.append(contentsOf: sub.errors)
                } else if isValid(s, instance, scope) {
                    firstValid = i
                    break
                }
            }
            guard let f = firstValid else {
                fail(node, instance, name, { "\(PyRepr.repr(instance)) is not valid under any of the given schemas" }, context: all)
                return
            }
            var more: [JSNode] = []
            for s in subs[(f + 1)...] where isValid(s, instance, scope) {
                more.append(s)
                if mode == .validity { break }
            }
            if !more.isEmpty {
                more.append(subs[f])
                fail(node, instance, name, {
                    "\(PyRepr.repr(instance)) is valid under each of \(more.map { PyRepr.repr($0.json) }.joined(separator: ", "))"
                })
            }

        case .not(let sub):
            if isValid(sub, instance, scope) {
                fail(node, instance, name, { "\(PyRepr.repr(instance)) should not be valid under \(PyRepr.repr(sub.json))" })
            }

        case .const(let c):
            if !PyJSON.equal(instance, c) {
                fail(node, instance, name, { "\(PyRepr.repr(c)) was expected" })
            }

        case .enumeration(let values):
            for v in values where PyJSON.equal(v, instance) { return }
            fail(node, instance, name, { "\(PyRepr.repr(instance)) is not one of \(PyRepr.repr(kw.value))" })

        case .items(let items):
            guard case .array(let a) = instance else { return }
            let prefix = node.prefixItemsCount ?? 0
            let extra = a.count - prefix
            if extra <= 0 { return }
            if items.boolValue == false {
                fail(node, instance, name, {
                    let rest = extra != 1 ? PyRepr.repr(.array(Array(a[prefix...]))) : PyRepr.repr(a[prefix])
                    let word = prefix != 1 ? "items" : "item"
                    return "Expected at most \(prefix) \(word) but found \(extra) extra: \(rest)"
                })
            } else if items.boolValue == nil {
                for i in prefix..<a.count {
                    descend(items, a[i], scope, path: .index(i))
                    if stop { return }
                }
            }

        case .prefixItems(let subs):
            guard case .array(let a) = instance else { return }
            for i in 0..<min(a.count, subs.count) {
                descend(subs[i], a[i], scope, path: .index(i), schemaPath: .index(i))
                if stop { return }
            }

        case .contains(let sub):
            guard case .array(let a) = instance else { return }
            var minContains = PyNumber(int: 1)
            var maxContains = PyNumber(int: a.count)
            if case .object(let o) = node.json {
                if let v = o["minContains"], let n = PyNumber(v) { minContains = n }
                if let v = o["maxContains"], let n = PyNumber(v) { maxContains = n }
            }
            var matches = 0
            for e in a where isValid(sub, e, scope) {
                matches += 1
                if (PyNumber.compare(matches, maxContains) ?? 0) > 0 {
                    fail(node, instance, "maxContains", {
                        "Too many items match the given schema (expected at most \(maxContains.repr))"
                    })
                    return
                }
            }
            if (PyNumber.compare(matches, minContains) ?? 0) < 0 {
                if matches == 0 {
                    fail(node, instance, name, { "\(PyRepr.repr(instance)) does not contain items matching the given schema" })
                } else {
                    fail(node, instance, "minContains", {
                        "Too few items match the given schema (expected at least \(minContains.repr) but only \(matches) matched)"
                    })
                }
            }

        case .dependentRequired(let deps):
            guard case .object(let o) = instance else { return }
            for (prop, required) in deps where o[prop] != nil {
                for each in required where o[each] == nil {
                    fail(node, instance, name, { "\(PyRepr.repr(each)) is a dependency of \(PyRepr.repr(prop))" })
                    if stop { return }
                }
            }

        case .dependentSchemas(let deps):
            guard case .object(let o) = instance else { return }
            for (prop, sub) in deps where o[prop] != nil {
                descend(sub, instance, scope, schemaPath: .key(prop))
                if stop { return }
            }

        case .exclusiveMaximum(let m):
            guard let x = PyNumber(instance) else { return }
            if let c = PyNumber.compare(x, m), c >= 0 {
                fail(node, instance, name, { "\(x.repr) is greater than or equal to the maximum of \(m.repr)" })
            }

        case .exclusiveMinimum(let m):
            guard let x = PyNumber(instance) else { return }
            if let c = PyNumber.compare(x, m), c <= 0 {
                fail(node, instance, name, { "\(x.repr) is less than or equal to the minimum of \(m.repr)" })
            }

        case .maximum(let m):
            guard let x = PyNumber(instance) else { return }
            if let c = PyNumber.compare(x, m), c > 0 {
                fail(node, instance, name, { "\(x.repr) is greater than the maximum of \(m.repr)" })
            }

        case .minimum(let m):
            guard let x = PyNumber(instance) else { return }
            if let c = PyNumber.compare(x, m), c < 0 {
                fail(node, instance, name, { "\(x.repr) is less than the minimum of \(m.repr)" })
            }

        case .multipleOf(let d):
            guard let x = PyNumber(instance) else { return }
            if !PyNumber.isMultiple(x, of: d) {
                fail(node, instance, name, { "\(x.repr) is not a multiple of \(d.repr)" })
            }

        case .format(let f):
            guard checkFormats, f == "regex", case .string(let s) = instance else { return }
            if !PyRegex.isValid(s) {
                fail(node, instance, name, { "\(PyRepr.repr(instance)) is not a \(PyRepr.repr(f))" })
            }

        case .maxItems(let m):
            guard case .array(let a) = instance, (PyNumber.compare(a.count, m) ?? 0) > 0 else { return }
            fail(node, instance, name, { "\(PyRepr.repr(instance)) \(m.isZero ? "is expected to be empty" : "is too long")" })

        case .minItems(let m):
            guard case .array(let a) = instance, (PyNumber.compare(a.count, m) ?? 0) < 0 else { return }
            fail(node, instance, name, { "\(PyRepr.repr(instance)) \(PyNumber.compare(1, m) == 0 ? "should be non-empty" : "is too short")" })

        case .maxLength(let m):
            guard case .string(let s) = instance, (PyNumber.compare(s.unicodeScalars.count, m) ?? 0) > 0 else { return }
            fail(node, instance, name, { "\(PyRepr.repr(instance)) \(m.isZero ? "is expected to be empty" : "is too long")" })

        case .minLength(let m):
            guard case .string(let s) = instance, (PyNumber.compare(s.unicodeScalars.count, m) ?? 0) < 0 else { return }
            fail(node, instance, name, { "\(PyRepr.repr(instance)) \(PyNumber.compare(1, m) == 0 ? "should be non-empty" : "is too short")" })

        case .maxProperties(let m):
            guard case .object(let o) = instance, (PyNumber.compare(o.count, m) ?? 0) > 0 else { return }
            fail(node, instance, name, { "\(PyRepr.repr(instance)) \(m.isZero ? "is expected to be empty" : "has too many properties")" })

        case .minProperties(let m):
            guard case .object(let o) = instance, (PyNumber.compare(o.count, m) ?? 0) < 0 else { return }
            fail(node, instance, name, {
                "\(PyRepr.repr(instance)) \(PyNumber.compare(1, m) == 0 ? "should be non-empty" : "does not have enough properties")"
            })

        case .pattern(let p):
            guard case .string(let s) = instance, !p.search(s) else { return }
            fail(node, instance, name, { "\(PyRepr.repr(instance)) does not match \(PyRepr.repr(p.source))" })

        case .patternProperties(let pps):
            guard case .object(let o) = instance else { return }
            for (pattern, re, sub) in pps {
                for (k, v) in o where re.search(k) {
                    descend(sub, v, scope, path: .key(k), schemaPath: .key(pattern))
                    if stop { return }
                }
            }

        case .propertyNames(let sub):
            guard case .object(let o) = instance else { return }
            for (k, _) in o {
                descend(sub, .string(k), scope)
                if stop { return }
            }

        case .required(let req):
            guard case .object(let o) = instance else { return }
            for p in req where o[p] == nil {
                fail(node, instance, name, { "\(PyRepr.repr(p)) is a required property" })
                if stop { return }
            }

        case .uniqueItems:
            guard case .array(let a) = instance, !PyJSON.allUnique(a) else { return }
            fail(node, instance, name, { "\(PyRepr.repr(instance)) has non-unique elements" })

        case .unevaluatedItems:
            guard case .array(let a) = instance else { return }
            var evaluated = Set<Int>()
            var all = false
            evaluatedIndexes(node, instance, a.count, scope, &evaluated, &all)
            if all { return }
            let rest = a.indices.filter { !evaluated.contains($0) }.map { a[$0] }
            if rest.isEmpty { return }
            fail(node, instance, name, {
                "Unevaluated items are not allowed (\(JSEvaluator.extrasMsg(rest.map { PyRepr.repr($0) })) unexpected)"
            })

        case .unevaluatedProperties(let up):
            guard case .object(let o) = instance else { return }
            var evaluated = Set<_JSONKey>()
            evaluatedKeys(node, o, instance, scope, &evaluated)
            var unevaluated: [String] = []
            for (k, v) in o where !evaluated.contains(_JSONKey(k)) {
                if let b = up.boolValue {
                    if !b { unevaluated.append(k) }
                    continue
                }
                // Counting errors needs a full evaluation even when not tracking paths.
                let sub = collect(up, v, scope, mode: .all, schemaPathElem: nil)
                for _ in sub.errors { unevaluated.append(k) }
            }
            if unevaluated.isEmpty { return }
            fail(node, instance, name, {
                if up.boolValue == false {
                    let extras = unevaluated.sorted(by: PyJSON.less).map { PyRepr.repr($0) }
                    return "Unevaluated properties are not allowed (\(JSEvaluator.extrasMsg(extras)) unexpected)"
                }
                let extras = unevaluated.map { PyRepr.repr($0) }
                return "Unevaluated properties are not valid under the given schema (\(JSEvaluator.extrasMsg(extras)) unevaluated and invalid)"
            })
        }
    }

    /// python `_utils.extras_msg`: "'a', 'b' were" / "'a' was".
    static func extrasMsg(_ reprs: [String]) -> String {
        reprs.joined(separator: ", ") + (reprs.count == 1 ? " was" : " were")
    }

    /// python `find_additional_properties` membership for one key.
    private func isAdditional(_ key: String, _ node: JSNode) -> Bool {
        if let p = node.propertiesKW, p.contains(key) { return false }
        if let pps = node.patternPropertiesKW {
            for (_, re, _) in pps where re.search(key) { return false }
        }
        return true
    }

    // MARK: unevaluated* support (python `find_evaluated_*_by_schema`)

    private mutating func evaluatedIndexes(_ node: JSNode, _ instance: JSONValue, _ count: Int, _ scope: JSScope?,
                                  _ out: inout Set<Int>, _ all: inout Bool) {
        if node.boolValue != nil || all { return }
        guard enter(node, instance) else { return }
        defer { depth -= 1 }
        if node.hasItems { all = true; return }
        for ref in [node.refKW, node.dynamicRefKW] {
            guard let ref = ref else { continue }
            let (t, s) = follow(ref, from: node, scope)
            evaluatedIndexes(t, instance, count, s, &out, &all)
        }
        if let n = node.prefixItemsCount { for i in 0..<n { out.insert(i) } }
        if let i = node.ifKW {
            if isValid(i, instance, scope) {
                evaluatedIndexes(i, instance, count, scope, &out, &all)
                if let t = node.thenKW { evaluatedIndexes(t, instance, count, scope, &out, &all) }
            } else if let e = node.elseKW {
                evaluatedIndexes(e, instance, count, scope, &out, &all)
            }
        }
        if case .array(let a) = instance {
            for sub in [node.containsKW, node.unevaluatedItemsKW] {
                guard let sub = sub else { continue }
                for (k, v) in a.enumerated() where isValid(sub, v, scope) { out.insert(k) }
            }
        }
        for subs in [node.allOfKW, node.oneOfKW, node.anyOfKW] {
            guard let subs = subs else { continue }
            for s in subs where isValid(s, instance, scope) {
                evaluatedIndexes(s, instance, count, scope, &out, &all)
            }
        }
    }

    private mutating func evaluatedKeys(_ node: JSNode, _ o: JSONObject, _ instance: JSONValue, _ scope: JSScope?,
                               _ out: inout Set<_JSONKey>) {
        if node.boolValue != nil { return }
        guard enter(node, instance) else { return }
        defer { depth -= 1 }
        for ref in [node.refKW, node.dynamicRefKW] {
            guard let ref = ref else { continue }
            let (t, s) = follow(ref, from: node, scope)
            evaluatedKeys(t, o, instance, s, &out)
        }
        if let p = node.propertiesKW {
            for (k, _) in o where p.contains(k) { out.insert(_JSONKey(k)) }
        }
        for sub in [node.additionalPropertiesKW, node.unevaluatedPropertiesKW] {
            guard let sub = sub else { continue }
            for (k, v) in o where isValid(sub, v, scope) { out.insert(_JSONKey(k)) }
        }
        if let pps = node.patternPropertiesKW {
            for (k, _) in o {
                for (_, re, _) in pps where re.search(k) { out.insert(_JSONKey(k)) }
            }
        }
        if let deps = node.dependentSchemasKW {
            for (prop, sub) in deps where o[prop] != nil { evaluatedKeys(sub, o, instance, scope, &out) }
        }
        for subs in [node.allOfKW, node.oneOfKW, node.anyOfKW] {
            guard let subs = subs else { continue }
            for s in subs where isValid(s, instance, scope) { evaluatedKeys(s, o, instance, scope, &out) }
        }
        if let i = node.ifKW {
            if isValid(i, instance, scope) {
                evaluatedKeys(i, o, instance, scope, &out)
                if let t = node.thenKW { evaluatedKeys(t, o, instance, scope, &out) }
            } else if let e = node.elseKW {
                evaluatedKeys(e, o, instance, scope, &out)
            }
        }
    }
}
