#!/usr/bin/env bash
# Start, stop or inspect a throwaway PostgreSQL cluster kept in one directory
# (tests, benchmarks, local runs); never touches the system cluster.
#
#   scripts/pg-cluster.sh start [--fresh] DIR   init if needed, start, write DIR/url
#   scripts/pg-cluster.sh stop DIR              stop (data kept; start again reuses the port)
#   scripts/pg-cluster.sh restart DIR           stop and start on the same port
#   scripts/pg-cluster.sh status DIR            exit 0 when running
#   scripts/pg-cluster.sh destroy DIR           stop and delete everything
#   scripts/pg-cluster.sh url DIR               print the connection URL
#
# DIR/url holds a libpq URL for the database "orders" over the Unix socket;
# DIR/tcp_url the same over 127.0.0.1. initdb refuses to run as root, so as
# root the server runs as the "postgres" system user in a directory it owns.
set -euo pipefail

# shellcheck source=scripts/ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

usage() {
    sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
}

die() {
    echo "pg-cluster: $*" >&2
    exit 1
}

find_bindir() {
    if [ -n "${PG_BINDIR:-}" ]; then
        echo "$PG_BINDIR"
        return
    fi
    local d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && { echo "$d"; return; }
    done
    command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return; }
    die "initdb not found (install postgresql, or set PG_BINDIR)"
}

BINDIR=$(find_bindir)

# Runs a server program as the cluster's owner.
as_owner() {
    if [ "$(id -u)" = 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# The data directory: inside DIR when the owner can use it, else a private
# directory under /tmp that DIR/data points to (a Unix socket path must also
# stay short: at most 107 bytes).
make_datadir() {
    local dir=$1
    if [ "$(id -u)" = 0 ]; then
        id postgres >/dev/null 2>&1 || die "the postgres system user does not exist"
        local inside="$dir/pgdata"
        mkdir -p "$inside"
        chown postgres: "$inside"
        chmod 700 "$inside"
        if runuser -u postgres -- test -w "$inside" && [ ${#inside} -lt 80 ]; then
            echo "$inside"
            return
        fi
        rmdir "$inside"
        local tmp
        tmp=$(mktemp -d /tmp/orders-pg.XXXXXX)
        chown postgres: "$tmp"
        chmod 700 "$tmp"
        echo "$tmp"
    else
        local inside="$dir/pgdata"
        mkdir -p "$inside"
        chmod 700 "$inside"
        echo "$inside"
    fi
}

pick_port() {
    local port
    orders_free_port port || die "no free port found"
    echo "$port"
}

is_running() {
    local dir=$1
    [ -f "$dir/datadir" ] || return 1
    as_owner "$BINDIR/pg_ctl" status -D "$(cat "$dir/datadir")" >/dev/null 2>&1
}

write_urls() {
    local dir=$1 data port
    data=$(cat "$dir/datadir")
    port=$(cat "$dir/port")
    echo "postgresql:///orders?host=$data&port=$port&user=postgres" >"$dir/url"
    echo "postgresql://postgres@127.0.0.1:$port/orders" >"$dir/tcp_url"
}

init_cluster() {
    local dir=$1 data
    data=$(make_datadir "$dir")
    echo "$data" >"$dir/datadir"
    as_owner "$BINDIR/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    # A throwaway cluster: durability off, the socket beside the data.
    cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$data'
fsync = off
full_page_writes = off
max_connections = 200
log_min_messages = warning
EOF
}

start_server() {
    local dir=$1 data port attempt
    data=$(cat "$dir/datadir")
    for attempt in 1 2 3 4 5; do
        if [ -f "$dir/port" ]; then
            port=$(cat "$dir/port")
        else
            port=$(pick_port)
            echo "$port" >"$dir/port"
        fi
        if as_owner "$BINDIR/pg_ctl" start -D "$data" -w -t 60 -o "-p $port" \
            -l "$data/server.log" >/dev/null 2>&1; then
            write_urls "$dir"
            return 0
        fi
        # Someone took the port between the check and the start: pick again,
        # unless this cluster already published its port (keep the URL stable).
        [ -f "$dir/url" ] && break
        rm -f "$dir/port"
        echo "pg-cluster: start on port $port failed (attempt $attempt)" >&2
    done
    tail -n 20 "$data/server.log" >&2 2>/dev/null || true
    die "could not start the server in $data"
}

create_database() {
    local dir=$1 data port
    data=$(cat "$dir/datadir")
    port=$(cat "$dir/port")
    if ! as_owner "$BINDIR/psql" -h "$data" -p "$port" -U postgres -d postgres -tAq \
        -c "SELECT 1 FROM pg_database WHERE datname = 'orders'" | grep -q 1; then
        as_owner "$BINDIR/createdb" -h "$data" -p "$port" -U postgres orders
    fi
}

cmd_start() {
    local fresh=0
    if [ "${1:-}" = "--fresh" ]; then
        fresh=1
        shift
    fi
    [ $# -eq 1 ] || die "usage: start [--fresh] DIR"
    local dir=$1
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ $fresh -eq 1 ] && cmd_destroy "$dir"
    mkdir -p "$dir"
    if is_running "$dir"; then
        write_urls "$dir"
        cat "$dir/url"
        return 0
    fi
    if [ ! -f "$dir/datadir" ] || [ ! -f "$(cat "$dir/datadir")/PG_VERSION" ]; then
        rm -f "$dir/port" "$dir/url" "$dir/tcp_url"
        init_cluster "$dir"
    fi
    start_server "$dir"
    create_database "$dir"
    cat "$dir/url"
}

cmd_stop() {
    [ $# -eq 1 ] || die "usage: stop DIR"
    local dir=$1
    [ -d "$dir" ] || return 0
    if is_running "$dir"; then
        as_owner "$BINDIR/pg_ctl" stop -D "$(cat "$dir/datadir")" -m fast -w -t 60 >/dev/null
    fi
}

cmd_destroy() {
    [ $# -eq 1 ] || die "usage: destroy DIR"
    [ -d "$1" ] || return 0
    local dir
    dir=$(cd "$1" && pwd)
    cmd_stop "$dir"
    if [ -f "$dir/datadir" ]; then
        local data
        data=$(cat "$dir/datadir")
        case "$data" in
            "$dir"/pgdata | /tmp/orders-pg.*) rm -rf "$data" ;;
            *) die "refusing to delete unexpected data directory $data" ;;
        esac
    fi
    rm -f "$dir/datadir" "$dir/port" "$dir/url" "$dir/tcp_url" "$dir/initdb.log"
}

main() {
    [ $# -ge 1 ] || { usage >&2; exit 2; }
    local cmd=$1
    shift
    case "$cmd" in
        start) cmd_start "$@" ;;
        stop) cmd_stop "$@" ;;
        restart)
            [ $# -eq 1 ] || die "usage: restart DIR"
            cmd_stop "$1"
            start_server "$(cd "$1" && pwd)"
            ;;
        status)
            [ $# -eq 1 ] || die "usage: status DIR"
            if is_running "$1"; then echo "running: $(cat "$1/url")"; else echo "stopped"; exit 3; fi
            ;;
        destroy) cmd_destroy "$@" ;;
        url)
            [ $# -eq 1 ] || die "usage: url DIR"
            cat "$1/url"
            ;;
        -h | --help | help) usage ;;
        *) usage >&2; exit 2 ;;
    esac
}

main "$@"
