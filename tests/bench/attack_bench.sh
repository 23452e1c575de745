#!/usr/bin/env bash
# Attack benchmark: the order server with its default settings (auth off,
# the operations listener on its own port) on a throwaway PostgreSQL and the
# simulator; for 16, 64 and 512 attacking connections of each kind (idle,
# slow headers, slow body, oversize body), how many of 30 health probes and
# 30 normal requests answered within 1 s. Prints numbers; asserts nothing.
#   tests/bench/attack_bench.sh [BUILD_DIR] [COUNTS...]
# BUILD_DIR must hold the server, the simulator and attack_bench (a build
# with tests, such as build/test); counts default to 16 64 512.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$root/build/test}
shift || true
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(16 64 512)
server_bin=$build/apps/order-server/order-server
sim_bin=$build/apps/downstream-sim/downstream-sim
tool=$build/tests/rest/attack_bench
for f in "$server_bin" "$sim_bin" "$tool"; do
    [ -x "$f" ] || { echo "attack_bench.sh: missing $f (build $build first)" >&2; exit 2; }
done
ulimit -n 4096 2>/dev/null || true

# shellcheck source=tests/bench/stack_lib.sh
. "$root/tests/bench/stack_lib.sh"
bench_work attack

db_url=$("$root/scripts/pg-cluster.sh" start "$work/cluster")
"$sim_bin" --port 0 --port-file "$work/sim_port" </dev/null >"$work/sim.log" 2>&1 &
sim_pid=$!
wait_file "$work/sim_port" "the simulator"
ORDER_AUTH=off ORDER_DATABASE_URL=$db_url "$server_bin" --port 0 --port-file "$work/port" \
    --ops-port 0 --ops-port-file "$work/ops_port" \
    --downstream-url "http://127.0.0.1:$(cat "$work/sim_port")" </dev/null >"$work/server.log" 2>&1 &
server_pid=$!
wait_file "$work/port" "the order server"
wait_file "$work/ops_port" "the operations listener"
port=$(cat "$work/port")
ops=$(cat "$work/ops_port")
curl -sf -X POST "http://127.0.0.1:$port/api/v1/orders" -H 'Content-Type: application/json' \
    -d '{"customerId":1,"items":[{"productId":1,"quantity":1}],"deliveryAddress":"1 Bench St"}' \
    >/dev/null

echo "server: $server_bin (default settings: $(grep -o '"threads":[0-9]*' "$work/server.log" | head -1))"
for kind in idle slow-headers slow-body oversize; do
    for n in "${counts[@]}"; do
        "$tool" "$port" "$ops" "$kind" "$n" 30 1
        # The attack's connections are gone before the next row starts.
        sleep 2
    done
done
