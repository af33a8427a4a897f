#!/usr/bin/env bash
# What rate limiting costs reads: the same build served twice at once, rate limiting off and on
# (a limit that is never reached, so every answer is a 200 with the X-RateLimit-* headers), and
# optionally an older build beside it the same way; every case measured in rotating rounds so
# that the machine's drift hits every side alike. Prints each round, then per build the median of
# each side and the ratio on/off.
#
#   bench/ratelimit.sh [BASE_BIN_DIR]
#
# BASE_BIN_DIR holds an older build's pyrmute-registry and pyrmute-registry-worker (sides
# base-off, base-on). This checkout's release build (SCRATCH, default .build-bench; built unless
# SKIP_BUILD=1, or NEW_BIN=DIR) gives new-off and new-on.
# Environment: BACKENDS (default "sqlite postgres"), AUTH (off), WORKERS (2), CASES (default
# "version latest"), ROUNDS (3), DURATION (seconds per round, 5), CONNECTIONS (64), THREADS (2),
# LIMIT (requests per minute when on, default 1000000: the setting's maximum).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

if [ $# -gt 1 ]; then
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
fi
BASE_BIN=""
[ $# -eq 1 ] && BASE_BIN=$(cd "$1" && pwd -P)
BACKENDS=${BACKENDS:-sqlite postgres}
AUTH=${AUTH:-off}
WORKERS=${WORKERS:-2}
CASES=${CASES:-version latest}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
LIMIT=${LIMIT:-1000000}
SCRATCH=${SCRATCH:-.build-bench}
LUA="$ROOT/bench/lua/schemas.lua"
VERSIONS=1.0.0,1.1.0,1.2.0,2.0.0,2.1.0

bench_tools
if [ -z "${NEW_BIN:-}" ]; then
    [ "${SKIP_BUILD:-0}" = 1 ] || swift build -c release --scratch-path "$SCRATCH" >&2
    NEW_BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
fi
BIN=$NEW_BIN   # admin_key's CLI
BUILDS=(new)
[ -n "$BASE_BIN" ] && BUILDS=(base new)
SIDES=()
for build in "${BUILDS[@]}"; do SIDES+=("$build-off" "$build-on"); done

bench_workdir pyrmute-ratelimit
echo "# bench/ratelimit.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) rev $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none): new $NEW_BIN${BASE_BIN:+, base $BASE_BIN}"
echo "# $WORKERS workers each, auth $AUTH, rate limit on = $LIMIT/minute (never reached), wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, $ROUNDS rotating rounds, $(nproc) cores"

# start_server SIDE BIN DATABASE_URL: sets PORT_<side>, KEY_<side> (side with _ for -); seeds 20 × 10 × 5 versions.
start_server() {
    local side=$1 bin=$2 dburl=$3 var=${1//-/_} dir="$WORK/$1" port key="" enable=false limited=false
    mkdir -p "$dir"
    [ "${side#*-}" = on ] && limited=true
    if [ "$AUTH" = on ]; then
        enable=true
        key=$(BIN="$bin" admin_key "$dir" "$dburl" bench)
    fi
    serve_registry "$dir" "$bin" "$dburl" "$WORKERS" PYRMUTE_REGISTRY_ENABLE_AUTH="$enable" \
        PYRMUTE_REGISTRY_RATE_LIMIT_ENABLED="$limited" PYRMUTE_REGISTRY_RATE_LIMIT_PER_MINUTE="$LIMIT" || exit 1
    port=$PORT
    PYRMUTE_BENCH_KEY="$key" python3 "$ROOT/bench/seed.py" grid "$port" 20 10 "$VERSIONS" >"$dir/seed.out" 2>&1 ||
        { echo "seeding $side failed:" >&2; cat "$dir/seed.out" >&2; exit 1; }
    if [ "$limited" = true ] && ! curl -sf -D - -o /dev/null "http://127.0.0.1:$port/" | grep -qi '^X-RateLimit-Limit:'; then
        echo "$side answers without X-RateLimit-Limit: not rate limited" >&2
        exit 1
    fi
    printf -v "PORT_$var" '%s' "$port"
    printf -v "KEY_$var" '%s' "$key"
    printf -v "PID_$var" '%s' "$SERVER_PID"
}

# measure SIDE CASE ROUND: one wrk run; prints "rps p50 p99 cpu-us-per-request".
measure() {
    local side=$1 case=$2 round=$3 var=${1//-/_} port key pid target out rps p50 p99 non2xx sockerr extra=() before after
    port="PORT_$var"; port=${!port}
    pid="PID_$var"; pid=${!pid}
    key="KEY_$var"; key=${!key}
    [ -n "$key" ] && extra=(-H "X-API-Key: $key")
    case $case in
        version) target=(-s "$LUA" "http://127.0.0.1:$port" -- version 20 10 "$VERSIONS") ;;
        latest) target=(-s "$LUA" "http://127.0.0.1:$port" -- latest 20 10) ;;
        *) echo "unknown case $case" >&2; exit 2 ;;
    esac
    out="$WORK/wrk.txt"
    # shellcheck disable=SC2046  # the worker pids, one word each
    before=$(cpu_ticks $(pgrep -P "$pid"))
    run_wrk $((DURATION + 60)) "$out" -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency "${extra[@]}" "${target[@]}" || true
    # shellcheck disable=SC2046
    after=$(cpu_ticks $(pgrep -P "$pid"))
    read_wrk "$out"
    [ $(( ${non2xx:-0} + ${sockerr:-0} )) -eq 0 ] || echo "warning: $side $case round $round: $non2xx non-2xx, $sockerr socket errors" >&2
    awk -v r="${rps:-0}" -v a="$(to_ms "${p50:-0}")" -v b="$(to_ms "${p99:-0}")" -v t=$((after - before)) -v hz="$(getconf CLK_TCK)" \
        -v n="$(awk '/requests in/ { print $1 }' "$out")" 'BEGIN { printf "%s %s %s %.1f\n", r, a, b, n ? t * 1e6 / hz / n : 0 }'
}


FMT="%-8s %-8s %-8s %5s %9s %8s %8s %9s\n"
# shellcheck disable=SC2059  # FMT is this script's own format
printf "$FMT" backend case side round "req/s" "p50 ms" "p99 ms" "cpu us/rq"
SUMMARY="$WORK/summary.txt"
for backend in $BACKENDS; do
    if [ "$backend" = postgres ] && [ -z "$PG_DIR" ]; then
        PG_DIR="$WORK/pg"
        pg_port=$(free_port)
        "$ROOT/scripts/pg-cluster.sh" start "$PG_DIR" "$pg_port" >/dev/null
    fi
    for side in "${SIDES[@]}"; do
        if [ "$backend" = postgres ]; then
            url=$("$ROOT/scripts/pg-cluster.sh" createdb "$PG_DIR" "$pg_port" "rl_${side//-/_}")
        else
            url="sqlite:///$WORK/$side.db"
        fi
        bin=$NEW_BIN
        [ "${side%%-*}" = base ] && bin=$BASE_BIN
        start_server "$side" "$bin" "$url"
    done
    for case in $CASES; do
        for side in "${SIDES[@]}"; do : >"$WORK/$side.txt"; done
        for round in $(seq 1 "$ROUNDS"); do
            # Rotate the order, so that no side is always first or last.
            count=${#SIDES[@]}
            for i in $(seq 0 $((count - 1))); do
                side=${SIDES[$(( (i + round - 1) % count ))]}
                read -r rps p50 p99 cpu < <(measure "$side" "$case" "$round")
                echo "$rps $p50 $p99 $cpu" >>"$WORK/$side.txt"
                # shellcheck disable=SC2059
                printf "$FMT" "$backend" "$case" "$side" "$round" "$rps" "$p50" "$p99" "$cpu"
            done
        done
        for build in "${BUILDS[@]}"; do
            read -r off offp50 offp99 offcpu <<<"$(for c in 1 2 3 4; do cut -d' ' -f$c "$WORK/$build-off.txt" | median; done | xargs)"
            read -r on onp50 onp99 oncpu <<<"$(for c in 1 2 3 4; do cut -d' ' -f$c "$WORK/$build-on.txt" | median; done | xargs)"
            awk -v be="$backend" -v c="$case" -v b="$build" -v off="$off" -v on="$on" \
                -v o50="$offp50" -v o99="$offp99" -v n50="$onp50" -v n99="$onp99" -v oc="$offcpu" -v nc="$oncpu" \
                'BEGIN { printf "%-8s %-8s %-4s off %6.0f req/s p50 %s p99 %s ms %s us/rq | on %6.0f req/s p50 %s p99 %s ms %s us/rq | on/off req/s %.2f, cpu/rq %.2f\n", be, c, b, off, o50, o99, oc, on, n50, n99, nc, on / off, nc / oc }' \
                >>"$SUMMARY"
        done
    done
    stop_pids "${PIDS[@]}"
    PIDS=()
done
echo
echo "# medians over $ROUNDS rounds"
cat "$SUMMARY"
