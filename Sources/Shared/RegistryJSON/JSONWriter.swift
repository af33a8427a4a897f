// Compact JSON writer, byte-identical to Python's
//   json.dumps(v, separators=(",", ":"), ensure_ascii=False)
// for values produced by `JSONParser` (numbers are written as their stored literal).
//
// String escaping (CPython `py_encode_basestring` / ESCAPE_DCT): \" \\ \n \r \t \b \f, other
// control characters < 0x20 as \u00xx (lower-case hex); DEL and all non-ASCII written raw;
// '/' not escaped.

extension JSONValue {
    /// Compact JSON text.
    public func serialized() -> String {
        var sink = _JSONByteSink(capacity: 256)
        defer { sink.free() }
        _JSONWriter.write(self, into: &sink)
        return String(decoding: UnsafeBufferPointer(start: sink.base, count: sink.count), as: UTF8.self)
    }

    /// Appends the compact UTF-8 JSON text to `buffer`.
    public func write(into buffer: inout [UInt8]) {
        var sink = _JSONByteSink(capacity: 256)
        defer { sink.free() }
        _JSONWriter.write(self, into: &sink)
        buffer.append(contentsOf: UnsafeBufferPointer(start: sink.base, count: sink.count))
    }

    /// Compact UTF-8 JSON bytes.
    public func serializedBytes() -> [UInt8] {
        var buf: [UInt8] = []
        write(into: &buf)
        return buf
    }
}

extension JSONObject {
    /// Compact JSON text of this object.
    public func serialized() -> String { JSONValue.object(self).serialized() }

    /// Appends the compact UTF-8 JSON text of this object to `buffer`.
    public func write(into buffer: inout [UInt8]) { JSONValue.object(self).write(into: &buffer) }
}

/// Growable byte buffer without per-append uniqueness checks (the writer's hot path).
internal struct _JSONByteSink {
    var base: UnsafeMutablePointer<UInt8>
    var count = 0
    var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    func free() { base.deallocate() }

    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if count &+ extra > capacity { grow(count &+ extra) }
    }

    mutating func grow(_ needed: Int) {
        var newCap = capacity &* 2
        while newCap < needed { newCap &*= 2 }
        let nb = UnsafeMutablePointer<UInt8>.allocate(capacity: newCap)
        nb.initialize(from: base, count: count)
        base.deallocate()
        base = nb
        capacity = newCap
    }

    @inline(__always)
    mutating func append(_ b: UInt8) {
        reserve(1)
        base[count] = b
        count &+= 1
    }

    @inline(__always)
    mutating func append(_ src: UnsafePointer<UInt8>, _ n: Int) {
        reserve(n)
        (base + count).update(from: src, count: n)
        count &+= n
    }

    /// Appends 1...8 ASCII bytes packed little-endian in `word`.
    @inline(__always)
    mutating func appendPacked(_ word: UInt64, _ n: Int) {
        reserve(8)
        UnsafeMutableRawPointer(base + count).storeBytes(of: word.littleEndian, as: UInt64.self)
        count &+= n
    }
}

internal enum _JSONWriter {
    static func write(_ v: borrowing JSONValue, into out: inout _JSONByteSink) {
        switch v {
        case .null:
            out.appendPacked(0x6C6C_756E, 4)  // null
        case .bool(let b):
            if b { out.appendPacked(0x6575_7274, 4) } else { out.appendPacked(0x65_736C_6166, 5) }
        case .number(let s):
            appendUTF8(s, into: &out)
        case .string(let s):
            writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            a.withUnsafeBufferPointer { buf in
                var i = 0
                let n = buf.count
                while i < n {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    write(buf[i], into: &out)
                    i &+= 1
                }
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            o._entries.withUnsafeBufferPointer { buf in
                var i = 0
                let n = buf.count
                while i < n {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    writeString(buf[i].key, into: &out)
                    out.append(UInt8(ascii: ":"))
                    write(buf[i].value, into: &out)
                    i &+= 1
                }
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    @inline(__always)
    static func withUTF8<R>(_ s: String, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if let r = s.utf8.withContiguousStorageIfAvailable(body) { return r }
        var c = s
        return c.withUTF8(body)
    }

    @inline(__always)
    static func appendUTF8(_ s: String, into out: inout _JSONByteSink) {
        withUTF8(s) { u in
            if let b = u.baseAddress { out.append(b, u.count) }
        }
    }

    static let hexDigits: StaticString = "0123456789abcdef"

    static func writeString(_ s: String, into out: inout _JSONByteSink) {
        withUTF8(s) { u in
            let n = u.count
            out.reserve(n &+ 2)
            out.base[out.count] = UInt8(ascii: "\"")
            out.count &+= 1
            guard let base = u.baseAddress else {
                out.append(UInt8(ascii: "\""))
                return
            }
            var runStart = 0
            var j = 0
            while j < n {
                // Find the next byte that needs escaping, 8 bytes at a time.
                if j &+ 8 <= n {
                    let k = _jsonFirstSpecial(UnsafeRawPointer(base + j).loadUnaligned(as: UInt64.self))
                    j &+= k
                    if k == 8 { continue }
                } else if _jsonLittleEndian && n >= 8 {
                    // Tail: overlapping load of the last 8 bytes, already-checked bytes masked out.
                    let skip = j &- (n &- 8)  // 1...7
                    let mask: UInt64 = (1 << UInt64(skip &* 8)) &- 1
                    var x = UnsafeRawPointer(base + (n &- 8)).loadUnaligned(as: UInt64.self)
                    x = (x & ~mask) | (0x4141_4141_4141_4141 & mask)
                    let k = _jsonFirstSpecial(x)
                    if k == 8 { j = n; break }
                    j = n &- 8 &+ k
                } else {
                    while j < n {
                        let c = base[j]
                        if c < 0x20 || c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") { break }
                        j &+= 1
                    }
                    if j >= n { break }
                }
                let c = base[j]
                if j > runStart { out.append(base + runStart, j &- runStart) }
                switch c {
                case UInt8(ascii: "\""): out.appendPacked(0x225C, 2)  // \"
                case UInt8(ascii: "\\"): out.appendPacked(0x5C5C, 2)  // \\
                case 0x0A: out.appendPacked(0x6E5C, 2)  // \n
                case 0x0D: out.appendPacked(0x725C, 2)  // \r
                case 0x09: out.appendPacked(0x745C, 2)  // \t
                case 0x08: out.appendPacked(0x625C, 2)  // \b
                case 0x0C: out.appendPacked(0x665C, 2)  // \f
                default:
                    // \u00XX, lower-case hex
                    let hex = hexDigits.utf8Start
                    let word = UInt64(0x3030_755C) | UInt64(hex[Int(c >> 4)]) << 32 | UInt64(hex[Int(c & 0x0F)]) << 40
                    out.appendPacked(word, 6)
                }
                j &+= 1
                runStart = j
            }
            if n > runStart { out.append(base + runStart, n &- runStart) }
            out.append(UInt8(ascii: "\""))
        }
    }
}
