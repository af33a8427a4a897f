import CShim

/// The memory every process of one server shares (issue 15): one memfd that the supervisor creates
/// before it spawns workers and hands down as fd 5, mapped once per process. Its sections, each
/// starting on a page boundary:
///
/// - the change board (`ChangeBoard`): generation counters that announce committed writes;
/// - the writer gate (`SharedMutex`): taken around every SQLite write transaction, so that writers
///   of all workers queue in the kernel instead of polling SQLite's lock with sleeps;
/// - the rate-limit table (`RateLimitTable`): every worker's rate-limit counts, synced with the
///   database in the background.
///
/// Only the creator initialises the sections; a process without a supervisor's region (a worker
/// started alone, tests in process) makes a private one, which is just as right for one process.
public final class SharedRegion: @unchecked Sendable {
    public enum Section: CaseIterable {
        case changeBoard, writerGate, rateLimits

        var size: Int {
            switch self {
            case .changeBoard: return ChangeBoard.size
            case .writerGate: return pyrmute_shared_mutex_size()
            case .rateLimits: return RateLimitTable.size
            }
        }

        /// Where the section starts: after the ones before it, each rounded up to a page.
        var offset: Int {
            Section.allCases.prefix { $0 != self }.reduce(0) { $0 + SharedRegion.pageRounded($1.size) }
        }
    }

    public static let size = Section.allCases.reduce(0) { $0 + pageRounded($1.size) }

    public let board: ChangeBoard
    public let writerGate: SharedMutex
    public let rateLimits: RateLimitTable
    /// The descriptor to hand to workers (the supervisor's region only).
    public let descriptor: Int32?

    private init(memory: UnsafeMutableRawPointer, descriptor: Int32?, initialise: Bool) {
        board = ChangeBoard(counters: memory + Section.changeBoard.offset)
        writerGate = SharedMutex(memory: memory + Section.writerGate.offset, initialise: initialise)
        rateLimits = RateLimitTable(memory: memory + Section.rateLimits.offset, initialise: initialise)
        self.descriptor = descriptor
    }

    /// The supervisor's region, to share with the workers it spawns; nil if the kernel refuses.
    public static func create() -> SharedRegion? {
        let fd = pyrmute_region_create(size)
        guard fd >= 0, let memory = pyrmute_region_map(fd, size) else { return nil }
        return SharedRegion(memory: memory, descriptor: fd, initialise: true)
    }

    /// The region a supervisor handed down as `descriptor`, or a private one.
    public static func attach(descriptor: Int32?) -> SharedRegion {
        if let descriptor, let memory = pyrmute_region_map(descriptor, size) {
            return SharedRegion(memory: memory, descriptor: nil, initialise: false)
        }
        return standalone()
    }

    /// A region for this process alone.
    public static func standalone() -> SharedRegion {
        guard let memory = pyrmute_region_map(-1, size) else { fatalError("cannot map \(size) bytes") }
        return SharedRegion(memory: memory, descriptor: nil, initialise: true)
    }

    static func pageRounded(_ bytes: Int) -> Int {
        let page = 4096
        return (bytes + page - 1) / page * page
    }
}
