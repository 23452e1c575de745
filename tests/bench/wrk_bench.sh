#!/usr/bin/env bash
# Benchmark of the order server with wrk against a local stack (a throwaway
# PostgreSQL cluster, the simulator, the order server, all on free ports):
# create-order and get-order requests per second and p99 latency, and the
# server's peak memory (VmHWM). Prints numbers; asserts nothing.
#   tests/bench/wrk_bench.sh [BUILD_DIR] [DURATION_S] [CONNECTIONS] [WRK_THREADS]
# BUILD_DIR holds an optimised build (default build/run, which scripts/run.sh
# makes); defaults: 10 s, 16 connections, 2 wrk threads.
# ORDERS_BENCH_AUTH=jwt runs the server with authentication on (a throwaway
# ES256 key; every request carries an admin's bearer token); the default,
# off, runs it without.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench=$root/tests/bench
build=${1:-$root/build/run}
duration=${2:-10}
connections=${3:-16}
wrk_threads=${4:-2}
server_bin=$build/apps/order-server/order-server
sim_bin=$build/apps/downstream-sim/downstream-sim
token_bin=$build/apps/orders-token/orders-token
auth=${ORDERS_BENCH_AUTH:-off}
command -v wrk >/dev/null || { echo "wrk_bench.sh: install wrk (apt-get install wrk)" >&2; exit 2; }
if [ ! -x "$server_bin" ] || [ ! -x "$sim_bin" ]; then
    echo "wrk_bench.sh: build first: cmake --build $build --target order-server downstream-sim" >&2
    exit 2
fi

# shellcheck source=tests/bench/stack_lib.sh
. "$root/tests/bench/stack_lib.sh"
bench_work bench

db_url=$("$root/scripts/pg-cluster.sh" start "$work/cluster")
"$sim_bin" --port 0 --port-file "$work/sim_port" </dev/null >"$work/sim.log" 2>&1 &
sim_pid=$!
wait_file "$work/sim_port" "the simulator"
sim=http://127.0.0.1:$(cat "$work/sim_port")

# Enough stock that no order of the run is short of it.
products=""
for id in $(seq 20); do
    products+="${products:+,}{\"productId\":$id,\"name\":\"P$id\",\"price\":$id.99,\"currency\":\"USD\",\"available\":100000000}"
done
curl -sf -X PUT "$sim/sim/catalog" -d "{\"products\":[$products]}" >/dev/null

auth_flags=(--auth off)
export ORDERS_BENCH_TOKEN=
if [ "$auth" = jwt ]; then
    "$token_bin" keygen --alg ES256 --kid bench --key-out "$work/key.jwk" --jwks-out "$work/jwks.json"
    ORDERS_BENCH_TOKEN=$("$token_bin" mint --key "$work/key.jwk" --sub ops --scope orders:admin)
    auth_flags=(--auth jwt --auth-jwks-file "$work/jwks.json")
fi
# A load generator is one client: the per-client limits are off.
ORDER_DATABASE_URL=$db_url "$server_bin" --port 0 --port-file "$work/server_port" --ops-port off \
    --rate-limit-rps 0 --auth-failure-limit 0 \
    --downstream-url "$sim" "${auth_flags[@]}" </dev/null >"$work/server.log" 2>&1 &
server_pid=$!
wait_file "$work/server_port" "the order server"
url=http://127.0.0.1:$(cat "$work/server_port")

echo "wrk: $wrk_threads threads, $connections connections, ${duration}s per run; auth $auth; server: $server_bin"
wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" -s "$bench/wrk_create.lua" "$url" | grep '^RESULT'
max_id=$(psql "$db_url" -tAc 'SELECT coalesce(max(id), 1) FROM orders')
wrk -t"$wrk_threads" -c"$connections" -d"${duration}s" -s "$bench/wrk_get.lua" "$url" -- "$max_id" \
    | grep '^RESULT'
echo "RESULT orders-in-database=$max_id server-peak-rss-kib=$(awk '/^VmHWM/ {print $2}' "/proc/$server_pid/status")"
