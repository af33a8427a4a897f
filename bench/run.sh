#!/usr/bin/env bash
# HTTP throughput/latency benchmark: pyrmute-registry (SQLite and PostgreSQL) against a bare
# SwiftNIO hello-world (the ceiling), each with 2 workers on SO_REUSEPORT sockets, loaded by wrk
# on 127.0.0.1 only.
#
#   bench/run.sh [CASE-PREFIX...]     e.g. bench/run.sh nio-hello registry-sqlite
#
# Environment: DURATION (seconds per case, default 10), WARMUP (seconds, default 2),
# CONNECTIONS (default 64), THREADS (wrk threads, default 2), SCRATCH (swift --scratch-path),
# SKIP_BUILD=1 (use the binaries already built).
# Prints a table and writes it to bench/results/latest.txt.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
SCRATCH=${SCRATCH:-}

bench_tools

# "(bad key)" loads with a wrong key; other -auth cases with a valid admin key.
ONE=/schemas/bench/Model/versions/1.0.0
ALL_CASES=(
    "nio-hello /"
    "registry-sqlite /health/live"
    "registry-sqlite /"
    "registry-sqlite /health"
    "registry-sqlite $ONE"
    "registry-sqlite-auth $ONE"
    "registry-sqlite-auth $ONE (bad key)"
    "registry-postgres /health/live"
    "registry-postgres /"
    "registry-postgres /health"
    "registry-postgres $ONE"
    "registry-postgres-auth $ONE"
    "registry-postgres-auth $ONE (bad key)"
)
CASES=()
for c in "${ALL_CASES[@]}"; do
    if [ $# -eq 0 ]; then CASES+=("$c"); continue; fi
    for want in "$@"; do
        if [[ "$c" == "$want"* ]]; then CASES+=("$c"); break; fi
    done
done
[ ${#CASES[@]} -gt 0 ] || { echo "no case matches: $*" >&2; exit 2; }
wants() { local c; for c in "${CASES[@]}"; do [[ "$c" == "$1"* ]] && return 0; done; return 1; }

# ---- build --------------------------------------------------------------------------------
SWIFT_ARGS=(-c release)
[ -n "$SCRATCH" ] && SWIFT_ARGS+=(--scratch-path "$SCRATCH")
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    if [ $# -eq 0 ]; then
        echo "== swift build ${SWIFT_ARGS[*]}" >&2
        swift build "${SWIFT_ARGS[@]}" >&2
    else
        wants nio-hello && swift build "${SWIFT_ARGS[@]}" --product bench-nio-hello >&2
        if wants registry; then
            swift build "${SWIFT_ARGS[@]}" --product pyrmute-registry >&2
            swift build "${SWIFT_ARGS[@]}" --product pyrmute-registry-worker >&2
        fi
    fi
fi
BIN=$(swift build "${SWIFT_ARGS[@]}" --show-bin-path)

# ---- process bookkeeping --------------------------------------------------------------------
bench_workdir pyrmute-bench

# ---- measuring -----------------------------------------------------------------------------
FAILED=0
FMT="%-32s %12s %10s %10s %9s %10s\n"


# load NAME PORT PATH PIDS... (extra wrk arguments, e.g. headers, in WRK_EXTRA)
WRK_EXTRA=()
load() {
    local name=$1 port=$2 path=$3 out
    shift 3
    out="$WORK/wrk-${name//[^A-Za-z0-9]/_}.txt"
    local url="http://127.0.0.1:$port$path"
    if [ "$WARMUP" -gt 0 ]; then
        run_wrk $((WARMUP + 30)) /dev/null -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "${WRK_EXTRA[@]}" "$url" || true
    fi
    if ! run_wrk $((DURATION + 60)) "$out" -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency "${WRK_EXTRA[@]}" "$url"; then
        echo "wrk failed for $name:" >&2; cat "$out" >&2
        row "$name" "FAILED" "-" "-" "-" "-"; FAILED=1; return
    fi
    local rps p50 p99 errs non2xx sockerr
    read_wrk "$out"
    errs=$(( ${non2xx:-0} + ${sockerr:-0} ))
    [[ "$name" == *"(bad key)" ]] && errs=${sockerr:-0}   # 401s are the point there
    row "$name" "${rps:-?}" "$(to_ms "${p50:-?}")" "$(to_ms "${p99:-?}")" "$(tree_rss_mib "$@")" "$errs"
    [ "$errs" -eq 0 ] || FAILED=1
}

# ---- cases ---------------------------------------------------------------------------------
# shellcheck disable=SC2059
HEADER=$(printf "$FMT" "case" "req/s" "p50 ms" "p99 ms" "RSS MiB" "errors")
{
    echo "# pyrmute-registry bench $(date -u +%Y-%m-%dT%H:%M:%SZ) rev $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)"
    echo "# wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency (warm-up ${WARMUP}s), $(nproc) cores, 2 workers per server"
    echo "$HEADER"
} | tee "$WORK/header.txt"

run_nio() {
    local port p1 p2
    port=$(free_port)
    "$BIN/bench-nio-hello" --port "$port" >"$WORK/nio-1.log" 2>&1 & p1=$!
    "$BIN/bench-nio-hello" --port "$port" >"$WORK/nio-2.log" 2>&1 & p2=$!
    PIDS+=("$p1" "$p2")
    if ! wait_ready "$port" / "$p1" "$p2"; then
        echo "bench-nio-hello did not start:" >&2; cat "$WORK"/nio-*.log >&2
        row "nio-hello /" "FAILED" "-" "-" "-" "-"; FAILED=1
    else
        load "nio-hello /" "$port" / "$p1" "$p2"
    fi
    stop_pids "$p1" "$p2"
    PIDS=()
}

# run_registry BACKEND DATABASE_URL   (BACKEND ending in -auth: authentication on, admin key)
run_registry() {
    local backend=$1 dburl=$2 port sport pid c path auth=false key=""
    port=$(free_port)
    sport=$(free_port)
    while [ "$sport" = "$port" ]; do sport=$(free_port); done
    mkdir -p "$WORK/$backend"
    if [[ "$backend" == *-auth ]]; then
        auth=true
        key=$(admin_key "$WORK/$backend" "$dburl" bench)
    fi
    (
        cd "$WORK/$backend"
        exec env PYRMUTE_REGISTRY_DATABASE_URL="$dburl" \
            PYRMUTE_REGISTRY_ENABLE_AUTH="$auth" \
            PYRMUTE_REGISTRY_SUPERVISOR_PORT="$sport" \
            PYRMUTE_REGISTRY_ENABLE_REQUEST_LOGGING=false \
            "$BIN/pyrmute-registry" serve --host 127.0.0.1 --port "$port" --workers 2
    ) >"$WORK/$backend/server.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    if ! wait_ready "$port" /health/live "$pid"; then
        echo "pyrmute-registry ($backend) did not start:" >&2; tail -n 40 "$WORK/$backend/server.log" >&2
        for c in "${CASES[@]}"; do
            [[ "$c" == "registry-$backend "* ]] && row "$c" "FAILED" "-" "-" "-" "-"
        done
        FAILED=1
    else
        # One schema version to read back.
        curl -sf -o /dev/null -X POST -H "Content-Type: application/json" -H "X-API-Key: $key" \
            -d '{"version":"1.0.0","json_schema":{"type":"object","properties":{"id":{"type":"integer"},"name":{"type":"string"}},"required":["id"]},"registered_by":"bench"}' \
            "http://127.0.0.1:$port/schemas/bench/Model/versions" || true
        for c in "${CASES[@]}"; do
            [[ "$c" == "registry-$backend "* ]] || continue
            path=${c#* }
            WRK_EXTRA=()
            if [[ "$path" == *" (bad key)" ]]; then
                path=${path% (bad key)}
                WRK_EXTRA=(-H "X-API-Key: not-a-valid-key-$RANDOM")
            elif [ -n "$key" ]; then
                WRK_EXTRA=(-H "X-API-Key: $key")
            fi
            load "$c" "$port" "$path" "$pid"
        done
        WRK_EXTRA=()
    fi
    stop_server "$pid" "$backend" "$WORK/$backend/server.log"
    PIDS=()
}

wants nio-hello && run_nio
wants "registry-sqlite " && run_registry sqlite "sqlite:///$WORK/sqlite/registry.db"
wants registry-sqlite-auth && run_registry sqlite-auth "sqlite:///$WORK/sqlite-auth/registry.db"
if wants registry-postgres; then
    PG_DIR="$WORK/pg"
    pg_port=$(free_port)
    if "$ROOT/scripts/pg-cluster.sh" start "$PG_DIR" "$pg_port" >/dev/null &&
        pg_url=$("$ROOT/scripts/pg-cluster.sh" createdb "$PG_DIR" "$pg_port" pyrmute_bench); then
        run_registry postgres "$pg_url"
        if wants registry-postgres-auth &&
            auth_url=$("$ROOT/scripts/pg-cluster.sh" createdb "$PG_DIR" "$pg_port" pyrmute_bench_auth); then
            run_registry postgres-auth "$auth_url"
        fi
    else
        for c in "${CASES[@]}"; do
            [[ "$c" == "registry-postgres "* ]] && row "$c" "FAILED" "-" "-" "-" "-"
        done
        FAILED=1
    fi
    "$ROOT/scripts/pg-cluster.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
    PG_DIR=""
fi

mkdir -p "$ROOT/bench/results"
{ cat "$WORK/header.txt"; printf '%s\n' "${RESULTS[@]}"; } >"$ROOT/bench/results/latest.txt"
echo "(written to bench/results/latest.txt)" >&2
exit $FAILED
