extension SearchPostingsQueries {
    /// The versions of a search's hits, each in one slot with its model (interned) and order: a
    /// hit carries its slot instead of two strings and three numbers. The slots are taken as the
    /// postings are read; the models and orders come after, from `SearchVersionCache` or, when it
    /// does not know them all, from a read of the seed's postings with their versions' columns.
    struct VersionTable {
        struct ModelName: Hashable {
            let namespace: String?
            let name: String
        }

        private(set) var models: [ModelName] = []
        /// A model of the cache (its index there, 0) → its index in `models`: the cache's indices
        /// name each model once, so no name is hashed unless versions are read.
        private var modelsOfCache = PairTable()
        /// By slot: the version's id, its model (an index into `models`; -1 until identified) and
        /// its order (major, minor, patch).
        private(set) var ids: [Int] = []
        private(set) var model: [Int] = []
        private(set) var order: [(Int64, Int64, Int64)] = []
        private var slots = PairTable()
        private var last: (schemaID: Int, slot: Int) = (-1, -1)

        /// A hit's model and its version's order, the version id last (a total order).
        func ranking(_ hit: Hit) -> (model: Int, order: (Int64, Int64, Int64, Int)) {
            let (major, minor, patch) = order[hit.version]
            return (model[hit.version], (major, minor, patch, hit.schemaID))
        }

        /// The slot of the posting's version.
        mutating func slot(_ schemaID: Int) -> Int {
            if schemaID == last.schemaID { return last.slot }
            let slot: Int
            if let known = slots[schemaID, 0] {
                slot = known
            } else {
                slot = ids.count
                ids.append(schemaID)
                model.append(-1)
                order.append((0, 0, 0))
                slots.set(schemaID, 0, slot)
            }
            last = (schemaID, slot)
            return slot
        }

        /// Whether the version in `slot` has its model (a version deleted between the reads may not).
        func isIdentified(_ slot: Int) -> Bool { model[slot] >= 0 }

        /// Gives every slot its model and order: from `cache` (under `validity`), else, when some
        /// are not known there, from `read` (every version of the seed's postings), kept in `cache`.
        mutating func identify(_ cache: SearchVersionCache, _ validity: SearchWordCache.Validity?,
                               read: () throws -> [SearchVersionCache.Found]) rethrows {
            let known = cache.lookUp(ids, validity)
            var missing = false
            for slot in ids.indices {
                guard let identity = known.identities[slot] else {
                    missing = true
                    continue
                }
                if let local = modelsOfCache[identity.model, 0] {
                    model[slot] = local
                } else {
                    models.append(known.models[identity.model])
                    modelsOfCache.set(identity.model, 0, models.count - 1)
                    model[slot] = models.count - 1
                }
                order[slot] = identity.order
            }
            guard missing else { return }
            let found = try read()
            var byName = Dictionary(models.indices.map { (models[$0], $0) }, uniquingKeysWith: { first, _ in first })
            for version in found {
                guard let slot = slots[version.schemaID, 0], model[slot] < 0 else { continue }
                if let local = byName[version.model] {
                    model[slot] = local
                } else {
                    models.append(version.model)
                    byName[version.model] = models.count - 1
                    model[slot] = models.count - 1
                }
                order[slot] = version.order
            }
            cache.keep(found, era: known.era)
        }
    }
}
