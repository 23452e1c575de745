#!/bin/sh
# Benchmark: the three pre-checks concurrently vs one after another, against
# a simulator that delays each service by LATENCY ms. Prints numbers; asserts
# nothing. Usage: tests/bench/precheck_bench.sh [BUILD_DIR] [LATENCY_MS] [ITERATIONS]
set -eu
build=${1:-build}
latency=${2:-50}
iterations=${3:-100}
sim="$build/apps/downstream-sim/downstream-sim"
bench="$build/tests/http/precheck_bench"
if [ ! -x "$sim" ] || [ ! -x "$bench" ]; then
    echo "build first: cmake --build $build --target downstream-sim precheck_bench" >&2
    exit 2
fi
dir=$(mktemp -d)
"$sim" --port 0 --port-file "$dir/port" </dev/null >"$dir/sim.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$dir"' EXIT
i=0
while [ ! -s "$dir/port" ]; do
    i=$((i + 1)); [ $i -le 100 ] || { echo "simulator did not start" >&2; exit 1; }
    sleep 0.1
done
"$bench" --url "http://127.0.0.1:$(cat "$dir/port")" --latency-ms "$latency" --iterations "$iterations"
