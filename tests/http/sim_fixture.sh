#!/bin/sh
# CTest fixture for the downstream simulator.
#   sim_fixture.sh start DIR SIM_BINARY   start it on a free port (DIR/port)
#   sim_fixture.sh stop DIR               stop it; fail if a sanitizer spoke
set -u
cmd=$1
dir=$2

case "$cmd" in
start)
    sim=$3
    mkdir -p "$dir"
    rm -f "$dir/port" "$dir/pid" "$dir/sim.log"
    # Detached from CTest's pipes, or CTest would wait for the server to exit.
    "$sim" --port 0 --port-file "$dir/port" --hang-max-ms 10000 \
        </dev/null >"$dir/sim.log" 2>&1 &
    echo $! >"$dir/pid"
    i=0
    while [ ! -s "$dir/port" ]; do
        if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
            echo "downstream-sim exited at start:"; cat "$dir/sim.log"; exit 1
        fi
        i=$((i + 1))
        if [ $i -gt 200 ]; then
            echo "downstream-sim did not start in 20 s"; exit 1
        fi
        sleep 0.1
    done
    echo "downstream-sim on port $(cat "$dir/port") (pid $(cat "$dir/pid"))"
    ;;
stop)
    [ -f "$dir/pid" ] || { echo "no simulator to stop"; exit 0; }
    pid=$(cat "$dir/pid")
    kill -TERM "$pid" 2>/dev/null
    i=0
    while kill -0 "$pid" 2>/dev/null; do
        i=$((i + 1))
        if [ $i -gt 300 ]; then
            echo "downstream-sim ignored SIGTERM for 30 s; killing it"
            kill -KILL "$pid" 2>/dev/null
            exit 1
        fi
        sleep 0.1
    done
    rm -f "$dir/pid" "$dir/port"
    if grep -q "Sanitizer" "$dir/sim.log"; then
        cat "$dir/sim.log"; exit 1
    fi
    ;;
*)
    echo "usage: $0 start DIR SIM | stop DIR" >&2; exit 2
    ;;
esac
