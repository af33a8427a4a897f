import RegistryStorage

/// Migration 9 (issue 19): the namespace scope of an API key, in a side table so that `api_keys`
/// keeps the reference's columns. One row per scoped key (no row: every namespace); `namespaces`
/// is the JSON list of patterns as given (`["payments", "team-*", null]`). The row goes with its
/// key (`ON DELETE CASCADE`, and explicitly where foreign keys are not enforced).
enum KeyScopeTable {
    private static let table = """
        CREATE TABLE IF NOT EXISTS api_key_scopes (
            api_key_id INTEGER NOT NULL PRIMARY KEY REFERENCES api_keys (id) ON DELETE CASCADE,
            namespaces TEXT NOT NULL
        )
        """

    static let migration = Migration(version: 9, name: "api key namespace scopes", sqlite: [table], postgres: [table])
}
