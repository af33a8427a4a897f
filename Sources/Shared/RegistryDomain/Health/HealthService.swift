import RegistryStorage

/// What the health probes ask of the database.
public struct HealthService: Sendable {
    public let pool: ConnectionPool

    public init(pool: ConnectionPool) { self.pool = pool }

    /// Rows in `schemas`, all namespaces, deprecated included. Retries once on a connection that
    /// went stale while the database restarted, so the probe turns healthy again by itself.
    public func schemaCount() throws -> Int {
        try pool.withConnection(retryOnBrokenConnection: true) { db in
            try db.scalarInt("SELECT count(*) FROM schemas") ?? 0
        }
    }
}
