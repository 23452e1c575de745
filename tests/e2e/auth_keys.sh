#!/bin/sh
# Signing keys for an end-to-end stack with authentication on: an RSA and an
# EC key (private JWKs for the tests, one JWKS file of both public halves
# for the server) and an HS256 secret, in DIR. Run before the stack starts.
#   auth_keys.sh DIR ORDERS_TOKEN
set -eu
dir=$1
tool=$2
mkdir -p "$dir"
"$tool" keygen --alg RS256 --kid e2e-rsa --key-out "$dir/rsa.jwk" --jwks-out "$dir/rsa.jwks"
"$tool" keygen --alg ES256 --kid e2e-ec --key-out "$dir/ec.jwk" --jwks-out "$dir/ec.jwks"
# {"keys":[A]} + {"keys":[B]} -> {"keys":[A,B]}
rsa=$(sed -e 's/^{"keys":\[//' -e 's/\]}$//' "$dir/rsa.jwks")
ec=$(sed -e 's/^{"keys":\[//' -e 's/\]}$//' "$dir/ec.jwks")
printf '{"keys":[%s,%s]}\n' "$rsa" "$ec" >"$dir/jwks.json"
# 48 random bytes as text: a secret of 64 characters.
head -c 48 /dev/urandom | base64 | tr -d '\n' >"$dir/secret"
echo "keys in $dir"
