#!/usr/bin/env bash
# Restart the order servers of a run one at a time, without failing a
# request: SIGTERM (the instance reports not-ready, HAProxy takes it out of
# rotation during its drain grace, it finishes what it serves and exits 0),
# then the run starts it again; the next one is restarted only once HAProxy
# has it back in rotation.
#   scripts/rolling-restart.sh [RUN_DIR]   default: the run of scripts/run.sh --instances N
# RUN_DIR is laid out as scripts/instances.sh describes.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "${1:-}" in
    -h|--help) sed -n '2,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
esac
# shellcheck source=scripts/instances.sh
. "$root/scripts/instances.sh"

dir=${1:-$(cat "$root/build/run/current-run" 2>/dev/null || true)}
if [ -z "$dir" ] || [ ! -f "$dir/instances" ]; then
    echo "rolling-restart.sh: no run with several instances (start scripts/run.sh --instances N first)" >&2
    exit 1
fi
count=$(cat "$dir/instances")
stats=$(cat "$dir/stats_url")
# Bounds, not expectations: a drain takes its grace plus the requests in flight.
limit_s=${ORDERS_RESTART_TIMEOUT_S:-120}

# wait_for SECONDS WHAT COMMAND...: poll every 100 ms.
wait_for() {
    local seconds=$1 what=$2 i=0
    shift 2
    until "$@"; do
        i=$((i + 1))
        if [ $i -gt $((seconds * 10)) ]; then
            echo "rolling-restart.sh: $what did not happen within $seconds s" >&2
            exit 1
        fi
        sleep 0.1
    done
}

gone() { ! kill -0 "$1" 2>/dev/null; }
restarted() { # N OLD_PID
    local pid
    pid=$(cat "$dir/instance-$1.pid" 2>/dev/null || true)
    [ -n "$pid" ] && [ "$pid" != "$2" ] && kill -0 "$pid" 2>/dev/null
}
ready() { orders_http_ok "http://127.0.0.1:$(cat "$dir/instance-$1.ops_port")/health/ready"; }
in_rotation() {
    curl -s -m 2 "$stats/;csv" |
        awk -F, -v s="instance-$1" '$1 == "order_servers" && $2 == s { print $18 }' |
        grep -qx UP
}

failed=0
for n in $(seq 1 "$count"); do
    old=$(cat "$dir/instance-$n.pid")
    : >"$dir/instance-$n.restart"
    echo "rolling-restart.sh: instance $n (pid $old): draining" >&2
    kill -TERM "$old"
    wait_for "$limit_s" "the exit of instance $n" gone "$old"
    status=$(tail -n 1 "$dir/instance-$n.exits")
    if [ "$status" != 0 ]; then
        echo "rolling-restart.sh: instance $n exited with status $status" >&2
        failed=1
    fi
    wait_for "$limit_s" "the start of instance $n" restarted "$n" "$old"
    wait_for "$limit_s" "the readiness of instance $n" ready "$n"
    wait_for "$limit_s" "HAProxy taking instance $n back" in_rotation "$n"
    echo "rolling-restart.sh: instance $n (pid $(cat "$dir/instance-$n.pid")): back in rotation" >&2
done
exit $failed
