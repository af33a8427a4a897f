#!/usr/bin/env bash
# Makes sure virtualenv VENV has each PACKAGE==VERSION from PyPI installed. Idempotent.
#
#   scripts/pip-venv.sh VENV PACKAGE VERSION [PACKAGE VERSION ...]
#
# When any pin is missing, all the pins go to one pip call, so that pip resolves their shared
# dependencies together (installing them one by one could upgrade a dependency under an earlier one).
set -euo pipefail

if [ $# -lt 3 ] || [ $(( ($# - 1) % 2 )) -ne 0 ]; then
    echo "usage: $0 VENV PACKAGE VERSION [PACKAGE VERSION ...]" >&2
    exit 2
fi
VENV=$1
shift

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" >&2
fi
pins=() missing=0
while [ $# -gt 0 ]; do
    PACKAGE=$1 VERSION=$2
    shift 2
    pins+=("$PACKAGE==$VERSION")
    if ! "$VENV/bin/python" -c "import importlib.metadata as m; assert m.version('$PACKAGE') == '$VERSION'" 2>/dev/null; then
        missing=1
    fi
done
if [ "$missing" = 1 ]; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${pins[@]}" >&2
fi
