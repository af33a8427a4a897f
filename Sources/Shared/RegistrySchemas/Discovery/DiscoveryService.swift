import RegistryDomain
import RegistryDiscovery
import RegistryJSON
import RegistryStorage

/// Discovery (issue 16): a version's canonical forms, lookup by content, search. Reads only.
/// Blocking: call it off the event loop.
public struct DiscoveryService: Sendable {
    public let pool: ConnectionPool

    public init(pool: ConnectionPool) {
        self.pool = pool
    }

    public func canonical(_ key: ModelKey, version: String) throws -> SchemaFingerprints {
        let record = try pool.withConnection { try SchemaRepository(db: $0).find(key, version: version) }
        guard let record else { throw RegistryError.notFound("Schema \(key.identifier(version: version)) not found") }
        return SchemaFingerprints(jsonSchema: record.jsonSchema, avroSchema: record.avroSchema)
    }

    public func lookup(_ lookup: SchemaLookup) throws -> [SchemaLookup.Match] {
        let matches = try pool.withConnection { try DiscoveryQueries(db: $0).lookup(lookup) }
        guard let scope = lookup.keyScope else { return matches }
        return matches.filter { scope.permits($0.namespace) }
    }

    /// The page asked for and the number of results in all. The worker ranks the hits of the
    /// query's words (`SearchRanking`, integers only) and reads the details of the page's places
    /// alone (docs/discovery.md).
    public func search(_ query: SearchQuery) throws -> (total: Int, results: [SearchResult]) {
        try pool.withConnection { db in
            let queries = SearchPostingsQueries(db: db)
            let words = try query.words.map { try queries.words(containing: $0) }
            let grades = query.words.indices.map { index in
                let pattern = WordPattern(query.words[index])
                var grades: [Int64: Int] = [:]
                for word in words[index] { grades[word.id] = pattern.quality(word.word)?.rawValue }
                return grades
            }
            var hits: [[SearchPostingsQueries.Hit]] = Array(repeating: [], count: words.count)
            var models = SearchPostingsQueries.ModelTable()
            var seed = 0
            if words.count > 1 {
                // The rarest word first; the others only within the versions it hits.
                // Each word is counted only up to the rarest count so far.
                var fewest = Int.max
                for index in words.indices {
                    let count = try queries.postingCount(words[index], query, limit: min(fewest, Self.countLimit))
                    if count < fewest { fewest = count; seed = index }
                }
                hits[seed] = try queries.hits(words[seed], query, models: &models)
                let versions = Array(Set(hits[seed].map(\.schemaID))).sorted()
                for index in words.indices where index != seed {
                    hits[index] = try queries.hits(words[index], query, among: versions.count <= Self.restrictionLimit ? versions : nil,
                                                   models: &models)
                }
            } else if let only = words.first {
                hits[0] = try queries.hits(only, query, models: &models)
            }
            let (total, page) = SearchRanking.rank(hits: hits, models: models, grades: grades, seed: seed, offset: query.offset, limit: query.limit)
            let details = try queries.details(page.map { ($0.place.schemaID, $0.place.place) })
            let results = page.compactMap { result -> SearchResult? in
                guard let place = details[result.place] else { return nil }
                var matched: [String] = []
                for word in result.words {
                    if let text = place.matched[word], !matched.contains(text) { matched.append(text) }
                }
                return SearchResult(namespace: result.namespace, modelName: result.model, version: place.version, kind: place.kind,
                                    matched: matched.joined(separator: " "), path: place.path, source: place.source,
                                    score: result.score)
            }
            return (total, results)
        }
    }

    /// Postings counted to pick the rarest word, at most (a common word is not counted whole).
    private static let countLimit = 5_000
    /// Beyond this many versions, the other words are read whole rather than version by version.
    private static let restrictionLimit = 2_000
}
