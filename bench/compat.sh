#!/usr/bin/env bash
# Cost of the compatibility rules (issue 14), on the real server (2 workers), loaded on 127.0.0.1:
#
# a. registration throughput with the server level NONE against BACKWARD (set with PUT /config),
#    in alternating rounds on one server (NONE then BACKWARD, then BACKWARD then NONE, …): wrk with
#    bench/lua/compat.lua, a new version of a 20-property JSON Schema with every request (each
#    differs from the model's latest by its description alone, so each passes BACKWARD), spread
#    over MODELS fresh models per round; req/s, p50, p99 per round, the medians and their ratio.
# b. the time of one dry run (POST /schemas/{ns}/{model}/compatibility?level=…) of a 200-property
#    JSON Schema against 100 versions registered under NONE, timed with curl -w %{time_total}
#    (CHECKS times after one warm-up; median, min, max) at the levels NONE (no comparison: the
#    request's own cost), BACKWARD (latest only) and BACKWARD_TRANSITIVE (all 100); then the same
#    with a 200-field Avro record carried next to the JSON Schema in every version and in the body.
#    Schemas: bench/compat.py.
#
#   bench/compat.sh [BIN_DIR]
#
# BIN_DIR holds pyrmute-registry and pyrmute-registry-worker; without it this checkout is built in
# release (SCRATCH, default .build-bench; SKIP_BUILD=1 uses what is there).
# Environment: BACKENDS (default "sqlite"; "sqlite postgres" for both), PARTS (default "a b"),
# WORKERS (2), ROUNDS (3 per level), DURATION (seconds per round, 5), WARMUP (seconds, 2),
# CONNECTIONS (64), THREADS (wrk threads, 2), MODELS (models per round in a, 10), VERSIONS (100),
# PROPS (200), CHECKS (11).
# Prints the tables and writes them to bench/results/compat-latest.txt.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

if [ $# -gt 1 ]; then
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
fi
BACKENDS=${BACKENDS:-sqlite}
PARTS=${PARTS:-a b}
MODELS=${MODELS:-10}
WORKERS=${WORKERS:-2}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-2}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
VERSIONS=${VERSIONS:-100}
PROPS=${PROPS:-200}
CHECKS=${CHECKS:-11}
SCRATCH=${SCRATCH:-.build-bench}
LUA="$ROOT/bench/lua/compat.lua"
HELPER="$ROOT/bench/compat.py"
for b in $BACKENDS; do
    case "$b" in sqlite | postgres) ;; *) echo "unknown backend: $b (sqlite, postgres)" >&2; exit 2 ;; esac
done

bench_tools
if [ $# -eq 1 ]; then
    BIN=$(cd "$1" && pwd -P)
else
    [ "${SKIP_BUILD:-0}" = 1 ] || swift build -c release --scratch-path "$SCRATCH" >&2
    BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
fi
if [ ! -x "$BIN/pyrmute-registry" ] || [ ! -x "$BIN/pyrmute-registry-worker" ]; then
    echo "no pyrmute-registry and pyrmute-registry-worker in $BIN" >&2
    exit 2
fi

bench_workdir pyrmute-compat
OUT="$WORK/report.txt"
# say LINE...: to stdout and to the report.
say() { printf '%s\n' "$@" | tee -a "$OUT"; }

python3 "$HELPER" register-schema >"$WORK/register-schema.json"
python3 "$HELPER" body 1.1.0 "$PROPS" >"$WORK/body-json.json"
python3 "$HELPER" body 1.1.0 "$PROPS" avro >"$WORK/body-avro.json"

say "# bench/compat.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) rev $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none), bin $BIN"
say "# $WORKERS workers, $(nproc) cores, load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
say "# a. register: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency, $ROUNDS alternating rounds per level (warm-up ${WARMUP}s),"
say "#    20-property JSON Schema ($(wc -c <"$WORK/register-schema.json") B), $MODELS new models per round"
say "# b. dry run: $VERSIONS versions of a $PROPS-property JSON Schema ($(wc -c <"$WORK/body-json.json") B body; with the"
say "#    $PROPS-field Avro record $(wc -c <"$WORK/body-avro.json") B), curl -w %{time_total}, $CHECKS timed checks after one warm-up"

# start_server BACKEND DATABASE_URL: sets PORT and SERVER_PID.
start_server() {
    serve_registry "$WORK/$1" "$BIN" "$2" "$WORKERS" PYRMUTE_REGISTRY_ENABLE_AUTH=false || exit 1
}

# set_level LEVEL: PUT /config; the answer must name the level.
set_level() {
    local answer
    answer=$(curl -s --max-time 30 -X PUT -H "Content-Type: application/json" \
        -d "{\"compatibility\":\"$1\"}" "http://127.0.0.1:$PORT/config") || true
    if [[ "$answer" != *"\"compatibility\":\"$1\""* ]]; then
        echo "PUT /config $1 failed (a server without the compatibility API?): ${answer:0:300}" >&2
        exit 1
    fi
}

# register_round BACKEND LEVEL TAG: one wrk run; sets rps, p50, p99 (ms) and errs (the caller's).
# shellcheck disable=SC2034  # p50 and p99 are the caller's
register_round() {
    local backend=$1 level=$2 tag=$3 out="$WORK/wrk.txt" non2xx sockerr
    set_level "$level"
    run_wrk $((DURATION + 60)) "$out" -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency \
        -s "$LUA" "http://127.0.0.1:$PORT" -- compat "$tag" "$WORK/register-schema.json" "$MODELS" || true
    read_wrk "$out"
    if [ -z "${rps:-}" ]; then
        echo "wrk failed ($backend $level):" >&2; cat "$out" >&2; exit 1
    fi
    p50=$(to_ms "${p50:-0}")
    p99=$(to_ms "${p99:-0}")
    errs=$(( ${non2xx:-0} + ${sockerr:-0} ))
}


# part_a BACKEND
part_a() {
    local backend=$1 round order level rps p50 p99 errs total=0
    local fmt="%-8s %-6s %-9s %9s %8s %8s %7s\n"
    say "" "## a. $backend: POST /schemas/compat/<model>/versions, server level NONE vs BACKWARD"
    # shellcheck disable=SC2059  # fmt is this function's own format
    say "$(printf "$fmt" backend round level "req/s" "p50 ms" "p99 ms" errors)"
    if [ "$WARMUP" -gt 0 ]; then
        set_level NONE
        run_wrk $((WARMUP + 30)) /dev/null -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" \
            -s "$LUA" "http://127.0.0.1:$PORT" -- compat warmup "$WORK/register-schema.json" "$MODELS" || true
    fi
    : >"$WORK/NONE.txt"
    : >"$WORK/BACKWARD.txt"
    for round in $(seq 1 "$ROUNDS"); do
        order="NONE BACKWARD"
        [ $((round % 2)) -eq 0 ] && order="BACKWARD NONE"
        for level in $order; do
            register_round "$backend" "$level" "r$round-$level"
            echo "$rps $p50 $p99" >>"$WORK/$level.txt"
            total=$((total + errs))
            # shellcheck disable=SC2059
            say "$(printf "$fmt" "$backend" "$round" "$level" "$rps" "$p50" "$p99" "$errs")"
        done
    done
    local n b np50 bp50 np99 bp99
    n=$(cut -d' ' -f1 "$WORK/NONE.txt" | median)
    b=$(cut -d' ' -f1 "$WORK/BACKWARD.txt" | median)
    np50=$(cut -d' ' -f2 "$WORK/NONE.txt" | median)
    bp50=$(cut -d' ' -f2 "$WORK/BACKWARD.txt" | median)
    np99=$(cut -d' ' -f3 "$WORK/NONE.txt" | median)
    bp99=$(cut -d' ' -f3 "$WORK/BACKWARD.txt" | median)
    say "$(awk -v be="$backend" -v n="$n" -v b="$b" -v np50="$np50" -v bp50="$bp50" -v np99="$np99" -v bp99="$bp99" 'BEGIN {
        printf "%-8s median   NONE     %9.0f %8.2f %8.2f\n", be, n, np50, np99
        printf "%-8s median   BACKWARD %9.0f %8.2f %8.2f\n", be, b, bp50, bp99
        printf "%-8s BACKWARD/NONE: req/s %.2f, p50 %.2f, p99 %.2f\n", be, b / n, bp50 / np50, bp99 / np99 }')"
    [ "$total" -eq 0 ] || say "# $backend: $total non-2xx answers or socket errors in part a (a 409 would be a refused registration)"
    # What BACKWARD refused or let through is checked once more by hand: a narrowed type must be a 409.
    set_level BACKWARD
    local status
    status=$(curl -s -o "$WORK/refused.json" -w '%{http_code}' -X POST -H "Content-Type: application/json" \
        -d '{"version":"9.9.9","json_schema":{"type":"object","properties":{"p000":{"type":"integer"}}},"registered_by":"bench"}' \
        "http://127.0.0.1:$PORT/schemas/compat/r1-NONE-0/versions")
    say "# $backend: a breaking registration under BACKWARD answered $status (expected 409)"
    set_level NONE
}

# time_checks LABEL BODY LEVEL URL: CHECKS timed dry runs after one warm-up; a table row.
time_checks() {
    local label=$1 body=$2 level=$3 url=$4 i t code times="$WORK/times.txt" answer="$WORK/answer.json"
    : >"$times"
    for i in $(seq 0 "$CHECKS"); do
        read -r code t < <(curl -s -o "$answer" -w '%{http_code} %{time_total}\n' --max-time 120 -X POST \
            -H "Content-Type: application/json" --data-binary "@$body" "$url?level=$level")
        if [ "$code" != 200 ]; then
            echo "dry run $label $level answered $code: $(head -c 300 "$answer")" >&2
            say "$(printf "%-8s %-22s %-19s %s\n" "$BACKEND" "$label" "$level" "FAILED ($code)")"
            return 1
        fi
        [ "$i" -gt 0 ] && echo "$t" >>"$times"
    done
    local med min max
    med=$(median <"$times")
    min=$(sort -n "$times" | head -n 1)
    max=$(sort -n "$times" | tail -n 1)
    say "$(awk -v b="$BACKEND" -v l="$label" -v lv="$level" -v med="$med" -v min="$min" -v max="$max" -v s="$(python3 "$HELPER" summary "$answer")" \
        'BEGIN { printf "%-8s %-22s %-19s %8.1f %8.1f %8.1f  %s\n", b, l, lv, med * 1000, min * 1000, max * 1000, s }')"
}

# part_b BACKEND
part_b() {
    local backend=$1 kind model seedout level
    say "" "## b. $backend: one dry run against $VERSIONS versions (ms; NONE compares nothing: the request's own cost)"
    say "$(printf "%-8s %-22s %-19s %8s %8s %8s  %s\n" backend schema level median min max answer)"
    set_level NONE
    for kind in json avro; do
        model="Big${kind^}"
        seedout="$WORK/seed-$kind.txt"
        local extra=()
        [ "$kind" = avro ] && extra=(avro)
        if ! python3 "$HELPER" seed "$PORT" compat "$model" "$VERSIONS" "$PROPS" "${extra[@]}" >"$seedout" 2>&1; then
            cat "$seedout" >&2
            say "# $backend: seeding $model failed"
            FAILED=1
            continue
        fi
        say "# $backend seed: $(tail -n 1 "$seedout")"
        local label="$PROPS-prop JSON Schema"
        [ "$kind" = avro ] && label="+ $PROPS-field Avro"
        for level in NONE BACKWARD BACKWARD_TRANSITIVE; do
            time_checks "$label" "$WORK/body-$kind.json" "$level" \
                "http://127.0.0.1:$PORT/schemas/compat/$model/compatibility" || FAILED=1
        done
    done
}

FAILED=0
for BACKEND in $BACKENDS; do
    if [ "$BACKEND" = postgres ]; then
        PG_DIR="$WORK/pg"
        pg_port=$(free_port)
        "$ROOT/scripts/pg-cluster.sh" start "$PG_DIR" "$pg_port" >/dev/null
        url=$("$ROOT/scripts/pg-cluster.sh" createdb "$PG_DIR" "$pg_port" pyrmute_compat)
    else
        url="sqlite:///$WORK/sqlite/registry.db"
    fi
    start_server "$BACKEND" "$url"
    [[ " $PARTS " == *" a "* ]] && part_a "$BACKEND"
    [[ " $PARTS " == *" b "* ]] && part_b "$BACKEND"
    if grep -qiE 'error|fatal' "$WORK/$BACKEND/server.log"; then
        say "# $BACKEND server log, lines with error/fatal:"
        say "$(grep -iE 'error|fatal' "$WORK/$BACKEND/server.log" | sort | uniq -c | sort -rn | head -n 10)"
    fi
    stop_server "$SERVER_PID" "$BACKEND" "$WORK/$BACKEND/server.log"
    PIDS=()
    if [ "$BACKEND" = postgres ]; then
        "$ROOT/scripts/pg-cluster.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
        PG_DIR=""
    fi
done

mkdir -p "$ROOT/bench/results"
cp "$OUT" "$ROOT/bench/results/compat-latest.txt"
echo "(written to bench/results/compat-latest.txt)" >&2
exit $FAILED
