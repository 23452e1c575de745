#!/usr/bin/env bash
# The run command: installs what is missing (Debian 12), builds the order
# server and the downstream simulator, starts a private PostgreSQL cluster in
# a temporary directory and the simulator on port 8091, makes a throwaway
# signing key and two tokens, then runs the order server on port 8090 with
# authentication on, in the foreground. Ctrl-C (or SIGTERM) stops everything.
#   scripts/run.sh [--instances N] [--events webhook|rabbitmq] [ORDER-SERVER FLAGS...]
#   e.g. scripts/run.sh --log-level debug
# With --instances N (2..16), N servers (ports 8101.., operations 8201..)
# run behind HAProxy on 8090 (statistics on 8404); scripts/rolling-restart.sh
# restarts them one at a time. With --events rabbitmq, events go to a private
# RabbitMQ node on port 5673 (exchange orders.events, queue
# orders.events.all) instead of the simulator's webhook; run.sh prints how
# to watch them.
# Build folder: build/run (optimised, no tests); tokens in build/run/tokens.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "${1:-}" in
    -h|--help) sed -n '2,15s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
esac

instances=1
events=webhook
while [ $# -gt 0 ]; do
    case "$1" in
        --instances) instances=${2:-}; shift 2 || shift ;;
        --instances=*) instances=${1#--instances=}; shift ;;
        --events) events=${2:-}; shift 2 || shift ;;
        --events=*) events=${1#--events=}; shift ;;
        *) break ;;
    esac
done
case "$instances" in
    [1-9] | 1[0-6]) ;;
    *) echo "run.sh: --instances must be a number from 1 to 16 (got \"$instances\")" >&2; exit 2 ;;
esac
case "$events" in
    webhook | rabbitmq) ;;
    *) echo "run.sh: --events must be webhook or rabbitmq (got \"$events\")" >&2; exit 2 ;;
esac

server_port=8090
sim_port=8091
stats_port=8404
amqp_port=5673
ports=($server_port $sim_port)
[ "$events" = rabbitmq ] && ports+=($amqp_port)
if [ "$instances" -gt 1 ]; then
    ports+=($stats_port)
    for n in $(seq 1 "$instances"); do ports+=($((8100 + n)) $((8200 + n))); done
fi

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
for port in "${ports[@]}"; do
    if ! port_free "$port"; then
        echo "run.sh: port $port is in use; stop what listens there first" >&2
        exit 1
    fi
done

# shellcheck source=scripts/deps.sh
. "$root/scripts/deps.sh"
orders_install_missing run.sh "${ORDERS_BUILD_PACKAGES[@]}" "${ORDERS_RUN_PACKAGES[@]}"
# shellcheck source=scripts/instances.sh
. "$root/scripts/instances.sh"

build_dir=$root/build/run
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target order-server downstream-sim orders-token
server_bin=$build_dir/apps/order-server/order-server
sim_bin=$build_dir/apps/downstream-sim/downstream-sim
token_bin=$build_dir/apps/orders-token/orders-token

work=$(mktemp -d /tmp/orders-run.XXXXXX)
sim_pid=
haproxy_pid=
supervisors=()

# The servers' pids now (a rolling restart replaces them).
server_pids() {
    local f
    for f in "$work"/instance-*.pid; do [ -f "$f" ] && cat "$f"; done
}

stop_servers() {
    local pid
    : >"$work/stopping"
    for pid in $(server_pids); do kill -TERM "$pid" 2>/dev/null; done
}

cleanup() {
    trap - EXIT INT TERM
    set +e
    rm -f "$build_dir/current-run"
    stop_servers
    for pid in "${supervisors[@]}"; do wait "$pid" 2>/dev/null; done
    if [ -n "$haproxy_pid" ]; then
        kill -TERM "$haproxy_pid" 2>/dev/null
        wait "$haproxy_pid" 2>/dev/null
    fi
    if [ -n "$sim_pid" ]; then
        kill -TERM "$sim_pid" 2>/dev/null
        wait "$sim_pid" 2>/dev/null
    fi
    "$root/scripts/pg-cluster.sh" destroy "$work/cluster" >/dev/null 2>&1
    if [ "$events" = rabbitmq ]; then
        "$root/scripts/rabbitmq-node.sh" destroy "$work/rabbitmq" >/dev/null 2>&1
    fi
    rm -rf "$work"
    echo "run.sh: stopped the order servers, the simulator${rabbit_note:-} and PostgreSQL" >&2
}
trap cleanup EXIT
# A signal only asks the servers to stop (SIGTERM: each drains first; a
# second one cuts the drain short); the loop below waits for them.
on_signal() {
    [ ${#supervisors[@]} -gt 0 ] || exit 130
    stop_servers
}
trap on_signal INT TERM

echo "run.sh: starting PostgreSQL in $work/cluster" >&2
db_url=$("$root/scripts/pg-cluster.sh" start "$work/cluster")

echo "run.sh: starting the downstream simulator on port $sim_port" >&2
"$sim_bin" --port "$sim_port" --port-file "$work/sim_port" </dev/null >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do
    [ -s "$work/sim_port" ] && break
    kill -0 "$sim_pid" 2>/dev/null || { cat "$work/sim.log" >&2; exit 1; }
    sleep 0.1
done
[ -s "$work/sim_port" ] || { echo "run.sh: the simulator did not start" >&2; exit 1; }

# A signing key that lives as long as this run (its private half stays in
# $work, deleted at the end), and ready-made tokens for the README's curl
# examples: an admin and customer 12345, valid for 12 hours.
tokens=$build_dir/tokens
mkdir -p "$tokens"
"$token_bin" keygen --alg ES256 --kid "run-$(date +%s)" --key-out "$work/signing.jwk" \
    --jwks-out "$work/jwks.json"
(umask 077
 "$token_bin" mint --key "$work/signing.jwk" --sub admin --scope orders:admin --ttl-s 43200 \
     >"$tokens/admin.token"
 "$token_bin" mint --key "$work/signing.jwk" --sub 12345 --ttl-s 43200 \
     >"$tokens/customer-12345.token")
echo "run.sh: tokens (Authorization: Bearer \$(cat FILE)):" >&2
echo "run.sh:   admin          $tokens/admin.token" >&2
echo "run.sh:   customer 12345 $tokens/customer-12345.token" >&2

export ORDER_DATABASE_URL=$db_url ORDER_AUTH=jwt ORDER_AUTH_JWKS_FILE=$work/jwks.json
if [ "$events" = rabbitmq ]; then
    rabbit_note=", RabbitMQ"
    echo "run.sh: starting RabbitMQ on port $amqp_port in $work/rabbitmq" >&2
    ORDER_EVENT_AMQP_URL=$("$root/scripts/rabbitmq-node.sh" start --port "$amqp_port" "$work/rabbitmq")
    # In the environment, so that a server restarted one by one keeps them.
    export ORDER_EVENT_SINK=amqp ORDER_EVENT_AMQP_URL ORDER_EVENT_AMQP_QUEUE=orders.events.all
    cat >&2 <<EOF
run.sh: events go to exchange orders.events and queue orders.events.all; watch them
        from another terminal with:
  amqp-consume --url='$ORDER_EVENT_AMQP_URL' -q orders.events.all -- sh -c 'cat; echo'
EOF
fi
echo "$instances" >"$work/instances"
if [ "$instances" -eq 1 ]; then
    echo "run.sh: starting the order server on port $server_port, health and metrics on port 8081 (Ctrl-C stops everything)" >&2
    orders_supervise "$work" 1 /dev/stdout \
        "$server_bin" --port "$server_port" --downstream-url "http://127.0.0.1:$sim_port" "$@"
    supervisors+=($!)
else
    # Behind HAProxy: the client's address is the last X-Forwarded-For entry.
    servers=()
    for n in $(seq 1 "$instances"); do
        echo $((8200 + n)) >"$work/instance-$n.ops_port"
        servers+=("instance-$n:$((8100 + n)):$((8200 + n))")
        orders_supervise "$work" "$n" /dev/stdout \
            "$server_bin" --port $((8100 + n)) --ops-port $((8200 + n)) --worker-id "run-$n" \
            --trusted-proxy 127.0.0.1 --downstream-url "http://127.0.0.1:$sim_port" "$@"
        supervisors+=($!)
    done
    haproxy_bin=$(orders_haproxy_bin)
    orders_haproxy_conf "$work/haproxy.cfg" "$server_port" "$stats_port" 1000 "${servers[@]}"
    echo "http://127.0.0.1:$stats_port" >"$work/stats_url"
    "$haproxy_bin" -f "$work/haproxy.cfg" -db </dev/null &
    haproxy_pid=$!
    echo "$work" >"$build_dir/current-run"
    echo "run.sh: $instances order servers on ports 8101-$((8100 + instances)) (operations 8201-$((8200 + instances))) behind HAProxy on port $server_port, statistics on http://127.0.0.1:$stats_port/ (Ctrl-C stops everything; scripts/rolling-restart.sh restarts them one by one)" >&2
fi
# Until every server has stopped for good (a restarted one keeps its
# supervisor running); a signal interrupts wait, which then resumes.
set +e
status=0
for pid in "${supervisors[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do
        wait "$pid"
    done
done
for n in $(seq 1 "$instances"); do
    s=$(cat "$work/instance-$n.exit" 2>/dev/null || echo 1)
    [ "$s" = 0 ] || status=$s
done
exit "$status"
