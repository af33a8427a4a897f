#!/usr/bin/env bash
# Installs the Python tools the tests use into .venv-tools: openapi-spec-validator (checks
# /openapi.json) and schemathesis (scripts/schemathesis.sh fuzzes the server against that
# document), pyflakes (scripts/test.sh lints the repository's Python with it), and avro (the
# reference reader/writer compatibility checker the Avro engine is compared with in CompatibilityTests),
# prometheus-client (its text parser reads /metrics in MetricsTests) and standardwebhooks (the
# Standard Webhooks reference library: the webhook receiver of the IntegrationTests verifies every
# delivery with it), opentelemetry-proto (the OTLP receiver of TracingTests decodes the spans the
# server exports with it), selenium and axe-selenium-python (the web UI's browser tests, UIBrowserTests, drive
# Debian's chromium/chromium-driver from scripts/install-deps.sh and run axe's accessibility pass).
# Idempotent; prints the venv's bin folder.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
"$ROOT/scripts/pip-venv.sh" "$ROOT/.venv-tools" openapi-spec-validator 0.9.0 schemathesis 4.32.5 pyflakes 4.1.0 avro 1.12.0 \
    prometheus-client 0.26.0 standardwebhooks 1.1.0 opentelemetry-proto 1.45.2 protobuf 7.36.2 \
    selenium 4.38.0 axe-selenium-python 2.1.6
echo "$ROOT/.venv-tools/bin"
