#!/usr/bin/env bash
# Installs the Python client users already have (pyrmute-registry 0.0.1 from PyPI) into
# .venv-client, for the compatibility tests. Idempotent; prints the interpreter's path.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
"$ROOT/scripts/pip-venv.sh" "$ROOT/.venv-client" pyrmute-registry 0.0.1
echo "$ROOT/.venv-client/bin/python"
