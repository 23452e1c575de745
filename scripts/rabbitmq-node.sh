#!/usr/bin/env bash
# Start, stop or inspect a throwaway RabbitMQ node kept in one directory
# (tests, benchmarks, local runs); never touches the system node.
#
#   scripts/rabbitmq-node.sh start [--fresh] [--port N] DIR
#                                                  start (init if needed), print DIR/url;
#                                                  N: the AMQP port (default: a free one)
#   scripts/rabbitmq-node.sh stop DIR              stop (data kept; start reuses the ports)
#   scripts/rabbitmq-node.sh restart DIR           stop and start on the same ports
#   scripts/rabbitmq-node.sh status DIR            exit 0 when running
#   scripts/rabbitmq-node.sh destroy DIR           stop, stop its epmd, delete everything
#   scripts/rabbitmq-node.sh url DIR               print the AMQP URL
#
# The node has its own name, free ports on 127.0.0.1 (AMQP, distribution and
# a private epmd), its own MNESIA/LOG directories, configuration, Erlang
# cookie (HOME=DIR) and a user "orders" with a random password, all in DIR.
# It runs as whoever calls this script (root included). DIR/url holds
# amqp://orders:PASSWORD@127.0.0.1:PORT.
set -euo pipefail

# shellcheck source=scripts/ports.sh
. "$(dirname "${BASH_SOURCE[0]}")/ports.sh"

usage() {
    sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'
}

die() {
    echo "rabbitmq-node: $*" >&2
    exit 1
}

# The server's own scripts: Debian's /usr/sbin wrappers switch to the
# rabbitmq user as root, which would ignore this node's environment.
find_bindir() {
    if [ -n "${RABBITMQ_BINDIR:-}" ]; then
        echo "$RABBITMQ_BINDIR"
        return
    fi
    if [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
        echo /usr/lib/rabbitmq/bin
        return
    fi
    command -v rabbitmq-server >/dev/null 2>&1 && { dirname "$(command -v rabbitmq-server)"; return; }
    die "rabbitmq-server not found (install rabbitmq-server, or set RABBITMQ_BINDIR)"
}

pick_port() {
    local port
    orders_free_port port || die "no free port found"
    echo "$port"
}

node_pid() {
    local dir=$1
    [ -s "$dir/node.pid" ] || return 1
    local pid
    pid=$(cat "$dir/node.pid")
    kill -0 "$pid" 2>/dev/null || return 1
    echo "$pid"
}

is_running() {
    node_pid "$1" >/dev/null
}

# The node's environment, from the files DIR keeps.
node_env() {
    local dir=$1
    local amqp dist epmd
    read -r amqp dist epmd <"$dir/ports"
    export HOME=$dir
    export RABBITMQ_NODENAME
    RABBITMQ_NODENAME=$(cat "$dir/nodename")
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT=$amqp
    export RABBITMQ_DIST_PORT=$dist
    export ERL_EPMD_PORT=$epmd
    export ERL_EPMD_ADDRESS=127.0.0.1
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export RABBITMQ_MNESIA_BASE=$dir/mnesia
    export RABBITMQ_LOG_BASE=$dir/log
    export RABBITMQ_PID_FILE=$dir/node.pid
    export RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf
    export RABBITMQ_ADVANCED_CONFIG_FILE=$dir/advanced.config
    export RABBITMQ_CONF_ENV_FILE=$dir/rabbitmq-env.conf
    export RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins
    # A VM that fails to start writes a crash dump: into DIR, not the caller's
    # working directory.
    export ERL_CRASH_DUMP=$dir/erl_crash.dump
}

init_node() {
    local dir=$1
    rm -rf "$dir/mnesia" "$dir/log"
    mkdir -p "$dir/mnesia" "$dir/log"
    local password
    password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    echo "$password" >"$dir/password"
    echo "orders-$$-$RANDOM@localhost" >"$dir/nodename"
    # A throwaway node: no plugins, its own user, a disk limit small enough
    # for a crowded test machine (the broker stops publishers below it).
    cat >"$dir/rabbitmq.conf" <<EOF
loopback_users = none
default_user = orders
default_pass = $password
disk_free_limit.absolute = 10MB
log.file.level = warning
log.console = false
EOF
    echo "[]." >"$dir/enabled_plugins"
    : >"$dir/rabbitmq-env.conf"
    rm -f "$dir/ports" "$dir/url"
}

write_url() {
    local dir=$1 amqp
    read -r amqp _ <"$dir/ports"
    echo "amqp://orders:$(cat "$dir/password")@127.0.0.1:$amqp" >"$dir/url"
}

start_node() {
    local dir=$1 amqp_port=${2:-} bindir attempt
    bindir=$(find_bindir)
    for attempt in 1 2 3; do
        if [ ! -s "$dir/ports" ]; then
            local a d e
            a=${amqp_port:-$(pick_port)}
            d=$(pick_port)
            e=$(pick_port)
            # Three different ports (a random pick may repeat).
            while [ "$d" = "$a" ]; do d=$(pick_port); done
            while [ "$e" = "$a" ] || [ "$e" = "$d" ]; do e=$(pick_port); done
            echo "$a $d $e" >"$dir/ports"
        fi
        rm -f "$dir/node.pid"
        (
            node_env "$dir"
            exec "$bindir/rabbitmq-server"
        ) </dev/null >>"$dir/node.log" 2>&1 &
        local shell=$! amqp i=0
        read -r amqp _ <"$dir/ports"
        # Ready once the AMQP listener accepts: the broker opens it last.
        while orders_port_free "$amqp"; do
            if ! kill -0 "$shell" 2>/dev/null; then
                break
            fi
            i=$((i + 1))
            [ $i -le 900 ] || break
            sleep 0.1
        done
        if ! orders_port_free "$amqp" && is_running "$dir"; then
            write_url "$dir"
            return 0
        fi
        # Someone took a port between the check and the start: pick again,
        # unless this node already published its URL (keep it stable).
        echo "rabbitmq-node: start failed (attempt $attempt):" >&2
        tail -n 5 "$dir/node.log" >&2 2>/dev/null || true
        cmd_stop "$dir"
        [ -f "$dir/url" ] && break
        stop_epmd "$dir"
        rm -f "$dir/ports"
    done
    tail -n 30 "$dir/node.log" >&2 2>/dev/null || true
    die "could not start the node in $dir"
}

cmd_start() {
    local fresh=0 port=
    while [ $# -gt 1 ]; do
        case $1 in
            --fresh) fresh=1; shift ;;
            --port) port=${2:-}; shift 2 ;;
            *) break ;;
        esac
    done
    [ $# -eq 1 ] || die "usage: start [--fresh] [--port N] DIR"
    case $port in
        '') ;;
        *[!0-9]*) die "--port must be a number" ;;
    esac
    local dir=$1
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ $fresh -eq 1 ] && cmd_destroy "$dir"
    mkdir -p "$dir"
    if is_running "$dir"; then
        cat "$dir/url"
        return 0
    fi
    [ -f "$dir/rabbitmq.conf" ] || init_node "$dir"
    if [ -n "$port" ] && [ -s "$dir/ports" ] && [ "$(cut -d' ' -f1 "$dir/ports")" != "$port" ]; then
        rm -f "$dir/ports" # asked for another port than the one used before
    fi
    start_node "$dir" "$port"
    cat "$dir/url"
}

cmd_stop() {
    [ $# -eq 1 ] || die "usage: stop DIR"
    local dir=$1 pid i=0
    [ -d "$dir" ] || return 0
    pid=$(node_pid "$dir") || return 0
    # SIGTERM: the Erlang VM stops the broker cleanly.
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 600 ]; then
            echo "rabbitmq-node: the node ignored SIGTERM for 60 s; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
            break
        fi
        sleep 0.1
    done
    rm -f "$dir/node.pid"
}

# The VM starts an epmd on the node's private port; it outlives the node.
stop_epmd() {
    local dir=$1 epmd_port epmd
    [ -s "$dir/ports" ] || return 0
    read -r _ _ epmd_port <"$dir/ports"
    epmd=$(command -v epmd || ls /usr/lib/erlang/erts-*/bin/epmd 2>/dev/null | head -n 1 || true)
    if [ -n "$epmd" ] && ! orders_port_free "$epmd_port"; then
        ERL_EPMD_PORT=$epmd_port "$epmd" -kill >/dev/null 2>&1 || true
    fi
}

cmd_destroy() {
    [ $# -eq 1 ] || die "usage: destroy DIR"
    [ -d "$1" ] || return 0
    local dir
    dir=$(cd "$1" && pwd)
    cmd_stop "$dir"
    stop_epmd "$dir"
    rm -rf "$dir/mnesia" "$dir/log" "$dir/.erlang.cookie"
    rm -f "$dir/erl_crash.dump" "$dir/ports" "$dir/url" "$dir/password" "$dir/nodename" "$dir/rabbitmq.conf" \
        "$dir/enabled_plugins" "$dir/rabbitmq-env.conf" "$dir/node.log" "$dir/node.pid"
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
            start_node "$(cd "$1" && pwd)"
            ;;
        status)
            [ $# -eq 1 ] || die "usage: status DIR"
            if is_running "$1"; then echo "running (AMQP port $(cut -d" " -f1 "$1/ports"))"; else echo "stopped"; exit 3; fi
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
