/// Migration 5: the compatibility level set at a scope (issue 14), one row per scope. `scope_key`
/// names the scope without ambiguity (`["server"]`, `["namespace","payments"]`,
/// `["model",null,"Order"]`: JSON, so a NULL namespace and any name stay distinct) and is the
/// primary key the upsert's `ON CONFLICT` names; the other columns say the same for people.
enum CompatibilityConfigTable {
    private static func table(timestamp: String) -> String {
        """
        CREATE TABLE IF NOT EXISTS compatibility_config (
            scope_key TEXT NOT NULL PRIMARY KEY,
            scope VARCHAR(16) NOT NULL,
            namespace VARCHAR(255),
            model_name VARCHAR(255),
            compatibility VARCHAR(32) NOT NULL,
            updated_at \(timestamp) NOT NULL,
            updated_by VARCHAR(255)
        )
        """
    }

    static let migration = Migration(
        version: 5, name: "compatibility config",
        sqlite: [table(timestamp: "DATETIME")],
        postgres: [table(timestamp: "TIMESTAMP WITH TIME ZONE")])
}
