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
        try pool.withConnection { try DiscoveryQueries(db: $0).lookup(lookup) }
    }

    /// The page asked for and the number of results in all.
    public func search(_ query: SearchQuery) throws -> (total: Int, results: [SearchResult]) {
        let candidates = try pool.withConnection { db in
            try query.words.map { try DiscoveryQueries(db: db).candidates(containing: $0, query) }
        }
        let ranked = SearchRanking.rank(words: query.words, candidates: candidates)
        let page = ranked.dropFirst(query.offset).prefix(query.limit)
        return (ranked.count, Array(page))
    }
}
