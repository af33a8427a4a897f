import CPostgres
#if canImport(Glibc)
import Glibc
#endif
import CSQLite

/// The current row of `DatabaseConnection.forEachRow`, read in place (no `SQLRow` is built):
/// valid only inside the call that hands it out. The accessors read SQLite's typed values and
/// PostgreSQL's text alike, as `SQLRow`'s do.
public struct SQLCursor {
    enum Source {
        case sqlite(OpaquePointer)
        case postgres(OpaquePointer, row: Int32)
    }

    let source: Source

    public func isNull(_ i: Int) -> Bool {
        switch source {
        case .sqlite(let stmt): return sqlite3_column_type(stmt, Int32(i)) == SQLITE_NULL
        case .postgres(let result, let row): return PQgetisnull(result, row, Int32(i)) == 1
        }
    }

    public func int(_ i: Int) -> Int? {
        guard !isNull(i) else { return nil }
        switch source {
        case .sqlite(let stmt):
            return Int(sqlite3_column_int64(stmt, Int32(i)))
        case .postgres(let result, let row):
            return Self.parseInteger(bytes(result, row, Int32(i)))
        }
    }

    /// A NOT NULL integer column: one call into SQLite instead of two (NULL reads as 0).
    public func integer(_ i: Int) -> Int64 {
        switch source {
        case .sqlite(let stmt): return sqlite3_column_int64(stmt, Int32(i))
        case .postgres(let result, let row):
            return Int64(Self.parseShortInteger(cString(result, row, Int32(i))) ?? Self.parseInteger(bytes(result, row, Int32(i))) ?? 0)
        }
    }

    public func string(_ i: Int) -> String? {
        withText(i) { bytes in bytes.map { String(decoding: $0, as: UTF8.self) } }
    }

    /// The column's text in place (nil for NULL), valid only inside `body`: no String is built.
    public func withText<Result>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>?) -> Result) -> Result {
        switch source {
        case .sqlite(let stmt):
            // NULL reads as a null pointer: one call fewer than asking the type first.
            guard let start = sqlite3_column_text(stmt, Int32(i)) else { return body(nil) }
            return body(UnsafeBufferPointer(start: start, count: Int(sqlite3_column_bytes(stmt, Int32(i)))))
        case .postgres(let result, let row):
            return PQgetisnull(result, row, Int32(i)) == 1 ? body(nil) : body(bytes(result, row, Int32(i)))
        }
    }

    /// Whether the column holds `text` (NULL equals only nil), compared in place.
    public func text(_ i: Int, equals text: String?) -> Bool {
        withText(i) { bytes in
            guard let text, let bytes else { return text == nil && bytes == nil }
            var expected = text
            return expected.withUTF8 { utf8 in
                utf8.count == bytes.count && (utf8.isEmpty || memcmp(utf8.baseAddress!, bytes.baseAddress!, utf8.count) == 0)
            }
        }
    }

    /// The heading of an entry of `schema_search_model_hits.versions`.
    public struct EntryHead {
        public var id = 0
        public var order: (Int64, Int64, Int64) = (0, 0, 0)
        public var deprecated = false

        @inlinable public init() {}
    }

    /// Each entry of a text column of entries (`schema_search_model_hits.versions`:
    /// ` 12,1,0,0,0,3,5 13,1,1,0,0,3`), read in place: `head` gets its version, order and
    /// deprecation and says whether its places are wanted, `place` gets each of them. Nothing for NULL.
    @inlinable
    public func forEachEntry(_ i: Int, head: (EntryHead) -> Bool, place: (Int) -> Void) {
        withText(i) { bytes in if let bytes { Self.parseEntries(bytes, head: head, place: place) } }
    }

    /// `forEachEntry` of a text: a space starts an entry, commas separate its numbers (anything
    /// else is skipped).
    @inlinable
    static func parseEntries(_ text: UnsafeBufferPointer<UInt8>, head: (EntryHead) -> Bool, place: (Int) -> Void) {
        guard var at = text.baseAddress else { return }
        let end = at + text.count
        let space = UInt8(ascii: " "), comma = UInt8(ascii: ",")
        while at < end {
            guard at.pointee == space else {
                at += 1
                continue
            }
            at += 1
            var entry = EntryHead()
            entry.id = number(&at, end)
            entry.order.0 = Int64(skipping(comma, &at, end))
            entry.order.1 = Int64(skipping(comma, &at, end))
            entry.order.2 = Int64(skipping(comma, &at, end))
            entry.deprecated = skipping(comma, &at, end) != 0
            let wanted = head(entry)
            while at < end, at.pointee == comma {
                at += 1
                let value = number(&at, end)
                if wanted { place(value) }
            }
        }
    }

    /// The decimal digits at `at` (none: 0), `at` moved past them.
    @inlinable @inline(__always)
    static func number(_ at: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Int {
        var value = 0
        while at < end {
            let digit = at.pointee &- 0x30
            guard digit < 10 else { break }
            value = value &* 10 &+ Int(digit)
            at += 1
        }
        return value
    }

    /// `number` after one `separator`, if there.
    @inlinable @inline(__always)
    static func skipping(_ separator: UInt8, _ at: inout UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Int {
        if at < end, at.pointee == separator { at += 1 }
        return number(&at, end)
    }

    /// libpq ends every text value with a NUL: a short integer is read without asking its length.
    private func cString(_ result: OpaquePointer, _ row: Int32, _ column: Int32) -> UnsafePointer<UInt8> {
        UnsafeRawPointer(PQgetvalue(result, row, column)!).assumingMemoryBound(to: UInt8.self)
    }

    private func bytes(_ result: OpaquePointer, _ row: Int32, _ column: Int32) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: cString(result, row, column), count: Int(PQgetlength(result, row, column)))
    }

    /// `parseInteger` of a NUL-terminated text of at most 18 digits (which cannot overflow); nil
    /// for anything else, which `parseInteger` then reads.
    static func parseShortInteger(_ text: UnsafePointer<UInt8>) -> Int? {
        let negative = text[0] == UInt8(ascii: "-")
        var index = negative ? 1 : 0
        var value = 0
        while text[index] != 0 {
            let digit = text[index] &- 0x30
            guard digit < 10, index < 18 + (negative ? 1 : 0) else { return nil }
            value = value &* 10 &+ Int(digit)
            index += 1
        }
        guard index > (negative ? 1 : 0) else { return nil }
        return negative ? -value : value
    }

    /// A decimal integer as PostgreSQL writes it (`-12`), without building a String.
    static func parseInteger(_ text: UnsafeBufferPointer<UInt8>) -> Int? {
        let negative = text.first == UInt8(ascii: "-")
        let start = negative ? 1 : 0
        guard text.count > start else { return nil }
        // Up to 18 digits cannot overflow: only the digits are checked (the usual case, ids).
        let checked = text.count - start > 18
        var value = 0
        for index in start..<text.count {
            let digit = text[index] &- 0x30
            guard digit < 10 else { return nil }
            if checked {
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(Int(digit))
                guard !o1 && !o2 else { return nil }
                value = sum
            } else {
                value = value &* 10 &+ Int(digit)
            }
        }
        return negative ? -value : value
    }
}
