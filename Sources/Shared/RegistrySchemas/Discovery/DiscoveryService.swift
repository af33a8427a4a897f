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

    /// The page asked for and the number of results in all. PostgreSQL ranks and pages in SQL
    /// (`SearchRankingQuery`); on SQLite the worker ranks the hits (`SearchRanking`), which measured
    /// faster there than SQLite's window functions (docs/discovery.md). Both follow the same rules.
    public func search(_ query: SearchQuery) throws -> (total: Int, results: [SearchResult]) {
        try pool.withConnection { db in
            db.dialect == .postgres ? try SearchRankingQuery(db: db).run(query) : try rankedInWorker(query, db: db)
        }
    }

    /// With several words, the word with the fewest terms is read first, and the others only within
    /// the versions it was found in.
    private func rankedInWorker(_ query: SearchQuery, db: DatabaseConnection) throws -> (total: Int, results: [SearchResult]) {
        let queries = DiscoveryQueries(db: db)
        var candidates: [[DiscoveryQueries.Candidate]]
        var seed = 0
        if query.words.count > 1 {
            let counts = try query.words.map { try queries.termCount(containing: $0, query) }
            seed = counts.indices.min { counts[$0] < counts[$1] } ?? 0
            candidates = Array(repeating: [], count: query.words.count)
            candidates[seed] = try queries.candidates(containing: query.words[seed], query)
            let versions = Array(Set(candidates[seed].map(\.schemaID))).sorted()
            for index in query.words.indices where index != seed {
                candidates[index] = try queries.candidates(containing: query.words[index], query,
                                                           among: versions.count <= Self.restrictionLimit ? versions : nil)
            }
        } else {
            candidates = try query.words.map { try queries.candidates(containing: $0, query) }
        }
        if let scope = query.keyScope {
            // Before ranking, so that the total and the pages count only what the key may see.
            candidates = candidates.map { list in list.filter { scope.permits($0.namespace) } }
        }
        let ranked = SearchRanking.rank(words: query.words, candidates: candidates, seed: seed)
        let page = ranked.dropFirst(query.offset).prefix(query.limit)
        return (ranked.count, Array(page))
    }

    /// Beyond this many versions, the other words are read whole rather than version by version.
    private static let restrictionLimit = 2_000
}
