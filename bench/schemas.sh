#!/usr/bin/env bash
# Schema endpoints benchmark: pyrmute-registry on SQLite and on PostgreSQL, 2 workers each,
# loaded by wrk on 127.0.0.1 over seeded data.
#
#   bench/schemas.sh [sqlite] [postgres]      (default: both)
#
# Per backend: seed NS×MODELS×5 versions (20×10×5 = 1000 rows, ~1.5 KB JSON Schema each), then
#   get-version   GET /schemas/{ns}/{model}/versions/{version}   random seeded row
#   get-latest    GET /schemas/{ns}/{model}/versions/latest      random seeded model
#   list-page     GET /schemas?limit=100&offset={0,100}          pages of the 200 models
#   register      POST /schemas/bench-writes/{model}/versions    always a new version (201)
# then add one model with BIG versions (10 000) and compare it with a 5-version model:
#   latest        GET /schemas/{ns}/{model}/versions/latest
#   get-version   GET /schemas/{ns}/{model}/versions/{version}
#   list-model    GET /schemas?namespace={ns}&model_name={model}
# Requests are spread by bench/lua/schemas.lua; seeding is a small threaded Python client.
#
# Environment: DURATION (seconds per case, default 10), WARMUP (seconds, default 2),
# CONNECTIONS (default 64), THREADS (wrk threads, default 2), BIG (versions of the big model,
# default 10000), SCRATCH (swift --scratch-path, default .build-bench), SKIP_BUILD=1,
# PG_ANALYZE=1 (ANALYZE the PostgreSQL table after each seeding; see analyze()).
# Prints a table and writes it to bench/results/schemas-latest.txt.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-2}
BIG=${BIG:-10000}
SCRATCH=${SCRATCH:-.build-bench}
LUA="$ROOT/bench/lua/schemas.lua"

# The seeded grid: ns00..ns19 × model00..model09 × VERSIONS (bench/lua/schemas.lua knows the names).
NAMESPACES=20
MODELS=10
VERSIONS=1.0.0,1.1.0,1.2.0,2.0.0,2.1.0
GRID_LATEST=2.1.0
PAGE=100
WRITE_NS=bench-writes
BIG_NS=big
BIG_MODEL=many
# seed.py names version i of the big model 1+i/1000 . i/100%10 . i%100, so the last one is the latest.
BIG_LATEST="$((1 + (BIG - 1) / 1000)).$(((BIG - 1) / 100 % 10)).$(((BIG - 1) % 100))"

BACKENDS=("$@")
[ ${#BACKENDS[@]} -gt 0 ] || BACKENDS=(sqlite postgres)
for b in "${BACKENDS[@]}"; do
    case "$b" in sqlite | postgres) ;; *) echo "unknown backend: $b (sqlite, postgres)" >&2; exit 2 ;; esac
done

bench_tools

# ---- build --------------------------------------------------------------------------------
SWIFT_ARGS=(-c release --scratch-path "$SCRATCH")
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "== swift build ${SWIFT_ARGS[*]}" >&2
    swift build "${SWIFT_ARGS[@]}" >&2
fi
BIN=$(swift build "${SWIFT_ARGS[@]}" --show-bin-path)

# ---- process bookkeeping --------------------------------------------------------------------
bench_workdir pyrmute-schemas-bench

# ---- seeding: bench/seed.py (Python, stdlib only) ------------------------------------------
python3 "$ROOT/bench/seed.py" template >"$WORK/write-schema.json"


# seed LABEL SEED-ARGS...: runs seed.py in the background (so a signal stops it at once).
seed() {
    local label=$1 rc=0 out
    shift
    python3 "$ROOT/bench/seed.py" "$@" >"$WORK/seed.out" 2>&1 &
    SEED_PID=$!
    wait "$SEED_PID" || rc=$?
    SEED_PID=""
    out=$(tail -n 1 "$WORK/seed.out")
    note "$label: $out"
    [ $rc -eq 0 ] || { cat "$WORK/seed.out" >&2; FAILED=1; }
    return $rc
}

# analyze BACKEND DATABASE_URL: with PG_ANALYZE=1, refreshes PostgreSQL's statistics after seeding.
# Off by default: right after a bulk load autovacuum has not analysed the table yet (its naptime
# is a minute), and the server's prepared statements then get generic plans made for an empty table.
analyze() {
    [ "${PG_ANALYZE:-0}" = 1 ] && [ "$1" = postgres ] || return 0
    if psql -X -q -v ON_ERROR_STOP=1 "$2" -c "ANALYZE schemas"; then
        note "$1: ANALYZE schemas after seeding"
    else
        echo "ANALYZE failed" >&2; FAILED=1
    fi
}

# check_get URL NEEDLE: checks that a GET answers 200 and its body contains NEEDLE.
check_get() {
    local url=$1 needle=$2 body
    if ! body=$(curl -sf --max-time 30 "$url"); then
        echo "check failed: GET $url did not answer 2xx" >&2; FAILED=1; return 1
    fi
    if [[ "$body" != *"$needle"* ]]; then
        echo "check failed: GET $url lacks $needle: ${body:0:300}" >&2; FAILED=1; return 1
    fi
}

# ---- measuring -----------------------------------------------------------------------------
FAILED=0
FMT="%-9s %-30s %9s %9s %9s %8s %8s %8s %8s %6s\n"
SERVER_DOWN=""

# check_server BACKEND CASE: after a case, the server must still answer; if not, show its log
# and skip the remaining cases of this backend.
check_server() {
    curl -sf --max-time 5 -o /dev/null "http://127.0.0.1:$PORT/health/live" && return 0
    SERVER_DOWN=1; FAILED=1
    local state
    state=$(ps -o stat= -p "${PIDS[0]:-0}" 2>/dev/null || echo gone)
    echo "pyrmute-registry ($1) stopped answering during '$2' (supervisor state: ${state:-gone}); tail of its log:" >&2
    tail -n 40 "$WORK/$1/server.log" >&2
    note "$1: server stopped answering during '$2'"
}


# load BACKEND CASE SERVER-PID PATH [LUA-ARGS...]
# With LUA-ARGS, bench/lua/schemas.lua makes the requests (PATH is then only the base URL) and
# gets the phase (warmup or measure) as its last argument.
load() {
    local backend=$1 name=$2 pid=$3 path=$4 out
    shift 4
    out="$WORK/wrk-$backend-${name//[^A-Za-z0-9]/_}.txt"
    local url="http://127.0.0.1:$PORT$path" script=()
    if [ -n "$SERVER_DOWN" ]; then row "$backend" "$name" "SKIPPED" "-" "-" "-" "-" "-" "-" "-"; return; fi
    [ $# -gt 0 ] && script=(-s "$LUA")
    if [ "$WARMUP" -gt 0 ]; then
        local warm=()
        [ $# -gt 0 ] && warm=(-- "$@" warmup)
        run_wrk $((WARMUP + 30)) /dev/null -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "${script[@]}" "$url" "${warm[@]}" || true
    fi
    local measure=()
    [ $# -gt 0 ] && measure=(-- "$@" measure)
    if ! run_wrk $((DURATION + 60)) "$out" -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 5s --latency \
        "${script[@]}" "$url" "${measure[@]}"; then
        echo "wrk failed for $backend $name:" >&2; cat "$out" >&2
        row "$backend" "$name" "FAILED" "-" "-" "-" "-" "-" "$(tree_rss_mib "$pid")" "-"; FAILED=1
        check_server "$backend" "$name"; return
    fi
    local rps p50 p99 non2xx sockerr kb
    read_wrk "$out"
    # Mean response size: Transfer/sec over Requests/sec.
    kb=$(awk -v rps="${rps:-0}" '/^Transfer\/sec:/ {
            v = $2; m = 1
            if (v ~ /KB$/) m = 1; else if (v ~ /MB$/) m = 1024; else if (v ~ /GB$/) m = 1048576; else if (v ~ /B$/) m = 1 / 1024
            sub(/[KMG]?B$/, "", v)
            if (rps > 0) printf "%.1f", v * m / rps }' "$out")
    row "$backend" "$name" "${rps:-?}" "$(to_ms "${p50:-?}")" "$(to_ms "${p99:-?}")" "${non2xx:-0}" "${sockerr:-0}" \
        "${kb:-?}" "$(tree_rss_mib "$pid")" "$(cut -d' ' -f1 /proc/loadavg)"
    check_server "$backend" "$name"
    if [ "${non2xx:-0}" -ne 0 ] || [ "${sockerr:-0}" -ne 0 ]; then FAILED=1; fi
}

# ---- cases ---------------------------------------------------------------------------------
# shellcheck disable=SC2059
HEADER=$(printf "$FMT" "backend" "case" "req/s" "p50 ms" "p99 ms" "non-2xx" "sockerr" "resp KB" "RSS MiB" "load1")
{
    echo "# pyrmute-registry schemas bench $(date -u +%Y-%m-%dT%H:%M:%SZ) rev $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo none)"
    echo "# wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency (warm-up ${WARMUP}s), $(nproc) cores, 2 workers per server"
    echo "# data: $NAMESPACES namespaces x $MODELS models x 5 versions, ~$(wc -c <"$WORK/write-schema.json") B json_schema each; big model: $BIG versions"
    echo "# RSS = supervisor + workers after the case; resp KB = mean response size;"
    echo "# load1 = 1-min load average after the case (to spot other work sharing the cores)"
    echo "# PG_ANALYZE=${PG_ANALYZE:-0}; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
    if [ -f "$ROOT/bench/results/latest.txt" ] && grep -q '^nio-hello' "$ROOT/bench/results/latest.txt"; then
        awk '/^nio-hello/ { printf "# ceiling, bare NIO hello (bench/results/latest.txt): %s req/s, p50 %s ms, p99 %s ms\n", $3, $4, $5; exit }' \
            "$ROOT/bench/results/latest.txt"
    fi
} | tee "$WORK/header.txt"
echo "$HEADER"

# run_backend BACKEND DATABASE_URL
run_backend() {
    local backend=$1 dburl=$2 sport pid
    PORT=$(free_port)
    sport=$(free_port)
    while [ "$sport" = "$PORT" ]; do sport=$(free_port); done
    mkdir -p "$WORK/$backend"
    (
        cd "$WORK/$backend"
        exec env PYRMUTE_REGISTRY_DATABASE_URL="$dburl" \
            PYRMUTE_REGISTRY_SUPERVISOR_PORT="$sport" \
            PYRMUTE_REGISTRY_ENABLE_REQUEST_LOGGING=false \
            "$BIN/pyrmute-registry" serve --host 127.0.0.1 --port "$PORT" --workers 2
    ) >"$WORK/$backend/server.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    local base="http://127.0.0.1:$PORT"
    SERVER_DOWN=""
    if ! wait_ready "$PORT" /health/live "$pid"; then
        echo "pyrmute-registry ($backend) did not start:" >&2; tail -n 40 "$WORK/$backend/server.log" >&2
        row "$backend" "(server did not start)" "FAILED" "-" "-" "-" "-" "-" "-" "-"; FAILED=1
    elif seed "$backend seed grid" grid "$PORT" "$NAMESPACES" "$MODELS" "$VERSIONS"; then
        analyze "$backend" "$dburl"
        check_get "$base/schemas/ns07/model03/versions/1.1.0" '"version":"1.1.0"' || true
        check_get "$base/schemas/ns07/model03/versions/latest" "\"version\":\"$GRID_LATEST\"" || true
        check_get "$base/schemas?limit=$PAGE&offset=$PAGE" "\"total_count\":$((NAMESPACES * MODELS))" || true

        load "$backend" "get-version (1000 rows)" "$pid" / version "$NAMESPACES" "$MODELS" "$VERSIONS"
        load "$backend" "get-latest (200 models)" "$pid" / latest "$NAMESPACES" "$MODELS"
        load "$backend" "list-page limit=$PAGE" "$pid" / list "$NAMESPACES" "$MODELS" "$PAGE"
        load "$backend" "register (new versions)" "$pid" / register "$WRITE_NS" "$backend" "$WORK/write-schema.json"
        local writes
        writes=$(curl -sf --max-time 30 "$base/schemas?namespace=$WRITE_NS&limit=1000" |
            python3 -c 'import json, sys; print(sum(len(s["versions"]) for s in json.load(sys.stdin)["schemas"]))' \
                2>/dev/null || echo "?")
        note "$backend: $writes versions registered by the register case (warm-up included)"

        if [ -z "$SERVER_DOWN" ] && seed "$backend seed $BIG_NS/$BIG_MODEL" model "$PORT" "$BIG_NS" "$BIG_MODEL" "$BIG"; then
            analyze "$backend" "$dburl"
            check_get "$base/schemas/$BIG_NS/$BIG_MODEL/versions/latest" "\"version\":\"$BIG_LATEST\"" || true
            check_get "$base/schemas?namespace=$BIG_NS&model_name=$BIG_MODEL" "\"latest_version\":\"$BIG_LATEST\"" || true
            load "$backend" "latest, 5 versions" "$pid" "/schemas/ns00/model00/versions/latest"
            load "$backend" "latest, $BIG versions" "$pid" "/schemas/$BIG_NS/$BIG_MODEL/versions/latest"
            load "$backend" "get-version, 5 versions" "$pid" "/schemas/ns00/model00/versions/1.1.0"
            load "$backend" "get-version, $BIG versions" "$pid" "/schemas/$BIG_NS/$BIG_MODEL/versions/1.0.1"
            load "$backend" "list-model, 5 versions" "$pid" "/schemas?namespace=ns00&model_name=model00"
            load "$backend" "list-model, $BIG versions" "$pid" "/schemas?namespace=$BIG_NS&model_name=$BIG_MODEL"
        fi
    fi
    if [ "$FAILED" -ne 0 ] && grep -qiE 'error|fatal|warn' "$WORK/$backend/server.log"; then
        echo "---- $backend server log (errors) ----" >&2
        grep -iE 'error|fatal|warn' "$WORK/$backend/server.log" | sort | uniq -c | sort -rn | head -n 20 >&2
    fi
    stop_server "$pid" "$backend" "$WORK/$backend/server.log"
    PIDS=()
}

for backend in "${BACKENDS[@]}"; do
    case "$backend" in
        sqlite)
            run_backend sqlite "sqlite:///$WORK/sqlite/registry.db"
            ;;
        postgres)
            PG_DIR="$WORK/pg"
            pg_port=$(free_port)
            if "$ROOT/scripts/pg-cluster.sh" start "$PG_DIR" "$pg_port" >/dev/null &&
                pg_url=$("$ROOT/scripts/pg-cluster.sh" createdb "$PG_DIR" "$pg_port" pyrmute_schemas_bench); then
                run_backend postgres "$pg_url"
            else
                row postgres "(cluster did not start)" "FAILED" "-" "-" "-" "-" "-" "-" "-"; FAILED=1
            fi
            "$ROOT/scripts/pg-cluster.sh" stop "$PG_DIR" >/dev/null 2>&1 || true
            PG_DIR=""
            ;;
    esac
done

mkdir -p "$ROOT/bench/results"
{
    cat "$WORK/header.txt"
    printf '%s\n' "${NOTES[@]}"
    echo "$HEADER"
    printf '%s\n' "${RESULTS[@]}"
} >"$ROOT/bench/results/schemas-latest.txt"
echo "(written to bench/results/schemas-latest.txt)" >&2
exit $FAILED
