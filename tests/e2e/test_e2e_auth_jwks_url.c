/* End to end with keys from a JWKS URL (the simulator plays the identity
 * provider): no key at start (not ready, every token 401) until the keys
 * are published; rotation (a new kid works at once, a removed key is
 * revoked at the next fetch); the key server down later (keys in hand keep
 * working, a request waits for a fetch only boundedly); and down at a
 * restart (the server starts anyway and becomes ready when it is back). */
#include "e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "token.h"

typedef struct key {
    char *priv;
    char *pub; /* the public JWK alone */
} key;

static key key_a, key_b;

static void make_key(key *k, const char *alg, const char *kid)
{
    char *jwks = NULL;
    assert_true(tok_keygen(alg, kid, &k->priv, &jwks));
    free(jwks);
    k->pub = tok_public_jwk(k->priv);
    assert_non_null(k->pub);
}

static int group_setup(void **state)
{
    make_key(&key_a, "ES256", "url-a");
    make_key(&key_b, "RS256", "url-b");
    return e2e_group_setup(state);
}

static int group_teardown(void **state)
{
    free(key_a.priv);
    free(key_a.pub);
    free(key_b.priv);
    free(key_b.pub);
    return e2e_group_teardown(state);
}

/* Publish a JWKS of the given public keys at the simulator. */
static void publish(const char *a, const char *b)
{
    char doc[8192];
    snprintf(doc, sizeof doc, "{\"keys\":[%s%s%s]}", a != NULL ? a : "",
             a != NULL && b != NULL ? "," : "", b != NULL ? b : "");
    e2e_reply r = e2e_vcall(e2e_sim_url(), "PUT", "/sim/jwks", doc, strlen(doc), NULL, 0);
    assert_int_equal(r.status, 204);
    e2e_reply_free(&r);
}

static char *token(const key *k, const char *kid)
{
    char claims[200];
    long long now = (long long)time(NULL);
    snprintf(claims, sizeof claims, "{\"sub\":\"777001\",\"exp\":%lld}", now + 600);
    char *t = tok_mint(k->priv, NULL, 0, NULL, kid, claims);
    assert_non_null(t);
    return t;
}

static long status_with(const char *t)
{
    char header[4096];
    snprintf(header, sizeof header, "Authorization: Bearer %s", t);
    e2e_reply r = e2e_call("GET", "/api/v1/orders/customer/777001", NULL, header, NULL);
    long status = r.status;
    e2e_reply_free(&r);
    return status;
}

static long ready(void)
{
    e2e_reply r = e2e_call("GET", "/health/ready", NULL, NULL);
    long status = r.status;
    if (status == 503)
        assert_non_null(strstr(r.body, "\"auth_keys\":\"DOWN\""));
    e2e_reply_free(&r);
    return status;
}

static bool is_ready(void *ctx)
{
    (void)ctx;
    return ready() == 200;
}

/* More than the server's minimum interval between fetches (1 s). */
static void pause_a_refresh(void)
{
    struct timespec t = {1, 200000000L};
    nanosleep(&t, NULL);
}

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void test_no_key_at_start_until_the_keys_are_published(void **state)
{
    (void)state;
    /* The simulator served an empty set at start. */
    assert_int_equal(ready(), 503);
    char *a = token(&key_a, "url-a");
    assert_int_equal(status_with(a), 401);
    publish(key_a.pub, NULL);
    assert_true(e2e_wait(is_ready, NULL));
    assert_int_equal(status_with(a), 200);
    free(a);
}

static void test_rotation_and_unknown_kid_refresh(void **state)
{
    (void)state;
    char *a = token(&key_a, "url-a");
    char *b = token(&key_b, "url-b");
    char *stranger = token(&key_b, "url-unknown");
    publish(key_a.pub, NULL);
    pause_a_refresh();
    assert_int_equal(status_with(a), 200);
    /* A new key: its first token makes the server fetch, and works. */
    publish(key_a.pub, key_b.pub);
    pause_a_refresh();
    assert_int_equal(status_with(b), 200);
    /* Key A removed: revoked at the next fetch, which any unknown kid
     * brings about (else the periodic refresh would). */
    publish(key_b.pub, NULL);
    pause_a_refresh();
    assert_int_equal(status_with(stranger), 401);
    assert_int_equal(status_with(a), 401);
    assert_int_equal(status_with(b), 200);
    free(a);
    free(b);
    free(stranger);
}

static void test_key_server_down_later(void **state)
{
    (void)state;
    char *b = token(&key_b, "url-b");
    char *stranger = token(&key_b, "url-unknown");
    publish(key_b.pub, NULL);
    pause_a_refresh();
    assert_int_equal(status_with(b), 200);
    e2e_fault("jwks", "error");
    pause_a_refresh();
    /* A failed fetch keeps the keys in hand; the instance stays ready. */
    assert_int_equal(status_with(stranger), 401);
    assert_int_equal(status_with(b), 200);
    assert_int_equal(ready(), 200);
    /* Hanging: the request that asked for a fetch waits a bounded time
     * (the wait setting, 2 s, or the fetch's own limit, 1 s), never the
     * hang; known keys are not held up at all. */
    e2e_fault("jwks", "hang");
    pause_a_refresh();
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    assert_int_equal(status_with(stranger), 401);
    assert_true(seconds_since(&start) < 10.0);
    assert_int_equal(status_with(b), 200);
    e2e_fault("all", "ok");
    free(b);
    free(stranger);
}

static void test_key_server_down_at_a_restart(void **state)
{
    (void)state;
    char *b = token(&key_b, "url-b");
    publish(key_b.pub, NULL);
    e2e_server_stop("TERM");
    e2e_fault("jwks", "error");
    e2e_server_start(); /* starts all the same */
    assert_int_equal(ready(), 503);
    assert_int_equal(status_with(b), 401);
    e2e_fault("all", "ok");
    assert_true(e2e_wait(is_ready, NULL));
    assert_int_equal(status_with(b), 200);
    char *log = e2e_read_stack_file("server.log");
    assert_non_null(strstr(log, "JWKS fetch failed; keeping the keys in hand"));
    assert_non_null(strstr(log, "no verification key yet"));
    free(log);
    free(b);
}

int main(void)
{
    /* In order: each test leaves the key server as the next expects. */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_no_key_at_start_until_the_keys_are_published),
        cmocka_unit_test(test_rotation_and_unknown_kid_refresh),
        cmocka_unit_test(test_key_server_down_later),
        cmocka_unit_test(test_key_server_down_at_a_restart),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
