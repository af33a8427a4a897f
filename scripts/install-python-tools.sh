#!/usr/bin/env bash
# Installs the Python tools the tests use (openapi-spec-validator, which checks /openapi.json)
# into .venv-tools. Idempotent; prints the venv's bin folder.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
VENV="$ROOT/.venv-tools"
PIN_NAME="openapi-spec-validator"
PIN_VERSION="0.9.0"

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV" >&2
fi
if ! "$VENV/bin/python" -c "import importlib.metadata as m; assert m.version('$PIN_NAME') == '$PIN_VERSION'" 2>/dev/null; then
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "$PIN_NAME==$PIN_VERSION" >&2
fi
echo "$VENV/bin"
