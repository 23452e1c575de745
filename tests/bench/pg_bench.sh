#!/usr/bin/env bash
# Order creations per second through the PostgreSQL store next to pgbench
# running the same SQL, on a throwaway cluster started for the run.
#   tests/bench/pg_bench.sh [--build DIR] [pg_bench options]
# e.g. tests/bench/pg_bench.sh --threads 4 --seconds 10 --rounds 3
# Builds pg_bench and orders-migrate optimised in DIR (default build/bench),
# starts a cluster in DIR/bench-cluster, migrates it, runs, and deletes the
# cluster again, also when the run fails.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$root/build/bench
if [ "${1:-}" = "--build" ]; then
    build=$2
    shift 2
fi
case "${1:-}" in -h|--help) sed -n '2,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;; esac

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j 2 --target pg_bench orders-migrate >/dev/null

cluster=$build/bench-cluster
trap '"$root/scripts/pg-cluster.sh" destroy "$cluster"' EXIT
url=$("$root/scripts/pg-cluster.sh" start --fresh "$cluster")
"$build/apps/orders-migrate/orders-migrate" --url "$url" >/dev/null

pgbench=$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | tail -n 1 || true)
[ -n "$pgbench" ] || pgbench=$(command -v pgbench)
echo "cluster: $url (fsync off: a throwaway cluster)"
"$build/tests/postgres/pg_bench" --url "$url" --pgbench "$pgbench" \
    --script "$build/pg_bench_create.sql" "$@"
