import RegistryDiscovery

/// Groups the hits of each query word into places, keeps the places every word hits and orders
/// them: each model's latest matching version first, then exact before prefix before substring,
/// then namespace (global first), model, version (newest first), and the place's number within its
/// version (kind, source, path). Every comparison is on integers: models are ranked once by name.
enum SearchRanking {
    /// A result of the page before its details are read.
    struct Ranked {
        let place: PlaceKey
        let namespace: String?
        let model: String
        let score: Int
        /// For each query word, the word id of its best hit at the place.
        let words: [Int64]
    }

    fileprivate struct SortKey: Comparable {
        var notLatest: Int
        let negativeScore: Int
        let model: Int
        let negativeOrder: (Int64, Int64, Int64, Int)
        let place: Int

        static func < (a: SortKey, b: SortKey) -> Bool {
            if a.notLatest != b.notLatest { return a.notLatest < b.notLatest }
            if a.negativeScore != b.negativeScore { return a.negativeScore < b.negativeScore }
            if a.model != b.model { return a.model < b.model }
            if a.negativeOrder != b.negativeOrder { return a.negativeOrder < b.negativeOrder }
            return a.place < b.place
        }

        static func == (a: SortKey, b: SortKey) -> Bool { !(a < b) && !(b < a) }
    }

    /// `hits[i]` are the postings of the words containing `words[i]`, `grades[i]` those words'
    /// grades (3 exact, 2 prefix, 1 substring); the places of `hits[seed]` (the rarest word) are
    /// the only ones that can match every word. Returns the number of results and the page from
    /// `offset`; only the sort keys (integers) of the others are built.
    static func rank(hits: [[SearchPostingsQueries.Hit]], models: SearchPostingsQueries.ModelTable, grades: [[Int64: Int]],
                     seed: Int = 0, offset: Int, limit: Int) -> (total: Int, page: [Ranked]) {
        let words = hits.count
        var slots: [PlaceKey: Int] = [:]
        slots.reserveCapacity(hits[seed].count)
        var first: [SearchPostingsQueries.Hit] = []
        first.reserveCapacity(hits[seed].count)
        // Flat per slot and word: the best grade so far (0: none) and its word id.
        var bestGrade: [Int] = []
        var bestWord: [Int64] = []
        bestGrade.reserveCapacity(hits[seed].count * words)
        bestWord.reserveCapacity(hits[seed].count * words)
        for index in [seed] + (0..<words).filter({ $0 != seed }) {
            for hit in hits[index] {
                guard let grade = grades[index][hit.wordID] else { continue }
                let key = PlaceKey(schemaID: hit.schemaID, place: hit.place)
                let slot: Int
                if let known = slots[key] {
                    slot = known
                } else {
                    guard index == seed else { continue }   // the seed word missed it: not every word matches
                    slot = first.count
                    slots[key] = slot
                    first.append(hit)
                    for _ in 0..<words {
                        bestGrade.append(0)
                        bestWord.append(0)
                    }
                }
                let at = slot * words + index
                // On a tie, the word registered first (the lowest id).
                if bestGrade[at] > grade || (bestGrade[at] == grade && bestWord[at] <= hit.wordID) { continue }
                bestGrade[at] = grade
                bestWord[at] = hit.wordID
            }
        }
        let names = models.names
        var latest = Array(repeating: (Int64.min, Int64.min, Int64.min, Int.min), count: names.count)
        var complete: [Int] = []
        for slot in first.indices {
            guard !bestGrade[(slot * words)..<(slot * words + words)].contains(0) else { continue }
            let hit = first[slot]
            let order = (hit.order.0, hit.order.1, hit.order.2, hit.schemaID)
            if latest[hit.model] < order { latest[hit.model] = order }
            complete.append(slot)
        }
        var modelRank = Array(repeating: 0, count: names.count)
        let byName = names.indices.sorted { a, b in
            let x = names[a], y = names[b]
            if (x.namespace == nil) != (y.namespace == nil) { return x.namespace == nil }
            if x.namespace != y.namespace { return (x.namespace ?? "").utf8.lexicographicallyPrecedes((y.namespace ?? "").utf8) }
            return x.name.utf8.lexicographicallyPrecedes(y.name.utf8)
        }
        for (rank, model) in byName.enumerated() { modelRank[model] = rank }
        var keys: [(key: SortKey, slot: Int)] = []
        keys.reserveCapacity(complete.count)
        for slot in complete {
            let hit = first[slot]
            let model = hit.model
            let order = (hit.order.0, hit.order.1, hit.order.2, hit.schemaID)
            let score = bestGrade[(slot * words)..<(slot * words + words)].min() ?? 1
            keys.append((SortKey(notLatest: latest[model] == order ? 0 : 1, negativeScore: -score, model: modelRank[model],
                                 negativeOrder: (-order.0, -order.1, -order.2, -order.3), place: hit.place), slot))
        }
        keys.sort { $0.key < $1.key }
        let page = keys.dropFirst(offset).prefix(limit).map { entry -> Ranked in
            let hit = first[entry.slot]
            let name = names[hit.model]
            return Ranked(place: PlaceKey(schemaID: hit.schemaID, place: hit.place), namespace: name.namespace, model: name.name,
                          score: -entry.key.negativeScore,
                          words: Array(bestWord[(entry.slot * words)..<(entry.slot * words + words)]))
        }
        return (keys.count, page)
    }
}
