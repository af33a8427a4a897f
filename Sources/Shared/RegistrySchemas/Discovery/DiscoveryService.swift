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
        let inSQL = try pool.withConnection { db -> (total: Int, results: [SearchResult])? in
            db.dialect == .postgres ? try SearchRankingQuery(db: db).run(query) : nil
        }
        return try inSQL ?? rankedInWorker(query)
    }

    /// With several words, the word with the fewest terms is read first, and the others only within
    /// the versions it was found in.
    private func rankedInWorker(_ query: SearchQuery) throws -> (total: Int, results: [SearchResult]) {
        let (candidates, seed) = try pool.withConnection { db -> ([[DiscoveryQueries.Candidate]], Int) in
            let queries = DiscoveryQueries(db: db)
            guard query.words.count > 1 else { return (try query.words.map { try queries.candidates(containing: $0, query) }, 0) }
            let counts = try query.words.map { try queries.termCount(containing: $0, query) }
            let seed = counts.indices.min { counts[$0] < counts[$1] } ?? 0
            var all = Array(repeating: [DiscoveryQueries.Candidate](), count: query.words.count)
            all[seed] = try queries.candidates(containing: query.words[seed], query)
            let versions = Array(Set(all[seed].map(\.schemaID))).sorted()
            for index in query.words.indices where index != seed {
                all[index] = try queries.candidates(containing: query.words[index], query,
                                                    among: versions.count <= Self.restrictionLimit ? versions : nil)
            }
            return (all, seed)
        }
        let ranked = SearchRanking.rank(words: query.words, candidates: candidates, seed: seed)
        let page = ranked.dropFirst(query.offset).prefix(query.limit)
        return (ranked.count, Array(page))
    }

    /// Beyond this many versions, the other words are read whole rather than version by version.
    private static let restrictionLimit = 2_000
}
