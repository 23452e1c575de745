#!/bin/sh
# The end-to-end stack as a CTest fixture: a throwaway PostgreSQL cluster,
# the downstream simulator and the order server, each on a free port, all
# kept in one directory. Tests restart the server through this script too.
#
#   stack.sh start DIR SERVER SIM [SERVER_FLAGS...]  start all three
#   stack.sh stop DIR                 stop all; fail if the server did not exit 0
#                                     on SIGTERM or a sanitizer spoke
#   stack.sh stop-server DIR [TERM|INT|KILL] [N]  stop server instance N (default 1;
#                                     TERM, INT: expect exit 0)
#   stack.sh start-server DIR [N]     start instance N (again) with the same flags, on
#                                     its own port, sharing the database and simulator
#
# DIR receives: server_port, sim_port, db_url, server.log, sim.log, and the
# server's exit status (server.exit) after it stops; instance N > 1 uses
# serverN_port, serverN.log, serverN.exit. With ORD_E2E_AMQP_DIR set at start
# (a node of scripts/rabbitmq-node.sh), every server instance gets its URL
# as ORDER_EVENT_AMQP_URL, at every start.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cluster_script=$root/scripts/pg-cluster.sh

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '6,12p' "$0" >&2; exit 2; }

wait_for_file() { # FILE PID WHAT LOG
    i=0
    while [ ! -s "$1" ]; do
        if ! kill -0 "$2" 2>/dev/null; then
            echo "$3 exited at start:"; cat "$4"; return 1
        fi
        i=$((i + 1))
        if [ $i -gt 600 ]; then
            echo "$3 did not start in 60 s:"; cat "$4"; return 1
        fi
        sleep 0.1
    done
}

# File prefix of server instance N: "server", "server2", ...
instance_prefix() {
    if [ "${1:-1}" = 1 ]; then echo server; else echo "server$1"; fi
}

start_server() { # [N]
    srv=$(instance_prefix "${1:-1}")
    rm -f "$dir/${srv}_port" "$dir/${srv}_ops_port" "$dir/$srv.exit" "$dir/$srv.pid"
    port=0
    [ -s "$dir/${srv}_fixed_port" ] && port=$(cat "$dir/${srv}_fixed_port")
    # The server runs under a subshell that records its exit status; the
    # subshell is detached from CTest's pipes so CTest does not wait for it.
    # Flags may name the simulator's base URL (@SIM@) and this folder (@DIR@),
    # both known only now.
    flags=$(sed -e "s|@SIM@|http://127.0.0.1:$(cat "$dir/sim_port")|g" -e "s|@DIR@|$dir|g" \
        "$dir/server_flags")
    (
        ORDER_DATABASE_URL=$(cat "$dir/db_url")
        # Tests of the API itself run with authentication off (on loopback);
        # the authentication tests give --auth jwt and their keys as flags.
        ORDER_AUTH=off
        # Every test client is one address: per-client limits would throttle
        # the tests themselves (a flag can turn them back on).
        ORDER_RATE_LIMIT_RPS=0
        ORDER_AUTH_FAILURE_LIMIT=0
        export ORDER_DATABASE_URL ORDER_AUTH ORDER_RATE_LIMIT_RPS ORDER_AUTH_FAILURE_LIMIT
        if [ -s "$dir/amqp_dir" ]; then
            ORDER_EVENT_AMQP_URL=$(cat "$(cat "$dir/amqp_dir")/url")
            export ORDER_EVENT_AMQP_URL
        fi
        # shellcheck disable=SC2086
        "$(cat "$dir/server_bin")" --port "$port" --port-file "$dir/${srv}_port" \
            --ops-port 0 --ops-port-file "$dir/${srv}_ops_port" \
            --downstream-url "http://127.0.0.1:$(cat "$dir/sim_port")" \
            $flags </dev/null >>"$dir/$srv.log" 2>&1 &
        echo $! >"$dir/$srv.pid"
        wait $!
        echo $? >"$dir/$srv.exit"
    ) </dev/null >/dev/null 2>&1 &
    i=0
    while [ ! -s "$dir/$srv.pid" ]; do
        i=$((i + 1)); [ $i -le 100 ] || { echo "server did not start"; return 1; }
        sleep 0.05
    done
    wait_for_file "$dir/${srv}_port" "$(cat "$dir/$srv.pid")" order-server "$dir/$srv.log" || return 1
    cp "$dir/${srv}_port" "$dir/${srv}_fixed_port"
    echo "order-server on port $(cat "$dir/${srv}_port") (pid $(cat "$dir/$srv.pid"))"
}

# stop_server TERM|INT|KILL [N]: 0 when instance N stopped as expected.
stop_server() {
    sig=${1:-TERM}
    srv=$(instance_prefix "${2:-1}")
    [ -f "$dir/$srv.pid" ] || { echo "no $srv to stop"; return 0; }
    pid=$(cat "$dir/$srv.pid")
    kill "-$sig" "$pid" 2>/dev/null
    i=0
    while [ ! -f "$dir/$srv.exit" ]; do
        i=$((i + 1))
        if [ $i -gt 600 ]; then
            echo "order-server ignored SIG$sig for 60 s; killing it"
            kill -KILL "$pid" 2>/dev/null
            sleep 1
            rm -f "$dir/$srv.pid"
            return 1
        fi
        sleep 0.1
    done
    rm -f "$dir/$srv.pid"
    status=$(cat "$dir/$srv.exit")
    if [ "$sig" != KILL ] && [ "$status" != 0 ]; then
        echo "order-server exited with status $status after SIG$sig:"; tail -n 40 "$dir/$srv.log"
        return 1
    fi
    if grep -q "Sanitizer" "$dir/$srv.log"; then
        cat "$dir/$srv.log"; return 1
    fi
    return 0
}

case "$cmd" in
start)
    server=$3
    sim=$4
    shift 4
    rm -rf "$dir/cluster"
    mkdir -p "$dir"
    rm -f "$dir"/server*_port "$dir"/server*_fixed_port "$dir"/server*.log "$dir"/server*.exit \
        "$dir"/server*.pid "$dir/sim_port" "$dir/sim.log" "$dir/sim.pid"
    echo "$server" >"$dir/server_bin"
    echo "$*" >"$dir/server_flags"
    rm -f "$dir/amqp_dir"
    [ -n "${ORD_E2E_AMQP_DIR:-}" ] && echo "$ORD_E2E_AMQP_DIR" >"$dir/amqp_dir"
    "$cluster_script" start --fresh "$dir/cluster" >/dev/null || exit 1
    # Over TCP with a password, so the tests can check it never reaches a
    # log line (the throwaway cluster trusts every local connection).
    sed 's|postgresql://postgres@|postgresql://postgres:e2e-secret-pw@|' "$dir/cluster/tcp_url" >"$dir/db_url"

    "$sim" --port 0 --port-file "$dir/sim_port" --hang-max-ms 10000 \
        </dev/null >"$dir/sim.log" 2>&1 &
    echo $! >"$dir/sim.pid"
    wait_for_file "$dir/sim_port" "$(cat "$dir/sim.pid")" downstream-sim "$dir/sim.log" || exit 1

    # The migrate command first (the server then finds nothing to apply).
    ORDER_DATABASE_URL=$(cat "$dir/db_url") "$server" migrate >"$dir/migrate.log" 2>&1 || {
        echo "order-server migrate failed:"; cat "$dir/migrate.log"; exit 1; }
    start_server || exit 1
    ;;
start-server)
    start_server "${3:-1}" || exit 1
    ;;
stop-server)
    stop_server "${3:-TERM}" "${4:-1}" || exit 1
    ;;
stop)
    rc=0
    for pidfile in "$dir"/server*.pid; do
        [ -f "$pidfile" ] || continue
        n=$(basename "$pidfile" .pid); n=${n#server}
        stop_server TERM "${n:-1}" || rc=1
    done
    if [ -f "$dir/sim.pid" ]; then
        kill -TERM "$(cat "$dir/sim.pid")" 2>/dev/null
        i=0
        while kill -0 "$(cat "$dir/sim.pid")" 2>/dev/null && [ $i -lt 300 ]; do
            i=$((i + 1)); sleep 0.1
        done
        kill -KILL "$(cat "$dir/sim.pid")" 2>/dev/null
        rm -f "$dir/sim.pid"
        grep -q "Sanitizer" "$dir/sim.log" && { cat "$dir/sim.log"; rc=1; }
    fi
    "$cluster_script" destroy "$dir/cluster" >/dev/null || rc=1
    exit $rc
    ;;
*)
    sed -n '6,12p' "$0" >&2
    exit 2
    ;;
esac
