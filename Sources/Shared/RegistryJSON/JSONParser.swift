// Strict RFC 8259 JSON parser working on UTF-8 bytes, with Python `json` module error messages.
//
// Error messages and positions follow CPython's C scanner (`_json.c`) and `json.decoder`:
//   "<reason>: line L column C (char P)" where P is the index in code points (Python's `e.pos`),
//   L counts '\n' only, and C is 1-based in code points.
// Like `json.loads(bytes)`, invalid UTF-8 anywhere in the input is reported in preference to
// syntax errors (Python decodes first), with the codec's message; a leading UTF-8 BOM is skipped
// (utf-8-sig) for byte input and rejected for `String` input.
// Intended differences from Python: NaN / Infinity / -Infinity are rejected ("Expecting value");
// nesting deeper than `maximumDepth` throws instead of RecursionError; lone surrogates (escaped,
// or UTF-8-encoded, which Python's 'surrogatepass' decoding accepts) become U+FFFD; byte input is
// always UTF-8 (no UTF-16/32 detection); integer literals are not limited to 4300 digits.

public struct JSONParseError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: Equatable, Sendable {
        /// Python would raise `json.JSONDecodeError`.
        case syntax
        /// The input bytes are not UTF-8 (Python: `UnicodeDecodeError`, raised before parsing).
        case invalidUTF8
        /// Nesting deeper than `JSONParser.maximumDepth` (Python: `RecursionError`).
        case depthExceeded
    }

    /// Full message, e.g. "Expecting ',' delimiter: line 1 column 10 (char 9)".
    public let message: String
    /// Byte offset into the input buffer.
    public let offset: Int
    /// The message without the location suffix, e.g. "Expecting value" (Python's `e.msg`).
    public let reason: String
    /// Position in code points, like Python's `e.pos` (for invalid UTF-8: the byte position).
    public let position: Int
    /// 1-based line (Python's `e.lineno`).
    public let line: Int
    /// 1-based column in code points (Python's `e.colno`).
    public let column: Int
    public let kind: Kind

    public init(message: String, offset: Int, reason: String, position: Int, line: Int, column: Int, kind: Kind) {
        self.message = message
        self.offset = offset
        self.reason = reason
        self.position = position
        self.line = line
        self.column = column
        self.kind = kind
    }

    public var description: String { message }
}

public enum JSONParser {
    /// Arrays / objects nested deeper than this throw `JSONParseError` (kind `.depthExceeded`).
    public static var maximumDepth: Int { 512 }

    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBytes { try _parse($0, allowBOM: true, knownValidUTF8: false) }
    }

    public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        try _parse(bytes, allowBOM: true, knownValidUTF8: false)
    }

    /// Parses a `String`; like Python's `json.loads(str)`, a leading U+FEFF is an error.
    public static func parse(_ text: String) throws -> JSONValue {
        var t = text
        return try t.withUTF8 { try _parse(UnsafeRawBufferPointer($0), allowBOM: false, knownValidUTF8: true) }
    }

    public static func parse<C: Collection>(bytes: C) throws -> JSONValue where C.Element == UInt8 {
        if let r = try bytes.withContiguousStorageIfAvailable({
            try _parse(UnsafeRawBufferPointer($0), allowBOM: true, knownValidUTF8: false)
        }) {
            return r
        }
        return try parse(Array(bytes))
    }

    internal static func _parse(_ buf: UnsafeRawBufferPointer, allowBOM: Bool, knownValidUTF8: Bool) throws -> JSONValue {
        let n = buf.count
        guard n > 0, let raw = buf.baseAddress else {
            throw JSONParseError._make(.expectingValue, at: 0, contentStart: 0, base: nil, count: 0)
        }
        let p = raw.assumingMemoryBound(to: UInt8.self)
        var start = 0
        if n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF {
            if allowBOM {
                start = 3
            } else {
                throw JSONParseError._make(.unexpectedBOM, at: 0, contentStart: 0, base: p, count: n)
            }
        }
        var parser = _JSONParserImpl(p: p, n: n, i: start)
        defer { parser.destroy() }
        do {
            return try parser.parseDocument()
        } catch let f as _JSONFailure {
            // Python decodes the whole input before parsing: invalid UTF-8 anywhere wins.
            if !knownValidUTF8, let bad = _jsonFirstInvalidUTF8(p, n, from: start) {
                throw JSONParseError._makeUTF8(bad, contentStart: start, base: p, count: n)
            }
            throw JSONParseError._make(f.reason, at: f.offset, contentStart: start, base: p, count: n)
        }
    }
}

// MARK: - Errors

internal enum _JSONReason {
    case expectingValue, expectingComma, expectingColon, expectingPropertyName, extraData
    case unterminatedString, invalidControl, invalidEscape, invalidUnicodeEscape
    case depthExceeded, invalidUTF8, unexpectedBOM

    var text: String {
        switch self {
        case .expectingValue: return "Expecting value"
        case .expectingComma: return "Expecting ',' delimiter"
        case .expectingColon: return "Expecting ':' delimiter"
        case .expectingPropertyName: return "Expecting property name enclosed in double quotes"
        case .extraData: return "Extra data"
        case .unterminatedString: return "Unterminated string starting at"
        case .invalidControl: return "Invalid control character at"
        case .invalidEscape: return "Invalid \\escape"
        case .invalidUnicodeEscape: return "Invalid \\uXXXX escape"
        case .depthExceeded: return "Maximum nesting depth exceeded"
        case .invalidUTF8: return "Invalid UTF-8"
        case .unexpectedBOM: return "Unexpected UTF-8 BOM (decode using utf-8-sig)"
        }
    }
}

internal struct _JSONFailure: Error {
    let reason: _JSONReason
    let offset: Int
}

internal struct _JSONUTF8Problem {
    let start: Int   // byte offset of the offending sequence
    let end: Int     // exclusive end of Python's reported range
    let why: String  // "invalid start byte" / "invalid continuation byte" / "unexpected end of data"
}

extension JSONParseError {
    static func _location(_ offset: Int, contentStart: Int, base: UnsafePointer<UInt8>?, count: Int)
        -> (pos: Int, line: Int, col: Int)
    {
        guard let p = base else { return (0, 1, 1) }
        var chars = 0
        var line = 1
        var lastNL = -1  // char index of the last '\n'
        var i = contentStart
        let end = min(offset, count)
        while i < end {
            let b = p[i]
            if b & 0xC0 != 0x80 {
                if b == 0x0A { line += 1; lastNL = chars }
                chars += 1
            }
            i += 1
        }
        let col = lastNL >= 0 ? chars - lastNL : chars + 1
        return (chars, line, col)
    }

    static func _make(_ reason: _JSONReason, at offset: Int, contentStart: Int, base: UnsafePointer<UInt8>?, count: Int)
        -> JSONParseError
    {
        let loc = _location(offset, contentStart: contentStart, base: base, count: count)
        let r = reason.text
        let kind: Kind
        switch reason {
        case .depthExceeded: kind = .depthExceeded
        case .invalidUTF8: kind = .invalidUTF8
        default: kind = .syntax
        }
        return JSONParseError(
            message: "\(r): line \(loc.line) column \(loc.col) (char \(loc.pos))",
            offset: offset, reason: r, position: loc.pos, line: loc.line, column: loc.col, kind: kind)
    }

    static func _makeUTF8(_ bad: _JSONUTF8Problem, contentStart: Int, base: UnsafePointer<UInt8>, count: Int)
        -> JSONParseError
    {
        let loc = _location(bad.start, contentStart: contentStart, base: base, count: count)
        let rel = bad.start - contentStart
        let what: String
        if bad.end - bad.start <= 1 {
            what = "byte 0x\(_hex2(base[bad.start])) in position \(rel)"
        } else {
            what = "bytes in position \(rel)-\(rel + bad.end - bad.start - 1)"
        }
        let r = "'utf-8' codec can't decode \(what): \(bad.why)"
        return JSONParseError(
            message: r, offset: bad.start, reason: r, position: rel, line: loc.line, column: loc.col, kind: .invalidUTF8)
    }

    private static func _hex2(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: [digits[Int(b >> 4)], digits[Int(b & 15)]], as: UTF8.self)
    }
}

/// First invalid UTF-8 sequence with CPython's error range / reason, or nil if valid.
/// Like `bytes.decode('utf-8', 'surrogatepass')` (what `json.loads(bytes)` does), encoded
/// surrogates ED A0..BF xx are accepted.
internal func _jsonFirstInvalidUTF8(_ p: UnsafePointer<UInt8>, _ n: Int, from: Int) -> _JSONUTF8Problem? {
    var i = from
    while i < n {
        // Skip ASCII 8 bytes at a time.
        while i &+ 8 <= n && UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
            i &+= 8
        }
        if i >= n { break }
        let b0 = p[i]
        if b0 < 0x80 { i += 1; continue }
        var need: Int
        var lo: UInt8 = 0x80, hi: UInt8 = 0xBF  // allowed range of the 2nd byte
        switch b0 {
        case 0xC2...0xDF: need = 1
        case 0xE0: need = 2; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: need = 2
        case 0xED: need = 2  // surrogates allowed (Python: surrogatepass)
        case 0xF0: need = 3; lo = 0x90
        case 0xF1...0xF3: need = 3
        case 0xF4: need = 3; hi = 0x8F
        default:
            return _JSONUTF8Problem(start: i, end: i + 1, why: "invalid start byte")
        }
        var k = 1
        while k <= need {
            if i + k >= n {
                if b0 == 0xED && k == 2 && p[i + 1] >= 0xA0 {
                    // Strict UTF-8 already failed at the 2nd byte; surrogatepass could not help.
                    return _JSONUTF8Problem(start: i, end: i + 1, why: "invalid continuation byte")
                }
                return _JSONUTF8Problem(start: i, end: n, why: "unexpected end of data")
            }
            let b = p[i + k]
            let ok = k == 1 ? (b >= lo && b <= hi) : (b >= 0x80 && b <= 0xBF)
            if !ok {
                if b0 == 0xED && k == 2 && p[i + 1] >= 0xA0 {
                    return _JSONUTF8Problem(start: i, end: i + 1, why: "invalid continuation byte")
                }
                return _JSONUTF8Problem(start: i, end: i + k, why: "invalid continuation byte")
            }
            k += 1
        }
        i += need + 1
    }
    return nil
}

// MARK: - Parser

/// Cheap fingerprint of a byte string (length, first and last 8 bytes), for duplicate-key checks.
@inline(__always)
internal func _jsonFingerprint(_ p: UnsafePointer<UInt8>, _ len: Int) -> UInt64 {
    var h = UInt64(truncatingIfNeeded: len) &* 0x9E37_79B9_7F4A_7C15
    if len >= 8 {
        h = (h ^ UnsafeRawPointer(p).loadUnaligned(as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
        h = (h ^ UnsafeRawPointer(p + (len &- 8)).loadUnaligned(as: UInt64.self)) &* 0xC4CE_B9FE_1A85_EC53
    } else {
        var x: UInt64 = 0
        var k = 0
        while k < len {
            x = x << 8 | UInt64(p[k])
            k &+= 1
        }
        h = (h ^ x) &* 0xFF51_AFD7_ED55_8CCD
    }
    return h ^ (h >> 32)
}

internal func _jsonFingerprint(_ s: String) -> UInt64 {
    var c = s
    return c.withUTF8 { u in
        // (The pointer variant returns 0 for length 0 without reading memory.)
        guard let b = u.baseAddress, u.count > 0 else { return 0 }
        return _jsonFingerprint(b, u.count)
    }
}

internal struct _JSONParserImpl {
    let p: UnsafePointer<UInt8>
    let n: Int
    var i: Int
    var depth = 0
    let maxDepth = JSONParser.maximumDepth

    // Value / entry stacks: children are pushed here and moved into exactly-sized arrays.
    var vals: UnsafeMutablePointer<JSONValue>
    var valsCount = 0
    var valsCap = 32
    var ents: UnsafeMutablePointer<JSONObject._Entry>
    var entsCount = 0
    var entsCap = 16
    var scratch: [UInt8] = []
    /// Key fingerprints, parallel to `ents` (same capacity).
    var fps: UnsafeMutablePointer<UInt64>
    var lastFP: UInt64 = 0

    init(p: UnsafePointer<UInt8>, n: Int, i: Int) {
        self.p = p
        self.n = n
        self.i = i
        vals = .allocate(capacity: 32)
        ents = .allocate(capacity: 16)
        fps = .allocate(capacity: 16)
    }

    mutating func destroy() {
        vals.deinitialize(count: valsCount)
        vals.deallocate()
        ents.deinitialize(count: entsCount)
        ents.deallocate()
        fps.deallocate()
    }

    @inline(__always)
    func fail(_ r: _JSONReason, _ at: Int) -> _JSONFailure { _JSONFailure(reason: r, offset: at) }

    @inline(__always)
    mutating func skipWS() {
        while i < n {
            let c = p[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i &+= 1 } else { return }
        }
    }

    mutating func parseDocument() throws -> JSONValue {
        skipWS()
        let v = try parseValue()
        skipWS()
        if i != n { throw fail(.extraData, i) }
        return v
    }

    // MARK: stacks

    @inline(__always)
    mutating func pushValue(_ v: __owned JSONValue) {
        if valsCount == valsCap { growVals() }
        (vals + valsCount).initialize(to: v)
        valsCount &+= 1
    }

    mutating func growVals() {
        let newCap = valsCap * 2
        let np = UnsafeMutablePointer<JSONValue>.allocate(capacity: newCap)
        np.moveInitialize(from: vals, count: valsCount)
        vals.deallocate()
        vals = np
        valsCap = newCap
    }

    @inline(__always)
    mutating func pushEntry(_ key: __owned String, _ v: __owned JSONValue, fp: UInt64) {
        if entsCount == entsCap { growEnts() }
        (ents + entsCount).initialize(to: JSONObject._Entry(key: key, value: v))
        fps[entsCount] = fp
        entsCount &+= 1
    }

    mutating func growEnts() {
        let newCap = entsCap * 2
        let np = UnsafeMutablePointer<JSONObject._Entry>.allocate(capacity: newCap)
        np.moveInitialize(from: ents, count: entsCount)
        ents.deallocate()
        ents = np
        let nf = UnsafeMutablePointer<UInt64>.allocate(capacity: newCap)
        nf.initialize(from: fps, count: entsCount)
        fps.deallocate()
        fps = nf
        entsCap = newCap
    }

    // MARK: values

    mutating func parseValue() throws -> JSONValue {
        guard i < n else { throw fail(.expectingValue, i) }
        switch p[i] {
        case UInt8(ascii: "\""):
            return .string(try parseString(wantFP: false))
        case UInt8(ascii: "{"):
            return try parseObject()
        case UInt8(ascii: "["):
            return try parseArray()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        case UInt8(ascii: "t"):
            if i &+ 4 <= n && p[i &+ 1] == UInt8(ascii: "r") && p[i &+ 2] == UInt8(ascii: "u") && p[i &+ 3] == UInt8(ascii: "e") {
                i &+= 4
                return .bool(true)
            }
        case UInt8(ascii: "f"):
            if i &+ 5 <= n && p[i &+ 1] == UInt8(ascii: "a") && p[i &+ 2] == UInt8(ascii: "l") && p[i &+ 3] == UInt8(ascii: "s")
                && p[i &+ 4] == UInt8(ascii: "e")
            {
                i &+= 5
                return .bool(false)
            }
        case UInt8(ascii: "n"):
            if i &+ 4 <= n && p[i &+ 1] == UInt8(ascii: "u") && p[i &+ 2] == UInt8(ascii: "l") && p[i &+ 3] == UInt8(ascii: "l") {
                i &+= 4
                return .null
            }
        default:
            break
        }
        throw fail(.expectingValue, i)
    }

    /// CPython `_match_number_unicode`: the longest prefix matching
    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?`; whatever follows is the caller's problem.
    mutating func parseNumber() throws -> JSONValue {
        let start = i
        var j = i
        if p[j] == UInt8(ascii: "-") {
            j &+= 1
            if j >= n { throw fail(.expectingValue, start) }
        }
        let c0 = p[j]
        if c0 >= UInt8(ascii: "1") && c0 <= UInt8(ascii: "9") {
            j &+= 1
            while j < n && p[j] &- UInt8(ascii: "0") < 10 { j &+= 1 }
        } else if c0 == UInt8(ascii: "0") {
            j &+= 1
        } else {
            throw fail(.expectingValue, start)
        }
        if j &+ 1 < n && p[j] == UInt8(ascii: ".") && p[j &+ 1] &- UInt8(ascii: "0") < 10 {
            j &+= 2
            while j < n && p[j] &- UInt8(ascii: "0") < 10 { j &+= 1 }
        }
        if j &+ 1 < n && (p[j] == UInt8(ascii: "e") || p[j] == UInt8(ascii: "E")) {
            var k = j &+ 1
            if p[k] == UInt8(ascii: "+") || p[k] == UInt8(ascii: "-") { k &+= 1 }
            let digitsStart = k
            while k < n && p[k] &- UInt8(ascii: "0") < 10 { k &+= 1 }
            if k > digitsStart { j = k }
        }
        i = j
        return .number(String(decoding: UnsafeBufferPointer(start: p + start, count: j &- start), as: UTF8.self))
    }

    mutating func parseArray() throws -> JSONValue {
        let open = i
        depth &+= 1
        if depth > maxDepth { throw fail(.depthExceeded, open) }
        i &+= 1
        skipWS()
        if i < n && p[i] == UInt8(ascii: "]") {
            i &+= 1
            depth &-= 1
            return .array([])
        }
        let base = valsCount
        while true {
            let v = try parseValue()
            pushValue(v)
            skipWS()
            if i < n {
                let c = p[i]
                if c == UInt8(ascii: ",") {
                    i &+= 1
                    skipWS()
                    continue
                }
                if c == UInt8(ascii: "]") {
                    i &+= 1
                    break
                }
            }
            throw fail(.expectingComma, i)
        }
        let count = valsCount &- base
        let src = vals + base
        let arr = [JSONValue](unsafeUninitializedCapacity: count) { buf, initialized in
            buf.baseAddress!.moveInitialize(from: src, count: count)
            initialized = count
        }
        valsCount = base
        depth &-= 1
        return .array(arr)
    }

    mutating func parseObject() throws -> JSONValue {
        let open = i
        depth &+= 1
        if depth > maxDepth { throw fail(.depthExceeded, open) }
        i &+= 1
        skipWS()
        if i < n && p[i] == UInt8(ascii: "}") {
            i &+= 1
            depth &-= 1
            return .object(JSONObject())
        }
        let base = entsCount
        var index: [_JSONKey: Int]? = nil
        let threshold = JSONObject._indexThreshold
        while true {
            guard i < n && p[i] == UInt8(ascii: "\"") else { throw fail(.expectingPropertyName, i) }
            let key = try parseString(wantFP: true)
            let fp = lastFP
            skipWS()
            guard i < n && p[i] == UInt8(ascii: ":") else { throw fail(.expectingColon, i) }
            i &+= 1
            skipWS()
            let v = try parseValue()

            // Duplicate keys: last value wins, first position kept.
            let have = entsCount &- base
            var dup = -1
            if index != nil {
                if let k = index![_JSONKey(key)] { dup = k } else { index![_JSONKey(key)] = have }
            } else {
                var k = 0
                while k < have {
                    if fps[base &+ k] == fp && _jsonUTF8Equal(ents[base &+ k].key, key) { dup = k; break }
                    k &+= 1
                }
                if dup < 0 && have + 1 > threshold {
                    var idx = [_JSONKey: Int](minimumCapacity: (have + 1) * 2)
                    for m in 0..<have { idx[_JSONKey(ents[base &+ m].key)] = m }
                    idx[_JSONKey(key)] = have
                    index = idx
                }
            }
            if dup >= 0 {
                ents[base &+ dup].value = v
            } else {
                pushEntry(key, v, fp: fp)
            }

            skipWS()
            if i < n {
                let c = p[i]
                if c == UInt8(ascii: ",") {
                    i &+= 1
                    skipWS()
                    continue
                }
                if c == UInt8(ascii: "}") {
                    i &+= 1
                    break
                }
            }
            throw fail(.expectingComma, i)
        }
        let count = entsCount &- base
        let src = ents + base
        var entries = ContiguousArray<JSONObject._Entry>()
        if count > 0 {
            entries = ContiguousArray(unsafeUninitializedCapacity: count) { buf, initialized in
                buf.baseAddress!.moveInitialize(from: src, count: count)
                initialized = count
            }
        }
        entsCount = base
        depth &-= 1
        return .object(JSONObject(_uniqueEntries: entries, index: index))
    }

    // MARK: strings

    /// `i` is at the opening quote. Returns the decoded string, `i` after the closing quote.
    /// `wantFP`: also set `lastFP` to the fingerprint of the decoded bytes (object keys).
    mutating func parseString(wantFP: Bool) throws -> String {
        let quote = i
        let start = i &+ 1
        var j = start
        var high: UInt64 = 0
        while true {
            if j &+ 8 <= n {
                let x = UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self)
                let k = _jsonFirstSpecial(x)
                high |= x
                j &+= k
                if k == 8 { continue }
            }
            guard j < n else { throw fail(.unterminatedString, quote) }
            let c = p[j]
            if c == UInt8(ascii: "\"") {
                i = j &+ 1
                let seg = UnsafeBufferPointer(start: p + start, count: j &- start)
                if high & 0x8080_8080_8080_8080 == 0 {
                    if wantFP { lastFP = _jsonFingerprint(p + start, j &- start) }
                    return String(decoding: seg, as: UTF8.self)
                }
                if let s = String(validating: seg, as: UTF8.self) {
                    if wantFP { lastFP = _jsonFingerprint(p + start, j &- start) }
                    return s
                }
                let s = try decodeWithSurrogates(seg, at: start)
                if wantFP { lastFP = _jsonFingerprint(s) }
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw fail(.invalidControl, j) }
            high |= UInt64(c)
            j &+= 1
        }
        let s = try parseStringSlow(quote: quote, rawStart: start, escapeAt: j, high: high)
        if wantFP { lastFP = _jsonFingerprint(s) }
        return s
    }

    @inline(__always)
    func hexValue(_ c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c &- UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(c &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(c &- UInt8(ascii: "A") &+ 10)
        default: return nil
        }
    }

    /// 4 hex digits at `at` (caller guarantees they are in bounds); error position = `uPos`.
    @inline(__always)
    func hex4(_ at: Int, uPos: Int) throws -> UInt32 {
        guard let a = hexValue(p[at]), let b = hexValue(p[at &+ 1]), let c = hexValue(p[at &+ 2]), let d = hexValue(p[at &+ 3]) else {
            throw fail(.invalidUnicodeEscape, uPos)
        }
        return a << 12 | b << 8 | c << 4 | d
    }

    mutating func parseStringSlow(quote: Int, rawStart: Int, escapeAt: Int, high: UInt64) throws -> String {
        var high = high
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(start: p + rawStart, count: escapeAt &- rawStart))
        var j = escapeAt
        while true {
            // p[j] == '\\'
            j &+= 1
            guard j < n else { throw fail(.unterminatedString, quote) }
            let e = p[j]
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(e); j &+= 1
            case UInt8(ascii: "b"): scratch.append(0x08); j &+= 1
            case UInt8(ascii: "f"): scratch.append(0x0C); j &+= 1
            case UInt8(ascii: "n"): scratch.append(0x0A); j &+= 1
            case UInt8(ascii: "r"): scratch.append(0x0D); j &+= 1
            case UInt8(ascii: "t"): scratch.append(0x09); j &+= 1
            case UInt8(ascii: "u"):
                let uPos = j
                let digits = j &+ 1
                var end = digits &+ 4
                // CPython requires at least one more character after the 4 digits.
                if end >= n { throw fail(.invalidUnicodeEscape, uPos) }
                var scalar = try hex4(digits, uPos: uPos)
                if scalar >= 0xD800 && scalar <= 0xDBFF {
                    if end &+ 6 < n && p[end] == UInt8(ascii: "\\") && p[end &+ 1] == UInt8(ascii: "u") {
                        let lowU = end &+ 1
                        let low = try hex4(end &+ 2, uPos: lowU)
                        if low >= 0xDC00 && low <= 0xDFFF {
                            scalar = 0x10000 &+ ((scalar &- 0xD800) << 10) &+ (low &- 0xDC00)
                            end &+= 6
                        } else {
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                    scalar = 0xFFFD
                }
                appendScalar(scalar)
                j = end
            default:
                throw fail(.invalidEscape, j &- 1)
            }
            // Raw run up to the next quote / backslash.
            let runStart = j
            while true {
                if j &+ 8 <= n {
                    let x = UnsafeRawPointer(p + j).loadUnaligned(as: UInt64.self)
                    let k = _jsonFirstSpecial(x)
                    high |= x
                    j &+= k
                    if k == 8 { continue }
                }
                guard j < n else { throw fail(.unterminatedString, quote) }
                let c = p[j]
                if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { break }
                if c < 0x20 { throw fail(.invalidControl, j) }
                high |= UInt64(c)
                j &+= 1
            }
            if j > runStart {
                scratch.append(contentsOf: UnsafeBufferPointer(start: p + runStart, count: j &- runStart))
            }
            if p[j] == UInt8(ascii: "\"") {
                i = j &+ 1
                if high & 0x8080_8080_8080_8080 == 0 {
                    return String(decoding: scratch, as: UTF8.self)
                }
                if let s = String(validating: scratch, as: UTF8.self) { return s }
                return try scratch.withUnsafeBufferPointer { try decodeWithSurrogates($0, at: rawStart) }
            }
        }
    }

    /// Python decodes byte input with 'surrogatepass', so UTF-8-encoded surrogates (ED A0..BF xx)
    /// are accepted; they become U+FFFD here (like lone \\uD800 escapes). Anything else invalid throws.
    func decodeWithSurrogates(_ seg: UnsafeBufferPointer<UInt8>, at: Int) throws -> String {
        guard let base = seg.baseAddress, _jsonFirstInvalidUTF8(base, seg.count, from: 0) == nil else {
            throw fail(.invalidUTF8, at)
        }
        var out = [UInt8]()
        out.reserveCapacity(seg.count)
        var k = 0
        while k < seg.count {
            if seg[k] == 0xED && k + 2 < seg.count && seg[k + 1] >= 0xA0 {
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                k += 3
            } else {
                out.append(seg[k])
                k += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    @inline(__always)
    mutating func appendScalar(_ s: UInt32) {
        if s < 0x80 {
            scratch.append(UInt8(s))
        } else if s < 0x800 {
            scratch.append(UInt8(0xC0 | (s >> 6)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        } else if s < 0x10000 {
            scratch.append(UInt8(0xE0 | (s >> 12)))
            scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        } else {
            scratch.append(UInt8(0xF0 | (s >> 18)))
            scratch.append(UInt8(0x80 | ((s >> 12) & 0x3F)))
            scratch.append(UInt8(0x80 | ((s >> 6) & 0x3F)))
            scratch.append(UInt8(0x80 | (s & 0x3F)))
        }
    }
}
