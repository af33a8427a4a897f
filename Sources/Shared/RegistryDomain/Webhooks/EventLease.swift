import RegistryStorage

/// A named lease in the database (`event_lease`): at most one holder at a time, across the
/// workers of a server and across servers on one database. The holder renews it; anyone may take
/// it once it has expired (its holder died). `expires_at` is in milliseconds since the epoch of the
/// **database's** clock, read in the statement that compares it: servers never compare their own
/// clocks with each other's.
public struct EventLease {
    public let db: DatabaseConnection
    public let name: String

    public init(db: DatabaseConnection, name: String = "deliverer") {
        self.db = db
        self.name = name
    }

    /// The database's clock in milliseconds since the epoch, as an SQL expression (one value per
    /// statement on SQLite; `clock_timestamp()` on PostgreSQL, not the transaction's start).
    var nowMS: String {
        switch db.dialect {
        case .sqlite: return "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)"
        case .postgres: return "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"
        }
    }

    /// The current holder and the milliseconds its lease has left (negative: expired), if any.
    public func current() throws -> (holder: String, remainingMS: Int64)? {
        guard let row = try db.query("SELECT holder, expires_at - \(nowMS) FROM event_lease WHERE name = $1", [.text(name)]).first,
              let holder = row.string(0), let left = row.int(1) else { return nil }
        return (holder, Int64(left))
    }

    /// Takes or renews the lease for `holder` for `ttlMS` from the database's now, when it is free,
    /// expired or already `holder`'s. True when `holder` has it now.
    public func acquire(holder: String, ttlMS: Int64) throws -> Bool {
        let rows = try db.query("""
            INSERT INTO event_lease (name, holder, expires_at) VALUES ($1, $2, \(nowMS) + $3)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE event_lease.holder = excluded.holder OR event_lease.expires_at < \(nowMS)
            RETURNING holder
            """, [.text(name), .text(holder), .int(ttlMS)])
        return rows.first?.string(0) == holder
    }

    public func release(holder: String) throws {
        try db.execute("DELETE FROM event_lease WHERE name = $1 AND holder = $2", [.text(name), .text(holder)])
    }
}
