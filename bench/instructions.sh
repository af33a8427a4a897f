#!/usr/bin/env bash
# Instructions per request of one worker, counted by valgrind (callgrind): unlike req/s on a shared
# machine, the count does not move with the machine's load, so small changes on the request path
# can be compared build against build.
#
#   bench/instructions.sh DATABASE PATH...         DATABASE: a SQLite file or a postgresql:// URL
#                                                  already holding data (bench/discovery.sh seeds
#                                                  100,000 versions); PATH: GET paths (/search?q=…)
#   BASE=DIR bench/instructions.sh DATABASE PATH…  the same for DIR's build, and the ratio
#
# For each build and path: a server with one worker running under callgrind answers 10, then (after
# a restart) 10 + N sequential requests; the difference of the two totals / N is printed. The
# response cache is off and its TTL 0, so that SearchWordCache keeps its words for the whole run
# (valgrind is ~50x slower; with the default 1 s window it would look the words up again and
# again, which a worker at speed does once a second). valgrind 3.19 cannot read the DWARF 5 of a
# Swift build: the worker is run from a copy without debug information (`strip -g`; its symbols
# stay, so OUT=DIR keeps callgrind's files for `callgrind_annotate`).
#
# Environment: N (default 30), BIN_DIR (a build directory instead of building this checkout),
# BASE, SCRATCH (swift --scratch-path, default .build-bench), SKIP_BUILD=1, OUT (a directory to
# keep the callgrind files in).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

[ $# -ge 2 ] || { echo "usage: bench/instructions.sh DATABASE PATH..." >&2; exit 2; }
DATABASE=$1
shift
case "$DATABASE" in
    postgresql://* | postgres://*) URL=$DATABASE ;;
    *) [ -f "$DATABASE" ] || { echo "no SQLite file $DATABASE" >&2; exit 2; }; URL="sqlite:///$(cd "$(dirname "$DATABASE")" && pwd -P)/$(basename "$DATABASE")" ;;
esac
N=${N:-30}
SCRATCH=${SCRATCH:-.build-bench}

bench_tools
if ! command -v valgrind >/dev/null 2>&1 || ! command -v strip >/dev/null 2>&1; then
    apt_install valgrind binutils
fi

if [ -n "${BIN_DIR:-}" ]; then
    BIN=$(cd "$BIN_DIR" && pwd -P)
else
    if [ "${SKIP_BUILD:-0}" != 1 ]; then
        echo "== swift build -c release --scratch-path $SCRATCH" >&2
        swift build -c release --scratch-path "$SCRATCH" >&2
    fi
    BIN=$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)
fi
BUILDS=(new)
declare -A DIRS=([new]="$BIN")
if [ -n "${BASE:-}" ]; then
    BUILDS=(base new)
    DIRS[base]=$(cd "$BASE" && pwd -P)
fi

bench_workdir pyrmute-instructions-bench

# prepare LABEL: $WORK/LABEL holds the supervisor and a worker script that runs the stripped worker
# under callgrind, writing $WORK/LABEL/callgrind.<pid>.
prepare() {
    local label=$1 dir=$WORK/$1
    mkdir -p "$dir"
    cp "${DIRS[$label]}/pyrmute-registry" "$dir/"
    strip -g -o "$dir/worker-stripped" "${DIRS[$label]}/pyrmute-registry-worker"
    cat >"$dir/pyrmute-registry-worker" <<EOF
#!/bin/sh
exec valgrind --tool=callgrind --callgrind-out-file="$dir/callgrind.%p" "$dir/worker-stripped" "\$@"
EOF
    chmod +x "$dir/pyrmute-registry-worker"
}

# total LABEL PATH COUNT: the instructions of the worker of a fresh server that answered COUNT
# requests for PATH (startup included).
total() {
    local label=$1 path=$2 count=$3 dir=$WORK/$1
    rm -f "$dir"/callgrind.*
    # Liveness is the supervisor's: requests then wait in the socket's queue for the slow worker.
    serve_registry "$dir" "$dir" "$URL" 1 PYRMUTE_REGISTRY_RESPONSE_CACHE_MB=0 PYRMUTE_REGISTRY_RESPONSE_CACHE_TTL=0 \
        PYRMUTE_REGISTRY_RATE_LIMIT_ENABLED=false
    python3 - "$PORT" "$path" "$count" <<'PY'
import http.client, sys
connection = http.client.HTTPConnection("127.0.0.1", int(sys.argv[1]), timeout=600)
for _ in range(int(sys.argv[3])):
    connection.request("GET", sys.argv[2])
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        sys.exit(f"{sys.argv[2]}: HTTP {response.status}")
PY
    stop_pids "$SERVER_PID"
    PIDS=()
    # callgrind writes its file as the worker exits, after the supervisor.
    for _ in $(seq 1 300); do
        pgrep -f "$dir/worker-stripped" >/dev/null || break
        sleep 0.1
    done
    if [ -n "${OUT:-}" ]; then
        mkdir -p "$OUT"
        local file
        for file in "$dir"/callgrind.*; do
            cp "$file" "$OUT/$label-$count-$(echo "$path" | tr -c 'a-zA-Z0-9' _)-${file##*.}.callgrind"
        done
    fi
    # One file per worker process: the largest total is the worker that answered.
    awk '/^(summary|totals):/ { if ($2 > most) most = $2 } END { print most + 0 }' "$dir"/callgrind.*
}

for label in "${BUILDS[@]}"; do prepare "$label"; done
printf "%-44s %-5s %14s\n" "path" "build" "instructions"
for path in "$@"; do
    declare -A per_request=()
    for label in "${BUILDS[@]}"; do
        short=$(total "$label" "$path" 10)
        long=$(total "$label" "$path" $((10 + N)))
        per_request[$label]=$(((long - short) / N))
        printf "%-44s %-5s %14s\n" "$path" "$label" "${per_request[$label]}"
    done
    if [ -n "${BASE:-}" ]; then
        python3 -c 'import sys; print(f"{sys.argv[1]:44} new/base {int(sys.argv[3]) / int(sys.argv[2]):.2f}")' \
            "$path" "${per_request[base]}" "${per_request[new]}"
    fi
    unset per_request
done
