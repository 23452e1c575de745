#!/usr/bin/env bash
# N order servers behind HAProxy, as scripts/run.sh --instances N runs them
# (scripts/instances.sh), on free ports and on the database and simulator of
# an e2e stack (stack.sh), for the scale tests.
#
#   balanced.sh start DIR STACK_DIR N CHECK_MS [SERVER_FLAGS...]
#   balanced.sh stop DIR     stop all; fail when an instance did not exit 0
#                            or a sanitizer spoke
#
# DIR receives the run directory layout of scripts/instances.sh, front_url
# (HAProxy) and instance-N.url; scripts/rolling-restart.sh DIR works on it.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=scripts/instances.sh
. "$root/scripts/instances.sh"

# shellcheck source=scripts/ports.sh
. "$root/scripts/ports.sh"
# free_port NAME: a free port in NAME, or the end of the run.
free_port() { orders_free_port "$1" || { echo "balanced.sh: no free port" >&2; exit 1; }; }

# until_true SECONDS COMMAND...
until_true() {
    local i=0 limit=$(($1 * 10))
    shift
    until "$@"; do
        i=$((i + 1))
        [ $i -le $limit ] || return 1
        sleep 0.1
    done
}

all_up() {
    local n=$1 up
    up=$(curl -s -m 2 "$(cat "$dir/stats_url")/;csv" |
        awk -F, '$1 == "order_servers" && $2 ~ /^instance-/ && $18 == "UP"' | wc -l)
    [ "$up" -eq "$n" ]
}

cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '6,9p' "$0" >&2; exit 2; }

case "$cmd" in
start)
    stack=$3 count=$4 check_ms=$5
    shift 5
    rm -rf "$dir"
    mkdir -p "$dir"
    haproxy=$(orders_haproxy_bin) || exit 1
    server_bin=$(cat "$stack/server_bin")
    free_port front
    free_port stats
    echo "$count" >"$dir/instances"
    echo "http://127.0.0.1:$stats" >"$dir/stats_url"
    echo "http://127.0.0.1:$front" >"$dir/front_url"
    servers=()
    for n in $(seq 1 "$count"); do
        free_port port
        free_port ops
        echo "$ops" >"$dir/instance-$n.ops_port"
        echo "http://127.0.0.1:$port" >"$dir/instance-$n.url"
        servers+=("instance-$n:$port:$ops")
        ORDER_DATABASE_URL=$(cat "$stack/db_url") ORDER_AUTH=off ORDER_RATE_LIMIT_RPS=0 \
            ORDER_AUTH_FAILURE_LIMIT=0 \
            orders_supervise "$dir" "$n" "$dir/instance-$n.log" \
            "$server_bin" --port "$port" --ops-port "$ops" --worker-id "balanced-$n" \
            --trusted-proxy 127.0.0.1 \
            --downstream-url "http://127.0.0.1:$(cat "$stack/sim_port")" "$@"
    done
    orders_haproxy_conf "$dir/haproxy.cfg" "$front" "$stats" "$check_ms" "${servers[@]}"
    "$haproxy" -f "$dir/haproxy.cfg" -db </dev/null >"$dir/haproxy.log" 2>&1 &
    echo $! >"$dir/haproxy.pid"
    for n in $(seq 1 "$count"); do
        if ! until_true 60 orders_http_ok "http://127.0.0.1:$(cat "$dir/instance-$n.ops_port")/health/ready"; then
            echo "instance $n did not become ready:"; tail -n 30 "$dir/instance-$n.log"; exit 1
        fi
    done
    if ! until_true 60 all_up "$count"; then
        echo "HAProxy did not see every instance up:"; cat "$dir/haproxy.log"; exit 1
    fi
    echo "HAProxy on $(cat "$dir/front_url") over $count instances"
    ;;
stop)
    rc=0
    : >"$dir/stopping"
    for pidfile in "$dir"/instance-*.pid; do
        [ -f "$pidfile" ] || continue
        kill -TERM "$(cat "$pidfile")" 2>/dev/null
    done
    for pidfile in "$dir"/instance-*.pid; do
        [ -f "$pidfile" ] || continue
        n=$(basename "$pidfile" .pid); n=${n#instance-}
        if ! until_true 60 test -f "$dir/instance-$n.exit"; then
            echo "instance $n did not stop"; kill -KILL "$(cat "$pidfile")" 2>/dev/null; rc=1
        fi
        # Every exit of the run, restarts included, must have been clean;
        # 137 is a SIGKILL a test gave on purpose.
        if grep -qv -e '^0$' -e '^137$' "$dir/instance-$n.exits" 2>/dev/null; then
            echo "instance $n exited with: $(tr '\n' ' ' <"$dir/instance-$n.exits")"
            tail -n 20 "$dir/instance-$n.log"; rc=1
        fi
        grep -q "Sanitizer" "$dir/instance-$n.log" && { cat "$dir/instance-$n.log"; rc=1; }
    done
    [ -f "$dir/haproxy.pid" ] && kill -TERM "$(cat "$dir/haproxy.pid")" 2>/dev/null
    exit $rc
    ;;
*)
    sed -n '6,9p' "$0" >&2
    exit 2
    ;;
esac
