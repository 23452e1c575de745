/* Shared set-up of the JWT tests. */
#include "jwt_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int64_t jx_clock = JX_NOW;

int64_t jx_now(void *ctx)
{
    (void)ctx;
    return jx_clock;
}

static jx_key keys[3];
static bool made;

static void make(jx_key *k, const char *alg, const char *kid)
{
    assert_true(tok_keygen(alg, kid, &k->private_jwk, &k->jwks));
    k->public_jwk = tok_public_jwk(k->private_jwk);
    assert_non_null(k->public_jwk);
}

void jx_write(const char *path, const char *text)
{
    char tmp[256];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(rename(tmp, path), 0);
}

char *jx_jwks(const char *a, const char *b)
{
    size_t n = strlen(a) + (b != NULL ? strlen(b) : 0) + 32;
    char *out = malloc(n);
    assert_non_null(out);
    snprintf(out, n, "{\"keys\":[%s%s%s]}", a, b != NULL ? "," : "", b != NULL ? b : "");
    return out;
}

char *jx_claims(const char *members)
{
    char *out = malloc(strlen(members) + 128);
    assert_non_null(out);
    sprintf(out, "{\"exp\":%lld%s%s}", (long long)(jx_clock + 600), members[0] != '\0' ? "," : "",
            members);
    return out;
}

int jx_setup(void **state)
{
    if (!made) {
        make(&keys[0], "RS256", "rsa-1");
        make(&keys[1], "ES256", "ec-1");
        make(&keys[2], "HS256", "oct-1");
        made = true;
    }
    jx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->rsa = keys[0];
    x->ec = keys[1];
    x->oct = keys[2];
    snprintf(x->dir, sizeof x->dir, "/tmp/orders-jwt-XXXXXX");
    assert_non_null(mkdtemp(x->dir));
    snprintf(x->jwks_path, sizeof x->jwks_path, "%s/jwks.json", x->dir);
    snprintf(x->secret_path, sizeof x->secret_path, "%s/secret", x->dir);
    char *jwks = jx_jwks(x->rsa.public_jwk, x->ec.public_jwk);
    jx_write(x->jwks_path, jwks);
    free(jwks);
    jx_write(x->secret_path, JX_SECRET "\n");
    jx_clock = JX_NOW;
    *state = x;
    return 0;
}

int jx_teardown(void **state)
{
    jx *x = *state;
    char path[256];
    static const char *const names[] = {"jwks.json", "secret", "other", "jwks.json.tmp"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", x->dir, names[i]);
        unlink(path);
    }
    rmdir(x->dir);
    free(x);
    return 0;
}

ord_jwt_config jx_config(const jx *x)
{
    ord_jwt_config c = ORD_JWT_CONFIG_INIT;
    c.jwks_file = x->jwks_path;
    c.hs256_secret_file = x->secret_path;
    c.now_s = jx_now;
    return c;
}

ord_jwt_verifier *jx_verifier(const ord_jwt_config *config)
{
    ord_jwt_verifier *v = NULL;
    char err[256] = "";
    ord_error rc = ord_jwt_verifier_new(&v, config, err, sizeof err);
    if (rc != ORD_OK)
        fail_msg("verifier: %s (%s)", ord_strerror(rc), err);
    return v;
}

ord_jwt_result jx_verify(ord_jwt_verifier *v, const char *token, ord_jwt_identity *out)
{
    ord_jwt_identity scratch;
    assert_non_null(token);
    return ord_jwt_verify(v, token, strlen(token), out != NULL ? out : &scratch);
}
