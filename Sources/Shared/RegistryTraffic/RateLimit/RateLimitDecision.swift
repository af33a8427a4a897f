
/// The outcome of counting one request: what the `X-RateLimit-*` and `Retry-After` headers say.
public struct RateLimitDecision: Sendable {
    public let limit: Int
    /// Requests counted in this window so far, this one included.
    public let hits: Int
    public let window: RateLimitWindow
    /// When the request was counted (unix seconds).
    public let countedAt: Double

    public init(limit: Int, hits: Int, window: RateLimitWindow, countedAt: Double) {
        self.limit = limit
        self.hits = hits
        self.window = window
        self.countedAt = countedAt
    }

    public var isAllowed: Bool { hits <= limit }

    /// Requests left in this window after this one; never negative.
    public var remaining: Int { max(0, limit - hits) }

    /// Unix seconds at which the window ends (`X-RateLimit-Reset`, as GitHub sends it).
    public var resetsAt: Int64 { window.end }

    /// Whole seconds until the window ends, at least 1 (`Retry-After`).
    public var secondsUntilReset: Int {
        max(1, Int((Double(window.end) - countedAt).rounded(.up)))
    }
}
