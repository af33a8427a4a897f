import RegistryDiscovery
import RegistryJSON

/// One answer of `GET /search`: a place in a version (its model name, a field, a text) where every
/// word of the query matches.
public struct SearchResult: Sendable {
    public let namespace: String?
    public let modelName: String
    public let version: String
    public let kind: SearchTerm.Kind
    /// The name found, or the text's matching words in the query's order.
    public let matched: String
    public let path: String?
    public let source: String
    /// 3 exact, 2 prefix, 1 substring: the weakest of the query's words.
    public let score: Int

    public var json: JSONValue {
        ["namespace": namespace.map(JSONValue.string) ?? .null, "model_name": .string(modelName),
         "version": .string(version), "kind": .string(kind.rawValue), "matched": .string(matched),
         "path": path.map(JSONValue.string) ?? .null, "source": .string(source), "score": .int(score)]
    }
}

/// Groups the candidates of each word into places, keeps the places every word matches and
/// orders them: each model's latest matching version first, then exact before prefix before
/// substring, then namespace (global first), model, version (newest first), kind, path.
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

    static func rank(words: [String], candidates: [[DiscoveryQueries.Candidate]]) -> [SearchResult] {
        // Place → for each word: its best term so far.
        var best: [Place: [(quality: MatchQuality, matched: String)?]] = [:]
        var versions: [Place: DiscoveryQueries.Candidate] = [:]
        for (index, word) in words.enumerated() {
            for candidate in candidates[index] {
                guard let quality = MatchQuality(term: candidate.term, pattern: word) else { continue }
                let place = Place(schemaID: candidate.schemaID, kind: candidate.kind, source: candidate.source, path: candidate.path)
                var entry = best[place] ?? Array(repeating: nil, count: words.count)
                if entry[index] == nil || entry[index]!.quality < quality { entry[index] = (quality, candidate.matched) }
                best[place] = entry
                versions[place] = candidate
            }
        }
        var results: [(result: SearchResult, model: Model, order: [Int], kind: Int)] = []
        var latest: [Model: [Int]] = [:]
        for (place, entry) in best {
            let hits = entry.compactMap { $0 }
            guard hits.count == words.count, let candidate = versions[place] else { continue }
            var matched: [String] = []
            for hit in hits where !matched.contains(hit.matched) { matched.append(hit.matched) }
            let model = Model(namespace: candidate.namespace, name: candidate.model)
            let result = SearchResult(namespace: candidate.namespace, modelName: candidate.model, version: candidate.version,
                                      kind: place.kind, matched: matched.joined(separator: " "), path: place.path,
                                      source: place.source, score: hits.map(\.quality.rawValue).min() ?? 1)
            results.append((result, model, candidate.order,
                            SearchTerm.Kind.allCases.firstIndex(of: place.kind) ?? 0))
            if let known = latest[model], !known.lexicographicallyPrecedes(candidate.order) { continue }
            latest[model] = candidate.order
        }
        return results.sorted { a, b in
            let aLatest = latest[a.model] == a.order, bLatest = latest[b.model] == b.order
            if aLatest != bLatest { return aLatest }
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
