#!/usr/bin/env bash
# Cold start and warm invocation latency of the Lambda program (bootstrap)
# against the tests' fake Runtime API, on a throwaway PostgreSQL cluster and
# the simulator started for the run (stock raised so no order runs short).
#   tests/bench/lambda_bench.sh [--build DIR] [--warm N] [--cold N]
# e.g. tests/bench/lambda_bench.sh --warm 1000 --cold 20 (the defaults)
# Builds bootstrap, the simulator and lambda_bench optimised in DIR (default
# build/bench); everything it started is stopped and deleted at the end.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$root/build/bench
if [ "${1:-}" = "--build" ]; then
    build=$2
    shift 2
fi
case "${1:-}" in -h|--help) sed -n '2,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;; esac

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j 2 --target bootstrap downstream-sim lambda_bench >/dev/null

work=$build/lambda-bench
cleanup() {
    sh "$root/tests/http/sim_fixture.sh" stop "$work/sim" >/dev/null 2>&1 || true
    "$root/scripts/pg-cluster.sh" destroy "$work/cluster" >/dev/null 2>&1 || true
}
trap cleanup EXIT
mkdir -p "$work"
url=$("$root/scripts/pg-cluster.sh" start --fresh "$work/cluster" >/dev/null && cat "$work/cluster/tcp_url")
sh "$root/tests/http/sim_fixture.sh" start "$work/sim" "$build/apps/downstream-sim/downstream-sim" >/dev/null
sim=http://127.0.0.1:$(cat "$work/sim/port")
curl -sf -X PUT "$sim/sim/catalog" -o /dev/null -d '{"products":[{"productId":1,"name":"Keyboard",
    "price":99.99,"currency":"USD","available":1000000000}]}'

echo "bootstrap: $(du -k "$build/apps/order-lambda/bootstrap" | cut -f1) KiB; database over TCP (fsync off: a throwaway cluster)"
"$build/tests/lambda/lambda_bench" --bootstrap "$build/apps/order-lambda/bootstrap" \
    --database-url "$url" --downstream-url "$sim" "$@"
