import RegistryStorage

/// A named lease in the database (`event_lease`): at most one holder at a time, across the
/// workers of a server and across servers on one database. The holder renews it; anyone may take
/// it once it has expired (its holder died). Times are milliseconds since the epoch, from the
/// processes' clocks (servers on one database are expected to keep time within a second).
public struct EventLease {
    public let db: DatabaseConnection
    public let name: String

    public init(db: DatabaseConnection, name: String = "deliverer") {
        self.db = db
        self.name = name
    }

    /// The current holder and expiry, if any.
    public func current() throws -> (holder: String, expiresAtMS: Int64)? {
        guard let row = try db.query("SELECT holder, expires_at FROM event_lease WHERE name = $1", [.text(name)]).first,
              let holder = row.string(0), let until = row.int(1) else { return nil }
        return (holder, Int64(until))
    }

    /// Takes or renews the lease for `holder` until `untilMS`, when it is free, expired or already
    /// `holder`'s. True when `holder` has it now.
    public func acquire(holder: String, nowMS: Int64, untilMS: Int64) throws -> Bool {
        let rows = try db.query("""
            INSERT INTO event_lease (name, holder, expires_at) VALUES ($1, $2, $3)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE event_lease.holder = excluded.holder OR event_lease.expires_at < $4
            RETURNING holder
            """, [.text(name), .text(holder), .int(untilMS), .int(nowMS)])
        return rows.first?.string(0) == holder
    }

    public func release(holder: String) throws {
        try db.execute("DELETE FROM event_lease WHERE name = $1 AND holder = $2", [.text(name), .text(holder)])
    }
}
