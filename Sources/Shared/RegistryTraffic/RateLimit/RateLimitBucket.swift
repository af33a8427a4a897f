import RegistryDomain

/// Whose requests one counter counts: an API key (by its id, never its secret) or a client
/// address. `name` is the counter's key in `rate_limit_counters`.
public enum RateLimitBucket: Hashable, Sendable {
    case key(id: Int)
    case address(String?)

    /// The width of the `bucket` column; longer (malformed) addresses are cut to fit.
    public static let maximumLength = RateLimitCounters.bucketWidth

    public var name: String {
        switch self {
        case .key(let id):
            return "key:\(id)"
        case .address(let address):
            return "ip:" + String((address ?? "unknown").prefix(Self.maximumLength - 3))
        }
    }
}
