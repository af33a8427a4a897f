#!/usr/bin/env bash
# Memory of the process tree as a container pays it (issue 15): RSS, PSS (shared pages divided
# among the processes that map them) and USS (private pages) of the supervisor and each worker,
# from /proc/PID/smaps_rollup, idle and after load (wrk on one version, latest, a listing page and
# registrations), plus the tree's total PSS. SQLite, 2 workers, the response cache's default budget.
#
#   bench/memory.sh [BIN_DIR]
#
# BIN_DIR holds pyrmute-registry and pyrmute-registry-worker; without it this checkout is built in
# release (SCRATCH, default .build-bench; SKIP_BUILD=1 uses what is there).
# Environment: WORKERS (2), DURATION (seconds of each load, 5), CONNECTIONS (32).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

WORKERS=${WORKERS:-2}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-32}
SCRATCH=${SCRATCH:-.build-bench}

bench_tools
if [ $# -ge 1 ]; then
    BIN=$(cd "$1" && pwd -P)
else
    [ "${SKIP_BUILD:-0}" = 1 ] || swift build -c release --scratch-path "$SCRATCH" >&2
    BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
fi
bench_workdir pyrmute-memory

PORT=$(free_port)
(cd "$WORK" && PYRMUTE_REGISTRY_PORT=$PORT PYRMUTE_REGISTRY_WORKERS=$WORKERS PYRMUTE_REGISTRY_SUPERVISOR_PORT=0 \
    PYRMUTE_REGISTRY_ENABLE_REQUEST_LOGGING=false PYRMUTE_REGISTRY_DATABASE_URL="sqlite:///$WORK/registry.db" \
    exec "$BIN/pyrmute-registry" serve >"$WORK/server.log" 2>&1) &
SERVER=$!
PIDS+=("$SERVER")
wait_ready "$PORT" /health/live "$SERVER" || { tail -20 "$WORK/server.log" >&2; exit 1; }
sleep 1

# kB of one field of smaps_rollup.
field() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/smaps_rollup"; }

report() {
    local label=$1 pid role total=0
    printf '%-8s %-12s %7s %9s %9s %9s\n' "$label" process pid "RSS MiB" "PSS MiB" "USS MiB"
    for pid in "$SERVER" $(pgrep -P "$SERVER" | sort -n); do
        role=worker
        [ "$pid" = "$SERVER" ] && role=supervisor
        local rss pss uss
        rss=$(field "$pid" Rss)
        pss=$(field "$pid" Pss)
        uss=$(( $(field "$pid" Private_Clean) + $(field "$pid" Private_Dirty) ))
        total=$((total + pss))
        awk -v l="$label" -v r="$role" -v p="$pid" -v a="$rss" -v b="$pss" -v c="$uss" \
            'BEGIN { printf "%-8s %-12s %7s %9.1f %9.1f %9.1f\n", l, r, p, a / 1024, b / 1024, c / 1024 }'
    done
    awk -v l="$label" -v t="$total" 'BEGIN { printf "%-8s %-12s %7s %9s %9.1f\n", l, "tree", "-", "-", t / 1024 }'
}

echo "# bench/memory.sh $(date -u +%Y-%m-%dT%H:%M:%SZ): $BIN, $WORKERS workers, SQLite, RESPONSE_CACHE_MB default"
report idle

BASE="http://127.0.0.1:$PORT"
for v in $(seq 0 99); do
    curl -sf -o /dev/null -H 'Content-Type: application/json' \
        -d "{\"version\":\"1.$v.0\",\"json_schema\":{\"type\":\"object\",\"properties\":{\"id\":{\"type\":\"integer\"}}},\"registered_by\":\"bench\"}" \
        "$BASE/schemas/bench/Model/versions"
done
for path in /schemas/bench/Model/versions/1.0.0 /schemas/bench/Model/versions/latest "/schemas?limit=100"; do
    run_wrk $((DURATION + 5)) "$WORK/wrk.txt" -t2 -c"$CONNECTIONS" -d"${DURATION}s" "$BASE$path" || true
done
printf '{"type":"object","properties":{"id":{"type":"integer"}}}' >"$WORK/schema.json"
run_wrk $((DURATION + 5)) "$WORK/wrk.txt" -t2 -c"$CONNECTIONS" -d"${DURATION}s" -s "$ROOT/bench/lua/schemas.lua" \
    "$BASE" -- register load 1 "$WORK/schema.json" a || true
report loaded
