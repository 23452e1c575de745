/* Answers are untrusted: wrong JSON, wrong types, missing fields, inexact
 * money, a huge body, a slow trickle, a redirect loop, a closed port all end
 * as "unavailable", "timeout" or "contract error", never a crash or an
 * unbounded read. Most go through the catalog, whose answer is the richest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cmocka.h>

#include <orders/support/json_scan.h>

#include "sim_control.h"

static int setup(void **state)
{
    *state = http_fixture_open(NULL);
    return *state != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    http_fixture_close(*state);
    return 0;
}

/* A product's price: ORD_OK; ORD_ENOTFOUND when the catalog does not know
 * it; ORD_EOVERFLOW, used here as a marker, when the catalog named it with a
 * price outside the contract (unusable: the product's problem); or the
 * call's failure (ORD_ECONTRACT when the answer as a whole is outside the
 * contract). */
static ord_error price_of(http_fixture *fx, int64_t product, ord_money *price)
{
    ord_product_price prices[1] = {{.product_id = product}};
    ord_precheck_result result;
    ord_precheck port = ord_http_client_precheck(fx->client);
    ord_error rc = port.ops->check(port.self, NULL, 0, prices, 1, &result);
    if (rc == ORD_OK && price != NULL)
        *price = prices[0].price;
    if (rc == ORD_OK && !prices[0].found)
        return ORD_ENOTFOUND;
    if (rc == ORD_OK && !ord_product_price_usable(&prices[0]))
        return ORD_EOVERFLOW;
    return rc;
}

/* Arm the catalog to answer status and body (a JSON string literal's inside). */
static void catalog_answers(int status, const char *escaped_body)
{
    char fault[4200]; /* room for the longest body a test passes (4099) */
    snprintf(fault, sizeof fault,
             "{\"service\":\"catalog\",\"mode\":\"garbage\",\"status\":%d,\"body\":\"%s\"}", status,
             escaped_body);
    assert_true(sim_fault(fault));
}

static void test_html_instead_of_json_is_a_contract_error(void **state)
{
    assert_true(sim_fault("{\"service\":\"catalog\",\"mode\":\"garbage\"}"));
    assert_int_equal(price_of(*state, 1, NULL), ORD_ECONTRACT);
}

/* An answer that is not a list of elements each naming its product. */
static void test_wrong_shapes_and_types_are_contract_errors(void **state)
{
    static const char *const bodies[] = {
        "",
        "{}",
        "null",
        "[1]",
        "[{\\\"productId\\\":\\\"1\\\",\\\"price\\\":99.99,\\\"currency\\\":\\\"USD\\\"}]",
        "[{\\\"productId\\\":1.5,\\\"price\\\":99.99,\\\"currency\\\":\\\"USD\\\"}]",
        "[{\\\"productId\\\":1,\\\"price\\\":99.99,\\\"currency\\\":\\\"USD\\\"}] trailing",
        "[{\\\"productId\\\":1,\\\"price\\\":99.99,\\\"currency\\\":\\\"USD\\\"}",
        "[{\\\"productId\\\":1,\\\"price\\\":99.99,\\\"currency\\\":\\\"USD\\\"},{\\\"oops\\\":1}]",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        catalog_answers(200, bodies[i]);
        assert_int_equal(price_of(*state, 1, NULL), ORD_ECONTRACT);
    }
}

/* An element that names its product but prices it outside the contract:
 * that product cannot be sold now; the answer itself is good. */
static void test_a_named_product_with_a_wrong_price_or_currency_is_unusable(void **state)
{
    static const char *const bodies[] = {
        "[{\\\"productId\\\":1}]",
        "[{\\\"productId\\\":1,\\\"price\\\":\\\"99.99\\\",\\\"currency\\\":\\\"USD\\\"}]",
        "[{\\\"productId\\\":1,\\\"price\\\":99.99}]",
        "[{\\\"productId\\\":1,\\\"price\\\":99.99,\\\"currency\\\":\\\"usd\\\"}]",
        "[{\\\"productId\\\":1,\\\"price\\\":99.99,\\\"currency\\\":7}]",
        "[{\\\"productId\\\":1,\\\"price\\\":true,\\\"currency\\\":\\\"USD\\\"}]",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        catalog_answers(200, bodies[i]);
        assert_int_equal(price_of(*state, 1, NULL), ORD_EOVERFLOW);
    }
}

static void test_inexact_or_negative_prices_are_unusable(void **state)
{
    static const char *const prices[] = {"99.999", "1.005", "-1.00", "-0.01", "0.001",
                                         "1e300",  "0.30000000000000004"};
    for (size_t i = 0; i < sizeof prices / sizeof prices[0]; i++) {
        char body[256];
        snprintf(body, sizeof body,
                 "[{\\\"productId\\\":1,\\\"price\\\":%s,\\\"currency\\\":\\\"USD\\\"}]", prices[i]);
        catalog_answers(200, body);
        assert_int_equal(price_of(*state, 1, NULL), ORD_EOVERFLOW);
    }
}

static void test_prices_convert_exactly_at_the_currency_precision(void **state)
{
    assert_true(sim_catalog(
        "{\"products\":["
        "{\"productId\":1,\"price\":0.1,\"currency\":\"USD\",\"available\":5},"
        "{\"productId\":2,\"price\":0.2,\"currency\":\"USD\",\"available\":5},"
        "{\"productId\":3,\"price\":1500,\"currency\":\"JPY\",\"available\":5},"
        "{\"productId\":4,\"price\":1.234,\"currency\":\"KWD\",\"available\":5},"
        "{\"productId\":5,\"price\":90071992547.40,\"currency\":\"USD\",\"available\":5}]}"));
    ord_money a, b, sum, yen, dinar, big;
    assert_int_equal(price_of(*state, 1, &a), ORD_OK);
    assert_int_equal(price_of(*state, 2, &b), ORD_OK);
    assert_int_equal(ord_money_add(&sum, a, b), ORD_OK);
    assert_int_equal(sum.minor, 30);
    assert_int_equal(price_of(*state, 3, &yen), ORD_OK);
    assert_int_equal(yen.minor, 1500);
    assert_string_equal(yen.currency, "JPY");
    assert_int_equal(price_of(*state, 4, &dinar), ORD_OK);
    assert_int_equal(dinar.minor, 1234);
    assert_int_equal(price_of(*state, 5, &big), ORD_OK);
    assert_int_equal(big.minor, 9007199254740);
}

static void test_exponent_notation_is_read_exactly(void **state)
{
    ord_money price;
    catalog_answers(200, "[{\\\"productId\\\":1,\\\"price\\\":1e2,\\\"currency\\\":\\\"USD\\\"}]");
    assert_int_equal(price_of(*state, 1, &price), ORD_OK);
    assert_int_equal(price.minor, 10000);
    catalog_answers(200, "[{\\\"productId\\\":1,\\\"price\\\":0.10,\\\"currency\\\":\\\"USD\\\"}]");
    assert_int_equal(price_of(*state, 1, &price), ORD_OK);
    assert_int_equal(price.minor, 10);
}

/* Past 2^52 / 10^decimals a double no longer tells neighbouring minor units
 * apart: 9999999999999.001 KWD parses to the double that prints as .002. */
static void test_prices_beyond_double_precision_are_unusable(void **state)
{
    static const char *const bodies[] = {
        "[{\\\"productId\\\":1,\\\"price\\\":9999999999999.001,\\\"currency\\\":\\\"KWD\\\"}]",
        "[{\\\"productId\\\":1,\\\"price\\\":45035996273704.97,\\\"currency\\\":\\\"USD\\\"}]",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        catalog_answers(200, bodies[i]);
        assert_int_equal(price_of(*state, 1, NULL), ORD_EOVERFLOW);
    }
}

static void test_deeply_nested_json_is_a_contract_error(void **state)
{
    char body[4100];
    memset(body, '[', 2000);
    memset(body + 2000, ']', 2000);
    body[4000] = '\0';
    catalog_answers(200, body);
    assert_int_equal(price_of(*state, 1, NULL), ORD_ECONTRACT);
}

/* Deep but within cJSON's own limit, around an otherwise good answer: the
 * depth alone must make it a contract error (parsing it on a server
 * thread's stack would crash the process). */
static void test_answer_nested_deeper_than_the_limit_is_a_contract_error(void **state)
{
    char body[1024];
    int n = snprintf(body, sizeof body,
                     "[{\\\"productId\\\":1,\\\"name\\\":\\\"x\\\",\\\"price\\\":1.5,"
                     "\\\"currency\\\":\\\"USD\\\",\\\"available\\\":1,\\\"extra\\\":");
    for (int i = 0; i < ORD_JSON_MAX_DEPTH; i++)
        body[n++] = '[';
    for (int i = 0; i < ORD_JSON_MAX_DEPTH; i++)
        body[n++] = ']';
    snprintf(body + n, sizeof body - (size_t)n, "}]");
    catalog_answers(200, body);
    assert_int_equal(price_of(*state, 1, NULL), ORD_ECONTRACT);
}

static void test_huge_body_is_cut_off_as_a_contract_error(void **state)
{
    http_fixture *fx = *state;
    assert_true(sim_fault("{\"service\":\"catalog\",\"mode\":\"huge\"}"));
    assert_int_equal(price_of(fx, 1, NULL), ORD_ECONTRACT);
    ord_http_stats stats;
    ord_http_services_stats(fx->services, &stats);
    assert_int_equal(stats.services[ORD_HTTP_CATALOG].outcomes[ORD_HTTP_OUTCOME_CONTRACT], 1);
}

static void test_slow_trickle_ends_within_the_timeout(void **state)
{
    assert_true(sim_fault("{\"service\":\"catalog\",\"mode\":\"trickle\",\"latencyMs\":100}"));
    assert_int_equal(price_of(*state, 1, NULL), ORD_ETIMEOUT);
}

static void test_redirect_loop_is_a_contract_error(void **state)
{
    assert_true(sim_fault("{\"service\":\"catalog\",\"mode\":\"redirect\"}"));
    assert_int_equal(price_of(*state, 1, NULL), ORD_ECONTRACT);
    assert_int_equal(sim_state_number("requests", "catalog"), 1);
}

static void test_not_found_status_is_a_contract_error(void **state)
{
    catalog_answers(404, "{\\\"error\\\":\\\"Not found\\\"}");
    assert_int_equal(price_of(*state, 1, NULL), ORD_ECONTRACT);
}

static int closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    close(fd); /* bound, never listened: nothing answers there now */
    return ntohs(addr.sin_port);
}

static char dead_url[64];

static void point_at_dead_port(ord_http_options *options)
{
    for (int i = 0; i < ORD_HTTP_SERVICE_COUNT; i++)
        options->services[i].base_url = dead_url;
}

static void test_refused_connection_is_unavailable(void **state)
{
    (void)state;
    int port = closed_port();
    assert_true(port > 0);
    snprintf(dead_url, sizeof dead_url, "http://127.0.0.1:%d", port);
    http_fixture *fx = http_fixture_open(point_at_dead_port);
    assert_non_null(fx);
    assert_int_equal(price_of(fx, 1, NULL), ORD_EUNAVAILABLE);
    ord_http_stats stats;
    ord_http_services_stats(fx->services, &stats);
    assert_int_equal(stats.services[ORD_HTTP_CATALOG].outcomes[ORD_HTTP_OUTCOME_UNREACHABLE], 3);
    http_fixture_close(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_html_instead_of_json_is_a_contract_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_shapes_and_types_are_contract_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_named_product_with_a_wrong_price_or_currency_is_unusable,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_inexact_or_negative_prices_are_unusable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prices_convert_exactly_at_the_currency_precision, setup, teardown),
        cmocka_unit_test_setup_teardown(test_exponent_notation_is_read_exactly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prices_beyond_double_precision_are_unusable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deeply_nested_json_is_a_contract_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answer_nested_deeper_than_the_limit_is_a_contract_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_huge_body_is_cut_off_as_a_contract_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_trickle_ends_within_the_timeout, setup, teardown),
        cmocka_unit_test_setup_teardown(test_redirect_loop_is_a_contract_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_found_status_is_a_contract_error, setup, teardown),
        cmocka_unit_test(test_refused_connection_is_unavailable),
    };
    return cmocka_run_group_tests(tests, http_group_setup, http_group_teardown);
}
