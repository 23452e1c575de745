# Sourced by the benchmarks that start their own PostgreSQL cluster,
# simulator and order server (wrk_bench.sh, attack_bench.sh, perf.sh).
# They set $root first, and $sim_pid / $server_pid as they start those.

# bench_work NAME: a work folder in $work, removed on exit together with the
# server, the simulator and the cluster started in it.
bench_work() {
    work=$(mktemp -d "/tmp/orders-$1.XXXXXX")
    sim_pid=
    server_pid=
    trap bench_cleanup EXIT
}

bench_cleanup() {
    set +e
    [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
    [ -n "$sim_pid" ] && kill -TERM "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null
    "$root/scripts/pg-cluster.sh" destroy "$work/cluster" >/dev/null 2>&1
    rm -rf "$work"
}

# wait_file FILE WHAT: wait up to 30 s for FILE to have content (a port
# file), else say that WHAT did not start and exit.
wait_file() {
    for _ in $(seq 300); do [ -s "$1" ] && return 0; sleep 0.1; done
    echo "$(basename "$0"): $2 did not start" >&2
    exit 1
}
