// The JSON Schema compatibility engine (issue 14): a structural, conservative comparison of two
// Draft 2020-12 schemas. A change breaks backward when the engine cannot prove that every document
// valid under the old schema is valid under the new one, and forward with the roles swapped.
//
// How it stays sound while staying simple: every comparison of a sub-schema pair (A, B) reports
// `breaksBackward` unless it proved A ⊆ B and `breaksForward` unless it proved B ⊆ A, and the
// keywords are combined only in ways that preserve those proofs (conjunctions compared pairwise,
// `not` compared with the roles swapped, `$ref` targets compared by their pointer pair, a `$ref`'s
// siblings compared with `true` on the side that has none).

import Foundation
import RegistryJSON

public enum JSONSchemaCompatibility {
    /// Every change found between `old` and `new` (breaking or not), in a stable order: keywords of a
    /// schema before those of its sub-schemas, properties in the new schema's order.
    public static func changes(old: JSONValue, new: JSONValue) -> [SchemaChange] {
        let state = JSCState()
        // With equal $defs (and definitions), equal sub-trees whose $refs all point into them mean
        // the same thing on both sides.
        state.definitionsEqual = PyJSON.equal(old["$defs"], new["$defs"]) && PyJSON.equal(old["definitions"], new["definitions"])
            && JSCComparer.refKind(old["$defs"] ?? .null) != .other && JSCComparer.refKind(old["definitions"] ?? .null) != .other
        // The roots are being compared: a `$ref` to "#" on both sides meets this pair again.
        state.visited[JSCComparer.visitKey(swapped: false, "#", "#")] = .inProgress(instanceDepth: 0)
        let comparer = JSCComparer(oldRoot: old, newRoot: new, state: state, swapped: false)
        return comparer.compare(JSCNode(old, "#"), JSCNode(new, "#"), path: "#")
    }

    /// True when some change breaks backward (every old document stays valid otherwise).
    public static func breaksBackward(old: JSONValue, new: JSONValue) -> Bool {
        changes(old: old, new: new).contains { $0.breaksBackward }
    }

    /// True when some change breaks forward.
    public static func breaksForward(old: JSONValue, new: JSONValue) -> Bool {
        changes(old: old, new: new).contains { $0.breaksForward }
    }
}

/// A schema and its identity: its JSON Pointer in its own document (`#/$defs/Node/properties/next`),
/// or `<true>` for the `true` that stands for an absent keyword. The identities of a `$ref` pair
/// are what makes recursive schemas terminate.
struct JSCNode {
    let value: JSONValue
    let ptr: String
    init(_ value: JSONValue, _ ptr: String) {
        self.value = value
        self.ptr = ptr
    }

    static let anything = JSCNode(.bool(true), "<true>")
}

/// State shared by every comparer of one `changes` call (and its role-swapped children).
final class JSCState {
    enum Visit { case inProgress(instanceDepth: Int), done }
    /// `$ref` target pairs already compared or being compared. A pair met again after its
    /// comparison: its breaks were reported where it was first met. A pair met again during its
    /// comparison, deeper in the document: assumed compatible (coinduction, sound because documents
    /// are finite). At the same depth (`{"$ref": "#"}`, `A → B → A` without descending): an
    /// ill-founded cycle, reported as unsupported.
    var visited: [String: Visit] = [:]
    var depth = 0
    var definitionsEqual = false
    /// Inside a trial comparison (branch matching): nested matchings take the first candidate.
    var isTrial = false
    var regexCache: [String: NSRegularExpression?] = [:]

    init() {}

    /// A copy for trial comparisons (branch matching) that must not mark pairs as visited.
    func trialCopy() -> JSCState {
        let s = JSCState()
        s.visited = visited
        s.depth = depth
        s.regexCache = regexCache
        s.definitionsEqual = definitionsEqual
        s.isTrial = true
        return s
    }

    func regex(_ pattern: String) -> NSRegularExpression? {
        if let cached = regexCache[pattern] { return cached }
        let r = try? NSRegularExpression(pattern: pattern)
        regexCache[pattern] = r
        return r
    }
}

struct JSCComparer {
    let oldRoot: JSONValue
    let newRoot: JSONValue
    let state: JSCState
    /// True inside `not`: "old" is a sub-schema of the new document and "new" of the old one.
    let swapped: Bool

    static let maximumDepth = 200

    /// Keywords that describe but never constrain.
    static let annotationKeywords: [String] = [
        "title", "description", "examples", "default", "deprecated", "readOnly", "writeOnly", "$comment",
        "contentEncoding", "contentMediaType", "contentSchema",
    ]
    /// Keywords that need no comparison of their own.
    static let ignoredKeywords: Set<String> = ["$schema", "$id", "$defs", "definitions", "$vocabulary"]
    /// Keywords this engine analyses.
    static let analysedKeywords: Set<String> = [
        "type", "enum", "const",
        "minLength", "maxLength", "pattern", "format",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "items", "prefixItems", "minItems", "maxItems", "uniqueItems",
        "properties", "patternProperties", "additionalProperties", "required", "dependentRequired",
        "dependentSchemas", "propertyNames", "minProperties", "maxProperties",
        "allOf", "anyOf", "oneOf", "not", "$ref",
    ]

    // MARK: - Entry for one pair of schemas

    func compare(_ o: JSCNode, _ n: JSCNode, path: String) -> [SchemaChange] {
        state.depth += 1
        defer { state.depth -= 1 }
        if state.depth > JSCComparer.maximumDepth {
            return [unsupported(path, "is nested more than \(JSCComparer.maximumDepth) levels deep; not compared")]
        }
        let oRef = refInfo(o, root: oldRoot)
        let nRef = refInfo(n, root: newRoot)
        if oRef != nil || nRef != nil {
            return compareRefs(o, n, oRef, nRef, path: path)
        }
        // Identical sub-trees without references mean the same thing.
        if PyJSON.equal(o.value, n.value) {
            switch JSCComparer.refKind(o.value) {
            case .none: return []
            case .definitionsOnly where state.definitionsEqual && !swapped: return []
            default: break
            }
        }
        let subject = JSCText.subject(path)
        let oFalse = o.value == .bool(false), nFalse = n.value == .bool(false)
        if oFalse && nFalse { return [] }
        if nFalse {
            return [change("SCHEMA_FALSE", path, "\(subject) now rejects every value (schema false)", back: !oFalse, fwd: false)]
        }
        if oFalse {
            return [change("SCHEMA_TRUE", path, "\(subject) rejected every value (schema false) and now accepts values", back: false, fwd: true)]
        }
        guard let os = JSCComparer.asObject(o.value), let ns = JSCComparer.asObject(n.value) else {
            return [unsupported(path, "is not a schema (neither an object nor a boolean)")]
        }
        if let u = compareAsUnion(o, n, os, ns, path: path) { return u }
        var out: [SchemaChange] = []
        compareType(os, ns, path: path, into: &out)
        compareEnum(os, ns, path: path, into: &out)
        let oTypes = JSCComparer.typeSet(os), nTypes = JSCComparer.typeSet(ns)
        if JSCComparer.allows(oTypes, "string") && JSCComparer.allows(nTypes, "string") {
            compareStrings(os, ns, path: path, into: &out)
        }
        if JSCComparer.allows(oTypes, "number") && JSCComparer.allows(nTypes, "number") {
            compareNumbers(os, ns, path: path, into: &out)
        }
        if JSCComparer.allows(oTypes, "array") && JSCComparer.allows(nTypes, "array") {
            compareArrays(o, n, os, ns, path: path, into: &out)
        }
        if JSCComparer.allows(oTypes, "object") && JSCComparer.allows(nTypes, "object") {
            compareObjects(o, n, os, ns, path: path, into: &out)
        }
        compareFormat(os, ns, path: path, into: &out)
        compareComposition(o, n, os, ns, path: path, into: &out)
        compareNot(o, n, os, ns, path: path, into: &out)
        compareAnnotations(os, ns, path: path, into: &out)
        compareUnknown(os, ns, path: path, into: &out)
        return out
    }

    // MARK: - $ref

    struct RefInfo {
        let ref: String
        let target: JSCNode?
        /// The schema's other keywords (those that constrain), as a node at the schema's own place.
        let siblings: JSCNode?
    }

    func refInfo(_ node: JSCNode, root: JSONValue) -> RefInfo? {
        guard case .object(let obj) = node.value, let ref = obj["$ref"]?.stringValue else { return nil }
        var sib = obj
        sib["$ref"] = nil
        for k in JSCComparer.ignoredKeywords { sib[k] = nil }
        let siblings = sib.isEmpty ? nil : JSCNode(.object(sib), node.ptr)
        return RefInfo(ref: ref, target: JSCComparer.resolve(ref, in: root), siblings: siblings)
    }

    static func resolve(_ ref: String, in root: JSONValue) -> JSCNode? {
        guard ref.hasPrefix("#") else { return nil }
        let fragment = String(ref.dropFirst())
        if fragment.isEmpty { return JSCNode(root, "#") }
        guard fragment.hasPrefix("/") else { return nil }  // anchors are not followed
        var cur = root
        var ptr = "#"
        for raw in fragment.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            let decoded = String(raw).removingPercentEncoding ?? String(raw)
            let token = decoded.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            switch cur {
            case .object(let o):
                guard let v = o[token] else { return nil }
                cur = v
            case .array(let a):
                guard let i = Int(token), i >= 0, i < a.count else { return nil }
                cur = a[i]
            default:
                return nil
            }
            ptr += "/" + JSCText.escape(token)
        }
        return JSCNode(cur, ptr)
    }

    func compareRefs(_ o: JSCNode, _ n: JSCNode, _ oRef: RefInfo?, _ nRef: RefInfo?, path: String) -> [SchemaChange] {
        let oUnresolved = oRef != nil && oRef!.target == nil
        let nUnresolved = nRef != nil && nRef!.target == nil
        if oUnresolved || nUnresolved {
            if let a = oRef, let b = nRef, a.ref == b.ref, PyJSON.equal(o.value, n.value) { return [] }
            let which = oUnresolved ? oRef!.ref : nRef!.ref
            return [unsupported(path, "has a $ref that cannot be resolved ('\(which)'; only '#' and '#/…' pointers are followed)")]
        }
        // The referenced schemas: a node without $ref stands for itself.
        let oT = oRef?.target ?? o
        let nT = nRef?.target ?? n
        var out: [SchemaChange] = []
        let key = JSCComparer.visitKey(swapped: swapped, oT.ptr, nT.ptr)
        let depth = JSCText.instanceDepth(path)
        switch state.visited[key] {
        case nil:
            state.visited[key] = .inProgress(instanceDepth: depth)
            out += compare(oT, nT, path: path)
            state.visited[key] = .done
        case .done:
            break
        case .inProgress(let d) where d < depth:
            break
        case .inProgress:
            out.append(unsupported(path, "has a $ref cycle that does not descend into the document (ill-founded recursion)"))
        }
        // A $ref's siblings are a conjunct; the side without a $ref contributes `true` for them (its
        // whole schema was paired with the other side's target above).
        let oS: JSCNode? = oRef == nil ? (nRef?.siblings == nil ? nil : JSCNode.anything) : oRef!.siblings
        let nS: JSCNode? = nRef == nil ? (oRef?.siblings == nil ? nil : JSCNode.anything) : nRef!.siblings
        if oS != nil || nS != nil {
            out += compare(oS ?? JSCNode.anything, nS ?? JSCNode.anything, path: path)
        }
        return out
    }

    static func visitKey(swapped: Bool, _ oldPtr: String, _ newPtr: String) -> String {
        (swapped ? "S" : "N") + "\u{1}" + oldPtr + "\u{1}" + newPtr
    }

    enum RefKind: Int { case none = 0, definitionsOnly = 1, other = 2 }

    /// Which references a sub-tree holds: none, only `#/$defs/…` / `#/definitions/…`, or others.
    static func refKind(_ v: JSONValue) -> RefKind {
        switch v {
        case .object(let o):
            var kind = RefKind.none
            for (k, x) in o {
                if k == "$ref" {
                    guard let r = x.stringValue, r.hasPrefix("#/$defs/") || r.hasPrefix("#/definitions/") else { return .other }
                    kind = .definitionsOnly
                } else if k == "$dynamicRef" || k == "$recursiveRef" {
                    return .other
                }
                let sub = refKind(x)
                if sub == .other { return .other }
                if sub == .definitionsOnly { kind = .definitionsOnly }
            }
            return kind
        case .array(let a):
            var kind = RefKind.none
            for x in a {
                let sub = refKind(x)
                if sub == .other { return .other }
                if sub == .definitionsOnly { kind = .definitionsOnly }
            }
            return kind
        default:
            return .none
        }
    }

    static func containsRef(_ v: JSONValue) -> Bool {
        switch v {
        case .object(let o):
            for (k, x) in o {
                if k == "$ref" || k == "$dynamicRef" || k == "$recursiveRef" { return true }
                if containsRef(x) { return true }
            }
            return false
        case .array(let a):
            for x in a where containsRef(x) { return true }
            return false
        default:
            return false
        }
    }

    // MARK: - type

    static func asObject(_ v: JSONValue) -> JSONObject? {
        switch v {
        case .object(let o): return o
        case .bool(true): return JSONObject()
        default: return nil
        }
    }

    /// The declared types in declaration order, nil when any type is allowed.
    static func typeSet(_ s: JSONObject) -> [String]? {
        guard let t = s["type"] else { return nil }
        switch t {
        case .string(let x): return [x]
        case .array(let a):
            var r: [String] = []
            for e in a { if let x = e.stringValue, !r.contains(x) { r.append(x) } }
            return r
        default: return nil
        }
    }

    /// Whether a value of JSON type `kind` may be valid under the type set (integer ⊂ number).
    static func allows(_ types: [String]?, _ kind: String) -> Bool {
        guard let types else { return true }
        if kind == "number" { return types.contains("number") || types.contains("integer") }
        return types.contains(kind)
    }

    /// Every type in `a` is accepted by `b`.
    static func typesIncluded(_ a: [String], in b: [String]) -> Bool {
        a.allSatisfy { t in b.contains(t) || (t == "integer" && b.contains("number")) }
    }

    func compareType(_ os: JSONObject, _ ns: JSONObject, path: String, into out: inout [SchemaChange]) {
        let ot = JSCComparer.typeSet(os), nt = JSCComparer.typeSet(ns)
        if ot == nil && nt == nil { return }
        let subject = JSCText.subject(path)
        let from = JSCText.types(ot), to = JSCText.types(nt)
        let oldInNew: Bool, newInOld: Bool
        switch (ot, nt) {
        case (nil, .some): oldInNew = false; newInOld = true
        case (.some, nil): oldInNew = true; newInOld = false
        case let (.some(a), .some(b)):
            oldInNew = JSCComparer.typesIncluded(a, in: b)
            newInOld = JSCComparer.typesIncluded(b, in: a)
        default: return
        }
        if oldInNew && newInOld { return }
        if oldInNew {
            out.append(change("TYPE_WIDENED", path, "\(subject) type widened from \(from) to \(to)", back: false, fwd: true))
        } else if newInOld {
            out.append(change("TYPE_NARROWED", path, "\(subject) type narrowed from \(from) to \(to)", back: true, fwd: false))
        } else {
            out.append(change("TYPE_CHANGED", path, "\(subject) type changed from \(from) to \(to)", back: true, fwd: true))
        }
    }

    // MARK: - enum and const

    func compareEnum(_ os: JSONObject, _ ns: JSONObject, path: String, into out: inout [SchemaChange]) {
        let subject = JSCText.subject(path)
        let oConst = os["const"], nConst = ns["const"]
        let oEnum = os["enum"]?.arrayValue, nEnum = ns["enum"]?.arrayValue
        if let a = oConst, let b = nConst, !PyJSON.equal(a, b) {
            out.append(change("CONST_CHANGED", path + "/const", "\(subject) const changed from \(a.serialized()) to \(b.serialized())", back: true, fwd: true))
        } else if oConst == nil, let b = nConst {
            out.append(change("CONST_ADDED", path + "/const", "\(subject) restricted to the constant \(b.serialized())", back: !(oEnum.map { $0.count == 1 && PyJSON.equal($0[0], b) } ?? false), fwd: false))
        } else if let a = oConst, nConst == nil {
            out.append(change("CONST_REMOVED", path + "/const", "\(subject) no longer restricted to the constant \(a.serialized())", back: false, fwd: !(nEnum.map { $0.count == 1 && PyJSON.equal($0[0], a) } ?? false)))
        }
        switch (oEnum, nEnum) {
        case (nil, nil):
            return
        case (nil, .some(let b)):
            if let c = oConst, b.allSatisfy({ PyJSON.equal($0, c) }) { return }
            let back = oConst.map { c in !b.contains { PyJSON.equal($0, c) } } ?? true
            out.append(change("ENUM_ADDED", path + "/enum", "\(subject) restricted to the values \(JSCText.values(b))", back: back, fwd: false))
        case (.some(let a), nil):
            if let c = nConst, a.allSatisfy({ PyJSON.equal($0, c) }) { return }
            let fwd = nConst.map { c in !a.contains { PyJSON.equal($0, c) } } ?? true
            out.append(change("ENUM_REMOVED", path + "/enum", "\(subject) no longer restricted to the values \(JSCText.values(a))", back: false, fwd: fwd))
        case let (.some(a), .some(b)):
            for v in a where !b.contains(where: { PyJSON.equal($0, v) }) {
                out.append(change("ENUM_VALUE_REMOVED", path + "/enum", "\(subject) enum value \(v.serialized()) removed", back: true, fwd: false))
            }
            for v in b where !a.contains(where: { PyJSON.equal($0, v) }) {
                out.append(change("ENUM_VALUE_ADDED", path + "/enum", "\(subject) enum value \(v.serialized()) added", back: false, fwd: true))
            }
        }
    }

    // MARK: - strings

    func compareStrings(_ os: JSONObject, _ ns: JSONObject, path: String, into out: inout [SchemaChange]) {
        compareCount("minLength", isMin: true, code: "MIN_LENGTH", noun: "minimum length", os, ns, path: path, into: &out)
        compareCount("maxLength", isMin: false, code: "MAX_LENGTH", noun: "maximum length", os, ns, path: path, into: &out)
        let subject = JSCText.subject(path)
        compareRestriction("pattern", code: "PATTERN", os, ns, path: path, into: &out,
                           added: { "\(subject) must now match the pattern \($0)" },
                           removed: { "\(subject) no longer has to match the pattern \($0)" },
                           changed: { "\(subject) pattern changed from \($0) to \($1)" })
    }

    /// `format` is compared whatever the type (an asserting validator may check it for any type).
    func compareFormat(_ os: JSONObject, _ ns: JSONObject, path: String, into out: inout [SchemaChange]) {
        let subject = JSCText.subject(path)
        compareRestriction("format", code: "FORMAT", os, ns, path: path, into: &out,
                           added: { "\(subject) format \($0) added" },
                           removed: { "\(subject) format \($0) removed" },
                           changed: { "\(subject) format changed from \($0) to \($1)" })
    }

    /// A keyword that only restricts (`pattern`, `format`): adding it narrows, removing it widens,
    /// and any other value is unrelated (no inclusion between two values is proven).
    func compareRestriction(_ keyword: String, code: String, _ os: JSONObject, _ ns: JSONObject, path: String,
                            into out: inout [SchemaChange], added: (String) -> String, removed: (String) -> String,
                            changed: (String, String) -> String) {
        let at = path + "/" + keyword
        switch (os[keyword], ns[keyword]) {
        case (nil, .some(let b)):
            out.append(change(code + "_ADDED", at, added(b.serialized()), back: true, fwd: false))
        case (.some(let a), nil):
            out.append(change(code + "_REMOVED", at, removed(a.serialized()), back: false, fwd: true))
        case let (.some(a), .some(b)) where !PyJSON.equal(a, b):
            out.append(change(code + "_CHANGED", at, changed(a.serialized(), b.serialized()), back: true, fwd: true))
        default: break
        }
    }

    /// A count bound (`minLength`, `maxItems`, …): a minimum absent is 0, a maximum absent is unbounded.
    func compareCount(
        _ key: String, isMin: Bool, code: String, noun: String, _ os: JSONObject, _ ns: JSONObject, path: String,
        into out: inout [SchemaChange]
    ) {
        let a = os[key], b = ns[key]
        if a == nil && b == nil { return }
        if let a, let b, PyJSON.equal(a, b) { return }
        let subject = JSCText.subject(path)
        let an = a.flatMap { PyNumber($0) }, bn = b.flatMap { PyNumber($0) }
        if (a != nil && an == nil) || (b != nil && bn == nil) {
            out.append(unsupported(path, "has a non-numeric '\(key)'"))
            return
        }
        let zero = PyNumber(int: 0)
        // c > 0: the new bound is tighter (narrowed).
        let c: Int
        if isMin {
            c = PyNumber.compare(bn ?? zero, an ?? zero) ?? 0
        } else {
            switch (an, bn) {
            case (nil, nil): c = 0
            case (nil, .some): c = 1
            case (.some, nil): c = -1
            case let (.some(x), .some(y)): c = PyNumber.compare(x, y) ?? 0
            }
        }
        if c == 0 { return }
        let from = a?.serialized() ?? "none", to = b?.serialized() ?? "none"
        let increased = isMin ? c > 0 : c < 0
        let verb = increased ? "increased" : "decreased"
        let p = path + "/" + key
        out.append(change("\(code)_\(increased ? "INCREASED" : "DECREASED")", p, "\(subject) \(noun) \(verb) from \(from) to \(to)", back: c > 0, fwd: c < 0))
    }

    // MARK: - numbers

    struct Bound {
        let value: PyNumber
        let literal: String
        let exclusive: Bool
    }

    /// The tightest of `minimum` / `exclusiveMinimum` (or of the maximum pair).
    static func bound(_ s: JSONObject, lower: Bool) -> Bound? {
        var best: Bound?
        let pairs: [(String, Bool)] = lower ? [("minimum", false), ("exclusiveMinimum", true)] : [("maximum", false), ("exclusiveMaximum", true)]
        for (k, excl) in pairs {
            guard let v = s[k], let x = PyNumber(v) else { continue }
            let b = Bound(value: x, literal: v.serialized(), exclusive: excl)
            if let cur = best {
                if tighter(b, than: cur, lower: lower) > 0 { best = b }
            } else {
                best = b
            }
        }
        return best
    }

    /// 1 when `a` is tighter than `b`, -1 when looser, 0 when the same; nil bounds are unbounded.
    static func tighter(_ a: Bound?, than b: Bound?, lower: Bool) -> Int {
        switch (a, b) {
        case (nil, nil): return 0
        case (nil, .some): return -1
        case (.some, nil): return 1
        case let (.some(x), .some(y)):
            let c = PyNumber.compare(x.value, y.value) ?? 0
            if c != 0 { return lower ? c : -c }
            if x.exclusive == y.exclusive { return 0 }
            return x.exclusive ? 1 : -1
        }
    }

    func compareNumbers(_ os: JSONObject, _ ns: JSONObject, path: String, into out: inout [SchemaChange]) {
        let subject = JSCText.subject(path)
        for k in ["minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum", "multipleOf"] {
            for v in [os[k], ns[k]] where v != nil && PyNumber(v!) == nil {
                if !PyJSON.equal(os[k], ns[k]) {
                    out.append(unsupported(path, "has a non-numeric '\(k)' (\(v!.serialized()))"))
                }
                return
            }
        }
        for lower in [true, false] {
            let ob = JSCComparer.bound(os, lower: lower), nb = JSCComparer.bound(ns, lower: lower)
            let t = JSCComparer.tighter(nb, than: ob, lower: lower)
            if t == 0 { continue }
            let plain = lower ? "minimum" : "maximum", excl = lower ? "exclusiveMinimum" : "exclusiveMaximum"
            let plainDiff = !PyJSON.equal(os[plain], ns[plain]), exclDiff = !PyJSON.equal(os[excl], ns[excl])
            let keyword = exclDiff && !plainDiff ? excl : plain
            let prefix = keyword == excl ? (lower ? "EXCLUSIVE_MINIMUM" : "EXCLUSIVE_MAXIMUM") : (lower ? "MINIMUM" : "MAXIMUM")
            // For a lower bound tighter means a higher value, for an upper bound a lower one.
            let increased = lower ? t > 0 : t < 0
            let fmt = { (b: Bound?) -> String in
                guard let b else { return "none" }
                return (lower ? (b.exclusive ? "> " : ">= ") : (b.exclusive ? "< " : "<= ")) + b.literal
            }
            let p = path + "/" + keyword
            out.append(change(
                "\(prefix)_\(increased ? "INCREASED" : "DECREASED")", p,
                "\(subject) \(lower ? "lower" : "upper") bound \(t > 0 ? "narrowed" : "widened") from \(fmt(ob)) to \(fmt(nb))",
                back: t > 0, fwd: t < 0))
        }
        let om = os["multipleOf"], nm = ns["multipleOf"]
        switch (om, nm) {
        case (nil, .some(let b)):
            out.append(change("MULTIPLE_OF_ADDED", path + "/multipleOf", "\(subject) must now be a multiple of \(b.serialized())", back: true, fwd: false))
        case (.some(let a), nil):
            out.append(change("MULTIPLE_OF_REMOVED", path + "/multipleOf", "\(subject) no longer has to be a multiple of \(a.serialized())", back: false, fwd: true))
        case let (.some(a), .some(b)) where !PyJSON.equal(a, b):
            let x = PyNumber(a)!, y = PyNumber(b)!
            // Every multiple of x is a multiple of y when y divides x (the new set is wider).
            let widened = PyNumber.isMultiple(x, of: y), narrowed = PyNumber.isMultiple(y, of: x)
            out.append(change("MULTIPLE_OF_CHANGED", path + "/multipleOf", "\(subject) multipleOf changed from \(a.serialized()) to \(b.serialized())", back: !widened, fwd: !narrowed))
        default: break
        }
    }

    // MARK: - arrays

    func child(_ node: JSCNode, _ s: JSONObject, _ key: String) -> JSCNode? {
        guard let v = s[key] else { return nil }
        return JSCNode(v, node.ptr + "/" + JSCText.escape(key))
    }

    func compareArrays(_ o: JSCNode, _ n: JSCNode, _ os: JSONObject, _ ns: JSONObject, path: String, into out: inout [SchemaChange]) {
        let subject = JSCText.subject(path)
        if os["items"]?.arrayValue != nil || ns["items"]?.arrayValue != nil || (os["prefixItems"] != nil && os["prefixItems"]?.arrayValue == nil)
            || (ns["prefixItems"] != nil && ns["prefixItems"]?.arrayValue == nil)
        {
            if !PyJSON.equal(os["items"], ns["items"]) || !PyJSON.equal(os["prefixItems"], ns["prefixItems"]) {
                out.append(unsupported(path, "uses the array form of 'items' (before Draft 2020-12) or a malformed 'prefixItems'"))
            }
        } else {
            let oPrefix = os["prefixItems"]?.arrayValue ?? [], nPrefix = ns["prefixItems"]?.arrayValue ?? []
            let oItems = child(o, os, "items"), nItems = child(n, ns, "items")
            // unevaluatedItems sees the positions items/prefixItems evaluate here.
            let unevaluated = os["unevaluatedItems"] != nil || ns["unevaluatedItems"] != nil
            for i in 0..<max(oPrefix.count, nPrefix.count) {
                let on = i < oPrefix.count ? JSCNode(oPrefix[i], "\(o.ptr)/prefixItems/\(i)") : (oItems ?? .anything)
                let nn = i < nPrefix.count ? JSCNode(nPrefix[i], "\(n.ptr)/prefixItems/\(i)") : (nItems ?? .anything)
                let p = i < nPrefix.count ? "\(path)/prefixItems/\(i)" : "\(path)/prefixItems/\(i)"
                var subs = compare(on, nn, path: p)
                if unevaluated && (i >= oPrefix.count || i >= nPrefix.count) {
                    subs.append(unsupported(p, "is next to 'unevaluatedItems', which is not analysed"))
                }
                if i < oPrefix.count && i < nPrefix.count {
                    out += subs
                } else if i < nPrefix.count {
                    out += wrap("PREFIX_ITEMS_ADDED", p, "\(subject) now describes item \(i) with its own schema", subs, always: true)
                } else {
                    out += wrap("PREFIX_ITEMS_REMOVED", p, "\(subject) no longer describes item \(i) with its own schema", subs, always: true)
                }
            }
            if oItems != nil || nItems != nil {
                let p = path + "/items"
                var subs = compare(oItems ?? .anything, nItems ?? .anything, path: p)
                if unevaluated && (oItems == nil || nItems == nil) {
                    subs.append(unsupported(p, "is next to 'unevaluatedItems', which is not analysed"))
                }
                if oItems != nil && nItems != nil {
                    out += subs
                } else if nItems != nil {
                    out += wrap("ITEMS_ADDED", p, "\(subject) items constrained", subs, always: false)
                } else {
                    out += wrap("ITEMS_REMOVED", p, "\(subject) items no longer constrained", subs, always: false)
                }
            }
        }
        compareCount("minItems", isMin: true, code: "MIN_ITEMS", noun: "minimum item count", os, ns, path: path, into: &out)
        compareCount("maxItems", isMin: false, code: "MAX_ITEMS", noun: "maximum item count", os, ns, path: path, into: &out)
        let ou = os["uniqueItems"] == .bool(true), nu = ns["uniqueItems"] == .bool(true)
        if !ou && nu {
            out.append(change("UNIQUE_ITEMS_ADDED", path + "/uniqueItems", "\(subject) items must now be unique", back: true, fwd: false))
        } else if ou && !nu {
            out.append(change("UNIQUE_ITEMS_REMOVED", path + "/uniqueItems", "\(subject) items no longer have to be unique", back: false, fwd: true))
        }
    }

    // MARK: - objects

    /// The patterns of `pp` that match `key`; nil when one of them cannot be compiled.
    func matchingPatterns(_ key: String, _ pp: JSONObject?) -> [String]? {
        guard let pp else { return [] }
        var r: [String] = []
        for pattern in pp.keys {
            guard let re = state.regex(pattern) else { return nil }
            let ns = key as NSString
            if re.firstMatch(in: key, options: [], range: NSRange(location: 0, length: ns.length)) != nil { r.append(pattern) }
        }
        return r
    }

    /// Why a property added (or removed) changes what documents may hold under it.
    static func contentModel(_ add: JCSAdd, added: Bool) -> String {
        switch (add, added) {
        case (.open, true): return "open content model: any value was allowed under it before"
        case (.closed, true): return "closed content model, additionalProperties false: it was rejected before"
        case (.schema, true): return "partially open content model: additionalProperties applied to it before"
        case (.pattern, true): return "partially open content model: patternProperties applied to it before and still do"
        case (.open, false): return "open content model: any value is allowed under it now"
        case (.closed, false): return "closed content model, additionalProperties false: it is rejected now"
        case (.schema, false): return "partially open content model: additionalProperties applies to it now"
        case (.pattern, false): return "partially open content model: patternProperties still apply to it"
        }
    }

    enum JCSAdd { case open, closed, schema, pattern }

    static func addKind(_ v: JSONValue?) -> JCSAdd {
        guard let v else { return .open }
        if v == .bool(true) { return .open }
        if v == .bool(false) { return .closed }
        if case .object(let o) = v, o.isEmpty { return .open }
        return .schema
    }

    /// A property declared on one side only, compared with what governs its name on the other:
    /// matching `patternProperties` (compared pattern by pattern elsewhere, so here with anything),
    /// else `additionalProperties`. `compareWith(governedByPatterns)` runs the comparison.
    func oneSided(_ name: String, added: Bool, otherPatterns: JSONObject?, otherAdditional: JSONValue?, path: String,
                  compareWith: (Bool) -> [SchemaChange]) -> (changes: [SchemaChange], model: String) {
        guard let matched = matchingPatterns(name, otherPatterns) else {
            return ([unsupported(path, "is matched against a patternProperties regex that cannot be evaluated")],
                    "patternProperties not evaluated")
        }
        if !matched.isEmpty { return (compareWith(true), JSCComparer.contentModel(.pattern, added: added)) }
        return (compareWith(false), JSCComparer.contentModel(JSCComparer.addKind(otherAdditional), added: added))
    }

    func compareObjects(_ o: JSCNode, _ n: JSCNode, _ os: JSONObject, _ ns: JSONObject, path: String, into out: inout [SchemaChange]) {
        let subject = JSCText.subject(path)
        let oProps = os["properties"]?.objectValue ?? JSONObject(), nProps = ns["properties"]?.objectValue ?? JSONObject()
        let oPP = os["patternProperties"]?.objectValue, nPP = ns["patternProperties"]?.objectValue
        let oAdd = child(o, os, "additionalProperties") ?? .anything
        let nAdd = child(n, ns, "additionalProperties") ?? .anything
        let reqNew = Set((ns["required"]?.arrayValue ?? []).compactMap { $0.stringValue })
        let reqOld = Set((os["required"]?.arrayValue ?? []).compactMap { $0.stringValue })
        // unevaluatedProperties sees the properties declared here: adding or removing one changes
        // which properties it applies to.
        let unevaluated = os["unevaluatedProperties"] != nil || ns["unevaluatedProperties"] != nil

        for (k, nv) in nProps {
            let p = "\(path)/properties/\(JSCText.escape(k))"
            let nn = JSCNode(nv, "\(n.ptr)/properties/\(JSCText.escape(k))")
            if let ov = oProps[k] {
                out += compare(JSCNode(ov, "\(o.ptr)/properties/\(JSCText.escape(k))"), nn, path: p)
                continue
            }
            // Before, the name was governed by the old schema's patterns or additionalProperties.
            var (subs, model) = oneSided(k, added: true, otherPatterns: oPP, otherAdditional: os["additionalProperties"], path: p) {
                compare($0 ? .anything : oAdd, nn, path: p)
            }
            if unevaluated { subs.append(unsupported(p, "is next to 'unevaluatedProperties', which is not analysed")) }
            let req = reqNew.contains(k) ? " (required)" : ""
            out += wrap("PROPERTY_ADDED", p, "Property '\(JSCText.join(subject, k))' added\(req) (\(model))", subs, always: true)
        }
        for (k, ov) in oProps where nProps[k] == nil {
            let p = "\(path)/properties/\(JSCText.escape(k))"
            let on = JSCNode(ov, "\(o.ptr)/properties/\(JSCText.escape(k))")
            // After, the name is governed by the new schema's patterns or additionalProperties.
            var (subs, model) = oneSided(k, added: false, otherPatterns: nPP, otherAdditional: ns["additionalProperties"], path: p) {
                compare(on, $0 ? .anything : nAdd, path: p)
            }
            if unevaluated { subs.append(unsupported(p, "is next to 'unevaluatedProperties', which is not analysed")) }
            out += wrap("PROPERTY_REMOVED", p, "Property '\(JSCText.join(subject, k))' removed (\(model))", subs, always: true)
        }

        // patternProperties, pattern by pattern.
        if oPP != nil || nPP != nil {
            let oP = oPP ?? JSONObject(), nP = nPP ?? JSONObject()
            for (pat, nv) in nP {
                let p = "\(path)/patternProperties/\(JSCText.escape(pat))"
                let nn = JSCNode(nv, "\(n.ptr)/patternProperties/\(JSCText.escape(pat))")
                if let ov = oP[pat] {
                    out += compare(JSCNode(ov, "\(o.ptr)/patternProperties/\(JSCText.escape(pat))"), nn, path: p)
                    continue
                }
                var subs: [SchemaChange]
                if oPP != nil && !oP.isEmpty {
                    subs = [unsupported(p, "adds a pattern next to other patterns; overlapping patterns are not analysed")]
                } else {
                    subs = compare(oAdd, nn, path: p)
                    if nProps.keys.contains(where: { matchingPatterns($0, [pat: nv]) != [] }) {
                        subs += compare(.anything, nn, path: p)
                    }
                }
                out += wrap("PATTERN_PROPERTY_ADDED", p, "\(subject) pattern property \(JSCText.quote(pat)) added", subs, always: true)
            }
            for (pat, ov) in oP where nP[pat] == nil {
                let p = "\(path)/patternProperties/\(JSCText.escape(pat))"
                let on = JSCNode(ov, "\(o.ptr)/patternProperties/\(JSCText.escape(pat))")
                var subs: [SchemaChange]
                if nPP != nil && !nP.isEmpty {
                    subs = [unsupported(p, "removes a pattern next to other patterns; overlapping patterns are not analysed")]
                } else {
                    subs = compare(on, nAdd, path: p)
                    if oProps.keys.contains(where: { matchingPatterns($0, [pat: ov]) != [] }) {
                        subs += compare(on, .anything, path: p)
                    }
                }
                out += wrap("PATTERN_PROPERTY_REMOVED", p, "\(subject) pattern property \(JSCText.quote(pat)) removed", subs, always: true)
            }
        }

        // additionalProperties: the properties neither schema declares nor matches by pattern.
        if os["additionalProperties"] != nil || ns["additionalProperties"] != nil {
            let p = path + "/additionalProperties"
            let subs = compare(oAdd, nAdd, path: p)
            let back = subs.contains { $0.breaksBackward }, fwd = subs.contains { $0.breaksForward }
            let from = JSCComparer.contentModelName(os["additionalProperties"]), to = JSCComparer.contentModelName(ns["additionalProperties"])
            if back || fwd {
                let code = back && fwd ? "ADDITIONAL_PROPERTIES_CHANGED" : (back ? "ADDITIONAL_PROPERTIES_NARROWED" : "ADDITIONAL_PROPERTIES_WIDENED")
                let verb = back && fwd ? "changed" : (back ? "narrowed" : "widened")
                out.append(change(code, p, "\(subject) additional properties \(verb) (\(from) → \(to))\(JSCText.reason(subs))", back: back, fwd: fwd))
            } else {
                out += subs
            }
        }

        if let a = os["propertyNames"], let b = ns["propertyNames"], PyJSON.equal(a, b), !JSCComparer.containsRef(a) {
        } else if os["propertyNames"] != nil || ns["propertyNames"] != nil {
            let p = path + "/propertyNames"
            out += compare(child(o, os, "propertyNames") ?? .anything, child(n, ns, "propertyNames") ?? .anything, path: p)
        }

        for k in reqNew.subtracting(reqOld).sorted() {
            out.append(change("REQUIRED_ADDED", path + "/required", "Property '\(JSCText.join(subject, k))' is now required", back: true, fwd: false))
        }
        for k in reqOld.subtracting(reqNew).sorted() {
            out.append(change("REQUIRED_REMOVED", path + "/required", "Property '\(JSCText.join(subject, k))' is no longer required", back: false, fwd: true))
        }

        let oDR = os["dependentRequired"]?.objectValue ?? JSONObject(), nDR = ns["dependentRequired"]?.objectValue ?? JSONObject()
        var drKeys = nDR.keys
        for k in oDR.keys where nDR[k] == nil { drKeys.append(k) }
        for k in drKeys {
            let a = Set((oDR[k]?.arrayValue ?? []).compactMap { $0.stringValue }), b = Set((nDR[k]?.arrayValue ?? []).compactMap { $0.stringValue })
            let p = "\(path)/dependentRequired/\(JSCText.escape(k))"
            for d in b.subtracting(a).sorted() {
                out.append(change("DEPENDENT_REQUIRED_ADDED", p, "\(subject): when '\(k)' is present, '\(d)' is now required", back: true, fwd: false))
            }
            for d in a.subtracting(b).sorted() {
                out.append(change("DEPENDENT_REQUIRED_REMOVED", p, "\(subject): when '\(k)' is present, '\(d)' is no longer required", back: false, fwd: true))
            }
        }

        let oDS = os["dependentSchemas"]?.objectValue ?? JSONObject(), nDS = ns["dependentSchemas"]?.objectValue ?? JSONObject()
        var dsKeys = nDS.keys
        for k in oDS.keys where nDS[k] == nil { dsKeys.append(k) }
        for k in dsKeys {
            let p = "\(path)/dependentSchemas/\(JSCText.escape(k))"
            let on = oDS[k].map { JSCNode($0, "\(o.ptr)/dependentSchemas/\(JSCText.escape(k))") } ?? .anything
            let nn = nDS[k].map { JSCNode($0, "\(n.ptr)/dependentSchemas/\(JSCText.escape(k))") } ?? .anything
            let subs = compare(on, nn, path: p)
            if oDS[k] != nil && nDS[k] != nil {
                out += subs
            } else {
                let added = nDS[k] != nil
                out += wrap(added ? "DEPENDENT_SCHEMA_ADDED" : "DEPENDENT_SCHEMA_REMOVED", p, "\(subject): dependent schema for '\(k)' \(added ? "added" : "removed")", subs, always: true)
            }
        }

        compareCount("minProperties", isMin: true, code: "MIN_PROPERTIES", noun: "minimum property count", os, ns, path: path, into: &out)
        compareCount("maxProperties", isMin: false, code: "MAX_PROPERTIES", noun: "maximum property count", os, ns, path: path, into: &out)
    }

    static func contentModelName(_ v: JSONValue?) -> String {
        switch addKind(v) {
        case .open: return "open"
        case .closed: return "closed"
        default: return "a schema"
        }
    }

    // MARK: - allOf / anyOf / oneOf

    static func isTrivial(_ v: JSONValue) -> Bool {
        guard let o = asObject(v) else { return false }
        for k in o.keys where !annotationKeywords.contains(k) && !ignoredKeywords.contains(k) { return false }
        return true
    }

    /// The number of changes between two schemas, without marking anything as visited.
    func cost(_ a: JSCNode, _ b: JSCNode, path: String) -> Int {
        let trial = JSCComparer(oldRoot: oldRoot, newRoot: newRoot, state: state.trialCopy(), swapped: swapped)
        return trial.compare(a, b, path: path).count
    }

    func compareComposition(_ o: JSCNode, _ n: JSCNode, _ os: JSONObject, _ ns: JSONObject, path: String, into out: inout [SchemaChange]) {
        for kw in ["allOf", "anyOf", "oneOf"] {
            let ov = os[kw], nv = ns[kw]
            if ov == nil && nv == nil { continue }
            if (ov != nil && ov?.arrayValue == nil) || (nv != nil && nv?.arrayValue == nil) {
                if !PyJSON.equal(ov, nv) { out.append(unsupported(path, "has a malformed '\(kw)'")) }
                continue
            }
            if let ov, let nv, PyJSON.equal(ov, nv), !JSCComparer.containsRef(ov) { continue }
            let oBr = ov?.arrayValue ?? [], nBr = nv?.arrayValue ?? []
            let oNodes = oBr.enumerated().map { JSCNode($0.element, "\(o.ptr)/\(kw)/\($0.offset)") }
            let nNodes = nBr.enumerated().map { JSCNode($0.element, "\(n.ptr)/\(kw)/\($0.offset)") }
            out += compareBranches(
                kw, oNodes, nNodes, both: ov != nil && nv != nil, path: path,
                oldPath: { "\(path)/\(kw)/\($0)" }, newPath: { "\(path)/\(kw)/\($0)" })
        }
    }

    /// A schema whose only constraint is `anyOf` / `oneOf` (the rest annotations): that keyword.
    static func soleUnion(_ s: JSONObject) -> String? {
        var found: String?
        for k in s.keys {
            if annotationKeywords.contains(k) || ignoredKeywords.contains(k) { continue }
            if (k == "anyOf" || k == "oneOf"), found == nil, s[k]?.arrayValue != nil { found = k; continue }
            return nil
        }
        return found
    }

    /// `X` against `{"anyOf": [X, {"type": "null"}]}` (and the reverse): the lone schema is a
    /// union of one branch. Nil when neither side has that shape.
    func compareAsUnion(_ o: JSCNode, _ n: JSCNode, _ os: JSONObject, _ ns: JSONObject, path: String) -> [SchemaChange]? {
        let oU = JSCComparer.soleUnion(os), nU = JSCComparer.soleUnion(ns)
        if (oU == nil) == (nU == nil) { return nil }
        if os["anyOf"] != nil || os["oneOf"] != nil || os["allOf"] != nil, oU == nil { return nil }
        if ns["anyOf"] != nil || ns["oneOf"] != nil || ns["allOf"] != nil, nU == nil { return nil }
        // A lone schema without constraints is better reported as the union added or removed.
        if JSCComparer.isTrivial(.object(oU == nil ? os : ns)) { return nil }
        var out: [SchemaChange] = []
        compareAnnotations(os, ns, path: path, into: &out)
        var lone = oU == nil ? os : ns
        for k in JSCComparer.annotationKeywords { lone[k] = nil }
        if let kw = nU {
            let nNodes = (ns[kw]?.arrayValue ?? []).enumerated().map { JSCNode($0.element, "\(n.ptr)/\(kw)/\($0.offset)") }
            out += compareBranches(kw, [JSCNode(.object(lone), o.ptr)], nNodes, both: true, path: path,
                                   oldPath: { _ in path }, newPath: { "\(path)/\(kw)/\($0)" })
        } else if let kw = oU {
            let oNodes = (os[kw]?.arrayValue ?? []).enumerated().map { JSCNode($0.element, "\(o.ptr)/\(kw)/\($0.offset)") }
            out += compareBranches(kw, oNodes, [JSCNode(.object(lone), n.ptr)], both: true, path: path,
                                   oldPath: { "\(path)/\(kw)/\($0)" }, newPath: { _ in path })
        }
        return out
    }

    func compareBranches(
        _ kw: String, _ oNodes: [JSCNode], _ nNodes: [JSCNode], both: Bool, path: String,
        oldPath: (Int) -> String, newPath: (Int) -> String
    ) -> [SchemaChange] {
        let subject = JSCText.subject(path)
        var out: [SchemaChange] = []
        let oBr = oNodes.map(\.value), nBr = nNodes.map(\.value)
        // Pair the branches: equal ones first, then by the fewest changes among compatible types.
        var pairOfOld = [Int?](repeating: nil, count: oBr.count)
        var newTaken = [Bool](repeating: false, count: nBr.count)
        if both {
            for i in 0..<oBr.count {
                if let j = (0..<nBr.count).first(where: { !newTaken[$0] && PyJSON.equal(oBr[i], nBr[$0]) }) {
                    pairOfOld[i] = j
                    newTaken[j] = true
                }
            }
            for i in 0..<oBr.count where pairOfOld[i] == nil {
                var best: (Int, Int)?
                let ot = JSCComparer.asObject(oBr[i]).flatMap { JSCComparer.typeSet($0) }
                // Trial comparisons only at the top of a matching and for small unions: nested or
                // large ones take the first candidate of a compatible type.
                let cheap = state.isTrial || oBr.count * nBr.count > 64
                for j in 0..<nBr.count where !newTaken[j] {
                    let nt = JSCComparer.asObject(nBr[j]).flatMap { JSCComparer.typeSet($0) }
                    if let ot, let nt, !JSCComparer.typesOverlap(ot, nt) { continue }
                    if cheap { best = (j, 0); break }
                    let c = cost(oNodes[i], nNodes[j], path: newPath(j))
                    if best == nil || c < best!.1 { best = (j, c) }
                }
                if let (j, _) = best {
                    pairOfOld[i] = j
                    newTaken[j] = true
                }
            }
        }
        for (i, pj) in pairOfOld.enumerated() {
            guard let j = pj else { continue }
            var subs = compare(oNodes[i], nNodes[j], path: newPath(j))
            if kw == "oneOf" {
                // Exactly one branch must match: a branch that accepts more may now overlap another
                // (old documents rejected), and after a branch narrowed a new document matching another
                // branch may also match the old, wider one (rejected by the old schema). Any break
                // inside a oneOf branch breaks both ways.
                subs = subs.map {
                    $0.breaksForward || $0.breaksBackward
                        ? SchemaChange(code: $0.code, path: $0.path, description: $0.description + " (inside oneOf, where a document must match exactly one branch)", breaksBackward: true, breaksForward: true)
                        : $0
                }
            }
            out += subs
        }
        for j in 0..<nBr.count where !newTaken[j] {
            // Trivial oneOf branches still count: two of them reject everything.
            let trivial = JSCComparer.isTrivial(nBr[j]) && (kw != "oneOf" || nBr.count == 1)
            let back: Bool, fwd: Bool
            switch (kw, both) {
            case ("allOf", _), (_, false): back = !trivial; fwd = false
            case ("anyOf", true): back = false; fwd = !JSCComparer.isFalse(nBr[j])
            default: back = true; fwd = true
            }
            out.append(change("COMPOSITION_BRANCH_ADDED", newPath(j), "\(subject): \(kw) branch \(j) added\(JSCText.brief(nBr[j]))", back: back, fwd: fwd))
        }
        for i in 0..<oBr.count where pairOfOld[i] == nil {
            let trivial = JSCComparer.isTrivial(oBr[i]) && (kw != "oneOf" || oBr.count == 1)
            let back: Bool, fwd: Bool
            switch (kw, both) {
            case ("allOf", _), (_, false): back = false; fwd = !trivial
            case ("anyOf", true): back = !JSCComparer.isFalse(oBr[i]); fwd = false
            default: back = true; fwd = true
            }
            out.append(change("COMPOSITION_BRANCH_REMOVED", oldPath(i), "\(subject): \(kw) branch \(i) removed\(JSCText.brief(oBr[i]))", back: back, fwd: fwd))
        }
        return out
    }

    static func isFalse(_ v: JSONValue) -> Bool { v == .bool(false) }

    static func typesOverlap(_ a: [String], _ b: [String]) -> Bool {
        for x in a {
            for y in b where x == y || (x == "integer" && y == "number") || (x == "number" && y == "integer") { return true }
        }
        return false
    }

    // MARK: - not

    func compareNot(_ o: JSCNode, _ n: JSCNode, _ os: JSONObject, _ ns: JSONObject, path: String, into out: inout [SchemaChange]) {
        let subject = JSCText.subject(path)
        let p = path + "/not"
        switch (child(o, os, "not"), child(n, ns, "not")) {
        case (nil, nil):
            return
        case (nil, .some(let b)):
            out.append(change("NOT_ADDED", p, "\(subject) must now not match \(b.value.serialized())", back: !JSCComparer.isFalse(b.value), fwd: false))
        case (.some(let a), nil):
            out.append(change("NOT_REMOVED", path + "/not", "\(subject) no longer has to not match \(a.value.serialized())", back: false, fwd: !JSCComparer.isFalse(a.value)))
        case let (.some(a), .some(b)):
            // not A ⊆ not B exactly when B ⊆ A: compare with the roles (and documents) swapped.
            let swappedComparer = JSCComparer(oldRoot: newRoot, newRoot: oldRoot, state: state, swapped: !swapped)
            let subs = swappedComparer.compare(b, a, path: p)
            let back = subs.contains { $0.breaksBackward }, fwd = subs.contains { $0.breaksForward }
            if back || fwd {
                out.append(change("NOT_CHANGED", p, "\(subject) 'not' schema changed\(JSCText.reason(subs))", back: back, fwd: fwd))
            }
        }
    }

    // MARK: - annotations and everything else

    func compareAnnotations(_ os: JSONObject, _ ns: JSONObject, path: String, into out: inout [SchemaChange]) {
        let subject = JSCText.subject(path)
        for k in JSCComparer.annotationKeywords {
            let a = os[k], b = ns[k]
            if a == nil && b == nil { continue }
            if let a, let b, PyJSON.equal(a, b) { continue }
            let what = a == nil ? "added" : (b == nil ? "removed" : "changed")
            out.append(change("ANNOTATION_CHANGED", path + "/" + JSCText.escape(k), "\(subject) \(k) \(what)", back: false, fwd: false))
        }
    }

    func compareUnknown(_ os: JSONObject, _ ns: JSONObject, path: String, into out: inout [SchemaChange]) {
        var keys = os.keys
        for k in ns.keys where os[k] == nil { keys.append(k) }
        for k in keys {
            if JSCComparer.analysedKeywords.contains(k) || JSCComparer.ignoredKeywords.contains(k) || JSCComparer.annotationKeywords.contains(k) { continue }
            let a = os[k], b = ns[k]
            if let a, let b, PyJSON.equal(a, b), !JSCComparer.containsRef(a) { continue }
            let p = path + "/" + JSCText.escape(k)
            if let a, let b, PyJSON.equal(a, b) {
                out.append(change("UNSUPPORTED_KEYWORD_CHANGED", p, "\(JSCText.subject(path)) keyword '\(k)' holds a $ref, whose target may have changed; '\(k)' is not analysed, so this is treated as breaking both ways", back: true, fwd: true))
                continue
            }
            let what = a == nil ? "added" : (b == nil ? "removed" : "changed")
            out.append(change("UNSUPPORTED_KEYWORD_CHANGED", p, "\(JSCText.subject(path)) keyword '\(k)' \(what); '\(k)' is not analysed, so this is treated as breaking both ways", back: true, fwd: true))
        }
    }

    // MARK: - helpers

    func change(_ code: String, _ path: String, _ description: String, back: Bool, fwd: Bool) -> SchemaChange {
        SchemaChange(code: code, path: path, description: description, breaksBackward: back, breaksForward: fwd)
    }

    func unsupported(_ path: String, _ why: String) -> SchemaChange {
        change("UNSUPPORTED_KEYWORD_CHANGED", path, "\(JSCText.subject(path)) \(why); treated as breaking both ways", back: true, fwd: true)
    }

    /// One change summarising `subs` (what a sub-schema comparison found) with their flags.
    func wrap(_ code: String, _ path: String, _ description: String, _ subs: [SchemaChange], always: Bool) -> [SchemaChange] {
        let back = subs.contains { $0.breaksBackward }, fwd = subs.contains { $0.breaksForward }
        if !always && !back && !fwd { return subs }
        return [change(code, path, description + JSCText.reason(subs), back: back, fwd: fwd)]
    }
}

/// Wording of paths and values in descriptions.
enum JSCText {
    /// RFC 6901. Names rarely hold `~` or `/`: those return as they are, without a copy (this runs
    /// for every property of every comparison).
    static func escape(_ token: String) -> String {
        guard token.utf8.contains(where: { $0 == UInt8(ascii: "~") || $0 == UInt8(ascii: "/") }) else { return token }
        var escaped = ""
        escaped.reserveCapacity(token.utf8.count + 2)
        for character in token.unicodeScalars {
            switch character {
            case "~": escaped += "~0"
            case "/": escaped += "~1"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    static func unescape(_ token: Substring) -> String {
        guard token.utf8.contains(UInt8(ascii: "~")) else { return String(token) }
        return token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }

    /// "Property 'address.city'" for `#/properties/address/properties/city`, "Root schema" for `#`,
    /// "Schema at #/…" otherwise.
    static func subject(_ path: String) -> String {
        if path == "#" { return "Root schema" }
        let segs = path.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false).map(unescape)
        var names: [String] = []
        var i = 0
        var allProps = true
        while i < segs.count {
            if segs[i] == "properties" && i + 1 < segs.count {
                names.append(segs[i + 1])
                i += 2
            } else {
                allProps = false
                i += 1
            }
        }
        if allProps && !names.isEmpty { return "Property '\(names.joined(separator: "."))'" }
        return "Schema at \(path)"
    }

    /// How deep in the document a schema at `path` applies: properties, items and the like descend,
    /// allOf / anyOf / oneOf / not / dependentSchemas do not.
    static func instanceDepth(_ path: String) -> Int {
        let segs = path.split(separator: "/", omittingEmptySubsequences: false)
        var depth = 0
        var i = 1
        while i < segs.count {
            switch segs[i] {
            case "properties", "patternProperties", "prefixItems":
                depth += 1
                i += 2
            case "items", "additionalProperties", "propertyNames", "contains", "unevaluatedItems", "unevaluatedProperties":
                depth += 1
                i += 1
            case "allOf", "anyOf", "oneOf", "dependentSchemas", "dependentRequired":
                i += 2
            default:
                i += 1
            }
        }
        return depth
    }

    /// The dotted name of property `k` of the schema described by `subject`.
    static func join(_ subject: String, _ k: String) -> String {
        if subject.hasPrefix("Property '") && subject.hasSuffix("'") {
            return String(subject.dropFirst(10).dropLast()) + "." + k
        }
        if subject == "Root schema" { return k }
        return k
    }

    static func types(_ t: [String]?) -> String {
        guard let t, !t.isEmpty else { return t == nil ? "any" : "nothing" }
        return t.joined(separator: " or ")
    }

    static func values(_ a: [JSONValue]) -> String {
        "[" + a.map { $0.serialized() }.joined(separator: ", ") + "]"
    }

    /// " (<json>)" for a short value, "" for a long one.
    static func brief(_ v: JSONValue) -> String {
        let text = v.serialized()
        return text.utf8.count <= 80 ? " (\(text))" : ""
    }

    static func quote(_ s: String) -> String { JSONValue.string(s).serialized() }

    /// ": <first breaking sub-change>" when there is one.
    static func reason(_ subs: [SchemaChange]) -> String {
        guard let first = subs.first(where: { $0.breaksBackward || $0.breaksForward }) else { return "" }
        // "now rejects every value" adds nothing to "closed content model" and the like.
        if subs.count == 1 && (first.code == "SCHEMA_FALSE" || first.code == "SCHEMA_TRUE") { return "" }
        var r = ": " + first.description
        if subs.count > 1 { r += " (and \(subs.count - 1) more)" }
        return r
    }
}
