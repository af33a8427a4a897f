import RegistryStorage

/// The SQL of the rate-limit counters (`rate_limit_counters`, migration 4).
struct RateLimitRepository {
    let db: DatabaseConnection

    /// Adds `hits` to the bucket's counter for the window and returns the new count. One
    /// statement, atomic on both databases: concurrent additions from any worker or pod never get
    /// the same count (SQLite serialises writers; PostgreSQL locks the conflicting row).
    func add(hits: Int, bucket: String, windowStart: Int64) throws -> Int {
        let rows = try db.query("""
            INSERT INTO rate_limit_counters (bucket, window_start, hits) VALUES ($1, $2, $3)
            ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_counters.hits + excluded.hits
            RETURNING hits
            """, [.text(bucket), .int(windowStart), .int(Int64(hits))])
        guard let total = rows.first?.int(0) else {
            throw DatabaseError.statementFailed("rate limit counter returned no row")
        }
        return total
    }

    /// The bucket's counter for the window (0 when no server has counted it yet).
    func hits(bucket: String, windowStart: Int64) throws -> Int {
        try db.scalarInt("SELECT hits FROM rate_limit_counters WHERE bucket = $1 AND window_start = $2",
                         [.text(bucket), .int(windowStart)]) ?? 0
    }

    /// Deletes the counters of windows that started before `windowStart`.
    @discardableResult
    func deleteWindows(before windowStart: Int64) throws -> Int {
        try db.execute("DELETE FROM rate_limit_counters WHERE window_start < $1", [.int(windowStart)])
    }
}
