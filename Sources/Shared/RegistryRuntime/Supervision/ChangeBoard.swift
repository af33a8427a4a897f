import CShim
import RegistryJSON

/// Generation counters in memory that every process of one server shares (issue 15): a write
/// increments the counters of what it changed after its transaction commits and before it is
/// answered; a cached answer remembers the counter it was computed under and is used only while
/// the counter still says so. Reading one is one atomic load, so a worker checks it on every
/// request and never answers from a cache what another worker has already changed.
///
/// The supervisor creates the board (a memfd) before it spawns workers and hands it down as fd 5;
/// a process without one (a worker started alone, tests in process) keeps a private board, which
/// is just as right for a single process.
///
/// Layout: `UInt64` counters: keys, config, every schema, then `modelBuckets` buckets that models
/// hash into (two models sharing a bucket only invalidate each other's entries).
public final class ChangeBoard: @unchecked Sendable {
    public static let modelBuckets = 4096
    private static let fixed = 3
    public static let size = (fixed + modelBuckets) * MemoryLayout<UInt64>.stride

    private let counters: UnsafeMutablePointer<UInt64>
    /// The descriptor to hand to workers (the supervisor's board only).
    public let descriptor: Int32?

    private init(counters: UnsafeMutableRawPointer, descriptor: Int32?) {
        self.counters = counters.bindMemory(to: UInt64.self, capacity: Self.size / MemoryLayout<UInt64>.stride)
        self.descriptor = descriptor
    }

    /// The supervisor's board, to share with the workers it spawns; nil if the kernel refuses.
    public static func create() -> ChangeBoard? {
        let fd = pyrmute_board_create(size)
        guard fd >= 0, let memory = pyrmute_board_map(fd, size) else { return nil }
        return ChangeBoard(counters: memory, descriptor: fd)
    }

    /// The board a supervisor handed down as `descriptor`, or a private one.
    public static func attach(descriptor: Int32?) -> ChangeBoard {
        if let descriptor, let memory = pyrmute_board_map(descriptor, size) {
            return ChangeBoard(counters: memory, descriptor: nil)
        }
        return standalone()
    }

    /// A board for this process alone.
    public static func standalone() -> ChangeBoard {
        guard let memory = pyrmute_board_map(-1, size) else { fatalError("cannot map \(size) bytes") }
        return ChangeBoard(counters: memory, descriptor: nil)
    }

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
