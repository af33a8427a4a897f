import RegistryDiscovery

extension SchemaRepository {
    /// Rewrites the version's fingerprints and search terms (issue 16), in the caller's transaction.
    func reindex(_ record: SchemaRecord) throws {
        try DiscoveryIndex(db: db).index(DiscoveryIndex.Version(
            id: record.id, model: record.modelName, jsonSchema: record.jsonSchema, avroSchema: record.avroSchema,
            deprecationMessage: record.deprecationMessage))
    }
}
