/// A double written as ECMAScript's `Number.prototype.toString` writes it (ECMA-262 §6.1.6.1.20),
/// which RFC 8785 §3.2.2.3 requires: the shortest digits that round-trip, `1` not `1.0`, `1e+21`
/// not `1000000000000000000000`, `0` for `-0`.
public enum ECMAScriptNumber {
    /// nil for NaN and the infinities, which JSON cannot carry.
    public static func format(_ value: Double) -> String? {
        guard value.isFinite else { return nil }
        if value == 0 { return "0" }
        let (digits, point) = shortestDigits(value.magnitude)
        let sign = value < 0 ? "-" : ""
        return sign + layout(digits, point)
    }

    /// The number literal's value as RFC 8785 writes it; nil when it is not a finite double
    /// (`1e400`, `NaN`), which the canonical form then keeps as written.
    public static func format(literal: String) -> String? {
        guard let value = Double(literal) else { return nil }
        return format(value)
    }

    /// Swift's `description` already gives the shortest round-tripping digits, closest to the
    /// value on ties (the same choice ECMA-262 makes); only its layout differs. Returns the digits
    /// without leading or trailing zeros and `n` such that the value is `0.digits × 10^n`.
    private static func shortestDigits(_ magnitude: Double) -> (digits: [Character], point: Int) {
        var text = Substring(magnitude.description)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...]) ?? 0
            text = text[..<e]
        }
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let integral = Array(parts[0])
        let fraction = parts.count > 1 ? Array(parts[1]) : []
        var digits = integral + fraction
        var point = integral.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        while digits.last == "0" { digits.removeLast() }
        return (digits, point)
    }

    /// ECMA-262's four layouts, with k digits and the decimal point after the n-th.
    private static func layout(_ digits: [Character], _ n: Int) -> String {
        let k = digits.count
        if k <= n && n <= 21 { return String(digits) + String(repeating: "0", count: n - k) }
        if 0 < n && n <= 21 { return String(digits[..<n]) + "." + String(digits[n...]) }
        if -6 < n && n <= 0 { return "0." + String(repeating: "0", count: -n) + String(digits) }
        let e = n - 1
        let exponent = "e" + (e < 0 ? "-" : "+") + String(e.magnitude)
        if k == 1 { return String(digits) + exponent }
        return String(digits[0]) + "." + String(digits[1...]) + exponent
    }
}
