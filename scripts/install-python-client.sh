#!/usr/bin/env bash
# Installs the Python client users already have (pyrmute-registry 0.0.1 from PyPI) into
# .venv-client, for the compatibility tests. Idempotent; prints the interpreter's path.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
VENV="$ROOT/.venv-client"
PIN="pyrmute-registry==0.0.1"

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" >&2
fi
if ! "$VENV/bin/python" -c "import pyrmute_registry, importlib.metadata as m; assert m.version('pyrmute-registry') == '0.0.1'" 2>/dev/null; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$PIN" >&2
fi
echo "$VENV/bin/python"
