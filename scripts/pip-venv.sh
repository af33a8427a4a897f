#!/usr/bin/env bash
# Makes sure virtualenv VENV has PACKAGE==VERSION from PyPI installed. Idempotent.
#
#   scripts/pip-venv.sh VENV PACKAGE VERSION
set -euo pipefail

VENV=$1 PACKAGE=$2 VERSION=$3

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" >&2
fi
if ! "$VENV/bin/python" -c "import importlib.metadata as m; assert m.version('$PACKAGE') == '$VERSION'" 2>/dev/null; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$PACKAGE==$VERSION" >&2
fi
