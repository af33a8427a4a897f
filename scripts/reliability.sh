#!/usr/bin/env bash
# Runs the fault tests (Tests/IntegrationTests/FaultTests.swift) with the long settings and
# prints what they counted: the reliability report of issue #7.
#
#   scripts/reliability.sh [swift test args...]     e.g. scripts/reliability.sh --filter 'FaultTests.*chaos'
#
# Settings (environment):
#   CHAOS_SECONDS=60       how long a random worker is killed (kill -9) every second under writes
#   PG_OUTAGE_SECONDS=10   how long PostgreSQL stays stopped under writes
#   SCRATCH=DIR            swift's --scratch-path (default .build)
#   SKIP_BUILD=1           use the existing build
#
# Every fault runs on SQLite and PostgreSQL where it applies; PostgreSQL and the read-only test
# are required here (a skip is a failure). Exit status: that of `swift test`.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
use_swift

"$ROOT/scripts/install-deps.sh"

export PYRMUTE_CHAOS_SECONDS=${CHAOS_SECONDS:-60}
export PYRMUTE_PG_OUTAGE_SECONDS=${PG_OUTAGE_SECONDS:-10}
export PYRMUTE_TEST_REQUIRE_POSTGRES=1
export PYRMUTE_TEST_REQUIRE_FAULTS=1

SWIFT_ARGS=()
[ -n "${SCRATCH:-}" ] && SWIFT_ARGS+=(--scratch-path "$SCRATCH")
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "== swift build --build-tests ${SWIFT_ARGS[*]}" >&2
    swift build --build-tests "${SWIFT_ARGS[@]}"
fi

FILTER=(--filter FaultTests)
for a in "$@"; do [ "$a" = --filter ] && FILTER=(); done

OUT=$(mktemp "${TMPDIR:-/tmp}/pyrmute-reliability.XXXXXX")
trap 'rm -f "$OUT"' EXIT
echo "== swift test ${FILTER[*]} $* (chaos ${PYRMUTE_CHAOS_SECONDS} s, PostgreSQL outage ${PYRMUTE_PG_OUTAGE_SECONDS} s)" >&2
set +e
swift test --skip-build "${SWIFT_ARGS[@]}" "${FILTER[@]}" "$@" 2>&1 | tee "$OUT"
rc=${PIPESTATUS[0]}
set -e

# FAULT-REPORT fault=… backend=… key=value …  →  one block per test.
echo
echo "== reliability report ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, chaos ${PYRMUTE_CHAOS_SECONDS} s)"
grep -a '^FAULT-REPORT ' "$OUT" | awk '
{
    delete kv; order = ""
    for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = substr($i, length(p[1]) + 2); keys[i] = p[1] }
    printf "%-16s %-9s  requests %-6s 201 %-6s 503 %-5s connection errors %-4s (%s)  timeouts %s  wrong %s\n",
        kv["fault"], kv["backend"], kv["requests"], kv["created_201"], kv["unavailable_503"],
        kv["connection_errors"], kv["connection_error_kinds"], kv["timeouts"], kv["wrong"]
    printf "%-27s  committed despite an error %s, absent after an error %s, lost or damaged %s\n", "",
        kv["committed_despite_error"], kv["absent_after_error"], kv["lost_or_damaged"]
    extra = ""
    for (i = 4; i <= NF; i++) {
        k = keys[i]
        if (k ~ /^(requests|created_201|unavailable_503|connection_errors|connection_error_kinds|timeouts|wrong|committed_despite_error|absent_after_error|lost_or_damaged)$/) continue
        extra = extra (extra == "" ? "" : ", ") k " " kv[k]
    }
    if (extra != "") printf "%-27s  %s\n", "", extra
}'
n=$(grep -ac '^FAULT-REPORT ' "$OUT" || true)
echo "($n fault runs reported; swift test exit status $rc)"
exit "$rc"
