// Order-preserving JSON value model.
//
// `JSONValue` mirrors what Python's `json.loads` produces (dict / list / str / int / float / bool / None)
// with two deliberate differences that make round-trips exact:
//   * numbers are kept as their literal text (`.number("1.50")`), never rounded;
//   * objects (`JSONObject`) remember insertion order (Python dicts do too) and use
//     code-point (byte) equality for keys and strings, like Python, not Swift's
//     canonical-equivalence `String ==`.
//
// Equality (`==`) is structural and exact: same kinds, same string bytes, same number literal
// text ("1.0" != "1"), same object keys in the same order.

public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// The number literal exactly as it appeared in the input, e.g. "1.50", "-0", "1e400".
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

// MARK: - Byte-exact string helpers

/// Byte-wise (code point) equality of two strings. Swift's `==` on `String` uses canonical
/// equivalence ("é" == "e\u{301}"), Python compares code points; JSON keys must follow Python.
@inlinable @inline(__always)
public func _jsonUTF8Equal(_ a: String, _ b: String) -> Bool {
    let au = a.utf8, bu = b.utf8
    let n = au.count
    if n != bu.count { return false }
    if n == 0 { return true }
    let fast: Bool?? = au.withContiguousStorageIfAvailable { pa in
        bu.withContiguousStorageIfAvailable { pb in
            _jsonBytesEqual(UnsafeRawPointer(pa.baseAddress!), UnsafeRawPointer(pb.baseAddress!), n)
        }
    }
    if let f = fast, let r = f { return r }
    return au.elementsEqual(bu)
}

@usableFromInline @inline(__always)
internal func _jsonBytesEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    var i = 0
    while i &+ 8 <= n {
        if a.loadUnaligned(fromByteOffset: i, as: UInt64.self) != b.loadUnaligned(fromByteOffset: i, as: UInt64.self) {
            return false
        }
        i &+= 8
    }
    while i < n {
        if a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        i &+= 1
    }
    return true
}

#if _endian(little)
internal let _jsonLittleEndian = true
#else
internal let _jsonLittleEndian = false
#endif

/// Offset (0..<8) of the first byte in the 8 bytes `x` (memory order) that is '"', '\\' or < 0x20,
/// or 8 if there is none (SWAR; the lowest flagged byte is exact).
@inline(__always)
internal func _jsonFirstSpecial(_ x: UInt64) -> Int {
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    let q = x ^ (ones &* 0x22)
    let b = x ^ (ones &* 0x5C)
    let m = ((q &- ones) & ~q | (b &- ones) & ~b | (x &- ones &* 0x20) & ~x) & highs
    if m == 0 { return 8 }
    #if _endian(little)
    return m.trailingZeroBitCount >> 3
    #else
    return m.leadingZeroBitCount >> 3
    #endif
}

/// Dictionary key wrapper hashing / comparing the raw UTF-8 bytes.
public struct _JSONKey: Hashable, Sendable {
    public let string: String
    public init(_ s: String) { string = s }

    public static func == (l: _JSONKey, r: _JSONKey) -> Bool { _jsonUTF8Equal(l.string, r.string) }

    public func hash(into hasher: inout Hasher) {
        let done: Void? = string.utf8.withContiguousStorageIfAvailable { p in
            hasher.combine(bytes: UnsafeRawBufferPointer(p))
        }
        if done == nil {
            for b in string.utf8 { hasher.combine(b) }
        }
    }
}

// MARK: - JSONObject

/// An insertion-ordered JSON object. Duplicate keys (from `init(_:)`, literals or the parser):
/// the last value wins but the key keeps its FIRST position, exactly like `json.loads` into a dict.
public struct JSONObject: Sendable {
    public typealias Element = (key: String, value: JSONValue)

    internal struct _Entry: Sendable {
        var key: String
        var value: JSONValue
    }

    /// Objects with more entries than this get a hash index for key lookups.
    internal static let _indexThreshold = 32

    internal var _entries: ContiguousArray<_Entry>
    /// nil, or a complete map key -> position in `_entries`.
    internal var _index: [_JSONKey: Int]?

    public init() {
        _entries = []
        _index = nil
    }

    public init(_ pairs: [(String, JSONValue)]) {
        self.init()
        _entries.reserveCapacity(pairs.count)
        for (k, v) in pairs { _set(k, v) }
    }

    /// Used by the parser: entries already de-duplicated, index (if any) complete.
    internal init(_uniqueEntries entries: ContiguousArray<_Entry>, index: [_JSONKey: Int]?) {
        _entries = entries
        _index = index
    }

    public var keys: [String] { _entries.map { $0.key } }
    public var values: [JSONValue] { _entries.map { $0.value } }
    public var count: Int { _entries.count }
    public var isEmpty: Bool { _entries.isEmpty }

    /// Position of `key` in insertion order.
    public func index(forKey key: String) -> Int? {
        if let idx = _index { return idx[_JSONKey(key)] }
        var i = 0
        let n = _entries.count
        while i < n {
            if _jsonUTF8Equal(_entries[i].key, key) { return i }
            i &+= 1
        }
        return nil
    }

    public func contains(key: String) -> Bool { index(forKey: key) != nil }

    /// Get: the value or nil. Set: nil removes; a new key is appended; an existing key keeps its position.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let i = index(forKey: key) else { return nil }
            return _entries[i].value
        }
        set {
            if let v = newValue { _set(key, v) } else { removeValue(forKey: key) }
        }
    }

    /// The entry at `position` (insertion order).
    public subscript(position position: Int) -> Element {
        let e = _entries[position]
        return (e.key, e.value)
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let i = index(forKey: key) else { return nil }
        let old = _entries.remove(at: i).value
        if _index != nil {
            if _entries.count > JSONObject._indexThreshold { _rebuildIndex() } else { _index = nil }
        }
        return old
    }

    public mutating func removeAll() {
        _entries.removeAll()
        _index = nil
    }

    internal mutating func _set(_ key: String, _ value: JSONValue) {
        if let i = index(forKey: key) {
            _entries[i].value = value
            return
        }
        _entries.append(_Entry(key: key, value: value))
        if _index != nil {
            _index![_JSONKey(key)] = _entries.count - 1
        } else if _entries.count > JSONObject._indexThreshold {
            _rebuildIndex()
        }
    }

    internal mutating func _rebuildIndex() {
        var idx = [_JSONKey: Int](minimumCapacity: _entries.count)
        for (i, e) in _entries.enumerated() { idx[_JSONKey(e.key)] = i }
        _index = idx
    }
}

extension JSONObject: Sequence {
    public struct Iterator: IteratorProtocol {
        internal var _base: IndexingIterator<ContiguousArray<_Entry>>
        public mutating func next() -> (key: String, value: JSONValue)? {
            guard let e = _base.next() else { return nil }
            return (e.key, e.value)
        }
    }

    public func makeIterator() -> Iterator { Iterator(_base: _entries.makeIterator()) }
    public var underestimatedCount: Int { _entries.count }
}

extension JSONObject: Equatable {
    /// Ordered, exact equality: same keys (byte-equal) in the same order with equal values.
    public static func == (l: JSONObject, r: JSONObject) -> Bool {
        let n = l._entries.count
        if n != r._entries.count { return false }
        var i = 0
        while i < n {
            let a = l._entries[i], b = r._entries[i]
            if !_jsonUTF8Equal(a.key, b.key) || a.value != b.value { return false }
            i &+= 1
        }
        return true
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// Keeps literal order; duplicate keys: last value wins at the first position.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements)
    }
}

extension JSONObject: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { JSONValue.object(self).serialized() }
}

// MARK: - JSONValue equality

extension JSONValue: Equatable {
    public static func == (l: JSONValue, r: JSONValue) -> Bool {
        switch (l, r) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.number(a), .number(b)): return _jsonUTF8Equal(a, b)
        case let (.string(a), .string(b)): return _jsonUTF8Equal(a, b)
        case let (.array(a), .array(b)):
            if a.count != b.count { return false }
            var i = 0
            while i < a.count {
                if a[i] != b[i] { return false }
                i &+= 1
            }
            return true
        case let (.object(a), .object(b)): return a == b
        default: return false
        }
    }
}

// MARK: - Literals

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .number(String(value)) }
}

extension JSONValue: ExpressibleByFloatLiteral {
    /// Same as `.double(value)`: Python `repr` formatting (1.0, 0.1, 1e-07).
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// Keeps literal order; duplicate keys: last value wins at the first position.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements))
    }
}

extension JSONValue: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text (same as `serialized()`).
    public var description: String { serialized() }
}

// MARK: - Constructors and accessors

extension JSONValue {
    public static func int(_ v: Int) -> JSONValue { .number(String(v)) }

    /// A float formatted like Python's `repr(float)`: 1.0, 0.1, 1e-07, 1.5e+16, -0.0.
    /// Non-finite values (inf, nan) are not valid JSON and become `.null`.
    public static func double(_ v: Double) -> JSONValue {
        guard let s = JSONValue.pythonFloatRepr(v) else { return .null }
        return .number(s)
    }

    /// Python's `repr(float)` for finite doubles (shortest round-trip digits; fixed notation when
    /// the decimal exponent is in [-4, 16), otherwise `d.ddde±XX`); nil for inf / nan.
    public static func pythonFloatRepr(_ v: Double) -> String? {
        guard v.isFinite else { return nil }
        if v == 0 { return v.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description also yields the shortest round-tripping digits; re-layout them.
        let desc = v.description
        var digits: [UInt8] = []
        digits.reserveCapacity(24)
        var negative = false
        var intDigits = 0
        var seenDot = false
        var exp = 0
        var expSign = 1
        var inExp = false
        for c in desc.utf8 {
            if inExp {
                if c == UInt8(ascii: "-") { expSign = -1 } else if c == UInt8(ascii: "+") { } else { exp = exp * 10 + Int(c &- 48) }
                continue
            }
            switch c {
            case UInt8(ascii: "-"): negative = true
            case UInt8(ascii: "."): seenDot = true
            case UInt8(ascii: "e"), UInt8(ascii: "E"): inExp = true
            default:
                digits.append(c)
                if !seenDot { intDigits += 1 }
            }
        }
        // value = 0.DIGITS * 10^decpt
        var decpt = intDigits + expSign * exp
        var lead = 0
        while lead < digits.count - 1 && digits[lead] == UInt8(ascii: "0") { lead += 1; decpt -= 1 }
        var endIdx = digits.count
        while endIdx > lead + 1 && digits[endIdx - 1] == UInt8(ascii: "0") { endIdx -= 1 }
        let d = Array(digits[lead..<endIdx])

        var out: [UInt8] = []
        out.reserveCapacity(32)
        if negative { out.append(UInt8(ascii: "-")) }
        if decpt <= -4 || decpt > 16 {
            out.append(d[0])
            if d.count > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: d[1...])
            }
            let e = decpt - 1
            out.append(UInt8(ascii: "e"))
            out.append(e < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let ae = e < 0 ? -e : e
            if ae < 10 { out.append(UInt8(ascii: "0")) }
            out.append(contentsOf: String(ae).utf8)
        } else if decpt <= 0 {
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "."))
            for _ in 0..<(-decpt) { out.append(UInt8(ascii: "0")) }
            out.append(contentsOf: d)
        } else if decpt >= d.count {
            out.append(contentsOf: d)
            for _ in 0..<(decpt - d.count) { out.append(UInt8(ascii: "0")) }
            out.append(UInt8(ascii: "."))
            out.append(UInt8(ascii: "0"))
        } else {
            out.append(contentsOf: d[0..<decpt])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: d[decpt...])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    public var boolValue: Bool? {
        if case .bool(let b) = self { return b }
        return nil
    }

    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    public var objectValue: JSONObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The stored number literal text, if this is a number.
    public var numberLiteral: String? {
        if case .number(let s) = self { return s }
        return nil
    }

    /// True for number literals without fraction or exponent ("12", "-0"), i.e. what Python
    /// would load as `int`.
    public var isIntegerLiteral: Bool {
        guard case .number(let s) = self else { return false }
        for c in s.utf8 where c == UInt8(ascii: ".") || c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
            return false
        }
        return true
    }

    /// Only for integral number literals (no fraction / exponent) that fit in `Int`.
    public var intValue: Int? {
        guard case .number(let s) = self, isIntegerLiteral else { return nil }
        return Int(s)
    }

    /// The number as a Double (like Python's float(): "1e400" -> +inf).
    public var doubleValue: Double? {
        guard case .number(let s) = self else { return nil }
        return Double(s)
    }

    /// Member of an object; nil unless this is an object containing `key`.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let o) = self else { return nil }
        return o[key]
    }

    /// Element of an array; nil unless this is an array and `index` is in range.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let a) = self, index >= 0, index < a.count else { return nil }
        return a[index]
    }
}
