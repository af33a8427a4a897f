import RegistryDiscovery

/// Groups the candidates of each word into places, keeps the places every word matches and
/// orders them: each model's latest matching version first, then exact before prefix before
/// substring, then namespace (global first), model, version (newest first), kind, source, path.
enum SearchRanking {
    private struct Place: Hashable {
        let schemaID: Int
        let kind: SearchTerm.Kind
        let source: String
        let path: String?
    }

    private struct Model: Hashable {
        let namespace: String?
        let name: String
    }

    /// A place and, for each word, its best term so far.
    private struct Entry {
        let candidate: DiscoveryQueries.Candidate
        var best: [(quality: MatchQuality, wordID: Int, matched: String)?]
    }

    /// A result with its sort keys computed once.
    private struct Ranked {
        let result: SearchResult
        let model: Model
        let order: [Int]
        let kind: Int
        var latest = false
    }

    /// `candidates[i]` are the terms containing `words[i]`; the places of `words[seed]` (the word
    /// with the fewest terms) are the only ones that can match every word.
    static func rank(words: [String], candidates: [[DiscoveryQueries.Candidate]], seed: Int = 0) -> [SearchResult] {
        var places: [Place: Int] = [:]
        var entries: [Entry] = []
        for index in [seed] + words.indices.filter({ $0 != seed }) {
            let word = words[index]
            let pattern = WordPattern(word)
            // Few distinct terms among many candidates: grade each once.
            var graded: [String: MatchQuality?] = [:]
            for candidate in candidates[index] {
                let quality: MatchQuality?
                if let known = graded[candidate.term] {
                    quality = known
                } else {
                    quality = pattern.quality(candidate.term)
                    graded[candidate.term] = quality
                }
                guard let quality else { continue }
                let place = Place(schemaID: candidate.schemaID, kind: candidate.kind, source: candidate.source, path: candidate.path)
                let slot: Int
                if let known = places[place] {
                    slot = known
                } else {
                    guard index == seed else { continue }   // the seed word missed it: not every word matches
                    slot = entries.count
                    places[place] = slot
                    entries.append(Entry(candidate: candidate, best: Array(repeating: nil, count: words.count)))
                }
                // On a tie, the word registered first (the lowest id), as `SearchRankingQuery`.
                if let held = entries[slot].best[index],
                   held.quality > quality || (held.quality == quality && held.wordID <= candidate.wordID) { continue }
                entries[slot].best[index] = (quality, candidate.wordID, candidate.matched)
            }
        }
        var ranked: [Ranked] = []
        var latest: [Model: [Int]] = [:]
        for entry in entries {
            let hits = entry.best.compactMap { $0 }
            guard hits.count == words.count else { continue }
            let candidate = entry.candidate
            var matched: [String] = []
            for hit in hits where !matched.contains(hit.matched) { matched.append(hit.matched) }
            let model = Model(namespace: candidate.namespace, name: candidate.model)
            let result = SearchResult(namespace: candidate.namespace, modelName: candidate.model, version: candidate.version,
                                      kind: candidate.kind, matched: matched.joined(separator: " "), path: candidate.path,
                                      source: candidate.source, score: hits.map(\.quality.rawValue).min() ?? 1)
            ranked.append(Ranked(result: result, model: model, order: candidate.order,
                                 kind: SearchTerm.Kind.allCases.firstIndex(of: candidate.kind) ?? 0))
            if let known = latest[model], !known.lexicographicallyPrecedes(candidate.order) { continue }
            latest[model] = candidate.order
        }
        for index in ranked.indices { ranked[index].latest = latest[ranked[index].model] == ranked[index].order }
        return ranked.sorted { a, b in
            if a.latest != b.latest { return a.latest }
            if a.result.score != b.result.score { return a.result.score > b.result.score }
            if (a.model.namespace == nil) != (b.model.namespace == nil) { return a.model.namespace == nil }
            if a.model.namespace != b.model.namespace { return (a.model.namespace ?? "") < (b.model.namespace ?? "") }
            if a.model.name != b.model.name { return a.model.name < b.model.name }
            if a.order != b.order { return b.order.lexicographicallyPrecedes(a.order) }
            if a.kind != b.kind { return a.kind < b.kind }
            if a.result.source != b.result.source { return a.result.source < b.result.source }
            return (a.result.path ?? "") < (b.result.path ?? "")
        }.map(\.result)
    }
}
