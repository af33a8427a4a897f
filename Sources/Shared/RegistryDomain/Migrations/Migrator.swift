import Foundation
import RegistryJSON
import RegistryStorage

/// Applies the migrations a database lacks, under a lock so that several processes or pods
/// starting at once apply each step exactly once.
public struct Migrator {
    public let connection: DatabaseConnection
    public let migrations: [Migration]

    public init(connection: DatabaseConnection, migrations: [Migration] = Migration.all) {
        self.connection = connection
        self.migrations = migrations
    }

    /// Returns the versions it applied (empty when the database was up to date).
    @discardableResult
    public func migrate() throws -> [Int] {
        let timestamp = connection.dialect == .sqlite ? "DATETIME" : "TIMESTAMP WITH TIME ZONE"
        return try connection.transaction {
            if connection.dialect == .postgres {
                // No lock or statement timeout for this transaction: a migration may wait for
                // another pod's migration or for readers, and a backfill may take long.
                try connection.executeScript("SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = 0")
                // Serialises concurrent migrators (pods starting together); released at commit.
                _ = try connection.query("SELECT pg_advisory_xact_lock(1887007333)")
            }
            try connection.executeScript("""
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version INTEGER NOT NULL PRIMARY KEY,
                    name VARCHAR(255) NOT NULL,
                    applied_at \(timestamp) NOT NULL
                )
                """)
            let applied = Set(try connection.query("SELECT version FROM schema_migrations").compactMap { $0.int(0) })
            var done: [Int] = []
            for migration in migrations where !applied.contains(migration.version) {
                for statement in migration.statements(for: connection.dialect) {
                    try connection.executeScript(statement)
                }
                try connection.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
                    [.int(Int64(migration.version)), .text(migration.name), .text(Timestamp.now().storageText)])
                done.append(migration.version)
            }
            // Backfills are idempotent and run every time: they also repair rows another writer
            // (say, the Python reference on the same database) added without the new columns.
            for migration in migrations { try migration.backfill?(connection) }
            return done
        }
    }

    /// The versions recorded as applied; empty if the table does not exist yet.
    public func appliedVersions() throws -> [Int] {
        let exists: Bool
        switch connection.dialect {
        case .sqlite:
            exists = try connection.scalarInt(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'") == 1
        case .postgres:
            exists = try connection.scalarInt("SELECT count(*) FROM pg_tables WHERE tablename = 'schema_migrations'") == 1
        }
        guard exists else { return [] }
        return try connection.query("SELECT version FROM schema_migrations ORDER BY version").compactMap { $0.int(0) }
    }
}
