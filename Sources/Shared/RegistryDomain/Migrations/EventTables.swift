import RegistryStorage

/// Migration 8 (issue 17): change events and webhooks.
///
/// * `events`: the outbox, written in the transaction of the change it describes. Its feed position
///   is `(xid, seq)`: on SQLite `xid` is 0 and `seq` an autoincrement (writers are serialised, so
///   `seq` is commit-ordered); on PostgreSQL `xid` is the writing transaction's id
///   (`pg_current_xact_id()`), and the feed hands out only rows whose transaction has finished
///   (`xid < pg_snapshot_xmin(pg_current_snapshot())`), so no lower position can commit later.
///   `data` is the event's `data` object as JSON text.
/// * `webhooks`: a subscription; `secret` (and `previous_secret` during a rotation's grace period)
///   are sealed (`WebhookSecretBox`); `cursor_xid`/`cursor_seq`: the last feed position the
///   deliverer has turned into deliveries for it.
/// * `webhook_deliveries`: one event to one webhook (a redelivery is a new row), in id order per
///   webhook; `webhook_attempts`: every attempt of a delivery.
/// * `event_lease`: one row per named lease (`deliverer`): which process delivers, until when.
enum EventTables {
    private static func tables(id: String, timestamp: String, xidDefault: String) -> [String] { [
        """
        CREATE TABLE IF NOT EXISTS events (
            seq \(id),
            xid BIGINT NOT NULL DEFAULT \(xidDefault),
            type VARCHAR(64) NOT NULL,
            namespace VARCHAR(255),
            model_name VARCHAR(255),
            occurred_at \(timestamp) NOT NULL,
            data TEXT NOT NULL
        )
        """,
        "CREATE INDEX IF NOT EXISTS idx_events_position ON events (xid, seq)",
        "CREATE INDEX IF NOT EXISTS idx_events_occurred_at ON events (occurred_at)",
        """
        CREATE TABLE IF NOT EXISTS webhooks (
            id \(id),
            url TEXT NOT NULL,
            events TEXT NOT NULL,
            namespace VARCHAR(255),
            description TEXT,
            active BOOLEAN NOT NULL,
            secret TEXT NOT NULL,
            previous_secret TEXT,
            previous_secret_expires_at \(timestamp),
            created_at \(timestamp) NOT NULL,
            created_by VARCHAR(255),
            updated_at \(timestamp) NOT NULL,
            deactivated_reason TEXT,
            cursor_xid BIGINT NOT NULL,
            cursor_seq BIGINT NOT NULL
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS webhook_deliveries (
            id \(id),
            webhook_id BIGINT NOT NULL,
            event_xid BIGINT NOT NULL,
            event_seq BIGINT NOT NULL,
            event_type VARCHAR(64) NOT NULL,
            status VARCHAR(16) NOT NULL,
            attempts INTEGER NOT NULL,
            created_at \(timestamp) NOT NULL,
            next_attempt_at \(timestamp),
            last_attempt_at \(timestamp),
            response_code INTEGER,
            duration_ms INTEGER,
            error TEXT
        )
        """,
        "CREATE INDEX IF NOT EXISTS idx_webhook_deliveries_queue ON webhook_deliveries (webhook_id, status, id)",
        """
        CREATE TABLE IF NOT EXISTS webhook_attempts (
            id \(id),
            delivery_id BIGINT NOT NULL,
            webhook_id BIGINT NOT NULL,
            attempted_at \(timestamp) NOT NULL,
            response_code INTEGER,
            duration_ms INTEGER NOT NULL,
            error TEXT
        )
        """,
        "CREATE INDEX IF NOT EXISTS idx_webhook_attempts_delivery ON webhook_attempts (delivery_id, id)",
        """
        CREATE TABLE IF NOT EXISTS event_lease (
            name VARCHAR(64) NOT NULL PRIMARY KEY,
            holder VARCHAR(255) NOT NULL,
            expires_at BIGINT NOT NULL
        )
        """,
    ] }

    static let migration = Migration(
        version: 8, name: "events and webhooks",
        sqlite: tables(id: "INTEGER PRIMARY KEY AUTOINCREMENT", timestamp: "DATETIME", xidDefault: "0"),
        postgres: tables(id: "BIGSERIAL PRIMARY KEY", timestamp: "TIMESTAMP WITH TIME ZONE",
                         xidDefault: "(pg_current_xact_id()::text::bigint)"))
}
