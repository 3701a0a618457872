#!/usr/bin/env bash
# cluster.sh: a throwaway PostgreSQL cluster for the tests.
#
#   eval "$(tests/harness/cluster.sh start)"   # exports PGHOST PGPORT ...
#   tests/harness/cluster.sh stop "$PD_CLUSTER_DIR"
#
# The cluster lives in a fresh temp dir with its own socket dir, listens on
# 127.0.0.1 on a free port (so TCP and host-name paths are testable too),
# trusts local connections, and runs as the `postgres` user when we are
# root (the server refuses to run as root). Stop removes everything.
set -u

die() { echo "cluster.sh: $*" >&2; exit 1; }

bindir() {
    local d
    d=$(pg_config --bindir 2>/dev/null)
    if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; return; fi
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$d" ] && [ -x "$d/initdb" ] && { echo "$d"; return; }
    die "no PostgreSQL server binaries (initdb) found; install 'postgresql'"
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start() {
    local bin dir port try
    bin=$(bindir) || exit 1
    dir=$(mktemp -d /tmp/pgdeck-cluster.XXXXXX) || die "mktemp failed"
    chmod 755 "$dir"
    mkdir -p "$dir/sock"
    [ "$(id -u)" = 0 ] && chown -R postgres:postgres "$dir"
    if ! as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust \
            -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1; then
        cat "$dir/initdb.log" >&2
        rm -rf "$dir"
        die "initdb failed"
    fi
    # Settings live in the data directory (not pg_ctl -o), so a test that
    # stops and starts the server gets the same socket, port and tuning.
    echo "include_if_exists = 'pgdeck.conf'" >>"$dir/data/postgresql.conf"
    for try in 1 2 3 4 5 6 7 8 9 10; do
        port=$(( (RANDOM % 20000) + 30000 + try ))
        port_free "$port" || continue
        cat >"$dir/data/pgdeck.conf" <<CONF
port = $port
unix_socket_directories = '$dir/sock'
listen_addresses = '127.0.0.1'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 64MB
CONF
        [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir/data/pgdeck.conf"
        if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
               -t 30 start >/dev/null 2>&1; then
            echo "export PD_CLUSTER_DIR='$dir' PD_PG_BINDIR='$bin'"
            echo "export PGHOST='$dir/sock' PGPORT='$port' PGUSER=postgres"
            echo "export PGDATABASE=postgres"
            return 0
        fi
    done
    cat "$dir/server.log" >&2 2>/dev/null
    rm -rf "$dir"
    die "could not start the server on a free port"
}

stop() {
    local dir=${1:-} bin
    [ -n "$dir" ] && [ -d "$dir" ] || return 0
    case "$dir" in /tmp/pgdeck-cluster.*) ;; *) die "refusing to remove $dir" ;; esac
    bin=$(bindir) || true
    if [ -f "$dir/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop \
            >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
start) start ;;
stop) stop "${2:-}" ;;
*) die "usage: cluster.sh start | stop DIR" ;;
esac
