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
        let notLatest: Int
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

    /// The places hit by the seed word, each with every query word's best hit there, in flat
    /// arrays (slot × word): grade 0 means that word missed the place.
    private struct Places {
        let words: Int
        var first: [SearchPostingsQueries.Hit] = []
        var bestGrade: [Int] = []
        var bestWord: [Int64] = []

        func grades(_ slot: Int) -> ArraySlice<Int> { bestGrade[(slot * words)..<(slot * words + words)] }
        func wordIDs(_ slot: Int) -> ArraySlice<Int64> { bestWord[(slot * words)..<(slot * words + words)] }
    }

    /// `hits[i]` are the postings of the words containing `words[i]`, `grades[i]` those words'
    /// grades (3 exact, 2 prefix, 1 substring); the places of `hits[seed]` (the rarest word) are
    /// the only ones that can match every word. Returns the number of results and the page from
    /// `offset`; only the sort keys (integers) of the others are built.
    static func rank(hits: [[SearchPostingsQueries.Hit]], versions: SearchPostingsQueries.VersionTable, grades: [[Int64: Int]],
                     seed: Int = 0, offset: Int, limit: Int) -> (total: Int, page: [Ranked]) {
        let places = bestHits(hits, grades: grades, seed: seed)
        let names = versions.models
        var latest = Array(repeating: (Int64.min, Int64.min, Int64.min, Int.min), count: names.count)
        var complete: [Int] = []
        for slot in places.first.indices where !places.grades(slot).contains(0) {
            let (model, order) = versions.ranking(places.first[slot])
            if latest[model] < order { latest[model] = order }
            complete.append(slot)
        }
        let modelRank = ranks(names)
        var keys: [(key: SortKey, slot: Int)] = []
        keys.reserveCapacity(complete.count)
        for slot in complete {
            let hit = places.first[slot]
            let (model, order) = versions.ranking(hit)
            keys.append((SortKey(notLatest: latest[model] == order ? 0 : 1, negativeScore: -(places.grades(slot).min() ?? 1),
                                 model: modelRank[model], negativeOrder: (-order.0, -order.1, -order.2, -order.3),
                                 place: hit.place), slot))
        }
        // Every key differs (the version id and place end it): no ties to keep stable.
        let page = keys.smallest(min(offset, keys.count) + limit) { $0.key < $1.key }.dropFirst(offset).map { entry -> Ranked in
            let hit = places.first[entry.slot]
            let name = names[versions.model[hit.version]]
            return Ranked(place: PlaceKey(schemaID: hit.schemaID, place: hit.place), namespace: name.namespace, model: name.name,
                          score: -entry.key.negativeScore, words: Array(places.wordIDs(entry.slot)))
        }
        return (keys.count, page)
    }

    /// Groups the hits by place (the seed word's places only) and keeps each word's best hit.
    private static func bestHits(_ hits: [[SearchPostingsQueries.Hit]], grades: [[Int64: Int]], seed: Int) -> Places {
        let words = hits.count
        var places = Places(words: words)
        var slots = PairTable(capacity: hits[seed].count)
        places.first.reserveCapacity(hits[seed].count)
        places.bestGrade.reserveCapacity(hits[seed].count * words)
        places.bestWord.reserveCapacity(hits[seed].count * words)
        for index in [seed] + (0..<words).filter({ $0 != seed }) {
            // Hits come clustered by word: its grade is looked up once per run.
            var last: (wordID: Int64, grade: Int?) = (-1, nil)
            for hit in hits[index] {
                if hit.wordID != last.wordID { last = (hit.wordID, grades[index][hit.wordID]) }
                guard let grade = last.grade else { continue }
                let slot: Int
                if let known = slots[hit.schemaID, hit.place] {
                    slot = known
                } else {
                    guard index == seed else { continue }   // the seed word missed it: not every word matches
                    slot = places.first.count
                    slots.set(hit.schemaID, hit.place, slot)
                    places.first.append(hit)
                    for _ in 0..<words {
                        places.bestGrade.append(0)
                        places.bestWord.append(0)
                    }
                }
                let at = slot * words + index
                // On a tie, the word registered first (the lowest id).
                let (held, heldWord) = (places.bestGrade[at], places.bestWord[at])
                if held > grade || (held == grade && heldWord <= hit.wordID) { continue }
                places.bestGrade[at] = grade
                places.bestWord[at] = hit.wordID
            }
        }
        return places
    }

    /// Each model's rank by name: global models first, then namespace and name in code-point order.
    private static func ranks(_ names: [SearchPostingsQueries.VersionTable.ModelName]) -> [Int] {
        let byName = names.indices.sorted { a, b in
            let x = names[a], y = names[b]
            if (x.namespace == nil) != (y.namespace == nil) { return x.namespace == nil }
            if x.namespace != y.namespace { return (x.namespace ?? "").utf8.lexicographicallyPrecedes((y.namespace ?? "").utf8) }
            return x.name.utf8.lexicographicallyPrecedes(y.name.utf8)
        }
        var rank = Array(repeating: 0, count: names.count)
        for (position, model) in byName.enumerated() { rank[model] = position }
        return rank
    }
}
