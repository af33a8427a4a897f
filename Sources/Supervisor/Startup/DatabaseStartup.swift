import Foundation
import Logging
import RegistryDomain
import RegistryRuntime
import RegistryStorage

struct StartupError: Error, CustomStringConvertible {
    let description: String
}

/// What the supervisor does with the database before any worker starts (contract §7.14):
/// development creates and migrates the tables, test and production only check that the
/// database answers (tables come from `init-db`).
enum DatabaseStartup {
    static func prepare(_ settings: Settings, logger: Logger) throws {
        let url = try parse(settings.databaseURL)
        if url.isMemory {
            logger.info("in-memory SQLite: each worker keeps its own private database")
            return
        }
        if settings.environment == .development {
            let applied = try migrate(url)
            logger.info("database ready", metadata: ["database": "\(url)", "migrations_applied": "\(applied)"])
        } else {
            try withConnection(url) { db in _ = try db.query("SELECT 1") }
            logger.info("database reachable", metadata: ["database": "\(url)"])
        }
    }

    /// Creates missing tables and applies pending migrations; returns the versions applied.
    static func migrate(_ url: DatabaseURL) throws -> [Int] {
        try withConnection(url) { try Migrator(connection: $0).migrate() }
    }

    static func parse(_ raw: String) throws -> DatabaseURL {
        do { return try DatabaseURL(parsing: raw) } catch {
            throw StartupError(description: "invalid database URL \(DatabaseURL.redact(raw)): \(error)")
        }
    }

    static func withConnection<T>(_ url: DatabaseURL, _ body: (DatabaseConnection) throws -> T) throws -> T {
        let connection: DatabaseConnection
        do { connection = try Database.connect(url) } catch let error as DatabaseError {
            throw StartupError(description: "cannot connect to database \(url): \(error.message)")
        }
        defer { connection.close() }
        do { return try body(connection) } catch let error as DatabaseError {
            throw StartupError(description: "database \(url): \(error.message)")
        }
    }
}
