#!/usr/bin/env bash
# Outbox relay throughput, events per second, to the HTTP webhook (the
# downstream simulator) and to RabbitMQ (publisher confirms, a durable queue
# bound; and once with no queue, to show the broker's disk cost), from the
# in-memory store and from PostgreSQL, on throwaway instances started for
# the run. Prints numbers; asserts nothing.
#   tests/bench/relay_bench.sh [--build DIR] [EVENTS] [ROUNDS]
# e.g. tests/bench/relay_bench.sh 4000 3
# Builds relay_bench, the simulator and orders-migrate optimised in DIR
# (default build/bench); deletes the instances again, also when a run fails.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$root/build/bench
if [ "${1:-}" = "--build" ]; then
    build=$2
    shift 2
fi
case "${1:-}" in -h|--help) sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;; esac
events=${1:-4000}
rounds=${2:-3}

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j 2 --target relay_bench downstream-sim orders-migrate >/dev/null

work=$build/relay-bench
mkdir -p "$work"
sim_pid=
cleanup() {
    [ -n "$sim_pid" ] && { kill "$sim_pid" 2>/dev/null; wait "$sim_pid" 2>/dev/null || true; }
    "$root/scripts/rabbitmq-node.sh" destroy "$work/rabbitmq" >/dev/null 2>&1 || true
    "$root/scripts/pg-cluster.sh" destroy "$work/cluster" >/dev/null 2>&1 || true
}
trap cleanup EXIT

pg_url=$("$root/scripts/pg-cluster.sh" start --fresh "$work/cluster")
"$build/apps/orders-migrate/orders-migrate" --url "$pg_url" >/dev/null
amqp_url=$("$root/scripts/rabbitmq-node.sh" start --fresh "$work/rabbitmq")
rm -f "$work/sim_port"
"$build/apps/downstream-sim/downstream-sim" --port 0 --port-file "$work/sim_port" \
    </dev/null >"$work/sim.log" 2>&1 &
sim_pid=$!
i=0
while [ ! -s "$work/sim_port" ]; do
    i=$((i + 1)); [ $i -le 100 ] || { echo "simulator did not start" >&2; exit 1; }
    sleep 0.1
done
webhook=http://127.0.0.1:$(cat "$work/sim_port")

echo "relay: batches of 100, one delivery at a time; $events events per run, $rounds rounds"
echo "PostgreSQL: throwaway cluster (fsync off); RabbitMQ: throwaway node (durable queue,"
echo "persistent messages, a confirm awaited per event); webhook: the downstream simulator"
for _ in $(seq "$rounds"); do
    for store in memory "$pg_url"; do
        "$build/tests/amqp/relay_bench" --sink webhook --target "$webhook" --store "$store" \
            --events "$events"
        "$build/tests/amqp/relay_bench" --sink amqp --target "$amqp_url" --store "$store" \
            --events "$events"
    done
    # What the broker's disk costs: no queue bound, nothing stored.
    "$build/tests/amqp/relay_bench" --sink amqp --target "$amqp_url" --store memory \
        --events "$events" --queue none
done
