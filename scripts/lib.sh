# shellcheck shell=bash
# Shell helpers shared by scripts/*.sh, bench/*.sh and .ci/run (sourced, after ROOT is set).
# Defines functions only; SUDO is set by need_sudo.

# log MESSAGE...: "NAME: MESSAGE" on stderr, NAME being the script's name without .sh.
log() { echo "$(basename "$0" .sh): $*" >&2; }

# The folder of a Swift toolchain installed outside PATH (/opt/swift), or nothing.
swift_outside_path() {
    local d
    for d in /opt/swift/usr/bin /opt/swift/bin; do
        if [ -x "$d/swift" ]; then echo "$d"; return 0; fi
    done
    return 1
}

# Puts a toolchain under /opt/swift on PATH when swift is not on it already.
use_swift() {
    local d
    if ! command -v swift >/dev/null 2>&1 && d=$(swift_outside_path); then export PATH="$d:$PATH"; fi
}

# need_sudo: SUDO=() as root, SUDO=(sudo) otherwise; returns 1 when not root and sudo is missing.
need_sudo() {
    SUDO=()
    [ "$(id -u)" -eq 0 ] && return 0
    command -v sudo >/dev/null 2>&1 || return 1
    SUDO=(sudo)
}

# apt_missing PACKAGE...: prints the packages that are not installed, one a line.
apt_missing() {
    local pkg status
    for pkg in "$@"; do
        status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
        [ "$status" = "installed" ] || echo "$pkg"
    done
}

# apt_install [--no-service-starts] PACKAGE...: apt-get update and install (root or sudo), keeping
# existing config files. --no-service-starts: a policy-rc.d that denies every start (the usual
# container setup) keeps the packages' services (nginx, systemd's) stopped; removed afterwards.
apt_install() {
    local no_starts=0 policy=/usr/sbin/policy-rc.d made_policy=0 rc=0
    if [ "${1:-}" = --no-service-starts ]; then no_starts=1; shift; fi
    need_sudo || { log "ERROR: missing packages ($*), not root and no sudo"; return 1; }
    if [ $no_starts -eq 1 ] && [ ! -e "$policy" ]; then
        printf '#!/bin/sh\n# %s: no service starts during its apt-get install\nexit 101\n' "$(basename "$0")" \
            | "${SUDO[@]}" tee "$policy" >/dev/null
        "${SUDO[@]}" chmod 0755 "$policy"
        made_policy=1
    fi
    "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq || rc=$?
    if [ $rc -eq 0 ]; then
        "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
            -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" >/dev/null || rc=$?
    fi
    if [ $made_policy -eq 1 ]; then "${SUDO[@]}" rm -f "$policy"; fi
    return $rc
}

# A free TCP port on 127.0.0.1 (the kernel's choice; free when asked, not reserved).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Closes every descriptor above 2 in the current (sub)shell. A server started from it must not
# inherit any: a caller that waits for EOF on a pipe or socket it gave us (Foundation's Process on
# Linux watches a socketpair to learn that the child exited) would otherwise wait for the server.
close_extra_fds() {
    local f fd
    for f in /dev/fd/*; do
        fd=${f##*/}
        [ "$fd" -gt 2 ] 2>/dev/null && exec {fd}>&- 2>/dev/null
    done
    return 0
}
