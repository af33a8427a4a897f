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

    /// The page asked for and the number of results in all, ranked and paged in SQL
    /// (`SearchRankingQuery` holds the rules).
    public func search(_ query: SearchQuery) throws -> (total: Int, results: [SearchResult]) {
        try pool.withConnection { try SearchRankingQuery(db: $0).run(query) }
    }
}
