import Foundation
import RegistryRuntime

/// Each searched version's model and order, by version id, kept by the worker process. Every
/// posting carries them (migration 10), but reading them with every posting was a third of what
/// PostgreSQL spent on a search of many postings (8 values a posting instead of 3) and half of
/// SQLite's stepping. So a search reads its postings without them, and a version's are read
/// once, when it is not known here.
///
/// A version's model and order never change, but its id may later name another version: SQLite
/// gives a deleted newest row's id to the next one. So the whole cache is used by the rule of
/// `SearchWordCache`: while the change board's `schemas` counter has not moved (every deletion
/// and registration of this server moves it) and for at most `trust` seconds (a deletion by
/// another server on the same database; 0: no limit); else it is emptied. Deprecation and the
/// namespaces are not kept here: the postings' SQL filters them on every search.
final class SearchVersionCache: @unchecked Sendable {
    static let shared = SearchVersionCache()
    /// Versions kept at most (about 80 bytes each); emptied when full. A search that hits more
    /// reads its versions' columns every time.
    static let capacity = 250_000

    /// A version's model (an index into `models`) and order (major, minor, patch).
    struct Identity {
        let model: Int
        let order: (Int64, Int64, Int64)
    }

    /// A version's model and order as read from the postings.
    struct Found {
        let schemaID: Int
        let model: SearchPostingsQueries.VersionTable.ModelName
        let order: (Int64, Int64, Int64)
    }

    /// Since when the cache's entries hold: the board's generation and the time it was emptied.
    typealias Era = SearchWordCache.Validity.Moment

    private let lock = NSLock()
    private var era = Era(generation: 0, time: -.infinity)
    private var byID = PairTable()
    private var identities: [Identity] = []
    private var models: [SearchPostingsQueries.VersionTable.ModelName] = []
    private var modelIndex: [SearchPostingsQueries.VersionTable.ModelName: Int] = [:]

    /// The identities of `ids` known here (nil for the others), the models they index, and the
    /// era to hand `keep` with what is read for the others. Empties the cache first when stale;
    /// without a validity nothing is known.
    func lookUp(_ ids: [Int], _ validity: SearchWordCache.Validity?)
        -> (identities: [Identity?], models: [SearchPostingsQueries.VersionTable.ModelName], era: Era?) {
        guard let validity else { return (Array(repeating: nil, count: ids.count), [], nil) }
        let now = validity.now()
        return lock.withLock {
            if !validity.holds(era, at: now) {
                removeAll()
                era = now
            }
            return (ids.map { id in byID[id, 0].map { identities[$0] } }, models, era)
        }
    }

    /// Whether `lookUp` would know no version: nothing kept yet, or stale (without a validity,
    /// nothing is ever kept).
    func knowsNothing(_ validity: SearchWordCache.Validity?) -> Bool {
        guard let validity else { return true }
        let now = validity.now()
        return lock.withLock { identities.isEmpty || !validity.holds(era, at: now) }
    }

    /// Keeps what was read for versions `lookUp` did not know, unless the cache was emptied since.
    func keep(_ found: [Found], era: Era?) {
        guard let era, !found.isEmpty else { return }
        lock.withLock {
            guard era == self.era else { return }
            if identities.count + found.count > Self.capacity { removeAll() }
            for version in found.prefix(Self.capacity) where byID[version.schemaID, 0] == nil {
                let model: Int
                if let known = modelIndex[version.model] {
                    model = known
                } else {
                    model = models.count
                    models.append(version.model)
                    modelIndex[version.model] = model
                }
                byID.set(version.schemaID, 0, identities.count)
                identities.append(Identity(model: model, order: version.order))
            }
        }
    }

    private func removeAll() {
        byID = PairTable()
        identities = []
        models = []
        modelIndex = [:]
    }
}
