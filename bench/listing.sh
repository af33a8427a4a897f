#!/usr/bin/env bash
# `GET /schemas` over growing data: pyrmute-registry on SQLite and on PostgreSQL, 2 workers each,
# loaded by wrk on 127.0.0.1. The data is seeded straight into the database by SQL (what
# registration stores, numeric version columns included; the summary triggers of migration 6 run
# for every row, as they would for any other writer), after `init-db`.
#
#   bench/listing.sh [sqlite] [postgres]      (default: both)
#
# Data sets (SETS, default "10 1000 100000 1m"), NS namespaces (ns000…) × M models (model0000…) ×
# 5 versions (1.0.0 … 1.4.0, ~1.6 KB json_schema each; 1.0.0 of every 10th model deprecated):
#   10       2 × 5         50 versions        1000     10 × 100       5,000 versions
#   100000   100 × 1,000   500,000 versions   1m       200 × 1,000    1,000,000 versions (200,000 models)
# Cases per set (a page of up to 100 models each):
#   first-page    /schemas?limit=100
#   include-depr  /schemas?limit=100&include_deprecated=true
#   namespace     /schemas?namespace=ns001&limit=100
#   model-name    /schemas?model_name=model0003&limit=100     (the model in every namespace)
#   deep-offset   /schemas?limit=100&offset=<3/4 of the models>
#
# Environment: DURATION (seconds per case, default 5), WARMUP (default 1), CONNECTIONS (default 32),
# THREADS (wrk threads, default 2), SCRATCH (swift --scratch-path, default .build-bench),
# SKIP_BUILD=1, SETS, BASE_BIN (a folder with an older build's pyrmute-registry and
# pyrmute-registry-worker: every case is also run against it on the same data, after its answers
# are compared byte for byte with this build's), BASE_SKIP (sets on which the older build is not
# loaded, only compared, default "1m" — it answers in seconds there), EXPLAIN=1 (the plans of every
# listing query form on the largest set, written to bench/results/listing-explain.txt).
# Prints a table and writes it to bench/results/listing-latest.txt.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
SCRATCH=${SCRATCH:-.build-bench}
SETS=${SETS:-"10 1000 100000 1m"}
BASE_BIN=${BASE_BIN:-}
BASE_SKIP=${BASE_SKIP:-1m}
EXPLAIN=${EXPLAIN:-0}

BACKENDS=("$@")
[ ${#BACKENDS[@]} -gt 0 ] || BACKENDS=(sqlite postgres)
for b in "${BACKENDS[@]}"; do
    case "$b" in sqlite | postgres) ;; *) echo "unknown backend: $b (sqlite, postgres)" >&2; exit 2 ;; esac
done
for s in $SETS; do
    case "$s" in 10 | 1000 | 100000 | 1m) ;; *) echo "unknown set: $s (10, 1000, 100000, 1m)" >&2; exit 2 ;; esac
done
if [ -n "$BASE_BIN" ] && [ ! -x "$BASE_BIN/pyrmute-registry" ]; then
    echo "BASE_BIN=$BASE_BIN has no pyrmute-registry" >&2; exit 2
fi

bench_tools
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 (the command-line shell) is needed to seed" >&2; exit 2; }

# ---- build --------------------------------------------------------------------------------
SWIFT_ARGS=(-c release --scratch-path "$SCRATCH")
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "== swift build ${SWIFT_ARGS[*]}" >&2
    swift build "${SWIFT_ARGS[@]}" >&2
fi
BIN=$(swift build "${SWIFT_ARGS[@]}" --show-bin-path)

# ---- process bookkeeping --------------------------------------------------------------------
bench_workdir pyrmute-listing-bench
python3 "$ROOT/bench/seed.py" template >"$WORK/schema.json"

FAILED=0
FMT="%-9s %-7s %-13s %-5s %9s %9s %9s %8s %8s %8s\n"

# shape SET: sets NS and MODELS (per namespace) of a data set.
shape() {
    case "$1" in
        10) NS=2 MODELS=5 ;;
        1000) NS=10 MODELS=100 ;;
        100000) NS=100 MODELS=1000 ;;
        1m) NS=200 MODELS=1000 ;;
    esac
}

# seed_sql BACKEND: the INSERT statements of the set in NS and MODELS on stdout: SQLite one per
# namespace in one transaction; PostgreSQL one per 200 models, each its own transaction (in one
# long transaction every new model's update of the same count rows lengthens a chain of row
# versions that cannot be pruned before commit, and the load slows down quadratically).
seed_sql() {
    local backend=$1 n c json per=$((MODELS * 5)) chunk
    json=$(cat "$WORK/schema.json")
    [ "$backend" = sqlite ] && echo "BEGIN;"
    for ((n = 0; n < NS; n++)); do
        if [ "$backend" = sqlite ]; then
            cat <<SQL
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < $((per - 1)))
INSERT INTO schemas (namespace, model_name, version, json_schema, avro_schema, registered_at, registered_by, meta,
                     deprecated, version_major, version_minor, version_patch)
SELECT printf('ns%03d', $n), printf('model%04d', i / 5), '1.' || (i % 5) || '.0', '$json', NULL,
       '2024-01-15 10:30:00.000000', 'bench', '{}', (i % 5 = 0 AND (i / 5) % 10 = 0), 1, i % 5, 0 FROM k;
SQL
        else
            for ((c = 0; c < per; c += 1000)); do
                chunk=$((c + 1000 < per ? c + 1000 : per))
                cat <<SQL
INSERT INTO schemas (namespace, model_name, version, json_schema, avro_schema, registered_at, registered_by, meta,
                     deprecated, version_major, version_minor, version_patch)
SELECT 'ns' || lpad('$n', 3, '0'), 'model' || lpad((i / 5)::text, 4, '0'), '1.' || (i % 5) || '.0', '$json'::json, NULL,
       TIMESTAMPTZ '2024-01-15 10:30:00+00', 'bench', '{}'::json, (i % 5 = 0 AND (i / 5) % 10 = 0), 1, i % 5, 0
FROM generate_series($c, $((chunk - 1))) AS i;
SQL
            done
        fi
    done
    [ "$backend" = sqlite ] && echo "COMMIT;"
    return 0
}

# seed BACKEND DATABASE_URL FILE: init-db (migrations 1–6), then the rows by SQL (and ANALYZE, as
# autovacuum would after such a load).
seed() {
    local backend=$1 url=$2 file=$3 started elapsed
    (cd "$WORK" && PYRMUTE_REGISTRY_DATABASE_URL="$url" "$BIN/pyrmute-registry" init-db >/dev/null)
    seed_sql "$backend" >"$WORK/seed.sql"
    started=$(date +%s.%N)
    if [ "$backend" = sqlite ]; then
        sqlite3 "$file" <"$WORK/seed.sql" >/dev/null
        sqlite3 "$file" "ANALYZE" >/dev/null
    else
        psql -X -q -v ON_ERROR_STOP=1 "$url" -f "$WORK/seed.sql" >/dev/null
        psql -X -q -v ON_ERROR_STOP=1 "$url" -c "ANALYZE" >/dev/null
    fi
    elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    note "$backend set $SET: seeded $((NS * MODELS)) models, $((NS * MODELS * 5)) versions in ${elapsed} s (summary triggers included)"
}

# start_server BIN_DIR BACKEND DATABASE_URL: sets PORT and SERVER_PID.
start_server() {
    serve_registry "$WORK/$2" "$1" "$3" 2 || { FAILED=1; return 1; }
}

stop_current() {
    stop_server "$SERVER_PID" "$1" "$WORK/$1/server.log"
    PIDS=()
}

# load BACKEND BUILD CASE PATH
load() {
    local backend=$1 build=$2 name=$3 path=$4 out url
    out="$WORK/wrk-$backend-$SET-$build-$name.txt"
    url="http://127.0.0.1:$PORT$path"
    if [ "$WARMUP" -gt 0 ]; then
        run_wrk $((WARMUP + 60)) /dev/null -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$url" || true
    fi
    if ! run_wrk $((DURATION + 60)) "$out" -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency "$url"; then
        echo "wrk failed for $backend $SET $build $name:" >&2; cat "$out" >&2
        row "$backend" "$SET" "$name" "$build" "FAILED" "-" "-" "-" "-" "-"; FAILED=1; return
    fi
    local rps p50 p99 non2xx sockerr kb
    read_wrk "$out"
    kb=$(awk -v rps="${rps:-0}" '/^Transfer\/sec:/ {
            v = $2; m = 1
            if (v ~ /KB$/) m = 1; else if (v ~ /MB$/) m = 1024; else if (v ~ /GB$/) m = 1048576; else if (v ~ /B$/) m = 1 / 1024
            sub(/[KMG]?B$/, "", v)
            if (rps > 0) printf "%.1f", v * m / rps }' "$out")
    row "$backend" "$SET" "$name" "$build" "${rps:-?}" "$(to_ms "${p50:-?}")" "$(to_ms "${p99:-?}")" "${non2xx:-0}" \
        "${sockerr:-0}" "${kb:-?}"
    if [ "$build" = new ] && { [ "${non2xx:-0}" -ne 0 ] || [ "${sockerr:-0}" -ne 0 ]; }; then FAILED=1; fi
}

# cases: "name path" lines for the set in NS and MODELS.
cases() {
    local total=$((NS * MODELS))
    echo "first-page /schemas?limit=100"
    echo "include-depr /schemas?limit=100&include_deprecated=true"
    echo "namespace /schemas?namespace=ns001&limit=100"
    echo "model-name /schemas?model_name=model0003&limit=100"
    echo "deep-offset /schemas?limit=100&offset=$((total * 3 / 4))"
}

# run_build BACKEND BUILD BIN_DIR DATABASE_URL: every case against one build (answers kept).
run_build() {
    local backend=$1 build=$2 bin=$3 url=$4 name path
    start_server "$bin" "$backend" "$url" || return 0
    mkdir -p "$WORK/answers"
    while read -r name path; do
        curl -sf --max-time 120 -o "$WORK/answers/$backend-$SET-$name.$build" "http://127.0.0.1:$PORT$path" ||
            { echo "GET $path failed ($backend $SET $build)" >&2; FAILED=1; }
    done < <(cases)
    if [ "$build" = new ] || [[ " $BASE_SKIP " != *" $SET "* ]]; then
        while read -r name path; do load "$backend" "$build" "$name" "$path"; done < <(cases)
    fi
    stop_current "$backend"
}

# compare BACKEND: this build's answers and the older build's, byte for byte.
compare() {
    local backend=$1 name path same=0 differ=0
    while read -r name path; do
        if cmp -s "$WORK/answers/$backend-$SET-$name.new" "$WORK/answers/$backend-$SET-$name.base"; then
            same=$((same + 1))
        else
            differ=$((differ + 1)); FAILED=1
            echo "answers differ: $backend $SET $path" >&2
        fi
    done < <(cases)
    note "$backend set $SET: answers of this build and BASE_BIN: $same identical, $differ different"
}

# explain BACKEND DATABASE_URL FILE: the plan of every listing query form (the text of
# Sources/Shared/RegistrySchemas/SchemaListing.swift, parameters bound; PostgreSQL's generic plans,
# which prepared statements settle on).
explain() {
    local backend=$1 url=$2 file=$3
    python3 - "$backend" "$file" >"$WORK/explain-$backend.out" <<'PY'
import re
import sqlite3
import sys

backend, path = sys.argv[1], sys.argv[2]
COLUMNS = ("p.namespaced AS pn, p.ns_key AS pk, s.model_name, s.version_major, s.version_minor, s.version_patch, s.id, "
           "s.namespace, s.version, s.registered_by, s.deprecated")


def scope(ns, model, live):
    clauses, params = [], []
    count = ("a", "")
    if ns == "global":
        count = ("g", "")
        clauses.append("m.namespaced = FALSE AND m.ns_key = ''")
    elif ns is not None:
        count = ("n", ns)
        clauses.append("m.namespaced = TRUE AND m.ns_key = {n}")
        params.append(ns)
    if model is not None:
        count = ("m", model) if count[0] == "a" else None
        clauses.append("m.model_name = {n}")
        params.append(model)
    if live:
        clauses.append("m.live_versions > 0")
    return clauses, params, count


def where(clauses):
    if not clauses:
        return "1 = 1"
    text, number = " AND ".join(clauses), 0

    def sub(_):
        nonlocal number
        number += 1
        return f"${number}"
    return re.sub(r"\{n\}", sub, text)


def page(clauses, params, count, live, after=None):
    clauses, params = list(clauses), list(params)
    if after is not None:
        clauses += ["(m.namespaced, m.ns_key, m.model_name) > ({n}, {n}, {n})",
                    "(SELECT c.changes FROM schema_model_counts c WHERE c.scope = {n} AND c.scope_key = {n}) = {n}"]
        params += [after[0], after[1], after[2], count[0], count[1], 0]
    n = len(params)
    dep = (" AND +s.deprecated = FALSE" if backend == "sqlite" else " AND s.deprecated = FALSE") if live else ""
    head = (f"WITH page AS MATERIALIZED (\n    SELECT m.namespaced, m.ns_key, m.model_name, "
            f"CASE WHEN m.namespaced THEN m.ns_key END AS namespace\n    FROM schema_models m\n"
            f"    WHERE {where(clauses)}\n    ORDER BY m.namespaced, m.ns_key, m.model_name LIMIT ${n + 1} OFFSET ${n + 2}\n)\n")
    if backend == "sqlite":
        body = (f"SELECT {COLUMNS} FROM page p JOIN schemas s ON s.namespace IS p.namespace AND s.model_name = p.model_name\n"
                f"WHERE 1 = 1{dep}\nORDER BY 1, 2, 3, 4, 5, 6, 7")
    else:
        vcols = ("v.model_name, v.version_major, v.version_minor, v.version_patch, v.id, v.namespace, v.version, "
                 "v.registered_by, v.deprecated")
        vdep = " AND v.deprecated = FALSE" if live else ""
        body = (f"SELECT {COLUMNS} FROM page p CROSS JOIN LATERAL (\n"
                f"    SELECT {vcols} FROM schemas v\n"
                f"    WHERE p.namespaced = FALSE AND v.namespace IS NULL AND v.model_name = p.model_name{vdep}\n"
                f"    UNION ALL\n"
                f"    SELECT {vcols} FROM schemas v\n"
                f"    WHERE p.namespaced = TRUE AND v.namespace = p.ns_key AND v.model_name = p.model_name{vdep}\n"
                f") s\nORDER BY 1, 2, 3, 4, 5, 6, 7")
    return head + body, params + [100, 150 if after is not None else 0]


def count_and_page(clauses, params, count, live):
    n = len(params)
    column = "live_models" if live else "models"
    return (f"SELECT c.{column}, c.changes, p.namespaced, p.ns_key, p.model_name, p.revision\n"
            f"FROM (SELECT 1 AS one) o\n"
            f"LEFT JOIN schema_model_counts c ON c.scope = ${n + 3} AND c.scope_key = ${n + 4}\n"
            f"LEFT JOIN (\n    SELECT m.namespaced, m.ns_key, m.model_name, m.revision FROM schema_models m\n"
            f"    WHERE {where(clauses)}\n    ORDER BY m.namespaced, m.ns_key, m.model_name LIMIT ${n + 1} OFFSET ${n + 2}\n"
            f") p ON 1 = 1\nORDER BY p.namespaced, p.ns_key, p.model_name"), params + [100, 0, count[0], count[1]]


def page_models(clauses, params, count, after):
    clauses, params = list(clauses), list(params)
    clauses += ["(m.namespaced, m.ns_key, m.model_name) > ({n}, {n}, {n})",
                "(SELECT c.changes FROM schema_model_counts c WHERE c.scope = {n} AND c.scope_key = {n}) = {n}"]
    params += [after[0], after[1], after[2], count[0], count[1], 0]
    n = len(params)
    return (f"SELECT m.namespaced, m.ns_key, m.model_name, m.revision FROM schema_models m\nWHERE {where(clauses)}\n"
            f"ORDER BY m.namespaced, m.ns_key, m.model_name LIMIT ${n + 1} OFFSET ${n + 2}"), params + [100, 150]


forms = []
for ns, model in [(None, None), ("global", None), ("ns001", None), (None, "model0003"), ("ns001", "model0003")]:
    for live in (True, False):
        label = f"namespace={ns or '-'} model_name={model or '-'} include_deprecated={str(not live).lower()}"
        clauses, params, count = scope(ns, model, live)
        if count is None:
            forms.append((f"count, {label}", f"SELECT count(*) FROM schema_models m WHERE {where(clauses)}", params))
        else:
            forms.append((f"count and the models of the page (offsets below 1000), {label}",)
                         + count_and_page(clauses, params, count, live))
            column = "live_models" if live else "models"
            forms.append((f"count, {label}",
                          f"SELECT {column}, changes FROM schema_model_counts WHERE scope = $1 AND scope_key = $2",
                          list(count)))
        forms.append((f"page with versions (when an item is not cached), {label}",) + page(clauses, params, count, live))
        if count is not None and live:
            forms.append((f"models of the page after a bookmark (deep offset), {label}",)
                         + page_models(clauses, params, count, (True, "ns150", "model0000")))
            forms.append((f"page with versions after a bookmark (deep offset, not cached), {label}",)
                         + page(clauses, params, count, live, after=(True, "ns150", "model0000")))
            n = len(params)
            forms.append((f"bookmarks (once per change of the set of models of the scope), {label}",
                          "SELECT w.namespaced, w.ns_key, w.model_name,\n"
                          f"       (SELECT c.changes FROM schema_model_counts c WHERE c.scope = ${n + 1} AND c.scope_key = ${n + 2})\n"
                          "FROM (\n    SELECT m.namespaced, m.ns_key, m.model_name,\n"
                          "           row_number() OVER (ORDER BY m.namespaced, m.ns_key, m.model_name) AS rn\n"
                          f"    FROM schema_models m WHERE {where(clauses)}\n) w\n"
                          f"WHERE w.rn % ${n + 3} = 0 ORDER BY w.rn", params + [count[0], count[1], 1000]))

if backend == "sqlite":
    db = sqlite3.connect(path)
    for label, sql, params in forms:
        print(f"-- {label}\n{sql}\n-- params {params}")
        for row in db.execute("EXPLAIN QUERY PLAN " + re.sub(r"\$(\d+)", r"?\1", sql), params):
            print(f"   {row[3]}")
        print()
else:
    print("SET plan_cache_mode = force_generic_plan;")
    for i, (label, sql, params) in enumerate(forms):
        def lit(v):
            if isinstance(v, bool):
                return "true" if v else "false"
            if isinstance(v, int):
                return str(v)
            return "'" + str(v).replace("'", "''") + "'"
        print(f"\\echo '-- {label}'")
        print(f"\\echo '-- params {', '.join(map(lit, params)).replace(chr(39), '')}'")
        print(f"PREPARE q{i} AS {sql};")
        print(f"EXPLAIN (COSTS OFF) EXECUTE q{i}({', '.join(map(lit, params))});")
        print(f"DEALLOCATE q{i};")
PY
    if [ "$backend" = postgres ]; then
        psql -X -q -v ON_ERROR_STOP=1 "$url" -f "$WORK/explain-$backend.out" >"$WORK/explain-$backend.txt" 2>&1 ||
            { echo "EXPLAIN failed on postgres:" >&2; tail -n 20 "$WORK/explain-$backend.txt" >&2; FAILED=1; }
    else
        cp "$WORK/explain-$backend.out" "$WORK/explain-$backend.txt"
    fi
    { echo "==== $backend, set $SET ($((NS * MODELS)) models, $((NS * MODELS * 5)) versions)"; cat "$WORK/explain-$backend.txt"; } \
        >>"$WORK/explain.txt"
}

# ---- run -----------------------------------------------------------------------------------
# shellcheck disable=SC2059
HEADER=$(printf "$FMT" "backend" "set" "case" "build" "req/s" "p50 ms" "p99 ms" "non-2xx" "sockerr" "resp KB")
{
    echo "# pyrmute-registry listing bench $(date -u +%Y-%m-%dT%H:%M:%SZ) rev $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)"
    echo "# wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency (warm-up ${WARMUP}s), $(nproc) cores, 2 workers per server"
    echo "# build: new = $BIN${BASE_BIN:+, base = $BASE_BIN}; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$WORK/header.txt"
echo "$HEADER"

LARGEST=""
for s in $SETS; do LARGEST=$s; done

for backend in "${BACKENDS[@]}"; do
    if [ "$backend" = postgres ]; then
        PG_DIR="$WORK/pg"
        pg_port=$(free_port)
        if ! "$ROOT/scripts/pg-cluster.sh" start "$PG_DIR" "$pg_port" >/dev/null; then
            row postgres "-" "(cluster did not start)" "-" "FAILED" "-" "-" "-" "-" "-"; FAILED=1; PG_DIR=""; continue
        fi
    fi
    for SET in $SETS; do
        shape "$SET"
        if [ "$backend" = sqlite ]; then
            file="$WORK/sqlite-$SET.db"
            url="sqlite:///$file"
        else
            file=""
            url=$("$ROOT/scripts/pg-cluster.sh" createdb "$PG_DIR" "$pg_port" "listing_$SET")
        fi
        seed "$backend" "$url" "$file"
        run_build "$backend" new "$BIN" "$url"
        if [ -n "$BASE_BIN" ]; then
            run_build "$backend" base "$BASE_BIN" "$url"
            compare "$backend"
        fi
        [ "$EXPLAIN" = 1 ] && [ "$SET" = "$LARGEST" ] && explain "$backend" "$url" "$file"
        [ "$backend" = sqlite ] && rm -f "$file" "$file-wal" "$file-shm"
    done
    if [ "$backend" = postgres ]; then
        "$ROOT/scripts/pg-cluster.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
        PG_DIR=""
    fi
done

mkdir -p "$ROOT/bench/results"
{
    cat "$WORK/header.txt"
    printf '%s\n' "${NOTES[@]}"
    echo "$HEADER"
    printf '%s\n' "${RESULTS[@]}"
} >"$ROOT/bench/results/listing-latest.txt"
echo "(written to bench/results/listing-latest.txt)" >&2
if [ "$EXPLAIN" = 1 ] && [ -f "$WORK/explain.txt" ]; then
    cp "$WORK/explain.txt" "$ROOT/bench/results/listing-explain.txt"
    echo "(plans written to bench/results/listing-explain.txt)" >&2
fi
exit $FAILED
