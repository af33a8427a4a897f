import RegistryStorage

/// Migration 6: what `GET /schemas` reads instead of grouping every version row.
///
/// * `schema_models`: one row per model, keyed `(namespaced, ns_key, model_name)` where
///   `namespaced` is `namespace IS NOT NULL` and `ns_key` is `COALESCE(namespace, '')`, so the
///   global model and a model in the namespace `""` have different keys. The primary key's order is
///   the listing's order (global first, then namespace, then model name), so a page is a range of
///   it; `versions` and `live_versions` (not deprecated) say whether the model is listed at all;
///   `revision`, a random number drawn anew whenever anything the listing shows of the model
///   changes (a version added, deleted, deprecated or undeprecated, overwritten, renumbered), tells
///   a worker whether the item it built earlier for the model is still right.
/// * `schema_model_counts`: the number of models (and of models with a live version) per scope:
///   `('a', '')` every model, `('g', '')` the global ones, `('n', namespace)`, `('m', model_name)`;
///   `changes` counts the changes of the scope's set of models (the listing's keyset bookmarks are
///   valid for one value of it).
///
/// Both are kept by triggers on `schemas`, so rows that any writer adds, deprecates or deletes
/// (the Python reference on the same database included) are counted. The backfill runs once, in
/// the migration's transaction; on PostgreSQL the table is locked against writers until commit so
/// that no row slips between the backfill and the triggers.
///
/// Concurrency on PostgreSQL: a new model upserts its summary row (`ON CONFLICT DO UPDATE`: two
/// first registrations of one model at once both succeed) and then the three count rows in a fixed
/// order (`a`, then `g`/`n`, then `m`), so single-row transactions cannot deadlock on them.
enum ModelSummary {
    private static let tables = [
        """
        CREATE TABLE IF NOT EXISTS schema_models (
            namespaced BOOLEAN NOT NULL,
            ns_key VARCHAR(255) NOT NULL,
            model_name VARCHAR(255) NOT NULL,
            versions BIGINT NOT NULL,
            live_versions BIGINT NOT NULL,
            revision BIGINT NOT NULL,
            PRIMARY KEY (namespaced, ns_key, model_name)
        )
        """,
        """
        CREATE TABLE IF NOT EXISTS schema_model_counts (
            scope VARCHAR(1) NOT NULL,
            scope_key VARCHAR(255) NOT NULL,
            models BIGINT NOT NULL,
            live_models BIGINT NOT NULL,
            changes BIGINT NOT NULL,
            PRIMARY KEY (scope, scope_key)
        )
        """,
    ]

    /// A new revision: 64 random bits (SQLite), 63 (PostgreSQL).
    private static func random(_ dialect: SQLDialect) -> String {
        dialect == .sqlite ? "random()" : "(random() * 9.2e18)::bigint"
    }

    private static func backfill(_ dialect: SQLDialect) -> [String] { [
        "CREATE INDEX IF NOT EXISTS idx_schema_models_model ON schema_models (model_name, namespaced, ns_key)",
        """
        INSERT INTO schema_models (namespaced, ns_key, model_name, versions, live_versions, revision)
        SELECT namespace IS NOT NULL, COALESCE(namespace, ''), model_name, count(*),
               sum(CASE WHEN deprecated THEN 0 ELSE 1 END), \(random(dialect))
        FROM schemas GROUP BY namespace, model_name
        """,
        """
        INSERT INTO schema_model_counts (scope, scope_key, models, live_models, changes)
        SELECT 'a', '', count(*), COALESCE(sum(CASE WHEN live_versions > 0 THEN 1 ELSE 0 END), 0), 0
        FROM schema_models
        UNION ALL
        SELECT CASE WHEN namespaced THEN 'n' ELSE 'g' END, ns_key, count(*),
               sum(CASE WHEN live_versions > 0 THEN 1 ELSE 0 END), 0
        FROM schema_models GROUP BY namespaced, ns_key
        UNION ALL
        SELECT 'm', model_name, count(*), sum(CASE WHEN live_versions > 0 THEN 1 ELSE 0 END), 0
        FROM schema_models GROUP BY model_name
        """,
    ] }

    // MARK: SQLite

    /// `r` is `NEW` or `OLD`: the summary row's key of that version row.
    private static func key(_ r: String) -> String {
        "namespaced = (\(r).namespace IS NOT NULL) AND ns_key = COALESCE(\(r).namespace, '') AND model_name = \(r).model_name"
    }

    private static func sqliteAdd(_ r: String) -> String {
        """
        INSERT INTO schema_models (namespaced, ns_key, model_name, versions, live_versions, revision)
            VALUES (\(r).namespace IS NOT NULL, COALESCE(\(r).namespace, ''), \(r).model_name, 1,
                    CASE WHEN \(r).deprecated THEN 0 ELSE 1 END, random())
            ON CONFLICT (namespaced, ns_key, model_name) DO UPDATE
            SET versions = schema_models.versions + 1,
                live_versions = schema_models.live_versions + excluded.live_versions, revision = excluded.revision;
        """
    }

    /// The last version gone: the model's row goes (and its counts with it, by the trigger below).
    private static func sqliteRemove(_ r: String) -> String {
        """
        DELETE FROM schema_models WHERE \(key(r)) AND versions <= 1;
        UPDATE schema_models SET versions = versions - 1,
            live_versions = live_versions - (CASE WHEN \(r).deprecated THEN 0 ELSE 1 END), revision = random()
            WHERE \(key(r));
        """
    }

    /// `dm`, `dl`: changes of the model count and of the live-model count (SQL expressions).
    private static func sqliteCount(_ r: String, _ dm: String, _ dl: String) -> String {
        """
        INSERT INTO schema_model_counts (scope, scope_key, models, live_models, changes)
            VALUES ('a', '', \(dm), \(dl), 1),
                   (CASE WHEN \(r).namespaced THEN 'n' ELSE 'g' END, \(r).ns_key, \(dm), \(dl), 1),
                   ('m', \(r).model_name, \(dm), \(dl), 1)
            ON CONFLICT (scope, scope_key) DO UPDATE
            SET models = schema_model_counts.models + excluded.models,
                live_models = schema_model_counts.live_models + excluded.live_models,
                changes = schema_model_counts.changes + 1;
        """
    }

    /// What the listing shows of a version besides its key (an update of any of them is a new revision).
    private static let listedColumns = "deprecated, version, registered_by, version_major, version_minor, version_patch"

    private static let sqliteTriggers = [
        "CREATE TRIGGER IF NOT EXISTS trg_schemas_summary_insert AFTER INSERT ON schemas BEGIN \(sqliteAdd("NEW")) END",
        "CREATE TRIGGER IF NOT EXISTS trg_schemas_summary_delete AFTER DELETE ON schemas BEGIN \(sqliteRemove("OLD")) END",
        """
        CREATE TRIGGER IF NOT EXISTS trg_schemas_summary_change AFTER UPDATE OF \(listedColumns) ON schemas
        WHEN OLD.namespace IS NEW.namespace AND OLD.model_name = NEW.model_name
        BEGIN
            UPDATE schema_models SET live_versions = live_versions
                    + (CASE WHEN OLD.deprecated THEN 1 ELSE 0 END) - (CASE WHEN NEW.deprecated THEN 1 ELSE 0 END),
                revision = random()
                WHERE \(key("NEW"));
        END
        """,
        """
        CREATE TRIGGER IF NOT EXISTS trg_schemas_summary_move AFTER UPDATE OF namespace, model_name ON schemas
        WHEN NOT (OLD.namespace IS NEW.namespace AND OLD.model_name = NEW.model_name)
        BEGIN \(sqliteRemove("OLD")) \(sqliteAdd("NEW")) END
        """,
        """
        CREATE TRIGGER IF NOT EXISTS trg_schema_models_insert AFTER INSERT ON schema_models
        BEGIN \(sqliteCount("NEW", "1", "(NEW.live_versions > 0)")) END
        """,
        """
        CREATE TRIGGER IF NOT EXISTS trg_schema_models_delete AFTER DELETE ON schema_models
        BEGIN \(sqliteCount("OLD", "-1", "-(OLD.live_versions > 0)")) END
        """,
        """
        CREATE TRIGGER IF NOT EXISTS trg_schema_models_live AFTER UPDATE OF live_versions ON schema_models
        WHEN (OLD.live_versions > 0) <> (NEW.live_versions > 0)
        BEGIN \(sqliteCount("NEW", "0", "(CASE WHEN NEW.live_versions > 0 THEN 1 ELSE -1 END)")) END
        """,
    ]

    // MARK: PostgreSQL

    private static let postgresFunctions = [
        """
        CREATE OR REPLACE FUNCTION pyrmute_schemas_summary() RETURNS trigger LANGUAGE plpgsql AS $fn$
        BEGIN
            IF TG_OP = 'UPDATE' AND OLD.namespace IS NOT DISTINCT FROM NEW.namespace AND OLD.model_name = NEW.model_name THEN
                UPDATE schema_models SET live_versions = live_versions
                        + (CASE WHEN OLD.deprecated THEN 1 ELSE 0 END) - (CASE WHEN NEW.deprecated THEN 1 ELSE 0 END),
                    revision = \(random(.postgres))
                    WHERE \(key("NEW"));
                RETURN NULL;
            END IF;
            IF TG_OP <> 'INSERT' THEN
                DELETE FROM schema_models WHERE \(key("OLD")) AND versions <= 1;
                IF NOT FOUND THEN
                    UPDATE schema_models SET versions = versions - 1,
                        live_versions = live_versions - (CASE WHEN OLD.deprecated THEN 0 ELSE 1 END),
                        revision = \(random(.postgres))
                        WHERE \(key("OLD"));
                END IF;
            END IF;
            IF TG_OP <> 'DELETE' THEN
                INSERT INTO schema_models AS m (namespaced, ns_key, model_name, versions, live_versions, revision)
                    VALUES (NEW.namespace IS NOT NULL, COALESCE(NEW.namespace, ''), NEW.model_name, 1,
                            CASE WHEN NEW.deprecated THEN 0 ELSE 1 END, \(random(.postgres)))
                    ON CONFLICT (namespaced, ns_key, model_name) DO UPDATE
                    SET versions = m.versions + 1, live_versions = m.live_versions + EXCLUDED.live_versions,
                        revision = EXCLUDED.revision;
            END IF;
            RETURN NULL;
        END
        $fn$
        """,
        """
        CREATE OR REPLACE FUNCTION pyrmute_schema_models_counts() RETURNS trigger LANGUAGE plpgsql AS $fn$
        DECLARE
            r schema_models;
            dm BIGINT;
            dl BIGINT;
        BEGIN
            IF TG_OP = 'INSERT' THEN
                r := NEW; dm := 1; dl := CASE WHEN NEW.live_versions > 0 THEN 1 ELSE 0 END;
            ELSIF TG_OP = 'DELETE' THEN
                r := OLD; dm := -1; dl := CASE WHEN OLD.live_versions > 0 THEN -1 ELSE 0 END;
            ELSE
                r := NEW; dm := 0; dl := CASE WHEN NEW.live_versions > 0 THEN 1 ELSE -1 END;
            END IF;
            INSERT INTO schema_model_counts AS c (scope, scope_key, models, live_models, changes)
                VALUES ('a', '', dm, dl, 1),
                       (CASE WHEN r.namespaced THEN 'n' ELSE 'g' END, r.ns_key, dm, dl, 1),
                       ('m', r.model_name, dm, dl, 1)
                ON CONFLICT (scope, scope_key) DO UPDATE
                SET models = c.models + EXCLUDED.models, live_models = c.live_models + EXCLUDED.live_models,
                    changes = c.changes + 1;
            RETURN NULL;
        END
        $fn$
        """,
    ]

    private static let postgresTriggers = [
        "DROP TRIGGER IF EXISTS trg_schemas_summary ON schemas",
        """
        CREATE TRIGGER trg_schemas_summary AFTER INSERT OR DELETE OR UPDATE OF namespace, model_name, \(listedColumns)
            ON schemas FOR EACH ROW EXECUTE FUNCTION pyrmute_schemas_summary()
        """,
        "DROP TRIGGER IF EXISTS trg_schema_models_counts ON schema_models",
        """
        CREATE TRIGGER trg_schema_models_counts AFTER INSERT OR DELETE ON schema_models
            FOR EACH ROW EXECUTE FUNCTION pyrmute_schema_models_counts()
        """,
        "DROP TRIGGER IF EXISTS trg_schema_models_live ON schema_models",
        """
        CREATE TRIGGER trg_schema_models_live AFTER UPDATE OF live_versions ON schema_models
            FOR EACH ROW WHEN ((OLD.live_versions > 0) <> (NEW.live_versions > 0))
            EXECUTE FUNCTION pyrmute_schema_models_counts()
        """,
    ]

    static let migration = Migration(
        version: 6, name: "model summary for listings",
        sqlite: tables.map { $0 + " WITHOUT ROWID" } + backfill(.sqlite) + sqliteTriggers,
        postgres: ["LOCK TABLE schemas IN SHARE ROW EXCLUSIVE MODE"] + tables + backfill(.postgres) + postgresFunctions
            + postgresTriggers)
}
