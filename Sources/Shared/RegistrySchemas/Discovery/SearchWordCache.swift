import Foundation
import RegistryRuntime

/// Each query word's indexed words, graded, as the trigram index found them, kept by the worker
/// process: finding them is a trigram search (FTS5 reads the long doclists of common trigrams,
/// 0.2–0.5 ms over 100,000 versions; on PostgreSQL a round trip and a GIN scan) that most searches
/// repeat word for word.
///
/// Words are only added, when a version is indexed, and only a registration of a server indexes
/// one. So an entry is used while the change board's `schemas` counter has not moved (every
/// registration of this server moves it) and for at most `trust` seconds, the response cache's
/// TTL: how long a registration by another server on the same database may go unseen (0: no
/// limit, as for responses).
///
/// Bounded by words, not entries, since one broad pattern (`a`) may match most of the vocabulary:
/// at most `wordCapacity` words in all (emptied when full), and a pattern that matches more than
/// `wordsPerEntry` is not kept (reading its postings costs far more than finding its words).
final class SearchWordCache: @unchecked Sendable {
    static let shared = SearchWordCache()
    static let wordCapacity = 100_000
    static let wordsPerEntry = 5_000

    /// When an entry may be used; nil keeps nothing.
    struct Validity {
        let board: ChangeBoard
        let trust: Double
    }

    /// The indexed words that match a query word, and their grades (`MatchQuality` raw values).
    struct Graded {
        let words: [SearchPostingsQueries.Word]
        let grades: [Int64: Int]
    }

    private struct Entry {
        let graded: Graded
        let generation: UInt64
        let storedAt: Double
    }

    private let lock = NSLock()
    private var entries: [String: Entry] = [:]
    private var words = 0

    /// `word`'s graded words: from the cache while valid, else found by `find` and kept.
    func graded(_ word: String, validity: Validity?, find: () throws -> Graded) rethrows -> Graded {
        guard let validity else { return try find() }
        // Read before finding: a registration that lands meanwhile leaves the entry stale.
        let generation = validity.board.schemas
        let now = ProcessInfo.processInfo.systemUptime
        let cached = lock.withLock { entries[word] }
        if let cached, cached.generation == generation, validity.trust <= 0 || now - cached.storedAt < validity.trust {
            return cached.graded
        }
        let graded = try find()
        let size = graded.grades.count
        guard size <= Self.wordsPerEntry else { return graded }
        lock.withLock {
            if words + size > Self.wordCapacity {
                entries.removeAll(keepingCapacity: true)
                words = 0
            }
            words += size - (entries[word]?.graded.grades.count ?? 0)
            entries[word] = Entry(graded: graded, generation: generation, storedAt: now)
        }
        return graded
    }
}
