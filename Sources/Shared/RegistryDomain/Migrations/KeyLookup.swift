import RegistryStorage

/// Migration 3: a public lookup id per API key (an indexed prefix of the key, so a key is found
/// without trying bcrypt against every row), a key-state version that workers poll to drop
/// cached keys, and audit timing.
enum KeyLookup {
    private static func statements(_ dialect: SQLDialect) -> [String] {
        [
            "ALTER TABLE api_keys ADD COLUMN lookup_id VARCHAR(32)",
            "CREATE UNIQUE INDEX IF NOT EXISTS uix_api_keys_lookup_id ON api_keys (lookup_id)",
            "CREATE TABLE IF NOT EXISTS registry_state (name VARCHAR(50) NOT NULL PRIMARY KEY, version BIGINT NOT NULL)",
            "INSERT INTO registry_state (name, version) VALUES ('api_keys', 0)",
            "ALTER TABLE audit_logs ADD COLUMN duration_ms \(dialect == .sqlite ? "REAL" : "DOUBLE PRECISION")",
        ]
    }

    static let migration = Migration(version: 3, name: "api key lookup and key state",
                                     sqlite: statements(.sqlite), postgres: statements(.postgres))
}
