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
///
/// It also keeps how many postings a query word has per kind searched (counted up to a limit),
/// which a query of several words uses to read its rarest word first. A count only chooses the
/// order of reading, never the answer: the same rule keeps them, at most `wordCapacity` of them.
final class SearchWordCache: @unchecked Sendable {
    static let shared = SearchWordCache()
    static let wordCapacity = 100_000
    static let wordsPerEntry = 5_000

    /// When an entry may be used; nil keeps nothing.
    struct Validity {
        let board: ChangeBoard
        let trust: Double

        /// The board's generation and a time.
        struct Moment: Equatable {
            let generation: UInt64
            let time: Double
        }

        /// Read before finding: a change that lands meanwhile leaves what is found stale.
        func now() -> Moment { Moment(generation: board.schemas, time: ProcessInfo.processInfo.systemUptime) }

        /// Whether what was found at `found` may still be used at `now`.
        func holds(_ found: Moment, at now: Moment) -> Bool {
            found.generation == now.generation && (trust <= 0 || now.time - found.time < trust)
        }
    }

    /// The indexed words that match a query word, and their grades (`MatchQuality` raw values).
    struct Graded {
        let words: [SearchPostingsQueries.Word]
        let grades: [Int64: Int]
    }

    /// A value and when it was found.
    private struct Stamped<Value> {
        let value: Value
        let found: Validity.Moment
    }

    private let lock = NSLock()
    private var entries: [String: Stamped<Graded>] = [:]
    private var words = 0
    private var counts: [String: Stamped<Int>] = [:]

    /// `word`'s graded words: from the cache while valid, else found by `find` and kept.
    func graded(_ word: String, validity: Validity?, find: () throws -> Graded) rethrows -> Graded {
        try remembered(\.entries, word, validity, find: find) { stamped in
            let size = stamped.value.grades.count
            guard size <= Self.wordsPerEntry else { return }
            if words + size > Self.wordCapacity {
                entries.removeAll(keepingCapacity: true)
                words = 0
            }
            words += size - (entries[word]?.value.grades.count ?? 0)
            entries[word] = stamped
        }
    }

    /// The number of postings of `word`'s words of the kinds `kind` searches: from the cache while
    /// valid, else counted by `count` and kept.
    func postingCount(_ word: String, kind: SearchQuery.Kind, validity: Validity?, count: () throws -> Int) rethrows -> Int {
        let key = kind.rawValue + "\u{0}" + word
        return try remembered(\.counts, key, validity, find: count) { stamped in
            if counts.count >= Self.wordCapacity { counts.removeAll(keepingCapacity: true) }
            counts[key] = stamped
        }
    }

    /// The value under `key` in `table` while valid, else `find`'s, handed stamped to `keep` (under
    /// the lock) to store it within the bounds.
    private func remembered<Value>(_ table: KeyPath<SearchWordCache, [String: Stamped<Value>]>, _ key: String, _ validity: Validity?,
                                   find: () throws -> Value, keep: (Stamped<Value>) -> Void) rethrows -> Value {
        guard let validity else { return try find() }
        let now = validity.now()
        let cached = lock.withLock { self[keyPath: table][key] }
        if let cached, validity.holds(cached.found, at: now) { return cached.value }
        let value = try find()
        lock.withLock { keep(Stamped(value: value, found: now)) }
        return value
    }
}
