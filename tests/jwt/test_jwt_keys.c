/* Keys: settings checked at start, JWKS documents judged key by key, the
 * JWKS file rotated on disk (a new key works at once, a removed key
 * revokes), and a JWKS URL through a fetch callback: fetched at start,
 * down at start, refreshed for an unknown kid at most so often. */
#include "jwt_fixture.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char *mint_kid(const jx_key *key, const char *kid)
{
    char *claims = jx_claims("\"sub\":\"5\"");
    char *t = tok_mint(key->private_jwk, NULL, 0, NULL, kid, claims);
    free(claims);
    return t;
}

static void test_settings_are_checked_at_start(void **state)
{
    jx *x = *state;
    ord_jwt_verifier *v = NULL;
    char err[256];
    ord_jwt_config c = ORD_JWT_CONFIG_INIT;
    assert_int_equal(ord_jwt_verifier_new(&v, &c, err, sizeof err), ORD_EINVALID);
    assert_non_null(strstr(err, "no key source"));
    assert_null(v);

    c = jx_config(x);
    c.leeway_s = -1;
    assert_int_equal(ord_jwt_verifier_new(&v, &c, err, sizeof err), ORD_EINVALID);
    c = jx_config(x);
    c.audience = "";
    assert_int_equal(ord_jwt_verifier_new(&v, &c, err, sizeof err), ORD_EINVALID);

    /* A short secret, a missing or broken JWKS file: the start fails. */
    char path[160];
    snprintf(path, sizeof path, "%s/other", x->dir);
    jx_write(path, "short-secret\n");
    c = jx_config(x);
    c.hs256_secret_file = path;
    assert_int_equal(ord_jwt_verifier_new(&v, &c, err, sizeof err), ORD_EINVALID);
    assert_non_null(strstr(err, "shorter than 32 bytes"));
    assert_null(strstr(err, "short-secret"));
    c = jx_config(x);
    c.jwks_file = "/nonexistent/jwks.json";
    assert_int_equal(ord_jwt_verifier_new(&v, &c, err, sizeof err), ORD_EINVALID);
    static const char *const broken[] = {"", "{}", "{\"keys\":{}}", "[]", "{\"keys\":[{\"kty\":\"RSA\"}]}",
                                         "{\"keys\":[[[[[[[[[[[[[[]]]]]]]]]]]]]]}"};
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++) {
        jx_write(path, broken[i]);
        c.jwks_file = path;
        c.hs256_secret_file = NULL;
        assert_int_equal(ord_jwt_verifier_new(&v, &c, err, sizeof err), ORD_EINVALID);
        assert_null(v);
    }
}

static int warnings;

static void count_log(void *ctx, const char *level, const char *message, const char *detail)
{
    (void)ctx;
    (void)message;
    (void)detail;
    if (strcmp(level, "info") != 0)
        warnings++;
}

static void test_each_key_allows_one_fitting_algorithm(void **state)
{
    jx *x = *state;
    char path[160];
    snprintf(path, sizeof path, "%s/other", x->dir);
    /* The RSA key named with an EC algorithm, the EC key named HS256, an
     * encryption key, an OKP key, a duplicate kid: all skipped; the plain
     * EC key stays. */
    char *ec = strdup(x->ec.public_jwk);
    char *rsa_as_es = malloc(strlen(x->rsa.public_jwk) + 64);
    sprintf(rsa_as_es, "%s", x->rsa.public_jwk);
    char *p = strstr(rsa_as_es, "\"alg\":\"RS256\"");
    assert_non_null(p);
    memcpy(p, "\"alg\":\"ES256\"", 13);
    char *ec_as_hs = strdup(x->ec.public_jwk);
    p = strstr(ec_as_hs, "\"alg\":\"ES256\"");
    memcpy(p, "\"alg\":\"HS256\"", 13);
    p = strstr(ec_as_hs, "\"kid\":\"ec-1\"");
    memcpy(p, "\"kid\":\"ec-2\"", 12);
    char doc[8192];
    snprintf(doc, sizeof doc,
             "{\"keys\":[%s,%s,{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\",\"kid\":\"ed\"},%s,%s]}",
             rsa_as_es, ec_as_hs, ec, ec);
    jx_write(path, doc);
    ord_jwt_config c = jx_config(x);
    c.jwks_file = path;
    c.hs256_secret_file = NULL;
    c.log = count_log;
    warnings = 0;
    ord_jwt_verifier *v = jx_verifier(&c);
    assert_int_equal(warnings, 4);
    char *t = mint_kid(&x->rsa, "rsa-1");
    assert_int_equal(jx_verify(v, t, NULL), ORD_JWT_UNKNOWN_KEY);
    free(t);
    t = mint_kid(&x->ec, "ec-1");
    assert_int_equal(jx_verify(v, t, NULL), ORD_JWT_OK);
    free(t);
    /* Without a kid, the only key is the one. */
    t = mint_kid(&x->ec, NULL);
    assert_int_equal(jx_verify(v, t, NULL), ORD_JWT_OK);
    free(t);
    ord_jwt_verifier_free(v);
    free(ec);
    free(rsa_as_es);
    free(ec_as_hs);
}

static void test_jwks_file_rotation(void **state)
{
    jx *x = *state;
    ord_jwt_config c = jx_config(x);
    ord_jwt_verifier *v = jx_verifier(&c);
    assert_true(ord_jwt_verifier_has_keys(v));
    char *rsa = mint_kid(&x->rsa, "rsa-1");
    char *oct = mint_kid(&x->oct, "oct-1");
    assert_int_equal(jx_verify(v, rsa, NULL), ORD_JWT_OK);
    assert_int_equal(jx_verify(v, oct, NULL), ORD_JWT_UNKNOWN_KEY);

    /* A new key works at once: the unknown kid makes the file be read. */
    /* A symmetric key's JWK is the key itself. */
    char *jwks = jx_jwks(x->oct.private_jwk, NULL);
    char path_tmp[160];
    snprintf(path_tmp, sizeof path_tmp, "%s", x->jwks_path);
    jx_write(path_tmp, jwks);
    free(jwks);
    assert_int_equal(jx_verify(v, oct, NULL), ORD_JWT_OK);
    /* The old key is gone from the file: revoked once the check comes
     * round (at most a second). */
    struct timespec pause = {1, 100000000L};
    nanosleep(&pause, NULL);
    assert_int_equal(jx_verify(v, rsa, NULL), ORD_JWT_UNKNOWN_KEY);

    /* A broken file keeps the keys in hand. */
    jx_write(x->jwks_path, "{\"keys\":");
    nanosleep(&pause, NULL);
    assert_int_equal(jx_verify(v, oct, NULL), ORD_JWT_OK);
    ord_jwt_verifier_free(v);
    free(rsa);
    free(oct);
}

/* A JWKS "URL" served from memory: the document, whether it is up, and a
 * count of fetches. */
typedef struct fake_url {
    pthread_mutex_t lock;
    char *doc;
    bool down;
    int fetches;
} fake_url;

static ord_error fake_fetch(void *ctx, char **body, size_t *len)
{
    fake_url *u = ctx;
    pthread_mutex_lock(&u->lock);
    u->fetches++;
    ord_error rc = ORD_EUNAVAILABLE;
    if (!u->down) {
        *body = strdup(u->doc);
        *len = strlen(u->doc);
        rc = ORD_OK;
    }
    pthread_mutex_unlock(&u->lock);
    return rc;
}

static void set_doc(fake_url *u, char *doc, bool down)
{
    pthread_mutex_lock(&u->lock);
    free(u->doc);
    u->doc = doc;
    u->down = down;
    pthread_mutex_unlock(&u->lock);
}

static int fetches(fake_url *u)
{
    pthread_mutex_lock(&u->lock);
    int n = u->fetches;
    pthread_mutex_unlock(&u->lock);
    return n;
}

static void test_jwks_url_refresh_for_unknown_kid_is_rate_limited(void **state)
{
    jx *x = *state;
    fake_url u = {PTHREAD_MUTEX_INITIALIZER, jx_jwks(x->rsa.public_jwk, NULL), false, 0};
    ord_jwt_config c = ORD_JWT_CONFIG_INIT;
    c.fetch = fake_fetch;
    c.fetch_ctx = &u;
    c.jwks_url = "memory:";
    c.now_s = jx_now;
    c.jwks_min_refresh_s = 2;
    c.jwks_wait_ms = 3000;
    ord_jwt_verifier *v = jx_verifier(&c);
    assert_int_equal(fetches(&u), 1);
    char *rsa = mint_kid(&x->rsa, "rsa-1");
    char *ec = mint_kid(&x->ec, "ec-1");
    assert_int_equal(jx_verify(v, rsa, NULL), ORD_JWT_OK);

    /* Rotation: the EC key is published. Right after the start fetch the
     * unknown kid does not cause another one... */
    set_doc(&u, jx_jwks(x->ec.public_jwk, NULL), false);
    assert_int_equal(jx_verify(v, ec, NULL), ORD_JWT_UNKNOWN_KEY);
    assert_int_equal(fetches(&u), 1);
    /* ... but once the minimum interval has passed it does, and the token
     * that asked waits for it. */
    struct timespec pause = {2, 100000000L};
    nanosleep(&pause, NULL);
    assert_int_equal(jx_verify(v, ec, NULL), ORD_JWT_OK);
    assert_int_equal(fetches(&u), 2);
    /* The RSA key left the document: revoked. */
    assert_int_equal(jx_verify(v, rsa, NULL), ORD_JWT_UNKNOWN_KEY);
    /* A burst of unknown kids makes no more fetches. */
    char *stranger = mint_kid(&x->rsa, "nobody");
    for (int i = 0; i < 20; i++)
        assert_int_equal(jx_verify(v, stranger, NULL), ORD_JWT_UNKNOWN_KEY);
    assert_int_equal(fetches(&u), 2);

    /* Down later: the keys in hand keep working. */
    set_doc(&u, jx_jwks(x->rsa.public_jwk, NULL), true);
    nanosleep(&pause, NULL);
    assert_int_equal(jx_verify(v, rsa, NULL), ORD_JWT_UNKNOWN_KEY);
    assert_int_equal(jx_verify(v, ec, NULL), ORD_JWT_OK);
    assert_true(ord_jwt_verifier_has_keys(v));
    ord_jwt_verifier_free(v);
    free(rsa);
    free(ec);
    free(stranger);
    free(u.doc);
}

/* Key members that are not strict base64url ("A=", padding, blanks, a
 * number) from the JWKS URL: each such key is skipped, the rest of the
 * document works. The JOSE library asserts on some of them ("e":"A=" once
 * aborted the whole server at the first fetch). */
static void test_jwks_url_keys_with_members_not_strict_base64url_are_skipped(void **state)
{
    jx *x = *state;
    char doc[4096];
    snprintf(doc, sizeof doc,
             "{\"keys\":[{\"kty\":\"RSA\",\"kid\":\"a\",\"n\":\"w=\",\"e\":\"AQAB\"},"
             "{\"kty\":\"RSA\",\"kid\":\"b\",\"n\":\"AAAA\",\"e\":\"A=\"},"
             "{\"kty\":\"oct\",\"kid\":\"c\",\"k\":\"w=\"},"
             "{\"kty\":\"oct\",\"kid\":\"d\",\"k\":\"AAAA AAAA\"},"
             "{\"kty\":\"EC\",\"kid\":\"e\",\"crv\":\"P-256\",\"x\":7,\"y\":\"AA\"},%s]}",
             x->ec.public_jwk);
    fake_url u = {PTHREAD_MUTEX_INITIALIZER, strdup(doc), false, 0};
    ord_jwt_config c = ORD_JWT_CONFIG_INIT;
    c.fetch = fake_fetch;
    c.fetch_ctx = &u;
    c.jwks_url = "memory:";
    c.now_s = jx_now;
    c.log = count_log;
    warnings = 0;
    ord_jwt_verifier *v = jx_verifier(&c);
    assert_int_equal(fetches(&u), 1);
    assert_int_equal(warnings, 5);
    char *t = mint_kid(&x->ec, "ec-1");
    assert_int_equal(jx_verify(v, t, NULL), ORD_JWT_OK);
    free(t);
    ord_jwt_verifier_free(v);
    free(u.doc);
}

static void test_jwks_url_down_at_start(void **state)
{
    jx *x = *state;
    fake_url u = {PTHREAD_MUTEX_INITIALIZER, jx_jwks(x->ec.public_jwk, NULL), true, 0};
    ord_jwt_config c = ORD_JWT_CONFIG_INIT;
    c.fetch = fake_fetch;
    c.fetch_ctx = &u;
    c.now_s = jx_now;
    c.jwks_min_refresh_s = 2;
    ord_jwt_verifier *v = jx_verifier(&c);
    assert_false(ord_jwt_verifier_has_keys(v));
    char *ec = mint_kid(&x->ec, "ec-1");
    assert_int_equal(jx_verify(v, ec, NULL), ORD_JWT_UNKNOWN_KEY);
    /* Back up: the background retries (1 s, then 2 s) find it. */
    set_doc(&u, jx_jwks(x->ec.public_jwk, NULL), false);
    bool ok = false;
    for (int i = 0; i < 50 && !ok; i++) {
        struct timespec tick = {0, 100000000L};
        nanosleep(&tick, NULL);
        ok = ord_jwt_verifier_has_keys(v);
    }
    assert_true(ok);
    assert_int_equal(jx_verify(v, ec, NULL), ORD_JWT_OK);
    ord_jwt_verifier_free(v);
    free(ec);
    free(u.doc);
}

static void *verify_many(void *arg)
{
    void **args = arg;
    for (int i = 0; i < 200; i++)
        if (jx_verify(args[0], args[1], NULL) != ORD_JWT_OK)
            return (void *)1;
    return NULL;
}

static void test_verification_from_many_threads_during_rotation(void **state)
{
    jx *x = *state;
    ord_jwt_config c = jx_config(x);
    ord_jwt_verifier *v = jx_verifier(&c);
    char *ec = mint_kid(&x->ec, "ec-1");
    void *args[2] = {v, ec};
    pthread_t threads[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, verify_many, args), 0);
    /* Rewrite the file (same keys) while they run. */
    char *jwks = jx_jwks(x->ec.public_jwk, x->rsa.public_jwk);
    for (int i = 0; i < 5; i++) {
        jx_write(x->jwks_path, jwks);
        struct timespec tick = {0, 300000000L};
        nanosleep(&tick, NULL);
    }
    free(jwks);
    for (int i = 0; i < 4; i++) {
        void *failed = NULL;
        pthread_join(threads[i], &failed);
        assert_null(failed);
    }
    ord_jwt_verifier_free(v);
    free(ec);
}

#define T(name) cmocka_unit_test_setup_teardown(name, jx_setup, jx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_settings_are_checked_at_start),
        T(test_each_key_allows_one_fitting_algorithm),
        T(test_jwks_file_rotation),
        T(test_jwks_url_refresh_for_unknown_kid_is_rate_limited),
        T(test_jwks_url_keys_with_members_not_strict_base64url_are_skipped),
        T(test_jwks_url_down_at_start),
        T(test_verification_from_many_threads_during_rotation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
