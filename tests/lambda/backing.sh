#!/bin/sh
# The backing services of the Lambda program's tests as a CTest fixture: a
# throwaway PostgreSQL cluster and the downstream simulator. No order
# server: each test starts bootstrap itself, against its fake Runtime API.
#
#   backing.sh start DIR SIM   start both; DIR receives db_url (over TCP, with a
#                              password the logs must never show) and sim_port
#   backing.sh stop DIR        stop and delete both
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '6,9p' "$0" >&2; exit 2; }

case "$cmd" in
start)
    mkdir -p "$dir"
    rm -f "$dir/db_url" "$dir/sim_port" "$dir"/*.log
    "$root/scripts/pg-cluster.sh" start --fresh "$dir/cluster" >/dev/null || exit 1
    sed 's|postgresql://postgres@|postgresql://postgres:e2e-secret-pw@|' \
        "$dir/cluster/tcp_url" >"$dir/db_url"
    sh "$root/tests/http/sim_fixture.sh" start "$dir/sim" "$3" || exit 1
    cp "$dir/sim/port" "$dir/sim_port"
    ;;
stop)
    rc=0
    sh "$root/tests/http/sim_fixture.sh" stop "$dir/sim" || rc=1
    "$root/scripts/pg-cluster.sh" destroy "$dir/cluster" >/dev/null || rc=1
    exit $rc
    ;;
*)
    sed -n '6,9p' "$0" >&2
    exit 2
    ;;
esac
