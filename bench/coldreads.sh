#!/usr/bin/env bash
# Cold reads (issue 15): random GETs of one version over 100,000 seeded versions (20 namespaces ×
# 1,000 models × 5 versions, ~1.5 KB JSON Schema each) with a response cache far smaller than the
# data set, beside the same load on one hot version, on SQLite, 2 workers. Prints req/s, p50, p99,
# the cache's hit ratio over the run (/metrics) and the workers' RSS.
#
#   bench/coldreads.sh [BIN_DIR]
#
# BIN_DIR holds pyrmute-registry and pyrmute-registry-worker; without it this checkout is built in
# release (SCRATCH, default .build-bench; SKIP_BUILD=1 uses what is there).
# Environment: CACHE_MB (the response cache per worker, default 8), DURATION (seconds per case,
# 10), CONNECTIONS (64), THREADS (wrk threads, 2).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

CACHE_MB=${CACHE_MB:-8}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
SCRATCH=${SCRATCH:-.build-bench}
NS=20
MODELS=1000
VERSIONS=1.0.0,1.1.0,1.2.0,1.3.0,1.4.0

bench_tools
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 (the command-line shell) is needed to seed" >&2; exit 2; }
if [ $# -ge 1 ]; then
    BIN=$(cd "$1" && pwd -P)
else
    [ "${SKIP_BUILD:-0}" = 1 ] || swift build -c release --scratch-path "$SCRATCH" >&2
    BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
fi
bench_workdir pyrmute-coldreads

DB="$WORK/registry.db"
python3 "$ROOT/bench/seed.py" template >"$WORK/schema.json"
(cd "$WORK" && PYRMUTE_REGISTRY_DATABASE_URL="sqlite:///$DB" "$BIN/pyrmute-registry" init-db >/dev/null)
{
    echo "BEGIN;"
    for ((n = 0; n < NS; n++)); do
        cat <<SQL
WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < $((MODELS * 5 - 1)))
INSERT INTO schemas (namespace, model_name, version, json_schema, avro_schema, registered_at, registered_by, meta,
                     deprecated, version_major, version_minor, version_patch)
SELECT printf('ns%02d', $n), printf('model%02d', i / 5), '1.' || (i % 5) || '.0', '$(cat "$WORK/schema.json")', NULL,
       '2024-01-15 10:30:00.000000', 'bench', '{}', 0, 1, i % 5, 0 FROM k;
SQL
    done
    echo "COMMIT;"
} >"$WORK/seed.sql"
sqlite3 "$DB" <"$WORK/seed.sql" >/dev/null
sqlite3 "$DB" "ANALYZE" >/dev/null
ROWS=$(sqlite3 "$DB" "SELECT count(*) FROM schemas")

PORT=$(free_port)
SUPERVISOR_PORT=$(free_port)
(cd "$WORK" && PYRMUTE_REGISTRY_PORT=$PORT PYRMUTE_REGISTRY_WORKERS=2 PYRMUTE_REGISTRY_SUPERVISOR_PORT=$SUPERVISOR_PORT \
    PYRMUTE_REGISTRY_RESPONSE_CACHE_MB="$CACHE_MB" \
    PYRMUTE_REGISTRY_DATABASE_URL="sqlite:///$DB" exec "$BIN/pyrmute-registry" serve >"$WORK/server.log" 2>&1) &
SERVER=$!
PIDS+=("$SERVER")
wait_ready "$PORT" /health/live "$SERVER" || { tail -20 "$WORK/server.log" >&2; exit 1; }

# metric NAME: summed over the workers by the supervisor (from their heartbeats: wait a beat first).
metric() {
    curl -sf "http://127.0.0.1:$PORT/metrics" | awk -v m="$1" '$1 == m { s += $2 } END { printf "%.0f", s }'
}

echo "# bench/coldreads.sh $(date -u +%Y-%m-%dT%H:%M:%SZ): $BIN, SQLite, $ROWS versions, 2 workers,"
echo "# RESPONSE_CACHE_MB=$CACHE_MB per worker, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s"
printf '%-26s %8s %8s %8s %10s %12s\n' case req/s "p50 ms" "p99 ms" "hit ratio" "workers RSS"
for case in hot cold; do
    sleep 2
    hits0=$(metric pyrmute_response_cache_hits_total)
    misses0=$(metric pyrmute_response_cache_misses_total)
    if [ "$case" = hot ]; then
        run_wrk $((DURATION + 10)) "$WORK/wrk.txt" -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
            "http://127.0.0.1:$PORT/schemas/ns00/model00/versions/1.0.0" || true
        label="hot (one version)"
    else
        run_wrk $((DURATION + 10)) "$WORK/wrk.txt" -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency \
            -s "$ROOT/bench/lua/schemas.lua" "http://127.0.0.1:$PORT" -- version "$NS" "$MODELS" "$VERSIONS" || true
        label="cold (random of $ROWS)"
    fi
    sleep 2
    # shellcheck disable=SC2034  # read_wrk sets them all
    rps="" p50="" p99="" non2xx="" sockerr=""
    read_wrk "$WORK/wrk.txt"
    hits=$(($(metric pyrmute_response_cache_hits_total) - hits0))
    misses=$(($(metric pyrmute_response_cache_misses_total) - misses0))
    ratio=$(awk -v h="$hits" -v m="$misses" 'BEGIN { if (h + m > 0) printf "%.3f", h / (h + m); else print "-" }')
    rss=$(tree_rss_mib "$(pgrep -P "$SERVER" | tr '\n' ' ')")
    printf '%-26s %8s %8s %8s %10s %10s MiB\n' "$label" "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" "$ratio" "$rss"
    [ -z "$non2xx" ] || echo "#   non-2xx answers: $non2xx"
done
echo "# response cache: $(metric pyrmute_response_cache_entries) entries, $(metric pyrmute_response_cache_bytes) bytes (both workers)"
