#!/usr/bin/env bash
# Lints the repository's scripts: every shell script (scripts/*.sh, bench/*.sh, deploy/**/*.sh,
# .ci/run) with shellcheck, and the Python of scripts/, bench/ and Tests/ (compiled, then pyflakes from
# .venv-tools when scripts/install-python-tools.sh has installed it). Exits 1 on any finding.
#
#   scripts/lint.sh
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$ROOT"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

mapfile -t shell_scripts < <(find scripts bench deploy -name '*.sh' -type f | sort; echo .ci/run)
mapfile -t python_files < <(find scripts bench Tests -name '*.py' -type f | sort)
status=0

if ! command -v shellcheck >/dev/null 2>&1; then
    log "ERROR: shellcheck is not installed: run scripts/install-deps.sh"
    exit 1
fi
# -x follows `source` (the `# shellcheck source=` paths are relative to the repository root).
shellcheck -x "${shell_scripts[@]}" || status=1

# Compiled in memory: a syntax error fails, and no __pycache__ is left behind.
python3 -c 'import sys
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        compile(f.read(), path, "exec")' "${python_files[@]}" || status=1
if [ -x "$ROOT/.venv-tools/bin/pyflakes" ]; then
    "$ROOT/.venv-tools/bin/pyflakes" "${python_files[@]}" || status=1
else
    log "pyflakes not installed (scripts/install-python-tools.sh): Python only compiled"
fi

if [ $status -eq 0 ]; then
    log "${#shell_scripts[@]} shell scripts clean under shellcheck, ${#python_files[@]} Python files clean"
fi
exit $status
