import RegistryDiscovery
import RegistryDomain

extension SchemaRepository {
    /// Rewrites the version's fingerprints and search postings (issue 16), in the caller's transaction.
    func reindex(_ record: SchemaRecord) throws {
        let version = SchemaVersion(record.version)
        try DiscoveryIndex(db: db).index(DiscoveryIndex.Version(
            id: record.id, namespace: record.namespace, model: record.modelName, version: record.version,
            order: (version?.major ?? 0, version?.minor ?? 0, version?.patch ?? 0), deprecated: record.deprecated,
            jsonSchema: record.jsonSchema, avroSchema: record.avroSchema, deprecationMessage: record.deprecationMessage))
    }
}
