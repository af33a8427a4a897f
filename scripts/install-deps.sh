#!/usr/bin/env bash
# Installs what building, testing and benchmarking pyrmute-registry needs on Debian/Ubuntu.
# Idempotent: runs `apt-get update` and `apt-get install` only when a package is missing.
# Does not install Swift (fails with a hint when `swift` cannot be found) and starts no service.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

# The package shellcheck: scripts/test.sh lints every shell script with it. chromium and
# chromium-driver: the web UI's browser tests (UIBrowserTests) drive Debian's Chromium with selenium.
PACKAGES=(libsqlite3-dev libpq-dev libcrypt-dev zlib1g-dev postgresql wrk curl openssl procps ca-certificates python3 python3-venv
    shellcheck chromium chromium-driver)

# --- Swift -------------------------------------------------------------------------------
if ! command -v swift >/dev/null 2>&1; then
    if found=$(swift_outside_path); then
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

mapfile -t missing < <(apt_missing "${PACKAGES[@]}")
if [ ${#missing[@]} -eq 0 ]; then
    log "all packages present (${PACKAGES[*]})"
    exit 0
fi

log "installing: ${missing[*]}"
# postinst may try to start a cluster through policy-rc.d, which is harmless: nothing here
# depends on a system-wide PostgreSQL service.
apt_install "${missing[@]}" || { log "ERROR: apt-get install failed"; exit 1; }

mapfile -t still < <(apt_missing "${missing[@]}")
if [ ${#still[@]} -ne 0 ]; then
    log "ERROR: failed to install: ${still[*]}"
    exit 1
fi
log "done"
