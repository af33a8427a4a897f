// The validation engine: applies compiled keywords in schema order, producing python-jsonschema's
// errors (messages, paths, schema paths, contexts) in python-jsonschema's iteration order.
//
// Three modes keep the hot paths cheap:
//   * .validity — stop at the first failure, build nothing (python `is_valid`);
//   * .first    — stop at the first error, build only that one (python `check_schema`);
//   * .all      — every error with full `anyOf` / `oneOf` contexts (python `iter_errors`).

enum JSMode {
    case validity, first, all
}

final class JSSink {
    let mode: JSMode
    let pathBase: Int
    let schemaBase: Int
    var errors: [JSONSchemaValidationError] = []
    var failed = false

    init(mode: JSMode, pathBase: Int, schemaBase: Int) {
        self.mode = mode
        self.pathBase = pathBase
        self.schemaBase = schemaBase
    }

    @inline(__always) var stop: Bool { failed && mode != .all }
}

final class JSEvaluator {
    private var path: [JSPathElem] = []
    private var schemaPath: [JSPathElem] = []
    private var sink: JSSink
    private let checkFormats: Bool

    init(mode: JSMode, checkFormats: Bool) {
        sink = JSSink(mode: mode, pathBase: 0, schemaBase: 0)
        self.checkFormats = checkFormats
        path.reserveCapacity(16)
        schemaPath.reserveCapacity(64)
    }

    /// Validates `instance` against the root schema; returns the top-level sink's errors.
    func run(_ root: JSNode, _ instance: JSONValue) -> (failed: Bool, errors: [JSONSchemaValidationError]) {
        eval(root, instance, nil)
        return (sink.failed, sink.errors)
    }

    // MARK: Errors

    private func fail(_ node: JSNode, _ instance: JSONValue, _ validator: String?,
                      _ message: () -> String, context: [JSONSchemaValidationError] = []) {
        sink.failed = true
        if sink.mode == .validity { return }
        let p = Array(path[sink.pathBase...])
        let sp = Array(schemaPath[sink.schemaBase...])
        sink.errors.append(JSONSchemaValidationError(
            message: message(), pathElems: p, schemaPathElems: sp, keyword: validator,
            context: context, matchesType: node.matchesType(instance)))
    }

    @inline(__always) private func r(_ v: JSONValue) -> String { PyRepr.repr(v) }

    // MARK: Sub-evaluations

    /// python `validator.evolve(schema=node).is_valid(instance)`.
    private func isValid(_ node: JSNode, _ instance: JSONValue, _ scope: JSScope?) -> Bool {
        if let b = node.boolValue { return b }
        let saved = sink
        let s = JSSink(mode: .validity, pathBase: path.count, schemaBase: schemaPath.count)
        sink = s
        eval(node, instance, scope)
        sink = saved
        return !s.failed
    }

    /// Runs `node` into a fresh sink whose paths are relative to the current position.
    private func collect(_ node: JSNode, _ instance: JSONValue, _ scope: JSScope?, mode: JSMode,
                         schemaPathElem: JSPathElem?) -> JSSink {
        let saved = sink
        let s = JSSink(mode: mode, pathBase: path.count, schemaBase: schemaPath.count)
        sink = s
        if node.boolValue != nil {
            // python `descend` yields the False-schema error before adding its path segments.
            eval(node, instance, scope)
        } else {
            if let e = schemaPathElem { schemaPath.append(e) }
            eval(node, instance, scope)
            if schemaPathElem != nil { schemaPath.removeLast() }
        }
        sink = saved
        return s
    }

    /// python `descend(instance, schema, path=, schema_path=)`.
    @inline(__always)
    private func descend(_ node: JSNode, _ instance: JSONValue, _ scope: JSScope?,
                         path p: JSPathElem? = nil, schemaPath sp: JSPathElem? = nil) {
        if let b = node.boolValue {
            // python `descend` yields the False-schema error before adding its path segments.
            if !b { eval(node, instance, scope) }
            return
        }
        if let p = p { path.append(p) }
        if let sp = sp { schemaPath.append(sp) }
        eval(node, instance, scope)
        if sp != nil { schemaPath.removeLast() }
        if p != nil { path.removeLast() }
    }

    /// Follows a reference: python `Resolver.lookup` (+ dynamic anchor resolution).
    @inline(__always)
    private func follow(_ ref: JSRef, from node: JSNode, _ scope: JSScope?) -> (JSNode, JSScope?) {
        let b = node.base
        var newScope = scope
        if !b.uri.isEmpty && (scope == nil || ref.uriResource !== b) {
            newScope = JSScope(b, scope)
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

    func eval(_ node: JSNode, _ instance: JSONValue, _ scope: JSScope?) {
        if let b = node.boolValue {
            if !b {
                fail(node, instance, nil, { "False schema does not allow \(self.r(instance))" })
            }
            return
        }
        for kw in node.keywords {
            apply(kw, node, instance, scope)
            if sink.stop { return }
        }
    }

    private func apply(_ kw: JSKeyword, _ node: JSNode, _ instance: JSONValue, _ scope: JSScope?) {
        switch kw.kind {
        case .ref(let ref):
            let (target, newScope) = follow(ref, from: node, scope)
            if kw.name == "$ref" {
                eval(target, instance, newScope)
            } else {
                schemaPath.append(.key(kw.name))
                eval(target, instance, newScope)
                schemaPath.removeLast()
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
        schemaPath.append(.key(kw.name))
        defer { schemaPath.removeLast() }
        let name = kw.name

        switch kw.kind {
        case .ref, .ifThenElse:
            break

        case let .type(types, names):
            for t in types where t.matches(instance) { return }
            fail(node, instance, name, { "\(self.r(instance)) is not of type \(names.map { PyRepr.repr($0) }.joined(separator: ", "))" })

        case .properties(let props):
            guard case .object(let o) = instance else { return }
            if o.isEmpty { return }
            var hits: [(Int, JSONValue)] = []
            for (k, v) in o {
                if let i = props.index[_JSONKey(k)] { hits.append((i, v)) }
            }
            if hits.count > 1 { hits.sort { $0.0 < $1.0 } }
            for (i, v) in hits {
                let pname = props.entries[i].name
                descend(props.entries[i].node, v, scope, path: .key(pname), schemaPath: .key(pname))
                if sink.stop { return }
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
                    if sink.stop { return }
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
                if sink.stop { return }
            }

        case .anyOf(let subs):
            if sink.mode == .all {
                var all: [JSONSchemaValidationError] = []
                for (i, s) in subs.enumerated() {
                    let sub = collect(s, instance, scope, mode: .all, schemaPathElem: .index(i))
                    if !sub.failed { return }
                    all.append(contentsOf: sub.errors)
                }
                fail(node, instance, name, { "\(self.r(instance)) is not valid under any of the given schemas" }, context: all)
            } else {
                for s in subs where isValid(s, instance, scope) { return }
                fail(node, instance, name, { "\(self.r(instance)) is not valid under any of the given schemas" })
            }

        case .oneOf(let subs):
            var firstValid: Int?
            var all: [JSONSchemaValidationError] = []
            for (i, s) in subs.enumerated() {
                if sink.mode == .all {
                    let sub = collect(s, instance, scope, mode: .all, schemaPathElem: .index(i))
                    if !sub.failed { firstValid = i; break }
                    all.append(contentsOf: sub.errors)
                } else if isValid(s, instance, scope) {
                    firstValid = i
                    break
                }
            }
            guard let f = firstValid else {
                fail(node, instance, name, { "\(self.r(instance)) is not valid under any of the given schemas" }, context: all)
                return
            }
            var more: [JSNode] = []
            for s in subs[(f + 1)...] where isValid(s, instance, scope) {
                more.append(s)
                if sink.mode == .validity { break }
            }
            if !more.isEmpty {
                more.append(subs[f])
                fail(node, instance, name, {
                    "\(self.r(instance)) is valid under each of \(more.map { PyRepr.repr($0.json) }.joined(separator: ", "))"
                })
            }

        case .not(let sub):
            if isValid(sub, instance, scope) {
                fail(node, instance, name, { "\(self.r(instance)) should not be valid under \(self.r(sub.json))" })
            }

        case .const(let c):
            if !PyJSON.equal(instance, c) {
                fail(node, instance, name, { "\(self.r(c)) was expected" })
            }

        case .enumeration(let values):
            for v in values where PyJSON.equal(v, instance) { return }
            fail(node, instance, name, { "\(self.r(instance)) is not one of \(self.r(kw.value))" })

        case .items(let items):
            guard case .array(let a) = instance else { return }
            let prefix = node.prefixItemsCount ?? 0
            let extra = a.count - prefix
            if extra <= 0 { return }
            if items.boolValue == false {
                fail(node, instance, name, {
                    let rest = extra != 1 ? self.r(.array(Array(a[prefix...]))) : self.r(a[prefix])
                    let word = prefix != 1 ? "items" : "item"
                    return "Expected at most \(prefix) \(word) but found \(extra) extra: \(rest)"
                })
            } else if items.boolValue == nil {
                for i in prefix..<a.count {
                    descend(items, a[i], scope, path: .index(i))
                    if sink.stop { return }
                }
            }

        case .prefixItems(let subs):
            guard case .array(let a) = instance else { return }
            for i in 0..<min(a.count, subs.count) {
                descend(subs[i], a[i], scope, path: .index(i), schemaPath: .index(i))
                if sink.stop { return }
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
                    fail(node, instance, name, { "\(self.r(instance)) does not contain items matching the given schema" })
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
                    if sink.stop { return }
                }
            }

        case .dependentSchemas(let deps):
            guard case .object(let o) = instance else { return }
            for (prop, sub) in deps where o[prop] != nil {
                descend(sub, instance, scope, schemaPath: .key(prop))
                if sink.stop { return }
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
                fail(node, instance, name, { "\(self.r(instance)) is not a \(PyRepr.repr(f))" })
            }

        case .maxItems(let m):
            guard case .array(let a) = instance, (PyNumber.compare(a.count, m) ?? 0) > 0 else { return }
            fail(node, instance, name, { "\(self.r(instance)) \(m.isZero ? "is expected to be empty" : "is too long")" })

        case .minItems(let m):
            guard case .array(let a) = instance, (PyNumber.compare(a.count, m) ?? 0) < 0 else { return }
            fail(node, instance, name, { "\(self.r(instance)) \(PyNumber.compare(1, m) == 0 ? "should be non-empty" : "is too short")" })

        case .maxLength(let m):
            guard case .string(let s) = instance, (PyNumber.compare(s.unicodeScalars.count, m) ?? 0) > 0 else { return }
            fail(node, instance, name, { "\(self.r(instance)) \(m.isZero ? "is expected to be empty" : "is too long")" })

        case .minLength(let m):
            guard case .string(let s) = instance, (PyNumber.compare(s.unicodeScalars.count, m) ?? 0) < 0 else { return }
            fail(node, instance, name, { "\(self.r(instance)) \(PyNumber.compare(1, m) == 0 ? "should be non-empty" : "is too short")" })

        case .maxProperties(let m):
            guard case .object(let o) = instance, (PyNumber.compare(o.count, m) ?? 0) > 0 else { return }
            fail(node, instance, name, { "\(self.r(instance)) \(m.isZero ? "is expected to be empty" : "has too many properties")" })

        case .minProperties(let m):
            guard case .object(let o) = instance, (PyNumber.compare(o.count, m) ?? 0) < 0 else { return }
            fail(node, instance, name, {
                "\(self.r(instance)) \(PyNumber.compare(1, m) == 0 ? "should be non-empty" : "does not have enough properties")"
            })

        case .pattern(let p):
            guard case .string(let s) = instance, !p.search(s) else { return }
            fail(node, instance, name, { "\(self.r(instance)) does not match \(PyRepr.repr(p.source))" })

        case .patternProperties(let pps):
            guard case .object(let o) = instance else { return }
            for (pattern, re, sub) in pps {
                for (k, v) in o where re.search(k) {
                    descend(sub, v, scope, path: .key(k), schemaPath: .key(pattern))
                    if sink.stop { return }
                }
            }

        case .propertyNames(let sub):
            guard case .object(let o) = instance else { return }
            for (k, _) in o {
                descend(sub, .string(k), scope)
                if sink.stop { return }
            }

        case .required(let req):
            guard case .object(let o) = instance else { return }
            for p in req where o[p] == nil {
                fail(node, instance, name, { "\(PyRepr.repr(p)) is a required property" })
                if sink.stop { return }
            }

        case .uniqueItems:
            guard case .array(let a) = instance, !PyJSON.allUnique(a) else { return }
            fail(node, instance, name, { "\(self.r(instance)) has non-unique elements" })

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
                path.append(.key(k))
                let sub = collect(up, v, scope, mode: .all, schemaPathElem: .key(k))
                path.removeLast()
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

    private func evaluatedIndexes(_ node: JSNode, _ instance: JSONValue, _ count: Int, _ scope: JSScope?,
                                  _ out: inout Set<Int>, _ all: inout Bool) {
        if node.boolValue != nil || all { return }
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

    private func evaluatedKeys(_ node: JSNode, _ o: JSONObject, _ instance: JSONValue, _ scope: JSScope?,
                               _ out: inout Set<_JSONKey>) {
        if node.boolValue != nil { return }
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
