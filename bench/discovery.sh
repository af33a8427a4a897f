#!/usr/bin/env bash
# Discovery (issue 16) over 100,000 versions: `GET /search` of each kind and `POST /schemas/lookup`,
# pyrmute-registry on SQLite and on PostgreSQL, 2 workers each, loaded by wrk on 127.0.0.1, with the
# response cache off (RESPONSE_CACHE_MB=0: every request runs its queries; only the words each query
# word matched and their posting counts stay cached per worker, SearchWordCache, as in production).
#
#   bench/discovery.sh [sqlite] [postgres]      (default: both)
#   BASE=DIR bench/discovery.sh [...]           before/after: DIR's build (pyrmute-registry and
#                                               pyrmute-registry-worker) beside this checkout's, each
#                                               on its own copy of the same seeded rows, indexed by
#                                               that build (the index's tables may differ between
#                                               builds), each case loaded on one then the other in
#                                               alternating order
#
# Data: NS namespaces (ns000…) × MODELS models (model0000…) × 5 versions (1.0.0 … 1.4.0), seeded by
# SQL after `init-db`; the server indexes them at start (migration 7's backfill, timed). Every
# version's JSON Schema names its namespace, model and version (in `$id`, the title, a description
# and a `<model>_ref` property), so each is distinct; the other properties are common to all.
# Cases:
#   model        /search?q=model0042&kind=model          the model in every namespace (500 places)
#   field        /search?q=model0042_ref&kind=field      one field name (500 places)
#   field-glob   /search?q=mod*0042_r*&kind=field        the same through wildcards
#   text         /search?q=ns042+service&kind=text       two words of one description (1,000 places)
#   any          /search?q=model0042                     every kind
#   lookup       POST /schemas/lookup                    one version's JSON Schema, respelled
#   common       /search?q=currency&kind=field           a field of every version (100,000 places; last, it is slow)
#
# Environment: NS (default 100), MODELS (default 200), DURATION (seconds per case, default 5),
# WARMUP (default 1), CONNECTIONS (default 16), THREADS (wrk threads, default 2), SCRATCH (swift
# --scratch-path, default .build-bench), SKIP_BUILD=1, BIN_DIR (a build directory to use instead of
# building this checkout), BASE (a build directory to compare with),
# CASES (default "model field field-glob text any lookup common").
# Prints a table and writes it to bench/results/discovery-latest.txt. Beside req/s and latency, the
# CPU ms per request of the server's workers and (PostgreSQL) of its database's backends, from
# /proc over the measured run: where wrk, the workers and PostgreSQL share the cores, cores × 1000 /
# (worker ms + pg ms) is the most req/s a case can reach, whatever the load generator costs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

NS=${NS:-100}
MODELS=${MODELS:-200}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
CONNECTIONS=${CONNECTIONS:-16}
THREADS=${THREADS:-2}
SCRATCH=${SCRATCH:-.build-bench}
BASE=${BASE:-}
CASES=${CASES:-model field field-glob text any lookup common}

BACKENDS=("$@")
[ ${#BACKENDS[@]} -gt 0 ] || BACKENDS=(sqlite postgres)
for b in "${BACKENDS[@]}"; do
    case "$b" in sqlite | postgres) ;; *) echo "unknown backend: $b (sqlite, postgres)" >&2; exit 2 ;; esac
done

bench_tools
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 (the command-line shell) is needed to seed" >&2; exit 2; }

SWIFT_ARGS=(-c release --scratch-path "$SCRATCH")
if [ -n "${BIN_DIR:-}" ]; then
    BIN=$(cd "$BIN_DIR" && pwd -P)
else
    if [ "${SKIP_BUILD:-0}" != 1 ]; then
        echo "== swift build ${SWIFT_ARGS[*]}" >&2
        swift build "${SWIFT_ARGS[@]}" >&2
    fi
    BIN=$(swift build "${SWIFT_ARGS[@]}" --show-bin-path)
fi
if [ -n "$BASE" ]; then
    BASE=$(cd "$BASE" && pwd -P)
    if [ ! -x "$BASE/pyrmute-registry" ] || [ ! -x "$BASE/pyrmute-registry-worker" ]; then
        echo "no build in $BASE" >&2
        exit 2
    fi
fi

bench_workdir pyrmute-discovery-bench

FAILED=0
FMT="%-9s %-11s %-5s %9s %9s %9s %8s %8s %9s %9s %9s\n"

# The JSON Schema of every version; @N, @M and @V become its namespace, model and version.
# shellcheck disable=SC2016  # JSON, not shell: `$schema` and `$id` are keywords
TEMPLATE='{"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": "https://schemas.example.com/@N/@M/@V.json", "title": "@N @M", "description": "A @M record as published by the @N service (schema @V).", "type": "object", "properties": {"id": {"type": "string", "format": "uuid", "description": "Stable identifier assigned at creation."}, "@M_ref": {"type": "string", "description": "Reference of the @M."}, "amount": {"type": "number", "minimum": 0, "description": "Total in minor currency units."}, "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "ISO 4217 currency code."}, "customer": {"type": "object", "properties": {"customer_id": {"type": "string"}, "email": {"type": "string", "format": "email"}}}, "lines": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1}}}}}, "required": ["id", "amount"]}'

# seed_sql BACKEND: the INSERT statements on stdout.
seed_sql() {
    local backend=$1 n per=$((MODELS * 5))
    [ "$backend" = sqlite ] && echo "BEGIN;"
    for ((n = 0; n < NS; n++)); do
        if [ "$backend" = sqlite ]; then
            cat <<SQL
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < $((per - 1)))
INSERT INTO schemas (namespace, model_name, version, json_schema, avro_schema, registered_at, registered_by, meta,
                     deprecated, version_major, version_minor, version_patch)
SELECT printf('ns%03d', $n), printf('model%04d', i / 5), '1.' || (i % 5) || '.0',
       replace(replace(replace('$TEMPLATE', '@N', printf('ns%03d', $n)), '@M', printf('model%04d', i / 5)), '@V', '1.' || (i % 5) || '.0'),
       NULL, '2024-01-15 10:30:00.000000', 'bench', '{}', 0, 1, i % 5, 0 FROM k;
SQL
        else
            cat <<SQL
INSERT INTO schemas (namespace, model_name, version, json_schema, avro_schema, registered_at, registered_by, meta,
                     deprecated, version_major, version_minor, version_patch)
SELECT 'ns' || lpad('$n', 3, '0'), 'model' || lpad((i / 5)::text, 4, '0'), '1.' || (i % 5) || '.0',
       replace(replace(replace('$TEMPLATE', '@N', 'ns' || lpad('$n', 3, '0')), '@M', 'model' || lpad((i / 5)::text, 4, '0')),
               '@V', '1.' || (i % 5) || '.0')::json,
       NULL, TIMESTAMPTZ '2024-01-15 10:30:00+00', 'bench', '{}'::json, false, 1, i % 5, 0
FROM generate_series(0, $((per - 1))) AS i;
SQL
        fi
    done
    [ "$backend" = sqlite ] && echo "COMMIT;"
    return 0
}

# seed BACKEND URL FILE BUILD LABEL: the rows by SQL, then BUILD's init-db indexes them (timed).
seed() {
    local backend=$1 url=$2 file=$3 bin=$4 label=$5
    (cd "$WORK" && PYRMUTE_REGISTRY_DATABASE_URL="$url" "$bin/pyrmute-registry" init-db >/dev/null)
    [ -f "$WORK/seed-$backend.sql" ] || seed_sql "$backend" >"$WORK/seed-$backend.sql"
    if [ "$backend" = sqlite ]; then
        sqlite3 "$file" <"$WORK/seed-$backend.sql" >/dev/null
    else
        psql -X -q -v ON_ERROR_STOP=1 "$url" -f "$WORK/seed-$backend.sql" >/dev/null
    fi
    # The rows are indexed by the next start's backfill: timed here, by init-db.
    local started elapsed
    started=$(date +%s.%N)
    (cd "$WORK" && PYRMUTE_REGISTRY_DATABASE_URL="$url" "$bin/pyrmute-registry" init-db >/dev/null)
    elapsed=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    # VACUUM on PostgreSQL: the all-visible pages that autovacuum leaves soon after a bulk insert,
    # which index-only scans need.
    if [ "$backend" = sqlite ]; then sqlite3 "$file" "ANALYZE" >/dev/null; else psql -X -q "$url" -c "VACUUM ANALYZE" >/dev/null; fi
    note "$backend ($label): $((NS * MODELS * 5)) versions seeded; indexing them (fingerprints, search terms) at start took ${elapsed} s"
}

# start_server BACKEND DATABASE_URL BUILD_DIR LABEL: sets PORT_<LABEL> and SERVER_<LABEL>.
start_server() {
    local backend=$1 url=$2 bin=$3 label=$4
    if ! serve_registry "$WORK/$backend-$label" "$bin" "$url" 2 PYRMUTE_REGISTRY_RESPONSE_CACHE_MB=0; then
        FAILED=1
        return 1
    fi
    printf -v "PORT_$label" '%s' "$PORT"
    printf -v "SERVER_$label" '%s' "$SERVER_PID"
}

# load BACKEND CASE LABEL PORT PATH [LUA]
load() {
    local backend=$1 name=$2 label=$3 port=$4 path=$5 script=${6:-} out url total
    out="$WORK/wrk-$backend-$name-$label.txt"
    url="http://127.0.0.1:$port$path"
    local args=(-t"$THREADS" -c"$CONNECTIONS")
    [ -n "$script" ] && args+=(-s "$script")
    if [ -n "$script" ]; then
        total=$(curl -sf --max-time 60 -X POST -H 'Content-Type: application/json' --data-binary @"$WORK/lookup.json" "$url" |
            python3 -c 'import json,sys; print(len(json.load(sys.stdin)["matches"]))' 2>/dev/null) || total="?"
    else
        total=$(curl -sf --max-time 60 "$url" | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])' 2>/dev/null) || total="?"
    fi
    if [ "$WARMUP" -gt 0 ]; then run_wrk $((WARMUP + 60)) /dev/null "${args[@]}" -d"${WARMUP}s" "$url" || true; fi
    # CPU per request of the server's workers and of its PostgreSQL backends (by their database's
    # name): on a machine whose cores wrk, the workers and PostgreSQL share, their sum bounds req/s.
    local server_var="SERVER_$label" workers backends=() workers_before backends_before requests
    workers=$(pgrep -P "${!server_var}" | tr '\n' ' ')
    [ "$backend" = postgres ] && mapfile -t backends < <(pgrep -f "postgres: .* discovery_$label ")
    # shellcheck disable=SC2086  # one pid per word
    workers_before=$(cpu_ticks $workers)
    backends_before=$(cpu_ticks "${backends[@]}")
    if ! run_wrk $((DURATION + 60)) "$out" "${args[@]}" -d"${DURATION}s" --timeout 5s --latency "$url"; then
        echo "wrk failed for $backend $name:" >&2; cat "$out" >&2
        row "$backend" "$name" "$label" "FAILED" "-" "-" "-" "-" "$total" "-" "-"; FAILED=1; return
    fi
    requests=$(awk '/requests in/ { print $1 }' "$out")
    local worker_ms pg_ms="-"
    # shellcheck disable=SC2086
    worker_ms=$(ms_per_request "$workers_before" "$(cpu_ticks $workers)" "$requests")
    [ "$backend" = postgres ] && pg_ms=$(ms_per_request "$backends_before" "$(cpu_ticks "${backends[@]}")" "$requests")
    local rps p50 p99 non2xx sockerr
    read_wrk "$out"
    row "$backend" "$name" "$label" "${rps:-?}" "$(to_ms "${p50:-?}")" "$(to_ms "${p99:-?}")" "${non2xx:-0}" "${sockerr:-0}" "$total" \
        "$worker_ms" "$pg_ms"
    if [ "${non2xx:-0}" -ne 0 ] || [ "${sockerr:-0}" -ne 0 ]; then FAILED=1; fi
}

# The JSON Schema of ns042/model0042@1.2.0, keys reordered and `minimum: 0` written 0.0.
python3 - "$TEMPLATE" >"$WORK/lookup.json" <<'PY'
import json, sys
schema = json.loads(sys.argv[1].replace("@N", "ns042").replace("@M", "model0042").replace("@V", "1.2.0"))
schema["properties"]["amount"]["minimum"] = 0.0
print(json.dumps({"json_schema": dict(reversed(list(schema.items())))}).replace('"minimum": 0.0', '"minimum": 0.00'))
PY
cat >"$WORK/lookup.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$WORK/lookup.json", "r")
wrk.body = f:read("*a")
f:close()
LUA

# shellcheck disable=SC2059
HEADER=$(printf "$FMT" "backend" "case" "build" "req/s" "p50 ms" "p99 ms" "non-2xx" "sockerr" "results" "worker ms" "pg ms")
{
    echo "# pyrmute-registry discovery bench $(date -u +%Y-%m-%dT%H:%M:%SZ) rev $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)"
    echo "# $((NS * MODELS * 5)) versions; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency (warm-up ${WARMUP}s), $(nproc) cores,"
    echo "# 2 workers, RESPONSE_CACHE_MB=0; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    [ -z "$BASE" ] || echo "# build: new = $BIN, base = $BASE (alternating: base first in odd cases, new first in even ones)"
} | tee "$WORK/header.txt"
echo "$HEADER"

for backend in "${BACKENDS[@]}"; do
    file="$WORK/discovery-$backend"   # SQLite: one file per build, "$file-<label>.db"
    if [ "$backend" = postgres ]; then
        PG_DIR="$WORK/pg"
        pg_port=$(free_port)
        if ! "$ROOT/scripts/pg-cluster.sh" start "$PG_DIR" "$pg_port" >/dev/null; then
            row postgres "(cluster)" "-" "FAILED" "-" "-" "-" "-" "-" "-" "-"; FAILED=1; PG_DIR=""; continue
        fi
    fi
    LABELS=(new)
    [ -z "$BASE" ] || LABELS=(base new)
    for label in "${LABELS[@]}"; do
        bin=$BIN
        [ "$label" = base ] && bin=$BASE
        # Each build indexes its own copy of the rows: the index's tables may differ between builds.
        if [ "$backend" = sqlite ]; then
            url="sqlite:///$file-$label.db"
        else
            url=$("$ROOT/scripts/pg-cluster.sh" createdb "$PG_DIR" "$pg_port" "discovery_$label")
        fi
        seed "$backend" "$url" "$file-$label.db" "$bin" "$label"
        start_server "$backend" "$url" "$bin" "$label" || continue 2
    done
    n=0
    for name in $CASES; do
        case "$name" in
            model) path="/search?q=model0042&kind=model" ;;
            field) path="/search?q=model0042_ref&kind=field" ;;
            field-glob) path="/search?q=mod*0042_r*&kind=field" ;;
            text) path="/search?q=ns042+service&kind=text" ;;
            any) path="/search?q=model0042" ;;
            lookup) path="/schemas/lookup" ;;
            common) path="/search?q=currency&kind=field" ;;
            *) echo "unknown case: $name" >&2; exit 2 ;;
        esac
        script=""
        [ "$name" = lookup ] && script="$WORK/lookup.lua"
        order=("${LABELS[@]}")
        if [ $((n % 2)) -eq 1 ] && [ ${#LABELS[@]} -eq 2 ]; then order=(new base); fi
        n=$((n + 1))
        for label in "${order[@]}"; do
            port_var="PORT_$label"
            load "$backend" "$name" "$label" "${!port_var}" "$path" "$script"
        done
    done
    for label in "${LABELS[@]}"; do
        server_var="SERVER_$label"
        note "$backend ($label): workers' RSS after the cases: $(tree_rss_mib "$(pgrep -P "${!server_var}" | tr '\n' ' ')") MiB"
        stop_server "${!server_var}" "$backend $label" "$WORK/$backend-$label/server.log"
    done
    PIDS=()
done

mkdir -p "$ROOT/bench/results"
{
    cat "$WORK/header.txt"
    for n in "${NOTES[@]}"; do echo "$n"; done
    echo "$HEADER"
    for r in "${RESULTS[@]}"; do echo "$r"; done
} >"$ROOT/bench/results/discovery-latest.txt"
echo "table: bench/results/discovery-latest.txt"
exit $FAILED
