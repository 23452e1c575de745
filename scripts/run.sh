#!/usr/bin/env bash
# The run command: installs what is missing (Debian 12), builds the order
# server and the downstream simulator, starts a private PostgreSQL cluster in
# a temporary directory and the simulator on port 8091, makes a throwaway
# signing key and two tokens, then runs the order server on port 8090 with
# authentication on, in the foreground. Ctrl-C (or SIGTERM) stops all three.
#   scripts/run.sh [ORDER-SERVER FLAGS...]   e.g. --log-level debug
# Build folder: build/run (optimised, no tests); tokens in build/run/tokens.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
case "${1:-}" in
    -h|--help) sed -n '2,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
esac

server_port=8090
sim_port=8091

port_free() {
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
for port in $server_port $sim_port; do
    if ! port_free "$port"; then
        echo "run.sh: port $port is in use; stop what listens there first" >&2
        exit 1
    fi
done

# shellcheck source=scripts/deps.sh
. "$root/scripts/deps.sh"
orders_install_missing run.sh "${ORDERS_BUILD_PACKAGES[@]}" "${ORDERS_RUN_PACKAGES[@]}"

build_dir=$root/build/run
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target order-server downstream-sim orders-token
server_bin=$build_dir/apps/order-server/order-server
sim_bin=$build_dir/apps/downstream-sim/downstream-sim
token_bin=$build_dir/apps/orders-token/orders-token

work=$(mktemp -d /tmp/orders-run.XXXXXX)
sim_pid=
server_pid=

cleanup() {
    trap - EXIT INT TERM
    set +e
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null
        wait "$server_pid" 2>/dev/null
    fi
    if [ -n "$sim_pid" ]; then
        kill -TERM "$sim_pid" 2>/dev/null
        wait "$sim_pid" 2>/dev/null
    fi
    "$root/scripts/pg-cluster.sh" destroy "$work/cluster" >/dev/null 2>&1
    rm -rf "$work"
    echo "run.sh: stopped the order server, the simulator and PostgreSQL" >&2
}
trap cleanup EXIT
# A signal only asks the server to stop; the loop below waits for it.
on_signal() {
    [ -n "$server_pid" ] && kill -TERM "$server_pid" 2>/dev/null
    [ -n "$server_pid" ] || exit 130
}
trap on_signal INT TERM

echo "run.sh: starting PostgreSQL in $work/cluster" >&2
db_url=$("$root/scripts/pg-cluster.sh" start "$work/cluster")

echo "run.sh: starting the downstream simulator on port $sim_port" >&2
"$sim_bin" --port "$sim_port" --port-file "$work/sim_port" </dev/null >"$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 100); do
    [ -s "$work/sim_port" ] && break
    kill -0 "$sim_pid" 2>/dev/null || { cat "$work/sim.log" >&2; exit 1; }
    sleep 0.1
done
[ -s "$work/sim_port" ] || { echo "run.sh: the simulator did not start" >&2; exit 1; }

# A signing key that lives as long as this run (its private half stays in
# $work, deleted at the end), and ready-made tokens for the README's curl
# examples: an admin and customer 12345, valid for 12 hours.
tokens=$build_dir/tokens
mkdir -p "$tokens"
"$token_bin" keygen --alg ES256 --kid "run-$(date +%s)" --key-out "$work/signing.jwk" \
    --jwks-out "$work/jwks.json"
(umask 077
 "$token_bin" mint --key "$work/signing.jwk" --sub admin --scope orders:admin --ttl-s 43200 \
     >"$tokens/admin.token"
 "$token_bin" mint --key "$work/signing.jwk" --sub 12345 --ttl-s 43200 \
     >"$tokens/customer-12345.token")
echo "run.sh: tokens (Authorization: Bearer \$(cat FILE)):" >&2
echo "run.sh:   admin          $tokens/admin.token" >&2
echo "run.sh:   customer 12345 $tokens/customer-12345.token" >&2

echo "run.sh: starting the order server on port $server_port, health and metrics on port 8081 (Ctrl-C stops everything)" >&2
ORDER_DATABASE_URL=$db_url ORDER_AUTH=jwt ORDER_AUTH_JWKS_FILE=$work/jwks.json \
    "$server_bin" --port "$server_port" --downstream-url "http://127.0.0.1:$sim_port" "$@" &
server_pid=$!
set +e
while :; do
    wait "$server_pid"
    status=$?
    kill -0 "$server_pid" 2>/dev/null || break
done
exit "$status"
