#!/usr/bin/env bash
# The benchmark table: every main endpoint, without and with authentication, on SQLite and
# PostgreSQL, with 1, 2 and 4 workers, beside the bare-NIO hello world (the ceiling) with as many
# processes. One run, one machine, loaded by wrk on 127.0.0.1.
#
#   bench/table.sh
#
# Cases per server: /health/live, GET one version, GET latest, GET /schemas (a page of 100 of the
# 200 seeded models), POST register (always a new version). Columns: requests/s, p50/p99 latency,
# RSS per worker after the case (MiB), time from `serve` to every worker serving (s), errors.
#
# Environment: DURATION (seconds per case, default 5), WARMUP (default 1), CONNECTIONS (default 64),
# THREADS (wrk threads, default 2), WORKER_COUNTS (default "1 2 4"), BACKENDS (default
# "sqlite postgres"), AUTHS (default "off on"), SCRATCH (default .build-bench), SKIP_BUILD=1,
# BASELINE_BIN=DIR (every server case is also run, just before this build's, with the binaries in
# DIR, e.g. an older revision's release build, as server "<backend>-base": before/after pairs from
# one run), RATE_LIMITS (default "off"; "off on" adds every server case again with rate limiting
# on at a limit never reached (1,000,000 a minute), as server "<name>-rl": what limiting costs),
# COLD_READS=0 (skip the cold-read rows: bench/coldreads.sh over 100,000 versions).
# Prints the table and writes it to bench/results/table-latest.txt, and as Markdown (for
# docs/performance.md, by bench/markdown.py) to bench/results/table-latest.md.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
WORKER_COUNTS=${WORKER_COUNTS:-1 2 4}
BACKENDS=${BACKENDS:-sqlite postgres}
AUTHS=${AUTHS:-off on}
RATE_LIMITS=${RATE_LIMITS:-off}
SCRATCH=${SCRATCH:-.build-bench}
LUA="$ROOT/bench/lua/schemas.lua"
VERSIONS=1.0.0,1.1.0,1.2.0,2.0.0,2.1.0

bench_tools

SWIFT_ARGS=(-c release --scratch-path "$SCRATCH")
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "== swift build ${SWIFT_ARGS[*]}" >&2
    swift build "${SWIFT_ARGS[@]}" >&2
fi
BIN=$(swift build "${SWIFT_ARGS[@]}" --show-bin-path)

bench_workdir pyrmute-table
python3 "$ROOT/bench/seed.py" template >"$WORK/write-schema.json"

FMT="%-16s %3s %-4s %-16s %9s %8s %8s %8s %7s %6s\n"
RESULTS_FILE="$WORK/results.txt"
{
    echo "# pyrmute-registry benchmark table $(date -u +%Y-%m-%dT%H:%M:%SZ) rev $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)"
    echo "# wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency (warm-up ${WARMUP}s), $(nproc) cores; seeded 20 namespaces × 10 models × 5 versions"
    # shellcheck disable=SC2059
    printf "$FMT" server wkr auth case "req/s" "p50 ms" "p99 ms" "MiB/wkr" "ready s" errors
} | tee "$RESULTS_FILE"

# measure NAME WORKERS AUTH CASE PORT URL-PATH [LUA-ARGS...]: one wrk run and its row.
WRK_EXTRA=()
PROCESSES=()
measure() {
    local server=$1 workers=$2 auth=$3 name=$4 port=$5 path=$6 out lua=()
    shift 6
    [ $# -gt 0 ] && lua=(-s "$LUA" "http://127.0.0.1:$port" -- "$@")
    local target=("http://127.0.0.1:$port$path")
    [ ${#lua[@]} -gt 0 ] && target=("${lua[@]}")
    out="$WORK/wrk.txt"
    if [ "$WARMUP" -gt 0 ]; then
        # The register case's warm-up registers under another phase, so the run's versions are new.
        run_wrk $((WARMUP + 30)) /dev/null -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "${WRK_EXTRA[@]}" "${target[@]/#run/warm}" || true
    fi
    run_wrk $((DURATION + 60)) "$out" -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency "${WRK_EXTRA[@]}" "${target[@]}" || true
    local rps p50 p99 non2xx sockerr per_worker
    read_wrk "$out"
    per_worker=$(ps -o rss= -p "$(IFS=,; echo "${PROCESSES[*]}")" | awk '{ s += $1; n++ } END { if (n) printf "%.1f", s / n / 1024 }')
    # shellcheck disable=SC2059
    printf "$FMT" "$server" "$workers" "$auth" "$name" "${rps:-?}" "$(to_ms "${p50:-?}")" "$(to_ms "${p99:-?}")" \
        "${per_worker:-?}" "$READY_SECONDS" $(( ${non2xx:-0} + ${sockerr:-0} )) | tee -a "$RESULTS_FILE"
}

# The ceiling: N bare SwiftNIO hello-world processes on one SO_REUSEPORT port.
run_ceiling() {
    local workers=$1 port i
    port=$(free_port)
    PROCESSES=()
    for i in $(seq 1 "$workers"); do
        "$BIN/bench-nio-hello" --port "$port" >"$WORK/nio-$i.log" 2>&1 &
        PROCESSES+=("$!")
    done
    PIDS=("${PROCESSES[@]}")
    local started
    started=$(date +%s.%N)
    wait_ready "$port" / "${PROCESSES[@]}"
    READY_SECONDS=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    WRK_EXTRA=()
    measure nio-hello "$workers" - "GET /" "$port" /
    stop_pids "${PROCESSES[@]}"
    PIDS=()
}

# run_server NAME BIN-DIR DATABASE_URL WORKERS AUTH RATE-LIMIT
run_server() {
    local backend=$1 bin=$2 dburl=$3 workers=$4 auth=$5 limited=false port sport pid dir key="" enable=false
    [ "$6" = on ] && limited=true
    port=$(free_port)
    sport=$(free_port)
    while [ "$sport" = "$port" ]; do sport=$(free_port); done
    dir="$WORK/$backend-$workers-$auth"
    mkdir -p "$dir"
    if [ "$auth" = on ]; then
        enable=true
        key=$(BIN="$bin" admin_key "$dir" "$dburl" bench)
    fi
    local started
    started=$(date +%s.%N)
    (
        cd "$dir"
        exec env PYRMUTE_REGISTRY_DATABASE_URL="$dburl" PYRMUTE_REGISTRY_ENABLE_AUTH="$enable" \
            PYRMUTE_REGISTRY_RATE_LIMIT_ENABLED="$limited" PYRMUTE_REGISTRY_RATE_LIMIT_PER_MINUTE=1000000 \
            PYRMUTE_REGISTRY_SUPERVISOR_PORT="$sport" PYRMUTE_REGISTRY_ENABLE_REQUEST_LOGGING=false \
            "$bin/pyrmute-registry" serve --host 127.0.0.1 --port "$port" --workers "$workers"
    ) >"$dir/server.log" 2>&1 &
    pid=$!
    PIDS=("$pid")
    for _ in $(seq 1 600); do
        curl -sf --max-time 1 "http://127.0.0.1:$sport/" 2>/dev/null | grep -q "\"workers_running\":$workers," && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.01
    done
    READY_SECONDS=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    if ! wait_ready "$port" /health/live "$pid"; then
        echo "pyrmute-registry ($backend, $workers workers, auth $auth) did not start:" >&2
        tail -n 30 "$dir/server.log" >&2
        return 1
    fi
    mapfile -t PROCESSES < <(curl -sf "http://127.0.0.1:$sport/" | python3 -c \
        'import json, sys; print("\n".join(str(s["pid"]) for s in json.load(sys.stdin)["slots"] if s["pid"]))')

    PYRMUTE_BENCH_KEY="$key" python3 "$ROOT/bench/seed.py" grid "$port" 20 10 "$VERSIONS" >"$dir/seed.out" 2>&1 ||
        { echo "seeding failed:" >&2; cat "$dir/seed.out" >&2; }
    WRK_EXTRA=()
    [ -n "$key" ] && WRK_EXTRA=(-H "X-API-Key: $key")
    measure "$backend" "$workers" "$auth" "/health/live" "$port" /health/live
    measure "$backend" "$workers" "$auth" "GET one version" "$port" / version 20 10 "$VERSIONS"
    measure "$backend" "$workers" "$auth" "GET latest" "$port" / latest 20 10
    measure "$backend" "$workers" "$auth" "GET /schemas" "$port" / list 20 10 100
    measure "$backend" "$workers" "$auth" "POST register" "$port" / register bench-writes "$workers$auth" "$WORK/write-schema.json" run
    WRK_EXTRA=()
    stop_pids "$pid"
    PIDS=()
}

for workers in $WORKER_COUNTS; do run_ceiling "$workers"; done
for backend in $BACKENDS; do
    if [ "$backend" = postgres ]; then
        PG_DIR="$WORK/pg"
        pg_port=$(free_port)
        "$ROOT/scripts/pg-cluster.sh" start "$PG_DIR" "$pg_port" >/dev/null
    fi
    builds=("$backend=$BIN")
    [ -n "${BASELINE_BIN:-}" ] && builds=("$backend-base=$BASELINE_BIN" "${builds[@]}")
    for workers in $WORKER_COUNTS; do
        for auth in $AUTHS; do
            for build in "${builds[@]}"; do
                for limited in $RATE_LIMITS; do
                    name=${build%%=*}
                    [ "$limited" = on ] && name+=-rl
                    if [ "$backend" = postgres ]; then
                        url=$("$ROOT/scripts/pg-cluster.sh" createdb "$PG_DIR" "$pg_port" "table_${workers}_${auth}_${name//-/_}")
                    else
                        url="sqlite:///$WORK/$name-$workers-$auth.db"
                    fi
                    run_server "$name" "${build#*=}" "$url" "$workers" "$auth" "$limited" || true
                done
            done
        done
    done
done

# Cold reads: random versions of 100,000 with a response cache smaller than the data set, beside
# one hot version of the same data (bench/coldreads.sh, SQLite, 2 workers).
if [ "${COLD_READS:-1}" = 1 ]; then
    DURATION=$DURATION CONNECTIONS=$CONNECTIONS THREADS=$THREADS "$ROOT/bench/coldreads.sh" "$BIN" 2>&1 |
        sed 's/^/# /; s/^# #/#/' | tee -a "$RESULTS_FILE" || true
fi

mkdir -p "$ROOT/bench/results"
cp "$RESULTS_FILE" "$ROOT/bench/results/table-latest.txt"
python3 "$ROOT/bench/markdown.py" "$RESULTS_FILE" >"$ROOT/bench/results/table-latest.md"
echo "(written to bench/results/table-latest.txt and, as Markdown, table-latest.md)"
