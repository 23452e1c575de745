#!/bin/sh
# The OpenAPI document checked by third-party tools from the npm registry,
# pinned in package.json and package-lock.json beside this script. One step
# per command, so CTest runs each as a test:
#
#   checks.sh install NPM_DIR          npm ci into NPM_DIR (skipped when the
#                                      lockfile is unchanged since the last one)
#   checks.sh lint NPM_DIR DOC         Redocly's recommended rules: no error
#   checks.sh tokens DIR ORDERS_TOKEN  a signing key (DIR/jwks.json for the
#                                      server) and tokens: customer 12345,
#                                      customer 4242, an admin
#   checks.sh proxy NPM_DIR STACK_DIR  Prism as a validating proxy in front of
#                                      the stack's server; proxy_drive.mjs
#                                      sends every operation through it
#   checks.sh client NPM_DIR STACK_DIR a typed client generated from the
#                                      served document (openapi-typescript),
#                                      compiled strictly, run by client.ts
#
# STACK_DIR is a folder of tests/e2e/stack.sh, whose keys and tokens the
# tokens command made. Exit 77 (skipped) when Node.js is older than the
# tools need; 1 on any failure.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}
[ $# -ge 2 ] || { sed -n '6,18p' "$0" >&2; exit 2; }

# @redocly/cli 2 runs on Node.js 20.19 and later (Debian 12's own Node.js,
# 18, is too old for it; the machines of the project have 20).
need_node() {
    command -v node >/dev/null && command -v npm >/dev/null || {
        echo "checks.sh: node and npm are needed (scripts/deps.sh installs them)"; exit 1; }
    if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number);
                  process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
        echo "checks.sh: SKIPPED: Node.js $(node --version) is older than 20.19, which @redocly/cli needs"
        exit 77
    fi
}

# Bounded waits: a tool that hangs fails the test instead of holding CI.
bounded() { # SECONDS COMMAND...
    s=$1; shift
    timeout --kill-after=5 "$s" "$@"
}

case "$cmd" in
install)
    need_node
    npm_dir=$2
    mkdir -p "$npm_dir"
    stamp=$(cat "$here/package.json" "$here/package-lock.json" | sha256sum | cut -d' ' -f1)
    if [ -d "$npm_dir/node_modules" ] && [ "$(cat "$npm_dir/stamp" 2>/dev/null)" = "$stamp" ]; then
        echo "checks.sh: npm packages already installed from this lockfile"
        exit 0
    fi
    rm -f "$npm_dir/stamp"
    cp "$here/package.json" "$here/package-lock.json" "$npm_dir/"
    (cd "$npm_dir" && bounded 300 npm ci --no-audit --no-fund --loglevel=error)
    echo "$stamp" >"$npm_dir/stamp"
    echo "checks.sh: installed from the lockfile: $(cd "$npm_dir" && npm ls --depth=0 --parseable | tail -n +2 | sed "s|.*/node_modules/||" | tr "\n" " ")"
    ;;
lint)
    need_node
    npm_dir=$2
    doc=$3
    # --extends recommended: Redocly's recommended rule set, unchanged.
    # Warnings are printed; any error fails.
    bounded 120 "$npm_dir/node_modules/.bin/redocly" lint --extends recommended \
        --format=stylish "$doc"
    ;;
tokens)
    dir=$2
    tool=$3
    mkdir -p "$dir"
    "$tool" keygen --alg ES256 --kid openapi-checks --key-out "$dir/signing.jwk" \
        --jwks-out "$dir/jwks.json" >/dev/null
    "$tool" mint --key "$dir/signing.jwk" --sub 12345 --ttl-s 3600 >"$dir/customer.token"
    "$tool" mint --key "$dir/signing.jwk" --sub 4242 --ttl-s 3600 >"$dir/other.token"
    "$tool" mint --key "$dir/signing.jwk" --sub operator --scope orders:admin --ttl-s 3600 \
        >"$dir/admin.token"
    echo "checks.sh: signing key and tokens in $dir"
    ;;
proxy)
    need_node
    npm_dir=$2
    dir=$3
    server=http://127.0.0.1:$(cat "$dir/server_port")
    sim=http://127.0.0.1:$(cat "$dir/sim_port")
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    log=$dir/prism.log
    # The document as the server serves it, so the served copy is the one checked.
    "$npm_dir/node_modules/.bin/prism" proxy "$server/openapi.json" "$server" \
        --host 127.0.0.1 --port "$port" --errors false --cors false >"$log" 2>&1 &
    prism=$!
    trap 'kill "$prism" 2>/dev/null' EXIT
    i=0
    until grep -q "Prism is listening" "$log"; do
        kill -0 "$prism" 2>/dev/null || { echo "prism exited at start:"; cat "$log"; exit 1; }
        i=$((i + 1))
        [ $i -le 600 ] || { echo "prism did not start in 60 s:"; cat "$log"; exit 1; }
        sleep 0.1
    done
    rc=0
    bounded 120 node "$here/proxy_drive.mjs" "http://127.0.0.1:$port" "$server" "$sim" "$dir" || rc=$?
    kill "$prism" 2>/dev/null
    wait "$prism" 2>/dev/null || true
    trap - EXIT
    exit $rc
    ;;
client)
    need_node
    npm_dir=$2
    dir=$3
    server=http://127.0.0.1:$(cat "$dir/server_port")
    work=$dir/client
    rm -rf "$work"
    mkdir -p "$work"
    cp "$here/client.ts" "$here/tsconfig.json" "$here/package.json" "$work/"
    ln -s "$npm_dir/node_modules" "$work/node_modules"
    # Generated from the served document, as a client's build would.
    # --default-non-nullable false: a member with a default (carrier) stays
    # optional in a request.
    bounded 60 "$npm_dir/node_modules/.bin/openapi-typescript" "$server/openapi.json" \
        --default-non-nullable false -o "$work/api.ts"
    (cd "$work" && bounded 120 node_modules/.bin/tsc -p tsconfig.json)
    bounded 60 node "$work/out/client.js" "$server" "$dir"
    ;;
*)
    sed -n '6,18p' "$0" >&2
    exit 2
    ;;
esac
