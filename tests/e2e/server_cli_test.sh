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

# A bad broker URL: one line naming it, never the password, exit 2.
expect_status 2 env ORDER_EVENT_SINK=amqp ORDER_EVENT_AMQP_URL='amqp://o:topsecret-pw@mq:0' "$server"
[ "$(wc -l <"$err")" -eq 1 ] || fail "bad broker URL: not one line: $(cat "$err")"
grep -q '^order-server: ORDER_EVENT_AMQP_URL must be amqp://' "$err" ||
    fail "bad broker URL: $(cat "$err")"
if grep -q "topsecret-pw" "$out" "$err"; then
    fail "the broker password reached the output"
fi

expect_status 2 "$server" unpack
grep -q 'unexpected argument "unpack"' "$err" || fail "unknown command: $(cat "$err")"

# Authentication is on by default: serving without keys is refused, and
# with it off only a loopback address is allowed. Neither gets far enough to
# touch the database.
expect_status 2 env -u ORDER_AUTH "$server" serve
grep -q '^order-server: authentication is on (ORDER_AUTH=jwt) but no keys are configured' "$err" ||
    fail "no keys: $(cat "$err")"
expect_status 2 env ORDER_AUTH=off "$server" --host 0.0.0.0
grep -q -- '^order-server: --host must be a loopback address' "$err" || fail "auth off, 0.0.0.0: $(cat "$err")"
expect_status 2 "$server" --auth maybe
grep -q -- '--auth must be jwt or off' "$err" || fail "--auth maybe: $(cat "$err")"
expect_status 2 "$server" --auth-admin-scope 'a b' --auth-hs256-secret-file /dev/null
grep -q -- '--auth-admin-scope must be one scope' "$err" || fail "scope: $(cat "$err")"
expect_status 2 "$server" --auth-jwks-url file:///etc/passwd
grep -q -- '--auth-jwks-url must be a URL' "$err" || fail "jwks url: $(cat "$err")"
"$server" --help | grep -q -- '--auth-jwks-url URL, ORDER_AUTH_JWKS_URL' || fail "--help lacks the JWKS URL"
# A short secret stops the start before the database is even tried: exit
# 1, one error line, the secret never printed.
printf 'too-short-secret' >"${TMPDIR:-/tmp}/orders-cli-secret.$$"
expect_status 1 env ORDER_DATABASE_URL='postgresql://app:pw@127.0.0.1:1/orders' \
    "$server" --migrate-wait-s 0 --auth-hs256-secret-file "${TMPDIR:-/tmp}/orders-cli-secret.$$"
rm -f "${TMPDIR:-/tmp}/orders-cli-secret.$$"
grep -q '"message":"cannot set up authentication".*shorter than 32 bytes' "$out" ||
    fail "short secret: $(cat "$out")"
if grep -q "too-short-secret" "$out" "$err"; then
    fail "the secret reached the output"
fi

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
