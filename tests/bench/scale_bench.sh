#!/usr/bin/env bash
# Throughput of 1, 2 and 3 order servers behind HAProxy on one PostgreSQL
# (the arrangement of scripts/run.sh --instances N, scripts/instances.sh),
# with wrk: create-order and get-order requests per second and latency, and
# one server alone without HAProxy for the balancer's own cost. Prints
# numbers; asserts nothing. docs/scaling.md reads them.
#   tests/bench/scale_bench.sh [BUILD_DIR] [DURATION_S] [CONNECTIONS] [WRK_THREADS]
# BUILD_DIR holds an optimised build (default build/run, which scripts/run.sh
# makes); defaults: 10 s, 32 connections, 2 wrk threads.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench=$root/tests/bench
build=${1:-$root/build/run}
duration=${2:-10}
connections=${3:-32}
wrk_threads=${4:-2}
server_bin=$build/apps/order-server/order-server
sim_bin=$build/apps/downstream-sim/downstream-sim
command -v wrk >/dev/null || { echo "scale_bench.sh: install wrk (apt-get install wrk)" >&2; exit 2; }
if [ ! -x "$server_bin" ] || [ ! -x "$sim_bin" ]; then
    echo "scale_bench.sh: build first: cmake --build $build --target order-server downstream-sim" >&2
    exit 2
fi
# shellcheck source=scripts/instances.sh
. "$root/scripts/instances.sh"
haproxy_bin=$(orders_haproxy_bin)

work=$(mktemp -d /tmp/orders-scale-bench.XXXXXX)
sim_pid=
haproxy_pid=

stop_instances() {
    local f
    : >"$work/stopping"
    for f in "$work"/instance-*.pid; do [ -f "$f" ] && kill -TERM "$(cat "$f")" 2>/dev/null; done
    for f in "$work"/instance-*.pid; do
        [ -f "$f" ] || continue
        while kill -0 "$(cat "$f")" 2>/dev/null; do sleep 0.1; done
    done
    rm -f "$work"/instance-* "$work/stopping"
    if [ -n "$haproxy_pid" ]; then
        kill -TERM "$haproxy_pid" 2>/dev/null
        wait "$haproxy_pid" 2>/dev/null || true
        haproxy_pid=
    fi
}
cleanup() {
    set +e
    stop_instances
    [ -n "$sim_pid" ] && kill -TERM "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
    "$root/scripts/pg-cluster.sh" destroy "$work/cluster" >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT

# shellcheck source=scripts/ports.sh
. "$root/scripts/ports.sh"
# free_port NAME: a free port in NAME, or the end of the run.
free_port() { orders_free_port "$1" || { echo "scale_bench.sh: no free port" >&2; exit 1; }; }
wait_ok() {
    for _ in $(seq 600); do orders_http_ok "$1" && return 0; sleep 0.1; done
    echo "scale_bench.sh: $1 did not answer" >&2
    exit 1
}

db_url=$("$root/scripts/pg-cluster.sh" start "$work/cluster")
"$sim_bin" --port 0 --port-file "$work/sim_port" </dev/null >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 300); do [ -s "$work/sim_port" ] && break; sleep 0.1; done
sim=http://127.0.0.1:$(cat "$work/sim_port")
products=""
for id in $(seq 20); do
    products+="${products:+,}{\"productId\":$id,\"name\":\"P$id\",\"price\":$id.99,\"currency\":\"USD\",\"available\":100000000}"
done
curl -sf -X PUT "$sim/sim/catalog" -d "{\"products\":[$products]}" >/dev/null
# Migrated once, so that no instance's start waits for another's migration.
ORDER_DATABASE_URL=$db_url "$server_bin" migrate >/dev/null

# start N BALANCED: N instances (each its own pool: 10 connections, 2
# workers) and, when BALANCED is yes, HAProxy in front; sets url to load.
# Not in a command substitution: the processes must belong to this shell.
start() {
    local count=$1 balanced=$2 n port ops servers=()
    for n in $(seq 1 "$count"); do
        free_port port
        free_port ops
        echo "$ops" >"$work/instance-$n.ops_port"
        servers+=("instance-$n:$port:$ops")
        ORDER_DATABASE_URL=$db_url orders_supervise "$work" "$n" "$work/server-$n.log" \
            "$server_bin" --port "$port" --ops-port "$ops" --worker-id "bench-$n" \
            --auth off --rate-limit-rps 0 --auth-failure-limit 0 --trusted-proxy 127.0.0.1 \
            --drain-grace-ms 0 --downstream-url "$sim"
        wait_ok "http://127.0.0.1:$ops/health/ready"
    done
    if [ "$balanced" = no ]; then
        port=${servers[0]#*:}
        url=http://127.0.0.1:${port%%:*}
        return
    fi
    local front stats
    free_port front
    free_port stats
    orders_haproxy_conf "$work/haproxy.cfg" "$front" "$stats" 1000 "${servers[@]}"
    "$haproxy_bin" -f "$work/haproxy.cfg" -db </dev/null >>"$work/haproxy.log" 2>&1 &
    haproxy_pid=$!
    url=http://127.0.0.1:$front
    wait_ok "$url/health/live"
    # Every server in rotation before the load starts.
    for _ in $(seq 100); do
        [ "$(curl -s "http://127.0.0.1:$stats/;csv" | awk -F, '$1 == "order_servers" && $18 == "UP"' | wc -l)" -eq "$count" ] && break
        sleep 0.1
    done
}

run() { # LABEL URL
    local label=$1 url=$2 max_id
    wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" -s "$bench/wrk_create.lua" "$url" |
        grep '^RESULT' | sed "s/^RESULT /RESULT $label /"
    max_id=$(psql "$db_url" -tAc 'SELECT coalesce(max(id), 1) FROM orders')
    wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" -s "$bench/wrk_get.lua" "$url" -- "$max_id" |
        grep '^RESULT' | sed "s/^RESULT /RESULT $label /"
}

echo "wrk: $wrk_threads threads, $connections connections, ${duration}s per run; $(nproc) cores; server: $server_bin"
url=
start 1 no
run "direct-1" "$url"
stop_instances
for count in 1 2 3; do
    start "$count" yes
    run "haproxy-$count" "$url"
    stop_instances
done
echo "RESULT load-average $(cut -d' ' -f1-3 /proc/loadavg)"
