/* One JWT verifier for the fuzz targets, built on first use from the keys
 * in tests/fuzz/keys (a JWKS file with an RS256 and an ES256 public key,
 * and an HS256 secret for tokens without a kid: test keys, for fuzzing
 * only) with issuer, audience and a fixed clock, so that the seed tokens
 * minted for it stay valid. It only reads those files. */
#ifndef ORDERS_TESTS_FUZZ_JWT_WORLD_H
#define ORDERS_TESTS_FUZZ_JWT_WORLD_H

#include <orders/adapters/jwt/verifier.h>
#include <orders/adapters/rest/auth.h>

#define FUZZ_JWT_ISSUER "https://id.orders.example"
#define FUZZ_JWT_AUDIENCE "orders"
/* 2027-01-15T08:00:00Z: after the seed tokens were issued, long before they expire. */
#define FUZZ_JWT_NOW 1800000000LL

/* The verifier (lives until the program ends). */
ord_jwt_verifier *fuzz_verifier(void);

/* The REST adapter's bearer authenticator over fuzz_verifier(), mapping a
 * good token to a principal as the order server does. */
ord_rest_authenticator fuzz_bearer_authenticator(void);

#endif
