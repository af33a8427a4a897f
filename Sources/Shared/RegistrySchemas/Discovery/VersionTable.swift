import RegistryJSON
import RegistryStorage

extension SearchPostingsQueries {
    /// The versions of the hits, each read once with its model (interned) and order: the
    /// postings of one version repeat them, and a hit carries a slot instead of two strings and
    /// three numbers.
    struct VersionTable {
        struct ModelName {
            let namespace: String?
            let name: String
        }

        private(set) var models: [ModelName] = []
        /// Models by a hash of their names' bytes: (hash, n) is the n-th model met with that hash.
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

        /// The slot of the row's version; the row's namespace, model name and order (`hits`'s
        /// columns 3 to 7) are read only the first time the version is met.
        mutating func slot(_ schemaID: Int, _ row: SQLCursor) -> Int {
            if schemaID == last.schemaID { return last.slot }
            let slot: Int
            if let known = slots[schemaID, 0] {
                slot = known
            } else {
                slot = model.count
                ids.append(schemaID)
                model.append(modelID(row))
                order.append((row.integer(5), row.integer(6), row.integer(7)))
                slots.set(schemaID, 0, slot)
            }
            last = (schemaID, slot)
            return slot
        }

        /// The row's model, its names compared in place: Strings are built for a new model only.
        private mutating func modelID(_ row: SQLCursor) -> Int {
            // A model's versions are usually neighbours: the previous version's model first.
            if let previous = model.last, Self.row(row, names: models[previous]) { return previous }
            var hasher = FNV1a()
            // NULL (a global model) and the separator are bytes that UTF-8 text never holds.
            row.withText(3) { if let bytes = $0 { hasher.add(bytes) } else { hasher.add(0xFF) } }
            hasher.add(0xFE)
            row.withText(4) { if let bytes = $0 { hasher.add(bytes) } }
            let hash = Int(truncatingIfNeeded: hasher.value >> 1)
            var collisions = 0
            while let known = modelsByHash[hash, collisions] {
                if Self.row(row, names: models[known]) { return known }
                collisions += 1
            }
            // Every column but the namespace is NOT NULL (migration 10).
            models.append(ModelName(namespace: row.string(3), name: row.string(4) ?? ""))
            modelsByHash.set(hash, collisions, models.count - 1)
            return models.count - 1
        }

        private static func row(_ row: SQLCursor, names: ModelName) -> Bool {
            row.text(4, equals: names.name) && row.text(3, equals: names.namespace)
        }
    }
}
