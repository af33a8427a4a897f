import RegistryStorage

/// The SQL of the rate-limit counters (`rate_limit_counters`, migration 4).
struct RateLimitRepository {
    let db: DatabaseConnection

    /// Adds one hit to the bucket's counter for the window and returns the new count. One
    /// statement, atomic on both databases: concurrent hits from any worker or pod never get the
    /// same count (SQLite serialises writers; PostgreSQL locks the conflicting row).
    func hit(bucket: String, windowStart: Int64) throws -> Int {
        let rows = try db.query("""
            INSERT INTO rate_limit_counters (bucket, window_start, hits) VALUES ($1, $2, 1)
            ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limit_counters.hits + 1
            RETURNING hits
            """, [.text(bucket), .int(windowStart)])
        guard let hits = rows.first?.int(0) else {
            throw DatabaseError.statementFailed("rate limit counter returned no row")
        }
        return hits
    }

    /// Deletes the counters of windows that started before `windowStart`.
    @discardableResult
    func deleteWindows(before windowStart: Int64) throws -> Int {
        try db.execute("DELETE FROM rate_limit_counters WHERE window_start < $1", [.int(windowStart)])
    }
}
