import Foundation
import RegistryStorage

/// Keyset bookmarks for deep offsets of `GET /schemas`: every `stride`-th model key of a scope
/// (all models, one namespace, the global ones, one model name; with or without the deprecated),
/// valid for one value of the scope's `changes` counter in `schema_model_counts`. A page at offset
/// `o` then starts after the bookmark at or below `o` and skips fewer than `stride` models, instead
/// of counting past `o` of them; the wire is unchanged.
///
/// Bookmarks are kept per connection (a connection is used by one thread at a time, and talks to
/// one database), at most `capacity` scopes each process, and rebuilt (one pass over the scope's
/// index) at most once per `rebuildInterval` per scope: while models are added or removed faster
/// than that, deep pages fall back to `OFFSET`. The page query itself checks that `changes` still
/// has the bookmarks' value (in the same statement), so a bookmark never places a page wrongly.
final class ListingBookmarks: @unchecked Sendable {
    static let shared = ListingBookmarks()
    static let stride = 1000
    static let capacity = 256
    static let rebuildInterval: UInt64 = 1_000_000_000

    struct Mark: Sendable {
        /// The number of models before the first one after this mark.
        var position: Int
        var namespaced: Bool
        var nsKey: String
        var model: String
    }

    struct Marks: Sendable {
        var generation: Int64
        var marks: [Mark]
    }

    private struct Key: Hashable {
        var connection: ObjectIdentifier
        var scope: String
    }

    private struct Entry {
        weak var owner: AnyObject?
        var marks: Marks?
        var builtAt: UInt64
    }

    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]

    /// The bookmark to start a page at `offset` from, building the scope's bookmarks when they are
    /// missing or stale (at most once per `rebuildInterval`); nil: use `OFFSET` alone.
    func mark(for scope: SchemaListingQueries.Scope, offset: Int, generation: Int64, connection: DatabaseConnection,
              build: () throws -> Marks?) throws -> Mark? {
        guard let countScope = scope.countScope else { return nil }
        let key = Key(connection: ObjectIdentifier(connection),
                      scope: "\(countScope)\(scope.live ? "1" : "0")\(scope.countKey)")
        let now = DispatchTime.now().uptimeNanoseconds
        let cached: Entry? = lock.withLock {
            guard let entry = entries[key], entry.owner === connection else { return nil }
            return entry
        }
        if let cached {
            if let marks = cached.marks, marks.generation == generation { return Self.lookup(marks, offset) }
            if now &- cached.builtAt < Self.rebuildInterval { return nil }
        }
        let marks = try build()
        lock.withLock {
            if entries[key] == nil, entries.count >= Self.capacity {
                entries = entries.filter { $0.value.owner != nil }
                if entries.count >= Self.capacity { entries.removeAll() }
            }
            entries[key] = Entry(owner: connection, marks: marks, builtAt: now)
        }
        guard let marks, marks.generation == generation else { return nil }
        return Self.lookup(marks, offset)
    }

    /// The last mark at or below `offset`.
    private static func lookup(_ marks: Marks, _ offset: Int) -> Mark? {
        let index = offset / stride - 1
        guard index >= 0, !marks.marks.isEmpty else { return nil }
        return marks.marks[min(index, marks.marks.count - 1)]
    }
}
