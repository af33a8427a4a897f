import Foundation

extension Timestamp {
    /// ISO 8601 as Python's `datetime.fromisoformat` reads it: `YYYY-MM-DD`, optionally
    /// `[T ]HH:MM[:SS[.ffffff]]`, optionally `Z` or `±HH:MM[:SS]`. A naive time is UTC; an
    /// offset is converted to UTC (the reference dropped it on SQLite).
    public init?(iso text: String) {
        let bytes = Array(text.utf8)
        var i = 0
        func number(_ count: Int) -> Int? {
            guard i + count <= bytes.count else { return nil }
            var value = 0
            for b in bytes[i..<i + count] {
                guard b >= 0x30 && b <= 0x39 else { return nil }
                value = value * 10 + Int(b - 0x30)
            }
            i += count
            return value
        }
        func take(_ c: Character) -> Bool {
            guard i < bytes.count, bytes[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = number(4), take("-"), let month = number(2), take("-"), let day = number(2) else { return nil }
        var hour = 0, minute = 0, second = 0, micros = 0, offsetSeconds = 0
        if i < bytes.count {
            guard take("T") || take(" ") || take("t") else { return nil }
            guard let h = number(2), take(":"), let m = number(2) else { return nil }
            hour = h; minute = m
            if take(":") {
                guard let s = number(2) else { return nil }
                second = s
                if take(".") || take(",") {
                    var digits = 0
                    while i < bytes.count, bytes[i] >= 0x30, bytes[i] <= 0x39 {
                        if digits < 6 { micros = micros * 10 + Int(bytes[i] - 0x30) }
                        digits += 1
                        i += 1
                    }
                    guard digits > 0 else { return nil }
                    if digits < 6 { for _ in digits..<6 { micros *= 10 } }
                }
            }
            if take("Z") || take("z") {
            } else if i < bytes.count {
                let sign: Int
                if take("+") { sign = 1 } else if take("-") { sign = -1 } else { return nil }
                guard let oh = number(2), take(":") || true, let om = number(2) else { return nil }
                var os = 0
                if take(":") { guard let s = number(2) else { return nil }; os = s }
                guard oh < 24, om < 60, os < 60 else { return nil }
                offsetSeconds = sign * (oh * 3600 + om * 60 + os)
            }
        }
        guard i == bytes.count, (1...12).contains(month), day >= 1, day <= Self.daysIn(month, year),
              hour < 24, minute < 60, second < 60 else { return nil }
        let days = Self.daysFromCivil(year, month, day)
        let seconds = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second - offsetSeconds)
        self.init(microseconds: seconds * 1_000_000 + Int64(micros))
    }

    /// A value read back from the database: SQLite's `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC) or
    /// PostgreSQL's `YYYY-MM-DD HH:MM:SS[.ffffff]+00`.
    public init?(storage text: String) {
        var text = text
        if text.hasSuffix("+00") { text += ":00" }
        self.init(iso: text)
    }

    private static func daysIn(_ month: Int, _ year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's algorithm).
    private static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
