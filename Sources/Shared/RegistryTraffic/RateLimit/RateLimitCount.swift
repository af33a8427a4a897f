import RegistryRuntime

/// What counting a request in the shared table left to do.
public enum RateLimitCount: Sendable {
    case decided(RateLimitDecision)
    /// The count needs the database: finish it off the event loop with
    /// `RateLimiter.countInDatabase(_:)`.
    case needsDatabase(RateLimitDatabaseCount)
}

/// A count to finish in the database: a bucket's first hit in the window in this server (its slot
/// learns the other servers' hits from it), or a hit of a bucket the table has no slot for.
public struct RateLimitDatabaseCount: Sendable {
    let bucket: String
    let window: RateLimitWindow
    let countedAt: Double
    /// The slot the hit took; nil: none.
    let claim: RateLimitClaim?
}
