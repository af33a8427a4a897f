
/// Migration 4: the rate-limit counters, one row per bucket (`key:<id>` or `ip:<address>`) and
/// one-minute window. The primary key leads with the window so that deleting past windows is a
/// range scan; the upsert's `ON CONFLICT (bucket, window_start)` names the same unique key.
/// On PostgreSQL the table is UNLOGGED: the counters live for a minute, so they skip the WAL
/// (cheaper writes; after a crash or on a promoted standby they simply start from zero).
public enum RateLimitCounters {
    /// The width of the `bucket` column (`RateLimitBucket` cuts longer names to fit).
    public static let bucketWidth = 128

    private static func table(create: String, options: String) -> String {
        """
        \(create) IF NOT EXISTS rate_limit_counters (
            bucket VARCHAR(\(bucketWidth)) NOT NULL,
            window_start BIGINT NOT NULL,
            hits INTEGER NOT NULL,
            PRIMARY KEY (window_start, bucket)
        )\(options)
        """
    }

    static let migration = Migration(
        version: 4, name: "rate limit counters",
        sqlite: [table(create: "CREATE TABLE", options: " WITHOUT ROWID")],
        postgres: [table(create: "CREATE UNLOGGED TABLE", options: "")])
}
