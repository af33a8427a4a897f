import RegistryDomain
import RegistryDiscovery
import RegistryJSON
import RegistryRuntime
import RegistryStorage

/// Discovery (issue 16): a version's canonical forms, lookup by content, search. Reads only.
/// Blocking: call it off the event loop.
public struct DiscoveryService: Sendable {
    public let pool: ConnectionPool
    private let wordValidity: SearchWordCache.Validity?

    /// `board` and `wordTrust` (seconds; the response cache's TTL) let searches reuse the words
    /// the trigram index found for a query word (`SearchWordCache`); without them every search
    /// asks the index.
    public init(pool: ConnectionPool, board: ChangeBoard? = nil, wordTrust: Double = 0) {
        self.pool = pool
        wordValidity = board.map { SearchWordCache.Validity(board: $0, trust: wordTrust) }
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

    /// The page asked for and the number of results in all: the hits of the query's words are
    /// read (`SearchPostingsQueries`) and ranked in the worker on integers (`SearchRanking`), then
    /// the details of the page's places alone are read (docs/discovery.md).
    public func search(_ query: SearchQuery) throws -> (total: Int, results: [SearchResult]) {
        try pool.withConnection { db in
            let queries = SearchPostingsQueries(db: db)
            // Each query word's indexed words, graded; a word the trigram index found but the
            // pattern does not match (GLOB's and LIKE's edges) is left out.
            var words: [[SearchPostingsQueries.Word]] = []
            var grades: [[Int64: Int]] = []
            for word in query.words {
                let graded = try SearchWordCache.shared.graded(word, validity: wordValidity) {
                    let pattern = WordPattern(word)
                    let found = try queries.words(containing: word)
                    var grades: [Int64: Int] = [:]
                    for candidate in found { grades[candidate.id] = pattern.quality(candidate.word)?.rawValue }
                    return SearchWordCache.Graded(words: found.filter { grades[$0.id] != nil }, grades: grades)
                }
                words.append(graded.words)
                grades.append(graded.grades)
            }
            var versions = SearchPostingsQueries.VersionTable()
            let (hits, seed) = try self.hits(of: words, query, queries, versions: &versions)
            let (total, page) = SearchRanking.rank(hits: hits, versions: versions, grades: grades, seed: seed,
                                                   offset: query.offset, limit: query.limit)
            let details = try queries.details(page.map { ($0.place.schemaID, $0.place.place, $0.words) })
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

    /// The hits of each query word, and which word was read first (the seed). With several words,
    /// the rarest (by its rows, counted up to a limit) is read first and the others only within
    /// the models it hit (when it hit few).
    private func hits(of words: [[SearchPostingsQueries.Word]], _ query: SearchQuery, _ queries: SearchPostingsQueries,
                      versions table: inout SearchPostingsQueries.VersionTable) throws -> (hits: [[SearchPostingsQueries.Hit]], seed: Int) {
        var hits: [[SearchPostingsQueries.Hit]] = Array(repeating: [], count: words.count)
        guard words.count > 1 else {
            if let only = words.first { hits[0] = try queries.hits(only, query, versions: &table) }
            return (hits, 0)
        }
        var seed = 0
        var fewest = Int.max
        for index in words.indices {
            // Counted whole (up to the limit), not up to the fewest so far: the count is kept.
            let count = try SearchWordCache.shared.postingCount(query.words[index], kind: query.kind, validity: wordValidity) {
                try queries.postingCount(words[index], query, limit: Self.countLimit)
            }
            if count < fewest { fewest = count; seed = index }
        }
        hits[seed] = try queries.hits(words[seed], query, versions: &table)
        let among = SearchPostingsQueries.Models(table.models, limit: Self.restrictionLimit)
        for index in words.indices where index != seed {
            hits[index] = try queries.placesHit(by: words[index], query, among: among)
        }
        return (hits, seed)
    }

    /// Postings counted to pick the rarest word, at most (a common word is not counted whole).
    private static let countLimit = 5_000
    /// Beyond this many models, the other words are read whole rather than model by model.
    private static let restrictionLimit = 2_000
}
