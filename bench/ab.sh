#!/usr/bin/env bash
# Two builds of the registry side by side in one run, for a before/after pair on a noisy machine:
# both servers run at once (a database each, seeded alike; only one is loaded at a time) and every
# case is measured in alternating rounds (base then new, then new then base, …), ROUNDS times, so
# that the machine's drift and any advantage of going second hit both alike. Prints each round, then the median of each side and their ratio.
#
#   bench/ab.sh BASE_BIN_DIR [NEW_BIN_DIR]
#
# A BIN_DIR holds pyrmute-registry and pyrmute-registry-worker (e.g. an older revision's
# `swift build -c release --show-bin-path`). NEW_BIN_DIR defaults to this checkout's release build
# (SCRATCH, default .build-bench; built unless SKIP_BUILD=1).
# Environment: BACKENDS (default "sqlite postgres"), AUTHS (default "off on"), WORKERS (2),
# CASES (default "live version latest register"), ROUNDS (3), DURATION (seconds per round, 5),
# CONNECTIONS (64), THREADS (wrk threads, 2).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
fi
BASE_BIN=$(cd "$1" && pwd -P)
BACKENDS=${BACKENDS:-sqlite postgres}
AUTHS=${AUTHS:-off on}
WORKERS=${WORKERS:-2}
CASES=${CASES:-live version latest register}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
SCRATCH=${SCRATCH:-.build-bench}
LUA="$ROOT/bench/lua/schemas.lua"
VERSIONS=1.0.0,1.1.0,1.2.0,2.0.0,2.1.0

bench_tools
if [ $# -eq 2 ]; then
    NEW_BIN=$(cd "$2" && pwd -P)
else
    [ "${SKIP_BUILD:-0}" = 1 ] || swift build -c release --scratch-path "$SCRATCH" >&2
    NEW_BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
fi
for bin in "$BASE_BIN" "$NEW_BIN"; do
    if [ ! -x "$bin/pyrmute-registry" ] || [ ! -x "$bin/pyrmute-registry-worker" ]; then
        echo "no pyrmute-registry and pyrmute-registry-worker in $bin" >&2
        exit 2
    fi
done

bench_workdir pyrmute-ab
python3 "$ROOT/bench/seed.py" template >"$WORK/write-schema.json"
echo "# bench/ab.sh $(date -u +%Y-%m-%dT%H:%M:%SZ): base $BASE_BIN, new $NEW_BIN"
echo "# $WORKERS workers each, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS alternating rounds, $(nproc) cores"

# start_server NAME BIN DATABASE_URL AUTH: sets PORT_<NAME>, KEY_<NAME>; seeds 20 × 10 × 5 versions.
start_server() {
    local name=$1 bin=$2 dburl=$3 auth=$4 dir="$WORK/$1" key="" enable=false
    mkdir -p "$dir"
    if [ "$auth" = on ]; then
        enable=true
        key=$(BIN="$bin" admin_key "$dir" "$dburl" bench)
    fi
    serve_registry "$dir" "$bin" "$dburl" "$WORKERS" PYRMUTE_REGISTRY_ENABLE_AUTH="$enable" || exit 1
    PYRMUTE_BENCH_KEY="$key" python3 "$ROOT/bench/seed.py" grid "$PORT" 20 10 "$VERSIONS" >"$dir/seed.out" 2>&1 ||
        { echo "seeding $name failed:" >&2; cat "$dir/seed.out" >&2; exit 1; }
    printf -v "PORT_$name" '%s' "$PORT"
    printf -v "KEY_$name" '%s' "$key"
}

# measure NAME CASE ROUND: one wrk run against server NAME; prints "rps p50 p99".
measure() {
    local name=$1 case=$2 round=$3 port key target out rps p50 p99 non2xx sockerr extra=()
    port="PORT_$name"; port=${!port}
    key="KEY_$name"; key=${!key}
    [ -n "$key" ] && extra=(-H "X-API-Key: $key")
    case $case in
        live) target=("http://127.0.0.1:$port/health/live") ;;
        version) target=(-s "$LUA" "http://127.0.0.1:$port" -- version 20 10 "$VERSIONS") ;;
        latest) target=(-s "$LUA" "http://127.0.0.1:$port" -- latest 20 10) ;;
        register) target=(-s "$LUA" "http://127.0.0.1:$port" -- register bench-writes "$name$round" "$WORK/write-schema.json" run) ;;
        *) echo "unknown case $case" >&2; exit 2 ;;
    esac
    out="$WORK/wrk.txt"
    run_wrk $((DURATION + 60)) "$out" -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency "${extra[@]}" "${target[@]}" || true
    read_wrk "$out"
    [ $(( ${non2xx:-0} + ${sockerr:-0} )) -eq 0 ] || echo "warning: $name $case round $round: $non2xx non-2xx, $sockerr socket errors" >&2
    echo "${rps:-0} $(to_ms "${p50:-0}") $(to_ms "${p99:-0}")"
}


FMT="%-8s %-4s %-9s %-5s %9s %8s %8s\n"
# shellcheck disable=SC2059  # FMT is this script's own format
printf "$FMT" backend auth case side "req/s" "p50 ms" "p99 ms"
SUMMARY="$WORK/summary.txt"
for backend in $BACKENDS; do
    if [ "$backend" = postgres ] && [ -z "$PG_DIR" ]; then
        PG_DIR="$WORK/pg"
        pg_port=$(free_port)
        "$ROOT/scripts/pg-cluster.sh" start "$PG_DIR" "$pg_port" >/dev/null
    fi
    for auth in $AUTHS; do
        for side in base new; do
            if [ "$backend" = postgres ]; then
                url=$("$ROOT/scripts/pg-cluster.sh" createdb "$PG_DIR" "$pg_port" "ab_${auth}_$side")
            else
                url="sqlite:///$WORK/$side-$auth.db"
            fi
            bin=$BASE_BIN
            [ "$side" = new ] && bin=$NEW_BIN
            start_server "$side" "$bin" "$url" "$auth"
        done
        for case in $CASES; do
            : >"$WORK/base.txt"
            : >"$WORK/new.txt"
            for round in $(seq 1 "$ROUNDS"); do
                order="base new"
                [ $((round % 2)) -eq 0 ] && order="new base"
                for side in $order; do
                    read -r rps p50 p99 < <(measure "$side" "$case" "$round")
                    echo "$rps $p50 $p99" >>"$WORK/$side.txt"
                    # shellcheck disable=SC2059
                    printf "$FMT" "$backend" "$auth" "$case" "$side" "$rps" "$p50" "$p99"
                done
            done
            b=$(cut -d' ' -f1 "$WORK/base.txt" | median)
            n=$(cut -d' ' -f1 "$WORK/new.txt" | median)
            bp99=$(cut -d' ' -f3 "$WORK/base.txt" | median)
            np99=$(cut -d' ' -f3 "$WORK/new.txt" | median)
            awk -v be="$backend" -v a="$auth" -v c="$case" -v b="$b" -v n="$n" -v bp="$bp99" -v np="$np99" \
                'BEGIN { printf "%-8s %-4s %-9s median req/s base %7.0f new %7.0f (new/base %.2f); median p99 ms base %s new %s\n", be, a, c, b, n, n / b, bp, np }' \
                >>"$SUMMARY"
        done
        stop_pids "${PIDS[@]}"
        PIDS=()
    done
done
echo
echo "# medians over $ROUNDS rounds"
cat "$SUMMARY"
