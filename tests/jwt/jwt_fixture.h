/* Keys, tokens and a verifier for the JWT tests: one RSA, one EC and one
 * symmetric key made once per program, a JWKS file of their public halves
 * in a temporary folder, and a clock the tests set. */
#ifndef ORDERS_TESTS_JWT_FIXTURE_H
#define ORDERS_TESTS_JWT_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <orders/adapters/jwt/verifier.h>

#include "token.h"

#define JX_NOW 1800000000LL
#define JX_SECRET "0123456789abcdef0123456789abcdef-test-secret"

typedef struct jx_key {
    char *private_jwk;
    char *jwks; /* {"keys":[public]} */
    char *public_jwk;
} jx_key;

typedef struct jx {
    jx_key rsa, ec, oct;
    char dir[64];
    char jwks_path[128];
    char secret_path[128];
} jx;

extern int64_t jx_clock;
int64_t jx_now(void *ctx);

/* Make the keys (once) and a fresh folder with the JWKS file (rsa + ec)
 * and the secret file. */
int jx_setup(void **state);
int jx_teardown(void **state);

/* Write @p text to @p path (replacing it). */
void jx_write(const char *path, const char *text);
/* A JWKS document of the given public JWKs. */
char *jx_jwks(const char *a, const char *b);
/* claims with exp = now + 600 and the given extra members ("" for none):
 * jx_claims("\"sub\":\"12345\""). */
char *jx_claims(const char *members);
/* A config with the JWKS file, the secret file and the test clock. */
ord_jwt_config jx_config(const jx *x);
ord_jwt_verifier *jx_verifier(const ord_jwt_config *config);
/* Verify and return the result (identity into @p out, may be NULL). */
ord_jwt_result jx_verify(ord_jwt_verifier *v, const char *token, ord_jwt_identity *out);

#endif
