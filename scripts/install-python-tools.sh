#!/usr/bin/env bash
# Installs the Python tools the tests use into .venv-tools: openapi-spec-validator (checks
# /openapi.json) and schemathesis (scripts/schemathesis.sh fuzzes the server against that
# document). Idempotent; prints the venv's bin folder.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
"$ROOT/scripts/pip-venv.sh" "$ROOT/.venv-tools" openapi-spec-validator 0.9.0 schemathesis 4.32.5
echo "$ROOT/.venv-tools/bin"
