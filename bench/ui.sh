#!/usr/bin/env bash
# The web UI's model page (issue 18: "a model page with 1,000 versions renders in < 50 ms server
# time"): one model with VERSIONS versions (registered through the API, every tenth deprecated with
# a message), then REQUESTS sequential GETs of /ui/model, /ui/version (the newest), /ui/namespace
# and /ui/diff (first against newest). Server time is the access log's `duration_ms` of each request
# (request read to response written, in the worker); client time is curl's total on loopback.
# SQLite, 1 worker.
#
#   bench/ui.sh
#
# Environment: VERSIONS (default 1000), REQUESTS (default 100), SCRATCH (swift --scratch-path,
# default .build-bench), SKIP_BUILD=1, BUILD (release|debug, default release).
# Prints a table (median, p90, max in ms) and writes it to bench/results/ui-latest.txt.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=bench/lib.sh
source "$ROOT/bench/lib.sh"

VERSIONS=${VERSIONS:-1000}
REQUESTS=${REQUESTS:-100}
SCRATCH=${SCRATCH:-.build-bench}
BUILD=${BUILD:-release}

bench_tools
SWIFT_ARGS=(-c "$BUILD" --scratch-path "$SCRATCH")
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "== swift build ${SWIFT_ARGS[*]}" >&2
    swift build "${SWIFT_ARGS[@]}" >&2
fi
BIN=$(swift build "${SWIFT_ARGS[@]}" --show-bin-path)

bench_workdir pyrmute-ui-bench
PORT=$(free_port)
SPORT=$(free_port)
while [ "$SPORT" = "$PORT" ]; do SPORT=$(free_port); done
(
    cd "$WORK"
    exec env PYRMUTE_REGISTRY_DATABASE_URL="sqlite:///$WORK/registry.db" PYRMUTE_REGISTRY_SUPERVISOR_PORT="$SPORT" \
        PYRMUTE_REGISTRY_LOG_FORMAT=json PYRMUTE_REGISTRY_ENABLE_UI=true \
        "$BIN/pyrmute-registry" serve --host 127.0.0.1 --port "$PORT" --workers 1
) >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
PIDS+=("$SERVER_PID")
wait_ready "$PORT" /health/live "$SERVER_PID" || { tail -n 40 "$WORK/server.log" >&2; exit 1; }
BASE="http://127.0.0.1:$PORT"

echo "== registering $VERSIONS versions of bench::Order" >&2
python3 - "$BASE" "$VERSIONS" <<'PY'
import json, sys, urllib.request
base, count = sys.argv[1], int(sys.argv[2])
def post(path, body=None):
    data = json.dumps(body).encode() if body is not None else b""
    request = urllib.request.Request(base + path, data=data, method="POST", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(request).read()
for i in range(count):
    version = f"{i // 100 + 1}.{i % 100}.0"
    schema = {"title": "Order", "type": "object", "required": ["id"], "properties": {
        "id": {"type": "string", "description": "Order id"},
        "total": {"type": "number", "description": f"Amount, revision {i}"},
        **{f"field_{j}": {"type": "string"} for j in range(i % 20)}}}
    post("/schemas/bench/Order/versions", {"version": version, "json_schema": schema, "registered_by": f"user{i % 7}"})
    if i % 10 == 0:
        post(f"/schemas/bench/Order/versions/{version}/deprecate?message=Replaced+by+a+later+version+%3Cb%3E{i}%3C%2Fb%3E")
PY
LAST="$(( (VERSIONS - 1) / 100 + 1 )).$(( (VERSIONS - 1) % 100 )).0"

RESULTS=()
FMT="%-34s %9s %9s %9s %9s %9s %9s %9s\n"
# shellcheck disable=SC2059  # FMT is the table's format
HEADER=$(printf "$FMT" page bytes srv_p50 srv_p90 srv_max cli_p50 cli_p90 cli_max)
echo "$HEADER"
measure() {
    local label=$1 path=$2 times bytes server
    : >"$WORK/times"
    curl -s -o /dev/null "$BASE$path"   # warm-up
    for _ in $(seq 1 "$REQUESTS"); do
        curl -s -o /dev/null -w '%{time_total} %{size_download}\n' "$BASE$path" >>"$WORK/times"
    done
    sleep 0.5   # the last access lines reach the log
    bytes=$(tail -n 1 "$WORK/times" | awk '{print $2}')
    times=$(awk '{printf "%.2f\n", $1 * 1000}' "$WORK/times" | sort -n)
    server=$(python3 - "$WORK/server.log" "${path%%\?*}" "$REQUESTS" <<'PY'
import json, sys
log, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
values = []
for line in open(log, encoding="utf-8", errors="replace"):
    if '"request_completed"' not in line:
        continue
    try:
        entry = json.loads(line[line.index("{"):])
    except ValueError:
        continue
    fields = {**entry, **entry.get("metadata", {})} if isinstance(entry.get("metadata"), dict) else entry
    if fields.get("path") == path:
        values.append(float(fields["duration_ms"]))
for v in sorted(values[-n:]):
    print(f"{v:.2f}")
PY
)
    pick() { awk -v q="$2" '{ a[NR] = $1 } END { if (NR == 0) { print "-"; exit } i = int(NR * q + 0.999); if (i < 1) i = 1; if (i > NR) i = NR; print a[i] }' <<<"$1"; }
    local row
    # shellcheck disable=SC2059
    row=$(printf "$FMT" "$label" "$bytes" "$(pick "$server" 0.5)" "$(pick "$server" 0.9)" "$(pick "$server" 1)" \
        "$(pick "$times" 0.5)" "$(pick "$times" 0.9)" "$(pick "$times" 1)")
    RESULTS+=("$row")
    echo "$row"
}
measure "model ($VERSIONS versions)" "/ui/model?namespace=bench&model=Order"
measure "version $LAST" "/ui/version?namespace=bench&model=Order&version=$LAST"
measure "namespace (1 model)" "/ui/namespace?namespace=bench"
measure "diff 1.0.0 -> $LAST" "/ui/diff?namespace=bench&model=Order&from=1.0.0&to=$LAST&level=BACKWARD"
measure "home" "/ui"

stop_server "$SERVER_PID" ui "$WORK/server.log"
PIDS=()
mkdir -p "$ROOT/bench/results"
{
    echo "# bench/ui.sh: $BUILD build, SQLite, 1 worker, $REQUESTS sequential requests per page, ms ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
    echo "$HEADER"
    printf '%s\n' "${RESULTS[@]}"
} >"$ROOT/bench/results/ui-latest.txt"
echo "written to bench/results/ui-latest.txt" >&2
