#!/usr/bin/env bash
# Soak: a mixed load for MINUTES minutes against one server with 2 workers and authentication on
# (90 % reads of seeded versions, 9 % registrations, 1 % key operations; bench/lua/schemas.lua
# "mix"), reported minute by minute so drift shows: requests/s, p50/p99, errors, and the RSS of
# the supervisor and each worker after the minute, then per operation (method and route) from the
# server's own request-duration histogram. Exits 1 on any error or a worker restart.
#
# wrk's p99 includes its coordinated-omission correction: a request that takes n times the mean
# interval of its connection also counts as n requests queued behind it. A key creation (bcrypt,
# ~1 s under this load) so weighs as ~150 slow requests, which no other client of the server sees;
# "read p99" and "reg. p99" (schema reads and registrations, from the server's histogram) show
# the latency of those operations alone, and "probe p99"/"probe max" what a steady client beside
# the load sees (bench/probe.py: 4 connections reading versions, one request at a time).
# "SQLite MiB" is the memory SQLite holds over both workers (page caches, statements), to tell
# its caches from the rest of a worker's RSS.
#
#   bench/soak.sh [sqlite|postgres]          (default sqlite)
#
# Environment: MINUTES (default 10), CONNECTIONS (default 32), THREADS (default 2), CREATE_EVERY
# (one key operation in CREATE_EVERY creates a key, default 100, 0 = none), SCRATCH
# (default .build-bench), SKIP_BUILD=1. Writes bench/results/soak-<backend>-latest.txt.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

BACKEND=${1:-sqlite}
MINUTES=${MINUTES:-10}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
CREATE_EVERY=${CREATE_EVERY:-100}
SCRATCH=${SCRATCH:-.build-bench}
LUA="$ROOT/bench/lua/schemas.lua"
VERSIONS=1.0.0,1.1.0,1.2.0,2.0.0,2.1.0

bench_tools

SWIFT_ARGS=(-c release --scratch-path "$SCRATCH")
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    swift build "${SWIFT_ARGS[@]}" --product pyrmute-registry >&2
    swift build "${SWIFT_ARGS[@]}" --product pyrmute-registry-worker >&2
fi
BIN=$(swift build "${SWIFT_ARGS[@]}" --show-bin-path)

bench_workdir pyrmute-soak
python3 "$ROOT/bench/seed.py" template >"$WORK/write-schema.json"

case "$BACKEND" in
    sqlite) URL="sqlite:///$WORK/soak.db" ;;
    postgres)
        PG_DIR="$WORK/pg"
        pg_port=$(free_port)
        "$ROOT/scripts/pg-cluster.sh" start "$PG_DIR" "$pg_port" >/dev/null
        URL=$("$ROOT/scripts/pg-cluster.sh" createdb "$PG_DIR" "$pg_port" pyrmute_soak) ;;
    *) echo "usage: $0 [sqlite|postgres]" >&2; exit 2 ;;
esac

PORT=$(free_port)
SPORT=$(free_port)
KEY=$(admin_key "$WORK" "$URL" soak)
(
    cd "$WORK"
    exec env PYRMUTE_REGISTRY_DATABASE_URL="$URL" PYRMUTE_REGISTRY_ENABLE_AUTH=true \
        PYRMUTE_REGISTRY_SUPERVISOR_PORT="$SPORT" PYRMUTE_REGISTRY_ENABLE_REQUEST_LOGGING=false \
        "$BIN/pyrmute-registry" serve --host 127.0.0.1 --port "$PORT" --workers 2
) >"$WORK/server.log" 2>&1 &
SERVER=$!
PIDS=("$SERVER")
wait_ready "$PORT" /health/live "$SERVER" || { tail -n 30 "$WORK/server.log" >&2; exit 1; }
PYRMUTE_BENCH_KEY="$KEY" python3 "$ROOT/bench/seed.py" grid "$PORT" 20 10 "$VERSIONS" >&2

liveness() { curl -sf "http://127.0.0.1:$SPORT/"; }
scrape() { curl -sf "http://127.0.0.1:$SPORT/metrics" >"$1"; }
worker_pids() { liveness | python3 -c 'import json, sys; print(" ".join(str(s["pid"]) for s in json.load(sys.stdin)["slots"]))'; }
restarts() { liveness | python3 -c 'import json, sys; print(sum(s["restarts"] for s in json.load(sys.stdin)["slots"]))'; }
# What SQLite holds over all workers (pyrmute_sqlite_memory_bytes), "-" on PostgreSQL.
sqlite_mib() { awk '$1 == "pyrmute_sqlite_memory_bytes" { printf "%.1f", $2 / 1048576; found = 1 } END { if (!found) printf "-" }' "$1"; }
rss_mib() { ps -o rss= -p "$1" | awk '{ printf "%.1f", $1 / 1024 }'; }

OUT="$WORK/soak.txt"
FMT="%6s %9s %8s %8s %10s %10s %10s %10s %7s %10s %10s %s\n"
{
    echo "# pyrmute-registry soak $(date -u +%Y-%m-%dT%H:%M:%SZ) rev $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)"
    echo "# $BACKEND, 2 workers, auth on, wrk -t$THREADS -c$CONNECTIONS, mix: 90 % reads, 9 % registrations, 1 % key operations (1 in $CREATE_EVERY creates a key)"
    # shellcheck disable=SC2059
    printf "$FMT" minute "req/s" "p50 ms" "p99 ms" "read p99" "reg. p99" "probe p99" "probe max" errors "super MiB" "SQLite MiB" "worker MiB"
} | tee "$OUT"

FAILED=0
DETAIL="$WORK/soak-routes.txt"
: >"$DETAIL"
scrape "$WORK/metrics-0.txt"
for minute in $(seq 1 "$MINUTES"); do
    PYRMUTE_BENCH_KEY="$KEY" python3 "$ROOT/bench/probe.py" "$PORT" 58 "$VERSIONS" >"$WORK/probe.txt" 2>&1 &
    PROBE_PID=$!
    run_wrk 120 "$WORK/wrk.txt" -t"$THREADS" -c"$CONNECTIONS" -d60s --timeout 5s --latency -H "X-API-Key: $KEY" \
        -s "$LUA" "http://127.0.0.1:$PORT" -- mix 20 10 "$VERSIONS" "m$minute" "$WORK/write-schema.json" "$CREATE_EVERY" || true
    read_wrk "$WORK/wrk.txt"
    errors=$(( ${non2xx:-0} + ${sockerr:-0} ))
    probe_p99="?" probe_max="?"
    if wait "$PROBE_PID"; then
        read -r _ probe_p99 probe_max _ <"$WORK/probe.txt"
    else
        cat "$WORK/probe.txt" >&2
        errors=$((errors + 1))
    fi
    PROBE_PID=""
    workers=""
    for pid in $(worker_pids); do workers+="$(rss_mib "$pid") "; done
    sleep 1.5   # workers report their counts with the heartbeat (~1 s): let the minute's last ones in
    scrape "$WORK/metrics-$minute.txt"
    span=("$WORK/metrics-$((minute - 1)).txt" "$WORK/metrics-$minute.txt")
    read -r read_p99 register_p99 < <(python3 "$ROOT/bench/routes.py" --p99 "GET /schemas" "POST /schemas" "${span[@]}")
    # shellcheck disable=SC2059
    printf "$FMT" "$minute" "${rps:-?}" "$(to_ms "${p50:-?}")" "$(to_ms "${p99:-?}")" \
        "$read_p99" "$register_p99" "$probe_p99" "$probe_max" "$errors" "$(rss_mib "$SERVER")" "$(sqlite_mib "$WORK/metrics-$minute.txt")" "$workers" | tee -a "$OUT"
    [ "$errors" -eq 0 ] || FAILED=1
    { echo "# minute $minute"; python3 "$ROOT/bench/routes.py" "${span[@]}"; } >>"$DETAIL"
done
{
    echo "# per operation over the whole run, from the server's request-duration histogram (bench/routes.py):"
    python3 "$ROOT/bench/routes.py" "$WORK/metrics-0.txt" "$WORK/metrics-$MINUTES.txt"
} | tee -a "$OUT"
r=$(restarts)
echo "# worker restarts: $r" | tee -a "$OUT"
[ "$r" -eq 0 ] || FAILED=1

mkdir -p "$ROOT/bench/results"
cp "$OUT" "$ROOT/bench/results/soak-$BACKEND-latest.txt"
cp "$DETAIL" "$ROOT/bench/results/soak-$BACKEND-routes-latest.txt"
echo "(written to bench/results/soak-$BACKEND-latest.txt, per minute and operation in soak-$BACKEND-routes-latest.txt)"
exit $FAILED
