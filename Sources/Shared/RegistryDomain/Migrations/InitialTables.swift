
/// Migration 1: the reference's three tables, columns, types and indexes (contract §10).
enum InitialTables {
    static let migration = Migration(
        version: 1,
        name: "initial tables",
        sqlite: tables(serial: "INTEGER NOT NULL", timestamp: "DATETIME", json: "JSON")
            + indexes,
        postgres: tables(serial: "SERIAL NOT NULL", timestamp: "TIMESTAMP WITH TIME ZONE", json: "JSON")
            + indexes
    )

    private static func tables(serial: String, timestamp: String, json: String) -> [String] {
        [
            """
            CREATE TABLE IF NOT EXISTS schemas (
                id \(serial),
                namespace VARCHAR(255),
                model_name VARCHAR(255) NOT NULL,
                version VARCHAR(100) NOT NULL,
                json_schema \(json) NOT NULL,
                avro_schema \(json),
                registered_at \(timestamp) NOT NULL,
                registered_by VARCHAR(255) NOT NULL,
                meta \(json),
                deprecated BOOLEAN NOT NULL,
                deprecated_at \(timestamp == "DATETIME" ? "DATETIME" : "TIMESTAMP WITHOUT TIME ZONE"),
                deprecation_message VARCHAR(500),
                PRIMARY KEY (id),
                CONSTRAINT uix_namespace_model_version UNIQUE (namespace, model_name, version)
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS api_keys (
                id \(serial),
                name VARCHAR(255) NOT NULL,
                key_hash VARCHAR(255) NOT NULL,
                permission VARCHAR(50) NOT NULL,
                created_at \(timestamp) NOT NULL,
                created_by VARCHAR(255) NOT NULL,
                last_used_at \(timestamp),
                use_count INTEGER NOT NULL,
                expires_at \(timestamp),
                revoked BOOLEAN NOT NULL,
                revoked_at \(timestamp),
                revoked_by VARCHAR(255),
                rotated_from_id INTEGER,
                rotated_to_id INTEGER,
                rotation_scheduled_at \(timestamp),
                description TEXT,
                PRIMARY KEY (id),
                UNIQUE (key_hash),
                FOREIGN KEY(rotated_from_id) REFERENCES api_keys (id) ON DELETE SET NULL,
                FOREIGN KEY(rotated_to_id) REFERENCES api_keys (id) ON DELETE SET NULL
            )
            """,
            """
            CREATE TABLE IF NOT EXISTS audit_logs (
                id \(serial),
                timestamp \(timestamp) NOT NULL,
                api_key_id INTEGER,
                api_key_name VARCHAR(255),
                permission_level VARCHAR(50),
                action VARCHAR(100) NOT NULL,
                resource_type VARCHAR(50) NOT NULL,
                resource_id VARCHAR(255),
                method VARCHAR(10) NOT NULL,
                path VARCHAR(500) NOT NULL,
                status_code INTEGER,
                client_ip VARCHAR(45),
                user_agent TEXT,
                request_params \(json),
                response_summary \(json),
                error_message TEXT,
                correlation_id VARCHAR(255),
                PRIMARY KEY (id)
            )
            """,
        ]
    }

    private static let indexes: [String] = {
        let schemas: [(String, String)] = [
            ("idx_namespace_model_version", "namespace, model_name, version"),
            ("idx_namespace", "namespace"),
            ("idx_model_name", "model_name"),
            ("idx_namespace_model", "namespace, model_name"),
            ("idx_registered_by", "registered_by"),
            ("idx_registered_at", "registered_at"),
            ("idx_deprecated", "deprecated"),
            ("idx_namespace_model_deprecated", "namespace, model_name, deprecated"),
            ("ix_schemas_namespace", "namespace"),
            ("ix_schemas_model_name", "model_name"),
            ("ix_schemas_registered_by", "registered_by"),
            ("ix_schemas_deprecated", "deprecated"),
        ]
        let apiKeys: [(String, String)] = [
            ("idx_active_keys", "revoked, expires_at"),
            ("idx_permission", "permission"),
            ("idx_created_by", "created_by"),
            ("idx_rotation_chain", "rotated_from_id, rotated_to_id"),
            ("idx_rotation_scheduled", "rotation_scheduled_at, revoked"),
            ("ix_api_keys_permission", "permission"),
            ("ix_api_keys_created_at", "created_at"),
            ("ix_api_keys_expires_at", "expires_at"),
            ("ix_api_keys_revoked", "revoked"),
            ("ix_api_keys_rotated_from_id", "rotated_from_id"),
            ("ix_api_keys_rotated_to_id", "rotated_to_id"),
            ("ix_api_keys_rotation_scheduled_at", "rotation_scheduled_at"),
        ]
        let auditLogs: [(String, String)] = [
            ("idx_api_key_timestamp", "api_key_id, timestamp"),
            ("idx_action_timestamp", "action, timestamp"),
            ("idx_resource_type_id", "resource_type, resource_id"),
            ("idx_status_timestamp", "status_code, timestamp"),
            ("idx_client_ip_timestamp", "client_ip, timestamp"),
            ("idx_api_key_action", "api_key_id, action"),
            ("idx_permission_level", "permission_level"),
        ] + ["timestamp", "api_key_id", "api_key_name", "action", "resource_type", "resource_id",
             "status_code", "client_ip", "correlation_id"].map { ("ix_audit_logs_\($0)", $0) }

        return schemas.map { "CREATE INDEX IF NOT EXISTS \($0.0) ON schemas (\($0.1))" }
            + ["CREATE UNIQUE INDEX IF NOT EXISTS ix_api_keys_name ON api_keys (name)"]
            + apiKeys.map { "CREATE INDEX IF NOT EXISTS \($0.0) ON api_keys (\($0.1))" }
            + auditLogs.map { "CREATE INDEX IF NOT EXISTS \($0.0) ON audit_logs (\($0.1))" }
    }()
}
