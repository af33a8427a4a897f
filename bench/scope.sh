#!/usr/bin/env bash
# What a namespace scope costs a request (issue 19): one server (SQLite, authentication on,
# WORKERS workers), one READ key without a scope and one scoped to `payments`, `team-*` and the
# global scope; wrk in alternating rounds (unscoped then scoped, then scoped then unscoped, ...)
# on a cached version read (the scope check only: no query) and on the first page of `GET
# /schemas` (the scoped listing adds its filter to the SQL and is counted directly). Prints each
# round, then the medians.
#
#   bench/scope.sh
#
# Environment: WORKERS (2), ROUNDS (3), DURATION (seconds per round, 5), CONNECTIONS (32),
# THREADS (2), SCRATCH (release build, default .build-bench; built unless SKIP_BUILD=1).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

WORKERS=${WORKERS:-2}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5}
CONNECTIONS=${CONNECTIONS:-32}
THREADS=${THREADS:-2}
SCRATCH=${SCRATCH:-.build-bench}

bench_tools
SWIFT_ARGS=(-c release --scratch-path "$SCRATCH")
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "== swift build ${SWIFT_ARGS[*]}" >&2
    swift build "${SWIFT_ARGS[@]}" >&2
fi
BIN=$(swift build "${SWIFT_ARGS[@]}" --show-bin-path)

bench_workdir pyrmute-scope-bench
URL="sqlite:///$WORK/registry.db"
ADMIN=$(admin_key "$WORK" "$URL" admin)
serve_registry "$WORK" "$BIN" "$URL" "$WORKERS" PYRMUTE_REGISTRY_ENABLE_AUTH=true PYRMUTE_REGISTRY_RATE_LIMIT_ENABLED=false || exit 1
BASE="http://127.0.0.1:$PORT"

post() { curl -sf -X "$1" "$BASE$2" -H "X-API-Key: $ADMIN" -H 'Content-Type: application/json' -d "$3"; }
for ns in payments team-a team-b other; do
    for m in 0 1 2 3 4 5 6 7 8 9; do
        post POST "/schemas/$ns/Model$m/versions" '{"version":"1.0.0","json_schema":{"type":"object"},"registered_by":"b"}' >/dev/null
    done
done
key_of() { python3 -c 'import json,sys; print(json.load(sys.stdin)["api_key"])'; }
PLAIN=$(post POST /api-keys '{"name":"bench-plain","permission":"read"}' | key_of)
SCOPED=$(post POST /api-keys '{"name":"bench-scoped","permission":"read","namespaces":["payments","team-*",null]}' | key_of)

declare -A SAMPLES
FMT="%-8s %-9s %5s %9s %9s %9s %7s\n"
# shellcheck disable=SC2059  # FMT is the table's format
printf "$FMT" case key round req/s p50 p99 non2xx
measure() {
    # shellcheck disable=SC2034  # read_wrk sets sockerr too
    local case=$1 label=$2 key=$3 path=$4 round=$5 rps p50 p99 non2xx sockerr
    run_wrk $((DURATION + 10)) "$WORK/wrk.txt" --latency -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" \
        -H "X-API-Key: $key" "$BASE$path" || true
    read_wrk "$WORK/wrk.txt"
    # shellcheck disable=SC2059
    printf "$FMT" "$case" "$label" "$round" "$rps" "$p50" "$p99" "${non2xx:-0}"
    SAMPLES[$case/$label]+="$rps "
}

for round in $(seq 1 "$ROUNDS"); do
    for c in "version:/schemas/payments/Model3/versions/1.0.0" "listing:/schemas?limit=20"; do
        case=${c%%:*} path=${c#*:}
        if [ $((round % 2)) -eq 1 ]; then
            measure "$case" unscoped "$PLAIN" "$path" "$round"; measure "$case" scoped "$SCOPED" "$path" "$round"
        else
            measure "$case" scoped "$SCOPED" "$path" "$round"; measure "$case" unscoped "$PLAIN" "$path" "$round"
        fi
    done
done
echo
echo "# medians (req/s), $ROUNDS rounds of ${DURATION}s, $CONNECTIONS connections, $WORKERS workers, SQLite"
for case in version listing; do
    u=$(tr ' ' '\n' <<<"${SAMPLES[$case/unscoped]}" | grep -v '^$' | median)
    s=$(tr ' ' '\n' <<<"${SAMPLES[$case/scoped]}" | grep -v '^$' | median)
    echo "$case: unscoped $u, scoped $s ($(awk -v a="$s" -v b="$u" 'BEGIN { printf "%.2f", a / b }')x)"
done
