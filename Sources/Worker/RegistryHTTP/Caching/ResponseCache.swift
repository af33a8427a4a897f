import NIOConcurrencyHelpers
import NIOCore
import RegistrySchemas

/// Ready response bodies of the read routes that dominate traffic (one version, latest, version
/// lists, listing pages), per worker, bounded in bytes (issue 15).
///
/// Staleness policy: an entry remembers the `ChangeBoard` counter it was computed under, read
/// *before* the database was; it is used only while that counter has not moved (any write on
/// this server moves it after its commit and before its answer) and for at most `ttl` (writes of
/// other servers on the same database, which no counter here sees).
///
/// Eviction: two generations of entries. New entries go to the young one; when it holds half the
/// budget it becomes the old one and the previous old one is dropped; a hit in the old one moves
/// the entry back to the young one. Cheap, and close to LRU for a hot set smaller than the budget.
final class ResponseCache: Sendable {
    enum Key: Hashable, Sendable {
        case version(ModelKey, String)
        case latest(ModelKey)
        case versions(ModelKey)
        case listing(String)
        case canonical(ModelKey, String)
        case search(String)
    }

    struct Entry: Sendable {
        let body: [UInt8]
        let etag: String
        let generation: UInt64
        let storedAt: NIODeadline
        var cost: Int { body.count + etag.utf8.count + 160 }
    }

    struct Statistics: Sendable {
        var hits = 0
        var misses = 0
        var entries = 0
        var bytes = 0
    }

    private struct State {
        var young: [Key: Entry] = [:]
        var old: [Key: Entry] = [:]
        var youngBytes = 0
        var oldBytes = 0
        var hits = 0
        var misses = 0
    }

    /// Bytes; 0 turns the cache off.
    let capacity: Int
    /// Zero: no time limit (only this server writes to the database).
    let ttl: TimeAmount
    private let state = NIOLockedValueBox(State())

    init(capacityBytes: Int, ttl: TimeAmount) {
        capacity = capacityBytes
        self.ttl = ttl
    }

    var isEnabled: Bool { capacity > 0 }

    func lookup(_ key: Key, generation: UInt64, now: NIODeadline = .now()) -> Entry? {
        guard isEnabled else { return nil }
        return state.withLockedValue { state in
            if let entry = state.young[key] {
                if usable(entry, generation, now) { state.hits += 1; return entry }
                state.young[key] = nil
                state.youngBytes -= entry.cost
            } else if let entry = state.old.removeValue(forKey: key) {
                state.oldBytes -= entry.cost
                if usable(entry, generation, now) {
                    state.hits += 1
                    insert(key, entry, into: &state)
                    return entry
                }
            }
            state.misses += 1
            return nil
        }
    }

    /// Keeps `body` (computed under `generation`) and returns it as an entry, with its ETag.
    @discardableResult
    func store(_ key: Key, body: [UInt8], generation: UInt64, now: NIODeadline = .now()) -> Entry {
        let entry = Entry(body: body, etag: EntityTag.of(body), generation: generation, storedAt: now)
        guard isEnabled, entry.cost <= capacity / 2 else { return entry }
        state.withLockedValue { state in
            if let replaced = state.young.removeValue(forKey: key) { state.youngBytes -= replaced.cost }
            if let replaced = state.old.removeValue(forKey: key) { state.oldBytes -= replaced.cost }
            insert(key, entry, into: &state)
        }
        return entry
    }

    var statistics: Statistics {
        state.withLockedValue { state in
            Statistics(hits: state.hits, misses: state.misses, entries: state.young.count + state.old.count,
                       bytes: state.youngBytes + state.oldBytes)
        }
    }

    private func usable(_ entry: Entry, _ generation: UInt64, _ now: NIODeadline) -> Bool {
        entry.generation == generation && (ttl == .zero || now - entry.storedAt < ttl)
    }

    private func insert(_ key: Key, _ entry: Entry, into state: inout State) {
        if state.youngBytes + entry.cost > capacity / 2 {
            state.old = state.young
            state.oldBytes = state.youngBytes
            state.young = [:]
            state.youngBytes = 0
        }
        state.young[key] = entry
        state.youngBytes += entry.cost
    }
}
