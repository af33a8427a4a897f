// Compilation of JSON Schema documents into a graph of `JSNode`s, with reference resolution that
// follows python `referencing` (the library python-jsonschema uses): resources are found by `$id`
// (joined with `urljoin`), anchors by `$anchor` / `$dynamicAnchor` per resource, JSON pointers are
// percent-decoded, and a `$dynamicRef` (or `$ref`) landing on a `$dynamicAnchor` is re-resolved at
// validation time against the dynamic scope (the outermost resource declaring that anchor wins).

import Foundation
import RegistryJSON

/// One step of an instance path or schema path (python: str or int).
enum JSPathElem: Hashable, Sendable {
    case key(String)
    case index(Int)

    var string: String {
        switch self {
        case .key(let s): return s
        case .index(let i): return String(i)
        }
    }
}

/// A schema resource (a base URI). Identity matters: the dynamic scope is a list of these.
final class JSResource: @unchecked Sendable {
    let uri: String
    /// `$dynamicAnchor` name -> subschema, for dynamic resolution.
    var dynamicAnchors: [String: JSNode] = [:]
    /// Bit set of the compiler-wide ids of `dynamicAnchors`' names (see `JSScope.push`).
    var anchorMask: UInt64 = 0
    /// More than 64 distinct dynamic anchor names in the compilation: masks are not usable.
    var maskOverflow = false
    init(uri: String) { self.uri = uri }
}

/// The dynamic scope (python `Resolver._previous`): innermost first.
final class JSScope {
    let resource: JSResource
    let parent: JSScope?
    /// Union of the chain's `anchorMask`s.
    let mask: UInt64

    private init(_ resource: JSResource, _ parent: JSScope?, mask: UInt64) {
        self.resource = resource
        self.parent = parent
        self.mask = mask
    }

    /// python `Resolver._evolve` pushing `resource`. The scope only serves to resolve dynamic
    /// anchors (the outermost declaration wins) and to know whether it is empty, so pushing a
    /// resource that declares no anchor name the chain lacks changes nothing: `parent` is reused.
    @inline(__always)
    static func push(_ resource: JSResource, _ parent: JSScope?) -> JSScope {
        if let p = parent {
            if !resource.maskOverflow && resource.anchorMask & ~p.mask == 0 { return p }
            return JSScope(resource, p, mask: p.mask | resource.anchorMask)
        }
        return JSScope(resource, nil, mask: resource.anchorMask)
    }
}

/// A resolved `$ref` / `$dynamicRef`.
final class JSRef: @unchecked Sendable {
    let ref: String
    /// The statically resolved target.
    var target: JSNode!
    /// The resource URI the reference names (python: the `base_uri` the resolver moves to).
    var uriResource: JSResource!
    /// Set when the reference lands on a `$dynamicAnchor`: resolve dynamically by this name.
    var dynamicName: String?
    init(_ ref: String) { self.ref = ref }
}

/// A compiled `pattern` (python `re.search` semantics).
struct JSPattern: @unchecked Sendable {
    enum Kind {
        case regex(NSRegularExpression)
        /// `^[^#]*#?$` (meta-schema `$id`)
        case noFragment
        /// `^[A-Za-z_][-A-Za-z0-9._]*$` (meta-schema anchors)
        case anchorName
    }
    let source: String
    let kind: Kind

    func search(_ s: String) -> Bool {
        switch kind {
        case .regex(let re):
            return re.firstMatch(in: s, options: [], range: NSRange(location: 0, length: s.utf16.count)) != nil
        case .noFragment:
            // `[^#]*` then an optional '#', then the end or a final "\n" (python `$`).
            let u = Substring(s).utf8
            if JSPattern.noFragmentBody(u) { return true }
            return u.last == UInt8(ascii: "\n") && JSPattern.noFragmentBody(u.dropLast())
        case .anchorName:
            var u = Substring(s).utf8
            if u.last == UInt8(ascii: "\n") { u = u.dropLast() }
            guard let f = u.first else { return false }
            func letter(_ c: UInt8) -> Bool { (c >= 65 && c <= 90) || (c >= 97 && c <= 122) }
            if !(letter(f) || f == UInt8(ascii: "_")) { return false }
            for c in u.dropFirst() {
                if !(letter(c) || (c >= 48 && c <= 57) || c == UInt8(ascii: "-") || c == UInt8(ascii: ".") || c == UInt8(ascii: "_")) {
                    return false
                }
            }
            return true
        }
    }

    private static func noFragmentBody(_ u: Substring.UTF8View) -> Bool {
        var body = u
        if body.last == UInt8(ascii: "#") { body = body.dropLast() }
        return !body.contains(UInt8(ascii: "#"))
    }

    private static let cacheLock = NSLock()
    /// Keyed by code points (Swift `String` equality would merge canonically equivalent patterns).
    nonisolated(unsafe) private static var cache: [_JSONKey: NSRegularExpression] = [:]

    /// Compiles a python pattern (cached process-wide).
    static func compile(_ pattern: String) throws -> JSPattern {
        if pattern == "^[^#]*#?$" { return JSPattern(source: pattern, kind: .noFragment) }
        if pattern == "^[A-Za-z_][-A-Za-z0-9._]*$" { return JSPattern(source: pattern, kind: .anchorName) }
        cacheLock.lock()
        let cached = cache[_JSONKey(pattern)]
        cacheLock.unlock()
        if let re = cached { return JSPattern(source: pattern, kind: .regex(re)) }
        let icu: String
        do {
            icu = try PyRegex.icuPattern(pattern)
        } catch let e as PyRegexError {
            throw JSONSchemaValidatorError.unsupportedPattern(pattern, e.message)
        }
        let re: NSRegularExpression
        do {
            re = try NSRegularExpression(pattern: icu, options: [.useUnixLineSeparators])
        } catch {
            throw JSONSchemaValidatorError.unsupportedPattern(pattern, "not supported by the regex engine")
        }
        cacheLock.lock()
        if cache.count >= 2048 { cache.removeAll(keepingCapacity: true) }
        cache[_JSONKey(pattern)] = re
        cacheLock.unlock()
        return JSPattern(source: pattern, kind: .regex(re))
    }
}

/// `properties`: entries in schema order plus a key lookup. Small maps use buckets by UTF-8
/// length, first and last byte (no hashing, no allocation); large ones a byte-keyed dictionary.
final class JSProperties: @unchecked Sendable {
    let entries: [(name: String, node: JSNode)]
    private let slotStart: [Int32]   // 257 offsets into `candidates`
    private let candidates: [Int32]
    private let index: [_JSONKey: Int]?

    init(_ entries: [(name: String, node: JSNode)]) {
        self.entries = entries
        if entries.count > 32 {
            var idx: [_JSONKey: Int] = [:]
            idx.reserveCapacity(entries.count)
            for (i, e) in entries.enumerated() where idx[_JSONKey(e.name)] == nil { idx[_JSONKey(e.name)] = i }
            index = idx
            slotStart = []
            candidates = []
            return
        }
        index = nil
        var buckets = [[Int32]](repeating: [], count: 256)
        for (i, e) in entries.enumerated() {
            buckets[JSProperties.slot(e.name)].append(Int32(i))
        }
        var starts: [Int32] = []
        starts.reserveCapacity(257)
        var cands: [Int32] = []
        cands.reserveCapacity(entries.count)
        for b in buckets {
            starts.append(Int32(cands.count))
            cands.append(contentsOf: b)
        }
        starts.append(Int32(cands.count))
        slotStart = starts
        candidates = cands
    }

    @inline(__always)
    private static func slot(_ s: String) -> Int {
        let u = s.utf8
        let first = UInt(u.first ?? 0), last = UInt(u.last ?? 0)
        return Int((UInt(u.count) &* 31 &+ first &* 7 &+ last) & 255)
    }

    /// Index of `key` in `entries`.
    func lookup(_ key: String) -> Int? {
        if let idx = index { return idx[_JSONKey(key)] }
        let sl = JSProperties.slot(key)
        var i = Int(slotStart[sl])
        let end = Int(slotStart[sl + 1])
        while i < end {
            let c = Int(candidates[i])
            if _jsonUTF8Equal(entries[c].name, key) { return c }
            i += 1
        }
        return nil
    }

    func contains(_ key: String) -> Bool { lookup(key) != nil }
}

/// A validation keyword with its compiled argument.
enum JSKeywordKind {
    case ref(JSRef)                 // "$ref" and "$dynamicRef"
    case additionalProperties(JSNode)
    case allOf([JSNode])
    case anyOf([JSNode])
    case oneOf([JSNode])
    case const(JSONValue)
    case contains(JSNode)
    case dependentRequired([(String, [String])])
    case dependentSchemas([(String, JSNode)])
    case enumeration([JSONValue])
    case exclusiveMaximum(PyNumber)
    case exclusiveMinimum(PyNumber)
    case maximum(PyNumber)
    case minimum(PyNumber)
    case format(String)
    case ifThenElse(JSNode, then: JSNode?, else: JSNode?)
    case items(JSNode)
    case maxItems(PyNumber)
    case minItems(PyNumber)
    case maxLength(PyNumber)
    case minLength(PyNumber)
    case maxProperties(PyNumber)
    case minProperties(PyNumber)
    case multipleOf(PyNumber)
    case not(JSNode)
    case pattern(JSPattern)
    case patternProperties([(String, JSPattern, JSNode)])
    case prefixItems([JSNode])
    case properties(JSProperties)
    case propertyNames(JSNode)
    case required([String])
    case type([JSType], names: [String])
    case unevaluatedItems(JSNode)
    case unevaluatedProperties(JSNode)
    case uniqueItems
}

final class JSKeyword: @unchecked Sendable {
    let name: String
    /// The keyword's raw value (python `validator_value`; used in some messages).
    let value: JSONValue
    let kind: JSKeywordKind

    init(name: String, value: JSONValue, kind: JSKeywordKind) {
        self.name = name
        self.value = value
        self.kind = kind
    }
}

/// A compiled (sub)schema.
final class JSNode: @unchecked Sendable {
    let json: JSONValue
    /// true / false for boolean schemas.
    let boolValue: Bool?
    /// Base resource (python resolver `base_uri`) in effect for this schema's keywords.
    let base: JSResource
    var keywords: [JSKeyword] = []

    // Direct access for the unevaluated* keywords (python `find_evaluated_*`).
    var refKW: JSRef?
    var dynamicRefKW: JSRef?
    var propertiesKW: JSProperties?
    var additionalPropertiesKW: JSNode?
    var unevaluatedPropertiesKW: JSNode?
    var patternPropertiesKW: [(String, JSPattern, JSNode)]?
    var dependentSchemasKW: [(String, JSNode)]?
    var allOfKW: [JSNode]?
    var anyOfKW: [JSNode]?
    var oneOfKW: [JSNode]?
    var ifKW: JSNode?
    var thenKW: JSNode?
    var elseKW: JSNode?
    var hasItems = false
    var prefixItemsCount: Int?
    var containsKW: JSNode?
    var unevaluatedItemsKW: JSNode?

    init(json: JSONValue, base: JSResource) {
        self.json = json
        self.base = base
        if case .bool(let b) = json { boolValue = b } else { boolValue = nil }
    }
}

/// Builds the node graph for one root schema (plus the meta-schemas, loaded on demand).
final class JSCompiler {
    private struct Location {
        let doc: Int
        let pointer: [JSPathElem]
    }
    private struct AnchorEntry {
        let loc: Location
        let dynamic: Bool
    }

    private var docs: [JSONValue] = []
    private var interned: [String: JSResource] = [:]
    private var registered: [String: Location] = [:]
    private var anchors: [String: [String: AnchorEntry]] = [:]
    private var locBase: [String: JSResource] = [:]
    private var nodes: [String: JSNode] = [:]
    private var pending: [(JSRef, JSResource)] = []
    private var metaLoaded = false
    private var dynamicCompiled: Set<String> = []
    private var anchorNameIDs: [String: Int] = [:]

    /// The parsed meta-schema documents (parsed once per process).
    static let metaDocuments: [(uri: String, json: JSONValue)] = JSONSchemaMetaSchemas.draft202012.map { entry in
        // The embedded texts are known-good JSON.
        (entry.uri, try! JSONParser.parse(entry.text))
    }

    func intern(_ uri: String) -> JSResource {
        let key = PyURL.resourceKey(uri)
        if let r = interned[key] { return r }
        let r = JSResource(uri: key)
        interned[key] = r
        return r
    }

    private static func locKey(_ doc: Int, _ pointer: [JSPathElem]) -> String {
        var s = String(doc)
        for p in pointer {
            s += "/"
            switch p {
            case .index(let i): s += "#" + String(i)
            case .key(let k): s += k.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
            }
        }
        return s
    }

    /// Adds a document (registers it under `uri` and crawls its subresources and anchors).
    @discardableResult
    private func addDocument(_ json: JSONValue, uri: String) -> Int {
        let doc = docs.count
        docs.append(json)
        registered[PyURL.resourceKey(uri)] = Location(doc: doc, pointer: [])
        crawl(doc: doc, uri: uri)
        return doc
    }

    private static let inValue: [String] = [
        "additionalProperties", "contains", "contentSchema", "else", "if", "items", "not",
        "propertyNames", "then", "unevaluatedItems", "unevaluatedProperties",
    ]
    private static let inSubarray: [String] = ["allOf", "anyOf", "oneOf", "prefixItems"]
    private static let inSubvalues: [String] = ["$defs", "definitions", "dependentSchemas", "patternProperties", "properties"]

    /// python `Registry.crawl` for one document.
    private func crawl(doc: Int, uri rootURI: String) {
        var stack: [(String, JSONValue, [JSPathElem])] = [(rootURI, docs[doc], [])]
        while let (uri0, json, pointer) = stack.popLast() {
            guard case .object(let o) = json else {
                locBase[JSCompiler.locKey(doc, pointer)] = intern(uri0)
                continue
            }
            var uri = uri0
            if case .string(let id)? = o["$id"] {
                uri = PyURL.join(uri, id)
                registered[PyURL.resourceKey(uri)] = Location(doc: doc, pointer: pointer)
            }
            let key = PyURL.resourceKey(uri)
            locBase[JSCompiler.locKey(doc, pointer)] = intern(uri)
            if case .string(let a)? = o["$anchor"] {
                anchors[key, default: [:]][a] = AnchorEntry(loc: Location(doc: doc, pointer: pointer), dynamic: false)
            }
            if case .string(let a)? = o["$dynamicAnchor"] {
                anchors[key, default: [:]][a] = AnchorEntry(loc: Location(doc: doc, pointer: pointer), dynamic: true)
            }
            for k in JSCompiler.inValue {
                if let v = o[k] { stack.append((uri, v, pointer + [.key(k)])) }
            }
            for k in JSCompiler.inSubarray {
                if case .array(let a)? = o[k] {
                    for (i, v) in a.enumerated() { stack.append((uri, v, pointer + [.key(k), .index(i)])) }
                }
            }
            for k in JSCompiler.inSubvalues {
                if case .object(let m)? = o[k] {
                    for (name, v) in m { stack.append((uri, v, pointer + [.key(k), .key(name)])) }
                }
            }
        }
    }

    private func loadMetaDocuments() {
        if metaLoaded { return }
        metaLoaded = true
        for (uri, json) in JSCompiler.metaDocuments where registered[PyURL.resourceKey(uri)] == nil {
            addDocument(json, uri: uri)
        }
    }

    /// Compiles `schema` as the root document; `withMeta` preloads the meta-schemas.
    func compileRoot(_ schema: JSONValue, preloadMeta: Bool) throws -> JSNode {
        var rootURI = ""
        if case .object(let o) = schema, case .string(let id)? = o["$id"] { rootURI = id }
        let doc = addDocument(schema, uri: rootURI)
        if preloadMeta { loadMetaDocuments() }
        let root = try node(Location(doc: doc, pointer: []), base: intern(rootURI))
        try finish()
        return root
    }

    /// Compiles the meta-schema (the first meta document) as root.
    func compileMeta() throws -> JSNode {
        loadMetaDocuments()
        let loc = registered[PyURL.resourceKey(JSONSchemaMetaSchemas.draft202012URI)]!
        let root = try node(loc, base: intern(JSONSchemaMetaSchemas.draft202012URI))
        try finish()
        return root
    }

    /// Resolves pending references and compiles every dynamic anchor, until nothing is left.
    private func finish() throws {
        while true {
            if let (r, base) = pending.popLast() {
                try resolve(r, base: base)
                continue
            }
            var progressed = false
            for (key, entries) in anchors where !dynamicCompiled.contains(key) {
                dynamicCompiled.insert(key)
                let res = intern(key)
                for (name, e) in entries where e.dynamic {
                    res.dynamicAnchors[name] = try node(e.loc, base: baseFor(e.loc))
                    if let id = anchorNameIDs[name] ?? (anchorNameIDs.count < 64 ? anchorNameIDs.count : nil) {
                        anchorNameIDs[name] = id
                        res.anchorMask |= 1 << UInt64(id)
                    } else {
                        res.maskOverflow = true
                    }
                    progressed = true
                }
            }
            if !progressed && pending.isEmpty { break }
        }
    }

    private func json(at loc: Location) -> JSONValue? {
        var v = docs[loc.doc]
        for p in loc.pointer {
            switch (p, v) {
            case let (.key(k), .object(o)):
                guard let x = o[k] else { return nil }
                v = x
            case let (.index(i), .array(a)):
                guard i >= 0, i < a.count else { return nil }
                v = a[i]
            default:
                return nil
            }
        }
        return v
    }

    /// Base for a node reached by reference: the crawl's base, or the nearest crawled ancestor's.
    private func baseFor(_ loc: Location) -> JSResource {
        var p = loc.pointer
        while true {
            if let b = locBase[JSCompiler.locKey(loc.doc, p)] { return b }
            if p.isEmpty { return intern("") }
            p.removeLast()
        }
    }

    private func resolve(_ r: JSRef, base: JSResource) throws {
        let ref = r.ref
        var uri: String
        var fragment: String
        if ref.hasPrefix("#") {
            uri = base.uri
            fragment = String(ref.dropFirst())
        } else {
            (uri, fragment) = PyURL.defrag(PyURL.join(base.uri, ref))
        }
        let key = PyURL.resourceKey(uri)
        if registered[key] == nil { loadMetaDocuments() }
        guard let loc = registered[key] else { throw JSONSchemaValidatorError.unresolvableReference(ref) }
        r.uriResource = intern(key)
        if fragment.hasPrefix("/") {
            var pointer = loc.pointer
            guard var current = json(at: loc), current.objectValue != nil || current.arrayValue != nil else {
                throw JSONSchemaValidatorError.unresolvableReference(ref)
            }
            let decoded = PyURL.unquote(String(fragment.dropFirst()))
            for seg in decoded.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false).map(String.init) {
                switch current {
                case .array(let a):
                    guard var i = PyRegexParser.pythonInt(seg) else { throw JSONSchemaValidatorError.unresolvableReference(ref) }
                    if i < 0 { i += a.count }
                    guard i >= 0, i < a.count else { throw JSONSchemaValidatorError.unresolvableReference(ref) }
                    pointer.append(.index(i))
                    current = a[i]
                case .object(let o):
                    let k = seg.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                    guard let v = o[k] else { throw JSONSchemaValidatorError.unresolvableReference(ref) }
                    pointer.append(.key(k))
                    current = v
                default:
                    throw JSONSchemaValidatorError.unresolvableReference(ref)
                }
            }
            let target = Location(doc: loc.doc, pointer: pointer)
            r.target = try node(target, base: baseFor(target))
        } else if !fragment.isEmpty {
            guard let a = anchors[key]?[fragment] else { throw JSONSchemaValidatorError.unresolvableReference(ref) }
            r.target = try node(a.loc, base: baseFor(a.loc))
            if a.dynamic { r.dynamicName = fragment }
        } else {
            r.target = try node(loc, base: baseFor(loc))
        }
    }

    private func child(_ loc: Location, _ json: JSONValue, parentBase: JSResource) throws -> JSNode {
        var base = parentBase
        if case .object(let o) = json, case .string(let id)? = o["$id"] {
            base = intern(PyURL.join(parentBase.uri, id))
        }
        return try node(loc, base: base, json: json)
    }

    private func node(_ loc: Location, base: JSResource, json given: JSONValue? = nil) throws -> JSNode {
        let key = JSCompiler.locKey(loc.doc, loc.pointer)
        if let n = nodes[key] { return n }
        guard let json = given ?? json(at: loc) else {
            throw JSONSchemaValidatorError.unresolvableReference(key)
        }
        let n = JSNode(json: json, base: base)
        nodes[key] = n
        guard case .object(let o) = json else { return n }

        func sub(_ path: [JSPathElem], _ v: JSONValue) throws -> JSNode {
            try child(Location(doc: loc.doc, pointer: loc.pointer + path), v, parentBase: base)
        }
        func num(_ v: JSONValue) -> PyNumber? { PyNumber(v) }

        var keywords: [JSKeyword] = []
        for (k, v) in o {
            var kind: JSKeywordKind?
            switch k {
            case "$ref", "$dynamicRef":
                if case .string(let s) = v {
                    let r = JSRef(s)
                    pending.append((r, base))
                    if k == "$ref" { n.refKW = r } else { n.dynamicRefKW = r }
                    kind = .ref(r)
                }
            case "additionalProperties":
                let c = try sub([.key(k)], v)
                n.additionalPropertiesKW = c
                kind = .additionalProperties(c)
            case "allOf", "anyOf", "oneOf":
                if case .array(let a) = v {
                    var subs: [JSNode] = []
                    for (i, e) in a.enumerated() { subs.append(try sub([.key(k), .index(i)], e)) }
                    switch k {
                    case "allOf": n.allOfKW = subs; kind = .allOf(subs)
                    case "anyOf": n.anyOfKW = subs; kind = .anyOf(subs)
                    default: n.oneOfKW = subs; kind = .oneOf(subs)
                    }
                }
            case "const":
                kind = .const(v)
            case "contains":
                let c = try sub([.key(k)], v)
                n.containsKW = c
                kind = .contains(c)
            case "dependentRequired":
                if case .object(let m) = v {
                    kind = .dependentRequired(m.map { ($0.key, $0.value.arrayValue?.compactMap { $0.stringValue } ?? []) })
                }
            case "dependentSchemas":
                if case .object(let m) = v {
                    var subs: [(String, JSNode)] = []
                    for (name, e) in m { subs.append((name, try sub([.key(k), .key(name)], e))) }
                    n.dependentSchemasKW = subs
                    kind = .dependentSchemas(subs)
                }
            case "enum":
                if case .array(let a) = v { kind = .enumeration(a) }
            case "exclusiveMaximum": if let x = num(v) { kind = .exclusiveMaximum(x) }
            case "exclusiveMinimum": if let x = num(v) { kind = .exclusiveMinimum(x) }
            case "maximum": if let x = num(v) { kind = .maximum(x) }
            case "minimum": if let x = num(v) { kind = .minimum(x) }
            case "format":
                if case .string(let f) = v { kind = .format(f) }
            case "if":
                let i = try sub([.key("if")], v)
                let t = try o["then"].map { try sub([.key("then")], $0) }
                let e = try o["else"].map { try sub([.key("else")], $0) }
                n.ifKW = i
                n.thenKW = t
                n.elseKW = e
                kind = .ifThenElse(i, then: t, else: e)
            case "items":
                n.hasItems = true
                kind = .items(try sub([.key(k)], v))
            case "maxItems": if let x = num(v) { kind = .maxItems(x) }
            case "minItems": if let x = num(v) { kind = .minItems(x) }
            case "maxLength": if let x = num(v) { kind = .maxLength(x) }
            case "minLength": if let x = num(v) { kind = .minLength(x) }
            case "maxProperties": if let x = num(v) { kind = .maxProperties(x) }
            case "minProperties": if let x = num(v) { kind = .minProperties(x) }
            case "multipleOf": if let x = num(v) { kind = .multipleOf(x) }
            case "not":
                kind = .not(try sub([.key(k)], v))
            case "pattern":
                if case .string(let p) = v { kind = .pattern(try JSPattern.compile(p)) }
            case "patternProperties":
                if case .object(let m) = v {
                    var subs: [(String, JSPattern, JSNode)] = []
                    for (p, e) in m { subs.append((p, try JSPattern.compile(p), try sub([.key(k), .key(p)], e))) }
                    n.patternPropertiesKW = subs
                    kind = .patternProperties(subs)
                }
            case "prefixItems":
                if case .array(let a) = v {
                    var subs: [JSNode] = []
                    for (i, e) in a.enumerated() { subs.append(try sub([.key(k), .index(i)], e)) }
                    n.prefixItemsCount = subs.count
                    kind = .prefixItems(subs)
                }
            case "properties":
                if case .object(let m) = v {
                    var subs: [(name: String, node: JSNode)] = []
                    for (name, e) in m { subs.append((name, try sub([.key(k), .key(name)], e))) }
                    let p = JSProperties(subs)
                    n.propertiesKW = p
                    kind = .properties(p)
                }
            case "propertyNames":
                kind = .propertyNames(try sub([.key(k)], v))
            case "required":
                if case .array(let a) = v { kind = .required(a.compactMap { $0.stringValue }) }
            case "type":
                switch v {
                case .string(let s):
                    if let t = JSType(name: s) { kind = .type([t], names: [s]) }
                case .array(let a):
                    let names = a.compactMap { $0.stringValue }
                    kind = .type(names.compactMap(JSType.init(name:)), names: names)
                default: break
                }
            case "unevaluatedItems":
                let c = try sub([.key(k)], v)
                n.unevaluatedItemsKW = c
                kind = .unevaluatedItems(c)
            case "unevaluatedProperties":
                let c = try sub([.key(k)], v)
                n.unevaluatedPropertiesKW = c
                kind = .unevaluatedProperties(c)
            case "uniqueItems":
                if case .bool(true) = v { kind = .uniqueItems }
            default:
                break
            }
            if let kind = kind { keywords.append(JSKeyword(name: k, value: v, kind: kind)) }
        }
        n.keywords = keywords
        return n
    }
}
