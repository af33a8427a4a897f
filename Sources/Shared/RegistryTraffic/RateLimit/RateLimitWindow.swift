
/// A fixed one-minute window aligned to the wall-clock minute: `floor(unix seconds / 60)`.
/// Every worker and pod computes the same window from its own clock, so they share counters.
public struct RateLimitWindow: Hashable, Sendable {
    public static let length: Int64 = 60

    /// Unix seconds at which the window starts.
    public let start: Int64

    public init(containing unixSeconds: Double) {
        start = Int64((unixSeconds / Double(Self.length)).rounded(.down)) * Self.length
    }

    /// Unix seconds at which the next window starts.
    public var end: Int64 { start + Self.length }
}
