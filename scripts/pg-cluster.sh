#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback, for the test suite and the benchmarks.
#
#   pg-cluster.sh start    DIR PORT        create (if missing) and start; prints the URL
#   pg-cluster.sh stop     DIR             fast shutdown; no error if not running
#   pg-cluster.sh createdb DIR PORT NAME   create database NAME if missing; prints its URL
#
# Layout: DIR/data (PGDATA), DIR/log (server log), DIR/.s.PGSQL.PORT (unix socket).
# Trust authentication, no durability (fsync/synchronous_commit/full_page_writes off):
# never use it for data you want to keep. As root, the server runs as the system user
# pyrmute-pg (initdb and pg_ctl refuse to run as root).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"

PG_USER=pyrmute-pg

die() { echo "pg-cluster: $*" >&2; exit 1; }
usage() { die "usage: $0 start DIR PORT | stop DIR | createdb DIR PORT NAME"; }

find_bindir() {
    local p d
    if p=$(command -v pg_ctl 2>/dev/null); then
        d=$(dirname "$(readlink -f "$p")")
        if [ -x "$d/initdb" ] && [ -x "$d/postgres" ]; then echo "$d"; return; fi
    fi
    d=$(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    if [ -z "$d" ] || [ ! -x "$d/pg_ctl" ] || [ ! -x "$d/initdb" ]; then
        die "PostgreSQL server binaries not found (pg_ctl on PATH or /usr/lib/postgresql/*/bin); run scripts/install-deps.sh"
    fi
    echo "$d"
}

# Single-quote for /bin/sh: a'b -> 'a'\''b'
shquote() {
    local out="" a
    for a in "$@"; do out+="'${a//\'/\'\\\'\'}' "; done
    printf '%s' "$out"
}

AS_ROOT=0
[ "$(id -u)" -eq 0 ] && AS_ROOT=1

# Runs a command as the cluster owner: ourselves, or pyrmute-pg when we are root. The server
# inherits no descriptor above 2 (close_extra_fds, scripts/lib.sh).
as_owner() {
    (
        close_extra_fds
        cd /
        if [ "$AS_ROOT" -eq 0 ]; then
            exec "$@"
        elif command -v runuser >/dev/null 2>&1; then
            exec runuser -u "$PG_USER" -- "$@"
        else
            exec su -s /bin/sh -c "$(shquote "$@")" "$PG_USER"
        fi
    )
}

ensure_pg_user() {
    [ "$AS_ROOT" -eq 1 ] || return 0
    id -u "$PG_USER" >/dev/null 2>&1 && return 0
    (
        flock 8
        id -u "$PG_USER" >/dev/null 2>&1 ||
            useradd -r -M -d /nonexistent -s /bin/sh -c "pyrmute throwaway PostgreSQL" "$PG_USER"
    ) 8>/tmp/.pyrmute-pg-useradd.lock
    id -u "$PG_USER" >/dev/null 2>&1 || die "could not create system user $PG_USER"
}

# As root: hand DIR to pyrmute-pg and make every ancestor of DIR searchable by it.
prepare_dir_for_owner() {
    local dir=$1 d
    [ "$AS_ROOT" -eq 1 ] || return 0
    chown "$PG_USER:" "$dir"
    if ! as_owner test -x "$dir" -a -w "$dir"; then
        d=$dir
        while [ "$d" != "/" ]; do
            d=$(dirname "$d")
            if ! as_owner test -x "$d"; then
                echo "pg-cluster: granting search (o+x) on $d so $PG_USER can reach $dir" >&2
                chmod o+x "$d"
            fi
        done
        as_owner test -x "$dir" -a -w "$dir" || die "$PG_USER cannot use $dir"
    fi
}

log_tail() {
    local f
    for f in "$@"; do
        [ -s "$f" ] || continue
        echo "----- tail of $f -----" >&2
        tail -n 30 "$f" >&2
    done
}

# Percent-encodes a database name for the URL path.
urlencode() {
    local s=$1 out="" c i
    for (( i = 0; i < ${#s}; i++ )); do
        c=${s:i:1}
        case "$c" in
            [A-Za-z0-9._~-]) out+=$c ;;
            *) out+=$(printf '%%%02X' "'$c") ;;
        esac
    done
    printf '%s' "$out"
}

url() { echo "postgresql://postgres@127.0.0.1:$1/$(urlencode "${2:-postgres}")"; }

# Port of the running postmaster (line 4 of postmaster.pid), or empty.
running_port() {
    local data=$1
    [ -f "$data/postmaster.pid" ] || return 0
    as_owner "$BINDIR/pg_ctl" status -D "$data" >/dev/null 2>&1 || return 0
    sed -n 4p "$data/postmaster.pid"
}

cmd_start() {
    local dir=$1 port=$2
    if ! [[ "$port" =~ ^[0-9]+$ ]] || [ "$port" -le 0 ] || [ "$port" -ge 65536 ]; then die "bad port: $port"; fi
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd -P)
    local data="$dir/data" log="$dir/log" initlog="$dir/initdb.log"
    ensure_pg_user

    # One start at a time per DIR (as_owner closes fd 9 and every other fd above 2 for its command).
    exec 9>>"$dir/.lock"
    flock 9

    local rp
    rp=$(running_port "$data")
    if [ -n "$rp" ]; then
        [ "$rp" = "$port" ] || echo "pg-cluster: already running in $dir on port $rp (asked for $port)" >&2
        url "$rp"
        return 0
    fi

    prepare_dir_for_owner "$dir"
    if [ ! -f "$data/PG_VERSION" ]; then
        rm -rf "$data"
        if ! as_owner "$BINDIR/initdb" -D "$data" -A trust -U postgres --no-sync \
            -E UTF8 --locale=C >"$initlog" 2>&1; then
            log_tail "$initlog"
            die "initdb failed in $data"
        fi
        # Settings live in pyrmute.conf, rewritten on each start (the port may change).
        echo "include_if_exists = 'pyrmute.conf'" >>"$data/postgresql.conf"
    fi

    local sockdir=$dir
    if [ $(( ${#dir} + 20 )) -gt 107 ]; then
        echo "pg-cluster: $dir is too long for a unix socket path; TCP only" >&2
        sockdir=""
    fi
    # A file the owner can write; in postgresql.conf syntax, ' is doubled.
    as_owner tee "$data/pyrmute.conf" >/dev/null <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '${sockdir//\'/\'\'}'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
logging_collector = off
EOF

    if [ "$AS_ROOT" -eq 1 ] && [ -e "$log" ]; then chown "$PG_USER:" "$log"; fi
    if ! as_owner "$BINDIR/pg_ctl" start -D "$data" -l "$log" -w -t 30 -s >>"$dir/pg_ctl.out" 2>&1; then
        log_tail "$dir/pg_ctl.out" "$log"
        die "could not start PostgreSQL in $data on 127.0.0.1:$port"
    fi
    url "$port"
}

cmd_stop() {
    local dir=$1
    [ -d "$dir" ] || return 0
    dir=$(cd "$dir" && pwd -P)
    local data="$dir/data"
    [ -f "$data/postmaster.pid" ] || return 0
    if as_owner "$BINDIR/pg_ctl" status -D "$data" >/dev/null 2>&1; then
        as_owner "$BINDIR/pg_ctl" stop -D "$data" -m fast -w -t 30 -s >&2 ||
            { log_tail "$dir/log"; die "could not stop PostgreSQL in $data"; }
    fi
}

cmd_createdb() {
    local dir=$1 port=$2 name=$3
    [ -n "$name" ] || die "empty database name"
    local psql=("$BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres -tA)
    [ -x "$BINDIR/psql" ] || psql[0]=psql
    local lit=${name//\'/\'\'} ident=${name//\"/\"\"} exists
    exists=$(PGCONNECT_TIMEOUT=10 "${psql[@]}" -c "select 1 from pg_database where datname = '$lit'") ||
        die "cannot connect to PostgreSQL on 127.0.0.1:$port (is the cluster in $dir started?)"
    if [ "$exists" != "1" ]; then
        # A concurrent createdb of the same name may win the race: accept that.
        if ! err=$("${psql[@]}" -c "create database \"$ident\"" 2>&1); then
            exists=$("${psql[@]}" -c "select 1 from pg_database where datname = '$lit'" || true)
            [ "$exists" = "1" ] || die "create database $name failed: $err"
        fi
    fi
    url "$port" "$name"
}

[ $# -ge 1 ] || usage
BINDIR=$(find_bindir)
case "$1" in
    start)    [ $# -eq 3 ] || usage; cmd_start "$2" "$3" ;;
    stop)     [ $# -eq 2 ] || usage; cmd_stop "$2" ;;
    createdb) [ $# -eq 4 ] || usage; cmd_createdb "$2" "$3" "$4" ;;
    *)        usage ;;
esac
