#!/usr/bin/env bash
# Fuzzes a real server against its own /openapi.json with schemathesis: every operation, with
# checks that no answer is a 5xx and that every status, content type, header and body is the
# one the document promises. Starts the server itself (one worker, free ports, a fresh SQLite
# database unless --database-url is given) and stops it afterwards.
#
#   scripts/schemathesis.sh [--auth] [--database-url URL] [--max-examples N] [--seed N]
#                           [--bin-dir DIR] [--keep] [-- EXTRA SCHEMATHESIS ARGS]
#
#   --auth           ENABLE_AUTH=true, an admin key (pyrmute-registry create-admin-key) in X-API-Key
#   --database-url   an empty database to use (PostgreSQL or SQLite); default: a new SQLite file
#   --max-examples   test cases per operation and phase (default 12)
#   --seed           random generation from this hypothesis seed (default: schemathesis's
#                    deterministic mode, the same test cases on every run)
#   --bin-dir        folder with pyrmute-registry and pyrmute-registry-worker (default .build/debug)
#   --keep           keep the temporary folder (server log, schemathesis report)
#
# Exits 0 when schemathesis found nothing and the server neither crashed nor restarted a worker;
# otherwise non-zero, with schemathesis's report, the server's liveness and its log's errors.
# Needs .venv-tools (scripts/install-python-tools.sh).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
AUTH=0 DATABASE_URL="" MAX_EXAMPLES=12 SEED="" BIN_DIR="$ROOT/.build/debug" KEEP=0
EXTRA=()
while [ $# -gt 0 ]; do
    case "$1" in
        --auth) AUTH=1 ;;
        --database-url) DATABASE_URL=$2; shift ;;
        --max-examples) MAX_EXAMPLES=$2; shift ;;
        --seed) SEED=$2; shift ;;
        --bin-dir) BIN_DIR=$2; shift ;;
        --keep) KEEP=1 ;;
        --) shift; EXTRA=("$@"); break ;;
        *) echo "unknown argument: $1" >&2; exit 2 ;;
    esac
    shift
done

SCHEMATHESIS="$ROOT/.venv-tools/bin/schemathesis"
BIN_DIR=$(cd "$BIN_DIR" 2>/dev/null && pwd -P || echo "$BIN_DIR")
CLI="$BIN_DIR/pyrmute-registry"
[ -x "$SCHEMATHESIS" ] || { echo "no $SCHEMATHESIS: run scripts/install-python-tools.sh" >&2; exit 2; }
[ -x "$CLI" ] || { echo "no $CLI: build first (swift build) or pass --bin-dir" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pyrmute-schemathesis.XXXXXX")
SERVER_PID=""
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "$KEEP" = 1 ]; then echo "kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 143' TERM INT

PORT=$(free_port)
SUPERVISOR_PORT=$(free_port)
[ -n "$DATABASE_URL" ] || DATABASE_URL="sqlite:///$WORK/registry.db"

# Only this script's settings: none of the caller's PYRMUTE_REGISTRY_* leak in. Replaces the
# (sub)shell, so that the server's pid is $! of a background call.
run_env() {
    local v unset=() auth=false
    for v in $(compgen -e); do
        if [[ "$v" == PYRMUTE_REGISTRY_* ]]; then unset+=(-u "$v"); fi
    done
    if [ "$AUTH" = 1 ]; then auth=true; fi
    exec env "${unset[@]}" \
        PYRMUTE_REGISTRY_DATABASE_URL="$DATABASE_URL" PYRMUTE_REGISTRY_ENABLE_AUTH="$auth" \
        PYRMUTE_REGISTRY_SUPERVISOR_PORT="$SUPERVISOR_PORT" PYRMUTE_REGISTRY_SUPERVISOR_HOST=127.0.0.1 \
        PYRMUTE_REGISTRY_WEBHOOK_DELIVERY_ENABLED=false PYRMUTE_REGISTRY_ENABLE_REQUEST_LOGGING=false PYRMUTE_REGISTRY_LOG_LEVEL=WARNING "$@"
}

HEADERS=()
if [ "$AUTH" = 1 ]; then
    (cd "$WORK" && run_env "$CLI" create-admin-key --name schemathesis-admin >"$WORK/key.txt" 2>&1) || {
        echo "create-admin-key failed:" >&2; cat "$WORK/key.txt" >&2; exit 1
    }
    KEY=$(sed -n "/^API Key (save this - it won't be shown again):\$/{n;p;q}" "$WORK/key.txt")
    [ -n "$KEY" ] || { echo "no key in create-admin-key's output:" >&2; cat "$WORK/key.txt" >&2; exit 1; }
    HEADERS=(-H "X-API-Key: $KEY")
fi

# The server gets no descriptor above 2 (close_extra_fds, scripts/lib.sh): a caller that watches
# this script's descriptors for its end (Foundation's Process does) must not wait for the server too.
cd "$WORK"
(close_extra_fds; run_env "$CLI" serve --host 127.0.0.1 --port "$PORT" --workers 1) >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 200); do
    curl -fsS -o /dev/null "$BASE/health/live" 2>/dev/null && break
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "the server exited at start:" >&2; cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.1
done
curl -fsS -o /dev/null "$BASE/health/live" || { echo "the server did not come up:" >&2; cat "$WORK/server.log" >&2; exit 1; }

CHECKS=not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance
# One schemathesis run; the destructive key operations (they can revoke or delete the very key
# the run authenticates with) go last, in a run of their own. A run passes when schemathesis
# exits 0 and its summary counts test cases that all passed.
fuzz() {
    local name=$1
    shift
    local generation=(--generation-deterministic)
    [ -z "$SEED" ] || generation=(--seed "$SEED")
    echo "== schemathesis ($name): auth=$AUTH database=${DATABASE_URL%%://*} max-examples=$MAX_EXAMPLES ${generation[*]}"
    local rc=0
    "$SCHEMATHESIS" run "$BASE/openapi.json" --checks "$CHECKS" --max-examples "$MAX_EXAMPLES" "${generation[@]}" \
        --workers 1 --request-timeout 20 --suppress-health-check all --no-color \
        --report junit --report-dir "$WORK/report-$name" "${HEADERS[@]}" "$@" "${EXTRA[@]}" \
        >"$WORK/$name.out" 2>&1 || rc=$?
    cat "$WORK/$name.out"
    if [ "$rc" != 0 ]; then
        echo "FAIL: schemathesis ($name) exited $rc" >&2
        return 1
    fi
    local counts
    counts=$(sed -n 's/^ *\([0-9][0-9]*\) generated, \([0-9][0-9]*\) passed.*/\1 \2/p' "$WORK/$name.out")
    read -r generated passed <<<"${counts:-0 -1}"
    if [ "$generated" = 0 ] || [ "$generated" != "$passed" ]; then
        echo "FAIL: schemathesis ($name) ran no test case or not all passed (summary: '${counts:-none}')" >&2
        return 1
    fi
    SUMMARY+="$name: $generated test cases passed; "
}
SUMMARY=""
DESTRUCTIVE='^(delete_api_key|revoke_api_key|rotate_api_key)$'
status=0
# The stateful phase follows the document's links (register → get, compare, deprecate, delete; create
# key → get key) through sequences of calls; the key run has no link source, so no stateful phase.
fuzz main --phases examples,coverage,fuzzing,stateful --exclude-operation-id-regex "$DESTRUCTIVE" || status=1
fuzz keys --phases examples,coverage,fuzzing --include-operation-id-regex "$DESTRUCTIVE" || status=1

# The server must still be up with no worker ever replaced.
LIVENESS=$(curl -sS "http://127.0.0.1:$SUPERVISOR_PORT/" || true)
echo "== liveness: $LIVENESS"
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "FAIL: the server died" >&2; status=1
elif ! python3 -c 'import json, sys; d = json.loads(sys.argv[1]); sys.exit(0 if d["workers_running"] == 1 and all(s["restarts"] == 0 for s in d["slots"]) else 1)' "$LIVENESS"; then
    echo "FAIL: a worker crashed or was replaced" >&2; status=1
fi
if grep -E "Fatal error|unhandled error|database error" "$WORK/server.log" >&2; then
    echo "FAIL: errors in the server log (above)" >&2; status=1
fi
if [ "$status" = 0 ]; then
    echo "schemathesis.sh: OK ($SUMMARY""server up, no worker restarted)"
else
    echo "schemathesis.sh: FAILED; server log tail:" >&2
    tail -n 40 "$WORK/server.log" >&2
fi
exit $status
