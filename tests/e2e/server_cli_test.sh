#!/bin/sh
# The order server's command line: --help, one-line errors for invalid
# settings (exit 2), and a failed start-up (exit 1) that logs JSON without
# the database password.
#   server_cli_test.sh ORDER_SERVER
set -u
server=$1
out=$(mktemp)
err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
failures=0

fail() {
    echo "FAIL: $*"
    failures=$((failures + 1))
}

# expect_status STATUS ARGS...: run with ARGS, compare the exit status.
expect_status() {
    want=$1
    shift
    "$@" >"$out" 2>"$err" </dev/null
    got=$?
    [ "$got" = "$want" ] || fail "$* exited $got, expected $want: $(cat "$err")"
}

expect_status 0 "$server" --help
grep -q "ORDER_DATABASE_URL" "$out" || fail "--help does not list ORDER_DATABASE_URL"
grep -q "^Usage: order-server" "$out" || fail "--help has no usage line"

expect_status 2 "$server" --port 70000
[ "$(wc -l <"$err")" -eq 1 ] || fail "--port 70000: not one line: $(cat "$err")"
grep -q '^order-server: --port must be an integer from 0 to 65535' "$err" ||
    fail "--port 70000: $(cat "$err")"
[ ! -s "$out" ] || fail "--port 70000 wrote to stdout"

expect_status 2 env ORDER_THREADS=0 "$server"
grep -q '^order-server: ORDER_THREADS must be' "$err" || fail "ORDER_THREADS=0: $(cat "$err")"

expect_status 2 "$server" --event-webhook-url ftp://hook.example
grep -q -- '--event-webhook-url must be a URL' "$err" || fail "webhook: $(cat "$err")"

expect_status 2 "$server" unpack
grep -q 'unexpected argument "unpack"' "$err" || fail "unknown command: $(cat "$err")"

# Nothing listens on port 1: migrations fail at once, exit 1.
expect_status 1 env ORDER_DATABASE_URL='postgresql://app:topsecret-pw@127.0.0.1:1/orders' \
    "$server" migrate --migrate-wait-s 0
grep -q '"message":"database migration failed"' "$out" || fail "no migration error line: $(cat "$out")"
if grep -q "topsecret-pw" "$out" "$err"; then
    fail "the database password reached the output"
fi
while IFS= read -r line; do
    case "$line" in
        '{"time":"'*'","level":"'*'}') ;;
        *) fail "not a JSON log line: $line" ;;
    esac
done <"$out"

[ $failures -eq 0 ] && echo "all command-line checks passed"
exit $failures
