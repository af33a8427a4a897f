#!/usr/bin/env bash
# Installs the Python tools the tests use (openapi-spec-validator, which checks /openapi.json)
# into .venv-tools. Idempotent; prints the venv's bin folder.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
"$ROOT/scripts/pip-venv.sh" "$ROOT/.venv-tools" openapi-spec-validator 0.9.0
echo "$ROOT/.venv-tools/bin"
