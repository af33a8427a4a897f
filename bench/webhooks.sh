#!/usr/bin/env bash
# Webhook delivery under the registration benchmark (issue 17): bench/webhooks.py against
# pyrmute-registry on SQLite and on PostgreSQL, 2 workers, authentication off,
# WEBHOOK_ALLOW_PRIVATE=true (the receiver is on loopback), a fresh database per run. Each run
# registers REGISTRATIONS schemas from CLIENTS threads with no webhook, then (on another fresh
# database) with WEBHOOKS active webhooks (`*`) to one receiver, and prints:
#   * registrations per second, with no webhook and with WEBHOOKS of them;
#   * latency from commit to receipt (an event's `occurred_at`, taken in the writing transaction
#     just before its commit, to its arrival at the receiver): p50, p99, max; and how many arrived.
#
#   bench/webhooks.sh [sqlite] [postgres]      (default: both)
#
# Environment: SCRATCH (swift --scratch-path, default .build-bench), SKIP_BUILD=1, BIN (a folder
# with pyrmute-registry and pyrmute-registry-worker instead of this checkout's release build),
# BASE_BIN (an older build's folder: every run is repeated with it, alternating, for a
# before/after), ROUNDS (default 1), REGISTRATIONS (400), CLIENTS (8), WEBHOOKS (3).
# Prints a table and writes it to bench/results/webhooks-latest.txt.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

SCRATCH=${SCRATCH:-.build-bench}
BASE_BIN=${BASE_BIN:-}
ROUNDS=${ROUNDS:-1}
REGISTRATIONS=${REGISTRATIONS:-400}
CLIENTS=${CLIENTS:-8}
WEBHOOKS=${WEBHOOKS:-3}

BACKENDS=("$@")
[ ${#BACKENDS[@]} -gt 0 ] || BACKENDS=(sqlite postgres)
for b in "${BACKENDS[@]}"; do
    case "$b" in sqlite | postgres) ;; *) echo "unknown backend: $b (sqlite, postgres)" >&2; exit 2 ;; esac
done
if [ -n "$BASE_BIN" ] && [ ! -x "$BASE_BIN/pyrmute-registry" ]; then
    echo "BASE_BIN=$BASE_BIN has no pyrmute-registry" >&2; exit 2
fi

bench_tools
if [ -z "${BIN:-}" ]; then
    SWIFT_ARGS=(-c release --scratch-path "$SCRATCH")
    if [ "${SKIP_BUILD:-0}" != 1 ]; then
        echo "== swift build ${SWIFT_ARGS[*]}" >&2
        swift build "${SWIFT_ARGS[@]}" >&2
    fi
    BIN=$(swift build "${SWIFT_ARGS[@]}" --show-bin-path)
fi

bench_workdir pyrmute-webhooks-bench
FAILED=0
FMT="%-9s %-5s %-9s %10s %9s %9s %9s %12s\n"
# shellcheck disable=SC2059  # FMT is the table's format
HEADER=$(printf "$FMT" backend build webhooks "regs/s" "p50 ms" "p99 ms" "max ms" delivered)

start_server() {
    serve_registry "$WORK/$2" "$1" "$3" 2 PYRMUTE_REGISTRY_WEBHOOK_ALLOW_PRIVATE=true || { FAILED=1; return 1; }
}

RUN=0
# fresh_url BACKEND: a new empty database's URL (run number RUN).
fresh_url() {
    if [ "$1" = sqlite ]; then
        echo "sqlite:///$WORK/run-$RUN.db"
    else
        "$ROOT/scripts/pg-cluster.sh" createdb "$PG_DIR" "$pg_port" "webhooks_$RUN"
    fi
}

# measure BACKEND BUILD BIN HOOKS: one run of bench/webhooks.py on a fresh database.
measure() {
    local backend=$1 build=$2 bin=$3 hooks=$4 url out regs p50 p99 max delivered
    RUN=$((RUN + 1))
    url=$(fresh_url "$backend")
    start_server "$bin" "$backend" "$url" || { row "$backend" "$build" "$hooks" FAILED - - - -; return 0; }
    out="$WORK/run-$RUN.txt"
    if ! timeout 600 python3 "$ROOT/bench/webhooks.py" "http://127.0.0.1:$PORT" --webhooks "$hooks" \
        --registrations "$REGISTRATIONS" --clients "$CLIENTS" >"$out" 2>&1; then
        echo "webhooks.py failed ($backend $build $hooks):" >&2; cat "$out" >&2; FAILED=1
    fi
    stop_server "$SERVER_PID" "$backend" "$WORK/$backend/server.log"
    PIDS=()
    regs=$(sed -n 's/^registrations: .* = \([0-9.]*\)\/s.*/\1/p' "$out")
    p50=$(sed -n 's/.* p50 \([0-9]*\) ms.*/\1/p' "$out")
    p99=$(sed -n 's/.* p99 \([0-9]*\) ms.*/\1/p' "$out")
    max=$(sed -n 's/.* max \([0-9]*\) ms.*/\1/p' "$out")
    delivered=$(sed -n 's/^deliveries: \([0-9]*\/[0-9]*\);.*/\1/p' "$out")
    row "$backend" "$build" "$hooks" "${regs:-?}" "${p50:--}" "${p99:--}" "${max:--}" "${delivered:--}"
    [ "$backend" = sqlite ] && rm -f "$WORK/run-$RUN.db" "$WORK/run-$RUN.db-wal" "$WORK/run-$RUN.db-shm"
    return 0
}

{
    echo "# bench/webhooks.sh: $REGISTRATIONS registrations from $CLIENTS clients, 0 vs $WEBHOOKS webhooks, 2 workers, $ROUNDS round(s)"
    echo "# build: new = $BIN${BASE_BIN:+, base = $BASE_BIN}; $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$WORK/header.txt"
echo "$HEADER"

for backend in "${BACKENDS[@]}"; do
    if [ "$backend" = postgres ]; then
        PG_DIR="$WORK/pg"
        pg_port=$(free_port)
        if ! "$ROOT/scripts/pg-cluster.sh" start "$PG_DIR" "$pg_port" >/dev/null; then
            row postgres - - "(cluster did not start)" - - - -; FAILED=1; PG_DIR=""; continue
        fi
    fi
    for _ in $(seq 1 "$ROUNDS"); do
        for hooks in 0 "$WEBHOOKS"; do
            [ -n "$BASE_BIN" ] && measure "$backend" base "$BASE_BIN" "$hooks"
            measure "$backend" new "$BIN" "$hooks"
        done
    done
    if [ "$backend" = postgres ]; then
        "$ROOT/scripts/pg-cluster.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
        PG_DIR=""
    fi
done

mkdir -p "$ROOT/bench/results"
{
    cat "$WORK/header.txt"
    echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "$HEADER"
    printf '%s\n' "${RESULTS[@]}"
} >"$ROOT/bench/results/webhooks-latest.txt"
echo "# load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$FAILED"
