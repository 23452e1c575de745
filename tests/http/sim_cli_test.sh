#!/bin/sh
# The simulator as a program: --help, bad flags, --catalog FILE (and that
# /sim/reset restores it), --port 0 with --port-file, and stopping on SIGTERM.
# Usage: sim_cli_test.sh SIM_BINARY HTTP_TOOL CATALOG_JSON WORK_DIR
set -u
sim=$1
http=$2
catalog=$3
dir=$4
mkdir -p "$dir"
passed=0
failed=0
check() { # check NAME COMMAND...
    name=$1; shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAILED: $name"; fi
}

check "--help prints usage and exits 0" sh -c "'$sim' --help | grep -q -- '--catalog FILE'"
check "unknown flag exits 2" sh -c "'$sim' --bogus 2>/dev/null; [ \$? -eq 2 ]"
check "port out of range exits 2" sh -c "'$sim' --port 70000 2>/dev/null; [ \$? -eq 2 ]"
check "missing catalog file exits 1 naming it" \
    sh -c "'$sim' --catalog '$dir/none.json' 2>&1 | grep -q none.json"
printf '{"products":[{"productId":1,"price":-2,"available":1}]}' >"$dir/bad.json"
check "bad catalog exits 1 naming the field" sh -c "'$sim' --catalog '$dir/bad.json' 2>&1 | grep -q price"

rm -f "$dir/port"
"$sim" --port 0 --port-file "$dir/port" --catalog "$catalog" </dev/null >"$dir/sim.log" 2>&1 &
pid=$!
i=0
while [ ! -s "$dir/port" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
base="http://127.0.0.1:$(cat "$dir/port" 2>/dev/null)"
check "serves the catalog file" \
    sh -c "'$http' GET '$base/api/v1/inventory/products?ids=42,1' | grep -q '\"productId\":42,\"name\":\"Answer\",\"price\":4.20'"
check "seed products are gone" \
    sh -c "[ \"\$('$http' GET '$base/api/v1/inventory/products?ids=1')\" = '[]' ]"
check "account lists come from the file" \
    sh -c "'$http' GET '$base/api/v1/accounts/9/restrictions' | grep -q SANCTIONS"
"$http" PUT "$base/sim/catalog" '{"products":[{"productId":1,"price":1,"available":1}]}' >/dev/null
"$http" POST "$base/sim/reset" >/dev/null
check "reset restores the file's catalog" \
    sh -c "'$http' GET '$base/api/v1/inventory/products?ids=43' | grep -q '\"price\":1500,'"
kill -TERM $pid
wait $pid
check "SIGTERM stops it cleanly" [ $? -eq 0 ]
check "no sanitizer report" sh -c "! grep -q Sanitizer '$dir/sim.log'"

echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
