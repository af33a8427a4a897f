import CShim
import RegistryJSON

/// Generation counters in memory that every process of one server shares (issue 15): a write
/// increments the counters of what it changed after its transaction commits and before it is
/// answered; a cached answer remembers the counter it was computed under and is used only while
/// the counter still says so. Reading one is one atomic load, so a worker checks it on every
/// request and never answers from a cache what another worker has already changed.
///
/// The board is a section of the `SharedRegion` the supervisor hands down to its workers.
///
/// Layout: `UInt64` counters: keys, config, every schema, then `modelBuckets` buckets that models
/// hash into (two models sharing a bucket only invalidate each other's entries).
public final class ChangeBoard: @unchecked Sendable {
    public static let modelBuckets = 4096
    private static let fixed = 3
    public static let size = (fixed + modelBuckets) * MemoryLayout<UInt64>.stride

    private let counters: UnsafeMutablePointer<UInt64>

    /// `counters` is the board's section of the `SharedRegion`.
    init(counters: UnsafeMutableRawPointer) {
        self.counters = counters.bindMemory(to: UInt64.self, capacity: Self.size / MemoryLayout<UInt64>.stride)
    }

    /// A board for this process alone (tests, tools).
    public static func standalone() -> ChangeBoard { SharedRegion.standalone().board }

    // MARK: - Reading

    public var keys: UInt64 { pyrmute_atomic_load_u64(counters) }
    public var config: UInt64 { pyrmute_atomic_load_u64(counters + 1) }
    public var schemas: UInt64 { pyrmute_atomic_load_u64(counters + 2) }

    public func model(namespace: String?, model: String) -> UInt64 {
        pyrmute_atomic_load_u64(counters + Self.fixed + Self.bucket(namespace: namespace, model: model))
    }

    // MARK: - Writing (after the commit, before the answer)

    public func keysChanged() { pyrmute_atomic_increment_u64(counters) }
    public func configChanged() { pyrmute_atomic_increment_u64(counters + 1) }

    /// A version of the model was registered, replaced, (un)deprecated or deleted.
    public func modelChanged(namespace: String?, model: String) {
        pyrmute_atomic_increment_u64(counters + Self.fixed + Self.bucket(namespace: namespace, model: model))
        pyrmute_atomic_increment_u64(counters + 2)
    }

    /// Everything cached may be stale (a change seen from another server, whose model is unknown).
    public func everythingChanged() {
        for index in 0..<(Self.fixed + Self.modelBuckets) { pyrmute_atomic_increment_u64(counters + index) }
    }

    static func bucket(namespace: String?, model: String) -> Int {
        Int(modelHash(namespace: namespace, model: model) % UInt64(modelBuckets))
    }

    /// A stable hash of a model: its namespace (or a marker for global) and its name.
    public static func modelHash(namespace: String?, model: String) -> UInt64 {
        var hasher = FNV1a()
        if let namespace {
            hasher.add(1)
            hasher.add(namespace.utf8)
        }
        hasher.add(0)
        hasher.add(model.utf8)
        return hasher.value
    }
}
