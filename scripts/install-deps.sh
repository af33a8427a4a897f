#!/usr/bin/env bash
# Installs what building, testing and benchmarking pyrmute-registry needs on Debian/Ubuntu.
# Idempotent: runs `apt-get update` and `apt-get install` only when a package is missing.
# Does not install Swift (fails with a hint when `swift` cannot be found) and starts no service.
set -euo pipefail

PACKAGES=(libsqlite3-dev libpq-dev libcrypt-dev zlib1g-dev postgresql wrk curl procps ca-certificates python3 python3-venv)

log() { echo "install-deps: $*" >&2; }

# --- Swift -------------------------------------------------------------------------------
if ! command -v swift >/dev/null 2>&1; then
    found=""
    for dir in /opt/swift/usr/bin /opt/swift/bin; do
        if [ -x "$dir/swift" ]; then found="$dir"; break; fi
    done
    if [ -n "$found" ]; then
        log "swift is not on PATH but exists in $found; run: export PATH=\"$found:\$PATH\""
    else
        log "ERROR: swift was not found on PATH nor in /opt/swift/usr/bin or /opt/swift/bin."
        log "Install a Swift 6 toolchain (https://www.swift.org/install/linux/) and put its bin/ on PATH."
        exit 1
    fi
fi

# --- apt packages ------------------------------------------------------------------------
if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    log "ERROR: this script needs a Debian-based system (dpkg/apt-get); install by hand: ${PACKAGES[*]}"
    exit 1
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "installed" ] || missing+=("$pkg")
done

if [ ${#missing[@]} -eq 0 ]; then
    log "all packages present (${PACKAGES[*]})"
    exit 0
fi

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        log "ERROR: missing packages (${missing[*]}) and not root, and sudo is unavailable."
        exit 1
    fi
fi

log "installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
# -o Dpkg::Options: keep existing config files; postinst may try to start a cluster through
# policy-rc.d, which is harmless: nothing here depends on a system-wide PostgreSQL service.
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null

still=()
for pkg in "${missing[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [ "$status" = "installed" ] || still+=("$pkg")
done
if [ ${#still[@]} -ne 0 ]; then
    log "ERROR: failed to install: ${still[*]}"
    exit 1
fi
log "done"
