#!/usr/bin/env bash
# Helpers shared by the bench/*.sh scripts (sourced after ROOT is set; they set WRK_PID). The
# helpers every script shares (free_port, use_swift, ...) are in scripts/lib.sh, sourced here.

# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

# bench_tools: swift on PATH (toolchains under /opt/swift too), wrk and curl installed.
bench_tools() {
    use_swift
    if ! command -v wrk >/dev/null 2>&1 || ! command -v curl >/dev/null 2>&1; then
        "$ROOT/scripts/install-deps.sh"
    fi
}

# read_wrk FILE: sets rps, p50, p99 (wrk's units), non2xx and sockerr from a `wrk --latency`
# report (the caller declares them local).
# shellcheck disable=SC2034  # the variables are the caller's
read_wrk() {
    rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$1")
    p50=$(awk '$1 == "50%" { print $2 }' "$1")
    p99=$(awk '$1 == "99%" { print $2 }' "$1")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$1")
    sockerr=$(awk '/Socket errors:/ { s = 0; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+,?$/) s += $i; print s }' "$1")
}

stop_pids() {
    local p
    for p in "$@"; do kill -TERM "$p" 2>/dev/null || true; done
    for _ in $(seq 1 100); do
        local alive=0
        for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
        [ $alive -eq 0 ] && break
        sleep 0.1
    done
    for p in "$@"; do kill -KILL "$p" 2>/dev/null || true; done
    for p in "$@"; do wait "$p" 2>/dev/null || true; done
}

# stop_server PID LABEL LOG: SIGTERM to a pyrmute-registry server, which must exit 0 within 45 s
# (a warning with its log's tail if not); stopped for good either way.
stop_server() {
    local pid=$1 label=$2 log=$3 rc=0
    kill -TERM "$pid" 2>/dev/null || true
    timeout 45 bash -c "while kill -0 $pid 2>/dev/null; do sleep 0.1; done" || true
    wait "$pid" 2>/dev/null || rc=$?
    if [ "$rc" -ne 0 ]; then
        echo "warning: pyrmute-registry ($label) exited $rc after SIGTERM" >&2
        tail -n 20 "$log" >&2
    fi
    stop_pids "$pid"
}

# admin_key DIR DATABASE_URL NAME: a new admin API key (`pyrmute-registry create-admin-key`, run
# in DIR), printed.
admin_key() {
    (cd "$1" && PYRMUTE_REGISTRY_DATABASE_URL="$2" "$BIN/pyrmute-registry" create-admin-key --name "$3" |
        sed -n '/^API Key (save this/{n;p}')
}

# Waits until http://127.0.0.1:PORT/PATH answers 2xx, while the processes are alive.
wait_ready() {
    local port=$1 path=$2 p
    shift 2
    for _ in $(seq 1 300); do
        curl -sf --max-time 1 -o /dev/null "http://127.0.0.1:$port$path" && return 0
        for p in "$@"; do kill -0 "$p" 2>/dev/null || return 1; done
        sleep 0.1
    done
    return 1
}

# Summed RSS in MiB of the given processes and all their descendants.
tree_rss_mib() {
    ps -e -o pid=,ppid=,rss= | awk -v roots="$*" '
        { ppid[$1] = $2; rss[$1] = $3 }
        END {
            n = split(roots, r, " "); for (i = 1; i <= n; i++) keep[r[i]] = 1
            changed = 1
            while (changed) { changed = 0
                for (p in ppid) if (!(p in keep) && (ppid[p] in keep)) { keep[p] = 1; changed = 1 } }
            for (p in keep) if (p in rss) total += rss[p]
            printf "%.1f", total / 1024 }'
}

# cpu_ticks PID...: the CPU time (user + system, in clock ticks) the processes have used so far.
cpu_ticks() {
    local total=0 p
    for p in "$@"; do total=$((total + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0))); done
    echo "$total"
}

# ms_per_request TICKS_BEFORE TICKS_AFTER REQUESTS: CPU ms per request, from clock ticks.
ms_per_request() {
    awk -v a="$1" -v b="$2" -v n="$3" -v hz="$(getconf CLK_TCK)" 'BEGIN { if (n > 0) printf "%.2f", (b - a) * 1000 / hz / n; else print "-" }'
}

# wrk's latency values (e.g. 512.00us, 1.20ms, 1.01s) normalised to ms.
to_ms() {
    awk -v v="$1" 'BEGIN {
        if (v ~ /us$/) { sub(/us$/, "", v); printf "%.3f", v / 1000 }
        else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
        else if (v ~ /m$/) { sub(/m$/, "", v); printf "%.0f", v * 60000 }
        else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.0f", v * 1000 }
        else printf "%s", v }'
}

# run_wrk SECONDS OUTFILE WRK-ARGS...: in the background, so a signal interrupts `wait` at once.
run_wrk() {
    local secs=$1 out=$2 rc=0
    shift 2
    timeout "$secs" wrk "$@" >"$out" 2>&1 &
    WRK_PID=$!
    wait "$WRK_PID" || rc=$?
    WRK_PID=""
    return $rc
}

# serve_registry DIR BIN DATABASE_URL WORKERS [NAME=VALUE...]: starts BIN's `pyrmute-registry
# serve` in DIR (log DIR/server.log) on a free port, request logging off, with the extra settings
# given as environment assignments; sets PORT and SERVER_PID (also added to PIDS) and waits for
# liveness. Returns 1 with the log's tail when it does not start.
serve_registry() {
    local dir=$1 bin=$2 dburl=$3 workers=$4 sport
    shift 4
    mkdir -p "$dir"
    PORT=$(free_port)
    sport=$(free_port)
    while [ "$sport" = "$PORT" ]; do sport=$(free_port); done
    (
        cd "$dir" || exit 1
        exec env PYRMUTE_REGISTRY_DATABASE_URL="$dburl" PYRMUTE_REGISTRY_SUPERVISOR_PORT="$sport" \
            PYRMUTE_REGISTRY_ENABLE_REQUEST_LOGGING=false "$@" \
            "$bin/pyrmute-registry" serve --host 127.0.0.1 --port "$PORT" --workers "$workers"
    ) >"$dir/server.log" 2>&1 &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    if ! wait_ready "$PORT" /health/live "$SERVER_PID"; then
        echo "pyrmute-registry ($dir, $bin) did not start:" >&2
        tail -n 30 "$dir/server.log" >&2
        return 1
    fi
}

# Median of the numbers on stdin, one per line.
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# Report lines kept for the summary a script prints at its end: row FORMAT-ARGS... (with the
# script's FMT) and note TEXT.
RESULTS=()
NOTES=()
# shellcheck disable=SC2059  # FMT is the calling script's own format
row() { RESULTS+=("$(printf "$FMT" "$@")"); printf "$FMT" "$@"; }
note() { NOTES+=("# $*"); echo "# $*"; }

# Process bookkeeping: what cleanup() stops when the script exits, however it exits.
PIDS=()
PG_DIR=""
WRK_PID=""
SEED_PID=""
PROBE_PID=""

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    [ -n "$WRK_PID" ] && kill -TERM "$WRK_PID" 2>/dev/null
    [ -n "$SEED_PID" ] && kill -TERM "$SEED_PID" 2>/dev/null
    [ -n "$PROBE_PID" ] && kill -TERM "$PROBE_PID" 2>/dev/null
    [ ${#PIDS[@]} -gt 0 ] && stop_pids "${PIDS[@]}"
    if [ -n "$PG_DIR" ]; then "$ROOT/scripts/pg-cluster.sh" stop "$PG_DIR" >/dev/null 2>&1 || true; fi
    rm -rf "$WORK"
    exit $rc
}

# bench_workdir PREFIX: sets WORK to a new temporary folder and arms cleanup().
bench_workdir() {
    WORK=$(mktemp -d "/tmp/$1.XXXXXX")
    chmod 755 "$WORK"
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}
