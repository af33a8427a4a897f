import RegistryJSON
import RegistryStorage

extension SearchPostingsQueries {
    /// The versions of a search's hits, each in one slot with its model (interned) and order: a
    /// hit carries its slot instead of two strings and three numbers. Filled as the seed's rows
    /// are read: each row names its model, each of its entries a version and its order.
    struct VersionTable {
        struct ModelName: Hashable {
            let namespace: String?
            let name: String
        }

        private(set) var models: [ModelName] = []
        private var modelIndex: [ModelName: Int] = [:]
        /// A model's FNV-1a hash of its namespace and name (as `PairTable` keys) → its index.
        private var modelsByHash = PairTable()
        /// By slot: the version's id, its model (an index into `models`) and its order (major,
        /// minor, patch).
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

        /// The index in `models` of the model a row names (its `namespace` and `name` columns),
        /// compared in place: Strings are built and hashed once per model, not per row (SipHash
        /// of two Strings per row was a tenth of a search's instructions over 2,500 results).
        mutating func model(of row: SQLCursor, namespace: Int, name: Int) -> Int {
            var hasher = FNV1a()
            row.withText(namespace) { bytes in
                guard let bytes else { return hasher.add(0) }
                hasher.add(1)
                hasher.add(bytes)
            }
            hasher.add(0xff)   // never a byte of UTF-8: the namespace ends here
            row.withText(name) { bytes in if let bytes { hasher.add(bytes) } }
            let key = Int(truncatingIfNeeded: hasher.value & UInt64(Int.max))
            if let known = modelsByHash[key, 0], row.text(name, equals: models[known].name),
               row.text(namespace, equals: models[known].namespace) {
                return known
            }
            let index = intern(ModelName(namespace: row.string(namespace), name: row.string(name) ?? ""))
            if modelsByHash[key, 0] == nil { modelsByHash.set(key, 0, index) }
            return index
        }

        /// The model's index in `models`, added if new.
        private mutating func intern(_ name: ModelName) -> Int {
            if let known = modelIndex[name] { return known }
            models.append(name)
            modelIndex[name] = models.count - 1
            return models.count - 1
        }

        /// The slot of a version of `model` (an index from `intern`).
        mutating func slot(_ schemaID: Int, model: Int, order: (Int64, Int64, Int64)) -> Int {
            if schemaID == last.schemaID { return last.slot }
            let slot: Int
            if let known = slots[schemaID, 0] {
                slot = known
            } else {
                slot = ids.count
                ids.append(schemaID)
                self.model.append(model)
                self.order.append(order)
                slots.set(schemaID, 0, slot)
            }
            last = (schemaID, slot)
            return slot
        }
    }
}
