/* Per-client limits of the API: a token bucket per customer, per admin
 * subject and per address for guests (429 with Retry-After, nothing done),
 * an address refused unread after too many failed authentications, and
 * the client address behind a trusted proxy. The verifier is a stand-in:
 * "admin" is an admin, "customer-<id>" that customer, anything else is
 * refused. */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

static int verify_calls;

static bool fake_verify(void *ctx, const char *token, size_t len, ord_principal *who, char *subject,
                        size_t cap, const char **why)
{
    (void)ctx;
    (void)len;
    verify_calls++;
    if (strcmp(token, "admin") == 0) {
        who->kind = ORD_PRINCIPAL_ADMIN;
        snprintf(subject, cap, "ops");
        return true;
    }
    if (strncmp(token, "customer-", 9) == 0) {
        who->kind = ORD_PRINCIPAL_CUSTOMER;
        who->customer_id = strtoll(token + 9, NULL, 10);
        snprintf(subject, cap, "%s", token + 9);
        return true;
    }
    *why = "The token has expired";
    return false;
}

#define RATE 2
#define BURST 3
#define FAILURES 4

static int setup(void **state)
{
    rx_setup(state);
    rx *x = *state;
    ord_rest_api_free(x->api);
    ord_rest_bearer_config bc = ORD_REST_BEARER_CONFIG_INIT;
    bc.verify = fake_verify;
    bc.admin_scope = "orders:admin";
    ord_rest_api_config cfg = ORD_REST_API_CONFIG_INIT;
    assert_int_equal(ord_rest_auth_bearer(&cfg.authenticator, &bc), ORD_OK);
    cfg.service = rx_service_callback();
    cfg.service_ctx = x;
    cfg.metrics = x->metrics;
    cfg.rate_limit_per_second = RATE;
    cfg.rate_limit_burst = BURST;
    cfg.auth_failures_per_minute = FAILURES;
    cfg.trusted_proxy = "10.0.0.1";
    assert_int_equal(ord_rest_api_new(&x->api, &cfg), ORD_OK);
    verify_calls = 0;
    return 0;
}

/* GET of order 1 from @p address with @p token (NULL: none) and, when not
 * NULL, an X-Forwarded-For header. Returns the status; *retry_after
 * receives the Retry-After value or -1. */
static int get_from(rx *x, const char *address, const char *token, const char *forwarded,
                    int *retry_after)
{
    char bearer[64];
    ord_rest_header headers[2];
    size_t count = 0;
    if (token != NULL) {
        snprintf(bearer, sizeof bearer, "Bearer %s", token);
        headers[count++] = (ord_rest_header){"Authorization", bearer};
    }
    if (forwarded != NULL)
        headers[count++] = (ord_rest_header){"X-Forwarded-For", forwarded};
    ord_rest_request req = {
        .method = "GET",
        .path = "/api/v1/orders/1",
        .headers = headers,
        .header_count = count,
        .remote_addr = address,
    };
    ord_rest_response res;
    assert_int_equal(ord_rest_api_handle(x->api, &req, &res), ORD_OK);
    const char *retry = ord_rest_response_header(&res, "Retry-After");
    if (retry_after != NULL)
        *retry_after = retry != NULL ? atoi(retry) : -1;
    if (res.status == 429)
        rx_assert_problem(&res, 429, "Too many requests");
    int status = res.status;
    ord_rest_response_free(&res);
    return status;
}

/* A burst of BURST is allowed, then 429 with Retry-After; another customer
 * has a bucket of its own. */
static void test_a_customer_over_its_rate_gets_429(void **state)
{
    rx *x = *state;
    for (int i = 0; i < BURST; i++)
        assert_int_equal(get_from(x, "192.0.2.1", "customer-12345", NULL, NULL), 404);
    int retry = -1;
    assert_int_equal(get_from(x, "192.0.2.1", "customer-12345", NULL, &retry), 429);
    assert_true(retry >= 1 && retry <= 2);
    /* Same address, another customer: not limited by the first's bucket. */
    assert_int_equal(get_from(x, "192.0.2.1", "customer-777", NULL, NULL), 404);
    /* The admin's own bucket. */
    assert_int_equal(get_from(x, "192.0.2.1", "admin", NULL, NULL), 404);
}

/* Without credentials a guest route is limited by address. */
static void test_guests_are_limited_by_address(void **state)
{
    rx *x = *state;
    const char *body = "{\"guestToken\":\"c2VjcmV0LWd1ZXN0LXRva2VuLTAwMDAwMDAwMDA\"}";
    int created = 0, limited = 0;
    for (int i = 0; i < BURST + 2; i++) {
        ord_rest_header h[] = {{"Content-Type", "application/json"}};
        ord_rest_request req = {.method = "POST", .path = "/api/v1/orders/drafts",
                                .headers = h, .header_count = 1, .body = body,
                                .body_len = strlen(body), .remote_addr = "198.51.100.7"};
        ord_rest_response res;
        assert_int_equal(ord_rest_api_handle(x->api, &req, &res), ORD_OK);
        created += res.status == 201;
        limited += res.status == 429;
        ord_rest_response_free(&res);
    }
    assert_int_equal(created, BURST);
    assert_int_equal(limited, 2);
    /* Nothing was done for the refused ones. */
    assert_int_equal(ord_memory_store_order_count(x->store), BURST);
}

/* FAILURES refused tokens from one address, then its requests are refused
 * 429 before the verifier is asked; another address is not. */
static void test_an_address_with_too_many_failed_tokens_is_refused_unread(void **state)
{
    rx *x = *state;
    for (int i = 0; i < FAILURES; i++)
        assert_int_equal(get_from(x, "203.0.113.9", "forged", NULL, NULL), 401);
    int calls = verify_calls;
    int retry = -1;
    assert_int_equal(get_from(x, "203.0.113.9", "customer-12345", NULL, &retry), 429);
    assert_int_equal(verify_calls, calls); /* not even verified */
    assert_true(retry >= 1);
    assert_int_equal(get_from(x, "203.0.113.10", "customer-12345", NULL, NULL), 404);
}

/* Behind the trusted proxy the client is the last X-Forwarded-For entry
 * (the one the proxy appended); from anyone else the header is ignored. */
static void test_the_client_behind_the_trusted_proxy_is_its_forwarded_address(void **state)
{
    rx *x = *state;
    for (int i = 0; i < FAILURES; i++)
        assert_int_equal(get_from(x, "10.0.0.1", "forged", "1.1.1.1, 203.0.113.50", NULL), 401);
    /* That client is refused, another behind the same proxy is not. */
    assert_int_equal(get_from(x, "10.0.0.1", "admin", "203.0.113.50", NULL), 429);
    assert_int_equal(get_from(x, "10.0.0.1", "admin", "203.0.113.51", NULL), 404);
    /* A client that is not the proxy cannot pick its own address. */
    for (int i = 0; i < FAILURES; i++)
        assert_int_equal(get_from(x, "192.0.2.99", "forged", "203.0.113.77", NULL), 401);
    assert_int_equal(get_from(x, "192.0.2.99", "admin", "203.0.113.78", NULL), 429);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, rx_teardown)
    const struct CMUnitTest tests[] = {
        T(test_a_customer_over_its_rate_gets_429),
        T(test_guests_are_limited_by_address),
        T(test_an_address_with_too_many_failed_tokens_is_refused_unread),
        T(test_the_client_behind_the_trusted_proxy_is_its_forwarded_address),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
