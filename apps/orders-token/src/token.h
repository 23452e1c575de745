/* Development tokens: make a signing key (private JWK and the public JWKS
 * the server reads) and sign tokens with it. For local runs and tests
 * only; the order server never mints tokens. */
#ifndef ORDERS_TOKEN_H
#define ORDERS_TOKEN_H

#include <stdbool.h>
#include <stddef.h>

/* A new key for @p alg ("RS256", "ES256" or "HS256") named @p kid: the
 * private JWK (for tok_mint) and a JWKS document holding its public half
 * ("alg" and "use" set). Both malloc'd. Returns false on failure. */
bool tok_keygen(const char *alg, const char *kid, char **private_jwk, char **public_jwks);

/* Sign @p claims_json (a JSON object) with the private JWK @p jwk_json
 * under a header {"alg":@p alg,"typ":"JWT"[,"kid":@p kid]}; @p kid NULL
 * leaves it out, and @p alg NULL takes the JWK's own "alg". For HS256 with
 * a raw secret, pass @p secret (@p secret_len bytes) instead of a JWK.
 * Returns the compact token (malloc'd) or NULL. */
char *tok_mint(const char *jwk_json, const unsigned char *secret, size_t secret_len,
               const char *alg, const char *kid, const char *claims_json);

/* base64url without padding of @p len bytes (malloc'd). */
char *tok_b64url(const void *data, size_t len);

/* The private JWK with its private members removed (malloc'd JSON), e.g.
 * to use a public key's text as an HMAC secret in an attack test. */
char *tok_public_jwk(const char *jwk_json);

#endif
