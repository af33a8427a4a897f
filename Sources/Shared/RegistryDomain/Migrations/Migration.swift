import RegistryStorage

/// One step of the schema. Statements are constant DDL; `IF NOT EXISTS` everywhere, so a database
/// created by the Python reference (same tables, no `schema_migrations`) is adopted unchanged.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sqlite: [String]
    public let postgres: [String]
    /// Data work after the statements (in the same transaction).
    public var backfill: (@Sendable (DatabaseConnection) throws -> Void)? = nil

    public func statements(for dialect: SQLDialect) -> [String] {
        dialect == .sqlite ? sqlite : postgres
    }

    public static let all: [Migration] = [InitialTables.migration, VersionOrdering.migration, KeyLookup.migration,
                                          RateLimitCounters.migration, CompatibilityConfigTable.migration,
                                          ModelSummary.migration, DiscoveryTables.migration, EventTables.migration,
                                          KeyScopeTable.migration, SearchPostings.migration,
                                          SearchHits.migration, SearchModelHits.migration]
}
