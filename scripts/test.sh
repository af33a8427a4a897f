#!/usr/bin/env bash
# Runs the whole test suite: installs the system packages it needs, lints the scripts
# (scripts/lint.sh: shellcheck, Python), builds, and runs `swift test`.
#
#   scripts/test.sh [swift test args...]      e.g. scripts/test.sh --filter DatabaseURLTests
#
# SCRATCH=DIR uses DIR as swift's --scratch-path instead of .build.
# The integration tests start throwaway PostgreSQL clusters through scripts/pg-cluster.sh;
# PYRMUTE_TEST_REQUIRE_POSTGRES=1 makes them fail, not skip, when PostgreSQL cannot start.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"

# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
use_swift

"$ROOT/scripts/install-deps.sh"
"$ROOT/scripts/install-python-client.sh" >/dev/null
"$ROOT/scripts/install-python-tools.sh" >/dev/null

echo "== scripts/lint.sh" >&2
"$ROOT/scripts/lint.sh"

export PYRMUTE_TEST_REQUIRE_POSTGRES=1

SWIFT_ARGS=()
[ -n "${SCRATCH:-}" ] && SWIFT_ARGS+=(--scratch-path "$SCRATCH")

echo "== swift build --build-tests ${SWIFT_ARGS[*]}" >&2
swift build --build-tests "${SWIFT_ARGS[@]}"

echo "== swift test ${SWIFT_ARGS[*]} $*" >&2
set +e
swift test "${SWIFT_ARGS[@]}" "$@"
rc=$?
set -e
exit $rc
