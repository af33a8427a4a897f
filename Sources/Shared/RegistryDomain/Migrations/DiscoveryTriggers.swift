import RegistryStorage

/// The triggers on `schemas` that drop a version's discovery rows (`drop`, statements on
/// `OLD.id`) when it is deleted or one of `columns` changes, whoever writes (migrations 7 and 10).
/// On SQLite they are created only if absent: a migration that changes them drops them first.
enum DiscoveryTriggers {
    static func statements(_ dialect: SQLDialect, drop: String, columns: String) -> [String] {
        switch dialect {
        case .sqlite:
            return [
                "CREATE TRIGGER IF NOT EXISTS trg_schemas_discovery_delete AFTER DELETE ON schemas BEGIN \(drop) END",
                "CREATE TRIGGER IF NOT EXISTS trg_schemas_discovery_stale AFTER UPDATE OF \(columns) ON schemas BEGIN \(drop) END",
            ]
        case .postgres:
            return [
                """
                CREATE OR REPLACE FUNCTION pyrmute_schemas_discovery() RETURNS trigger LANGUAGE plpgsql AS $fn$
                BEGIN
                    \(drop)
                    RETURN NULL;
                END
                $fn$
                """,
                "DROP TRIGGER IF EXISTS trg_schemas_discovery ON schemas",
                """
                CREATE TRIGGER trg_schemas_discovery AFTER DELETE OR UPDATE OF \(columns) ON schemas
                    FOR EACH ROW EXECUTE FUNCTION pyrmute_schemas_discovery()
                """,
            ]
        }
    }
}
