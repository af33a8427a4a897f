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

        /// The model's index in `models`, added if new.
        mutating func intern(_ name: ModelName) -> Int {
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
