#!/usr/bin/env bash
# Benchmark of authentication: JWT verifications per second per algorithm
# (one thread, tests/bench/jwt_bench.c), then get-order and create-order
# throughput with authentication off and on (wrk_bench.sh twice). Prints
# numbers; asserts nothing.
#   tests/bench/auth_bench.sh [BUILD_DIR] [DURATION_S] [CONNECTIONS]
# BUILD_DIR needs order-server, downstream-sim, orders-token and jwt_bench
# (a tests build: cmake --build build/test --target order-server
# downstream-sim orders-token jwt_bench).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=${1:-$root/build/test}
duration=${2:-10}
connections=${3:-16}
"$build/tests/jwt/jwt_bench" --seconds 3
for auth in off jwt; do
    ORDERS_BENCH_AUTH=$auth "$root/tests/bench/wrk_bench.sh" "$build" "$duration" "$connections"
done
