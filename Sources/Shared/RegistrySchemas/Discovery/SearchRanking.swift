import RegistryDiscovery

/// Groups the hits of each query word into places, keeps the places every word hits and orders
/// them: each model's latest matching version first, then exact before prefix before substring,
/// then namespace (global first), model, version (newest first), and the place's number within its
/// version (kind, source, path). Every comparison is on integers: models are ranked once by name.
enum SearchRanking {
    /// A result before its details are read: what ordering and the page's query need.
    struct Ranked {
        let place: PlaceKey
        let namespace: String?
        let model: String
        let score: Int
        /// For each query word, the word id of its best hit at the place.
        let words: [Int64]
        fileprivate let key: SortKey
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

    private struct ModelName: Hashable {
        let namespace: String?
        let name: String
    }

    /// `hits[i]` are the postings of the words containing `words[i]`, `grades[i]` those words'
    /// grades (3 exact, 2 prefix, 1 substring); the places of `hits[seed]` (the rarest word) are
    /// the only ones that can match every word.
    static func rank(hits: [[SearchPostingsQueries.Hit]], grades: [[Int64: Int]], seed: Int = 0) -> [Ranked] {
        let words = hits.count
        var slots: [PlaceKey: Int] = [:]
        var first: [SearchPostingsQueries.Hit] = []
        // Flat per slot and word: the best grade so far (0: none) and its word id.
        var bestGrade: [Int] = []
        var bestWord: [Int64] = []
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
                    bestGrade += repeatElement(0, count: words)
                    bestWord += repeatElement(0, count: words)
                }
                let at = slot * words + index
                // On a tie, the word registered first (the lowest id).
                if bestGrade[at] > grade || (bestGrade[at] == grade && bestWord[at] <= hit.wordID) { continue }
                bestGrade[at] = grade
                bestWord[at] = hit.wordID
            }
        }
        var modelIDs: [ModelName: Int] = [:]
        var names: [ModelName] = []
        var latest: [(Int64, Int64, Int64, Int)] = []
        var complete: [(slot: Int, model: Int)] = []
        for slot in first.indices {
            let grades = bestGrade[(slot * words)..<(slot * words + words)]
            guard !grades.contains(0) else { continue }
            let hit = first[slot]
            let name = ModelName(namespace: hit.namespace, name: hit.model)
            let model: Int
            if let known = modelIDs[name] {
                model = known
            } else {
                model = names.count
                modelIDs[name] = model
                names.append(name)
                latest.append((Int64.min, Int64.min, Int64.min, Int.min))
            }
            let order = (hit.order.0, hit.order.1, hit.order.2, hit.schemaID)
            if latest[model] < order { latest[model] = order }
            complete.append((slot, model))
        }
        var modelRank = Array(repeating: 0, count: names.count)
        let byName = names.indices.sorted { a, b in
            let x = names[a], y = names[b]
            if (x.namespace == nil) != (y.namespace == nil) { return x.namespace == nil }
            if x.namespace != y.namespace { return (x.namespace ?? "").utf8.lexicographicallyPrecedes((y.namespace ?? "").utf8) }
            return x.name.utf8.lexicographicallyPrecedes(y.name.utf8)
        }
        for (rank, model) in byName.enumerated() { modelRank[model] = rank }
        var ranked: [Ranked] = []
        ranked.reserveCapacity(complete.count)
        for (slot, model) in complete {
            let hit = first[slot]
            let order = (hit.order.0, hit.order.1, hit.order.2, hit.schemaID)
            let score = bestGrade[(slot * words)..<(slot * words + words)].min() ?? 1
            let key = SortKey(notLatest: latest[model] == order ? 0 : 1, negativeScore: -score, model: modelRank[model],
                              negativeOrder: (-order.0, -order.1, -order.2, -order.3), place: hit.place)
            ranked.append(Ranked(place: PlaceKey(schemaID: hit.schemaID, place: hit.place), namespace: hit.namespace,
                                 model: hit.model, score: score,
                                 words: Array(bestWord[(slot * words)..<(slot * words + words)]), key: key))
        }
        ranked.sort { $0.key < $1.key }
        return ranked
    }
}
