import Foundation

/// A UTC instant with microsecond precision, and the text forms the contract uses.
public struct Timestamp: Sendable, Comparable, Hashable {
    public let microseconds: Int64   // since the Unix epoch

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Timestamp(microseconds: Int64(ts.tv_sec) * 1_000_000 + Int64(ts.tv_nsec) / 1000)
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    public var secondsSinceEpoch: Double { Double(microseconds) / 1_000_000 }

    /// `2026-11-26 12:25:06.604321`: how SQLAlchemy stores DATETIME on SQLite, and what
    /// PostgreSQL reads as UTC in a session whose time zone is UTC.
    public var storageText: String { format(dateSeparator: " ", fraction: .always, suffix: "") }

    /// `2026-11-26T12:25:12.843519+00:00` (Python's `isoformat()`: no fraction when it is zero).
    public var isoOffset: String { format(dateSeparator: "T", fraction: .whenNonZero, suffix: "+00:00") }

    /// `2026-11-26T12:25:06.604321Z` (no fraction when it is zero).
    public var isoZulu: String { format(dateSeparator: "T", fraction: .whenNonZero, suffix: "Z") }

    private enum Fraction { case always, whenNonZero }

    private func format(dateSeparator: Character, fraction: Fraction, suffix: String) -> String {
        var seconds = time_t(microseconds / 1_000_000)
        var micros = Int(microseconds % 1_000_000)
        if micros < 0 { micros += 1_000_000; seconds -= 1 }
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var text = "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))"
        text.append(dateSeparator)
        text += "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))"
        if fraction == .always || micros != 0 { text += "." + pad(micros, 6) }
        return text + suffix
    }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
