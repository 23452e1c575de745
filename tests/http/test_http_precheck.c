/* The precheck port over HTTP against the simulator: every verdict, every
 * failing service, fail-fast cancellation, and that the three checks overlap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

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

static ord_error check(http_fixture *fx, int64_t customer, ord_product_price *prices, size_t n,
                       ord_precheck_result *result)
{
    ord_precheck port = ord_http_client_precheck(fx->client);
    return port.ops->check(port.self, NULL, customer, prices, n, result);
}

static void test_known_products_pass_with_their_prices(void **state)
{
    ord_product_price prices[2] = {{.product_id = 1}, {.product_id = 5}};
    ord_precheck_result result;
    assert_int_equal(check(*state, 42, prices, 2, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_PASSED);
    assert_true(prices[0].found && prices[1].found);
    assert_int_equal(prices[0].price.minor, 9999);
    assert_string_equal(prices[0].price.currency, "USD");
    assert_int_equal(prices[1].price.minor, 14999);
}

static void test_unknown_product_is_reported_beside_known_prices(void **state)
{
    ord_product_price prices[2] = {{.product_id = 1}, {.product_id = 999}};
    ord_precheck_result result;
    assert_int_equal(check(*state, 42, prices, 2, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_UNKNOWN_PRODUCTS);
    assert_true(prices[0].found);
    assert_int_equal(prices[0].price.minor, 9999);
    assert_false(prices[1].found);
}

/* A price outside the contract for one product (1.25 in a currency without
 * minor units) is that product's problem:
 * it comes back unusable, the others keep their prices, and the catalog's
 * breaker counts a success each time (before, each such order opened it
 * for every product). */
static void test_one_product_priced_outside_the_contract_is_not_an_outage(void **state)
{
    http_fixture *fx = *state;
    assert_true(sim_catalog("{\"products\":[{\"productId\":1,\"price\":99.99,"
                            "\"currency\":\"USD\",\"available\":9},{\"productId\":7,"
                            "\"price\":1.25,\"currency\":\"BIF\",\"available\":9}]}"));
    for (int round = 0; round < 25; round++) {
        ord_product_price prices[2] = {{.product_id = 7}, {.product_id = 1}};
        ord_precheck_result result;
        assert_int_equal(check(fx, 42, prices, 2, &result), ORD_OK);
        assert_int_equal(result.verdict, ORD_PRECHECK_PASSED);
        assert_true(prices[0].found);
        assert_false(ord_product_price_usable(&prices[0]));
        assert_true(ord_product_price_usable(&prices[1]));
        assert_int_equal(prices[1].price.minor, 9999);
    }
    assert_int_equal(ord_http_services_breaker(fx->services, ORD_HTTP_CATALOG),
                     ORD_HTTP_BREAKER_CLOSED);
    ord_http_stats stats;
    ord_http_services_stats(fx->services, &stats);
    assert_int_equal(stats.services[ORD_HTTP_CATALOG].outcomes[ORD_HTTP_OUTCOME_SUCCESS], 25);
}

/* An element that names no product cannot be put down to one: the whole
 * answer is outside the contract. */
static void test_catalog_element_without_a_product_is_a_contract_error(void **state)
{
    assert_true(sim_fault("{\"service\":\"catalog\",\"mode\":\"garbage\"}"));
    ord_product_price prices[1] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(check(*state, 42, prices, 1, &result), ORD_ECONTRACT);
    assert_int_equal(result.failed, ORD_PRECHECK_CATALOG);
}

static void test_restricted_customer_is_refused(void **state)
{
    ord_product_price prices[1] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(check(*state, 666, prices, 1, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_RESTRICTED);
}

static void test_ineligible_customer_is_refused(void **state)
{
    ord_product_price prices[1] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(check(*state, 777, prices, 1, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_INELIGIBLE);
}

static void test_guest_skips_account_checks(void **state)
{
    assert_true(sim_fault("{\"service\":\"restrictions\",\"mode\":\"error\"}"));
    assert_true(sim_fault("{\"service\":\"eligibility\",\"mode\":\"error\"}"));
    ord_product_price prices[1] = {{.product_id = 2}};
    ord_precheck_result result;
    assert_int_equal(check(*state, 0, prices, 1, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_PASSED);
    assert_int_equal(sim_state_number("requests", "restrictions"), 0);
    assert_int_equal(sim_state_number("requests", "eligibility"), 0);
}

static void without_accounts(ord_http_options *options)
{
    options->services[ORD_HTTP_RESTRICTIONS].base_url = NULL;
    options->services[ORD_HTTP_ELIGIBILITY].base_url = NULL;
}

static void test_unconfigured_account_services_are_skipped(void **state)
{
    (void)state;
    http_fixture *fx = http_fixture_open(without_accounts);
    assert_non_null(fx);
    ord_product_price prices[1] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(check(fx, 666, prices, 1, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_PASSED);
    assert_int_equal(sim_state_number("requests", "restrictions"), 0);
    http_fixture_close(fx);
}

static void test_catalog_down_fails_closed_naming_the_catalog(void **state)
{
    assert_true(sim_fault("{\"service\":\"catalog\",\"mode\":\"error\"}"));
    ord_product_price prices[1] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(check(*state, 42, prices, 1, &result), ORD_EUNAVAILABLE);
    assert_int_equal(result.failed, ORD_PRECHECK_CATALOG);
}

static void test_restrictions_down_names_the_restrictions_service(void **state)
{
    assert_true(sim_fault("{\"service\":\"restrictions\",\"mode\":\"error\"}"));
    ord_product_price prices[1] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(check(*state, 42, prices, 1, &result), ORD_EUNAVAILABLE);
    assert_int_equal(result.failed, ORD_PRECHECK_RESTRICTIONS);
}

static void test_eligibility_garbage_is_a_contract_error(void **state)
{
    assert_true(sim_fault("{\"service\":\"eligibility\",\"mode\":\"garbage\"}"));
    ord_product_price prices[1] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(check(*state, 42, prices, 1, &result), ORD_ECONTRACT);
    assert_int_equal(result.failed, ORD_PRECHECK_ELIGIBILITY);
}

static void test_hanging_catalog_times_out(void **state)
{
    assert_true(sim_fault("{\"service\":\"catalog\",\"mode\":\"hang\"}"));
    ord_product_price prices[1] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(check(*state, 42, prices, 1, &result), ORD_ETIMEOUT);
    assert_int_equal(result.failed, ORD_PRECHECK_CATALOG);
}

static void test_slow_answers_within_the_timeout_pass(void **state)
{
    assert_true(sim_fault("{\"service\":\"all\",\"mode\":\"slow\",\"latencyMs\":50}"));
    ord_product_price prices[1] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(check(*state, 42, prices, 1, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_PASSED);
}

static void patient(ord_http_options *options)
{
    for (int i = 0; i < ORD_HTTP_SERVICE_COUNT; i++)
        options->services[i].timeout_ms = 3000;
}

static void test_three_checks_overlap_in_the_simulator(void **state)
{
    (void)state;
    /* Each check waits 400 ms in the simulator (well inside the timeout,
     * even on a loaded machine): three calls in flight at once can only mean
     * they were sent concurrently. */
    http_fixture *fx = http_fixture_open(patient);
    assert_non_null(fx);
    assert_true(sim_fault("{\"service\":\"all\",\"mode\":\"slow\",\"latencyMs\":400}"));
    ord_product_price prices[1] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(check(fx, 42, prices, 1, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_PASSED);
    assert_int_equal(sim_state_number("inFlightMaxAll", NULL), 3);
    http_fixture_close(fx);
}

static void sequential(ord_http_options *options)
{
    options->sequential_precheck = true;
}

static void test_sequential_mode_never_overlaps(void **state)
{
    (void)state;
    http_fixture *fx = http_fixture_open(sequential);
    assert_non_null(fx);
    assert_true(sim_fault("{\"service\":\"all\",\"mode\":\"slow\",\"latencyMs\":50}"));
    ord_product_price prices[1] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(check(fx, 42, prices, 1, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_PASSED);
    assert_int_equal(sim_state_number("inFlightMaxAll", NULL), 1);
    assert_int_equal(sim_state_number("requests", "eligibility"), 1);
    http_fixture_close(fx);
}

static void test_first_refusal_cancels_the_other_checks(void **state)
{
    http_fixture *fx = *state;
    assert_true(sim_fault("{\"service\":\"catalog\",\"mode\":\"hang\"}"));
    ord_product_price prices[1] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(check(fx, 666, prices, 1, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_RESTRICTED);
    ord_http_stats stats;
    ord_http_services_stats(fx->services, &stats);
    assert_int_equal(stats.services[ORD_HTTP_CATALOG].outcomes[ORD_HTTP_OUTCOME_CANCELLED], 1);
    assert_int_equal(stats.services[ORD_HTTP_CATALOG].outcomes[ORD_HTTP_OUTCOME_TIMEOUT], 0);
    assert_false(prices[0].found);
}

static void test_first_failure_cancels_the_other_checks(void **state)
{
    http_fixture *fx = *state;
    assert_true(sim_fault("{\"service\":\"catalog\",\"mode\":\"hang\"}"));
    assert_true(sim_fault("{\"service\":\"eligibility\",\"mode\":\"garbage\"}"));
    ord_product_price prices[1] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(check(fx, 42, prices, 1, &result), ORD_ECONTRACT);
    assert_int_equal(result.failed, ORD_PRECHECK_ELIGIBILITY);
    ord_http_stats stats;
    ord_http_services_stats(fx->services, &stats);
    assert_int_equal(stats.services[ORD_HTTP_CATALOG].outcomes[ORD_HTTP_OUTCOME_CANCELLED], 1);
}

static void test_tracing_headers_reach_the_services(void **state)
{
    http_fixture *fx = *state;
    static const char parent[] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    ord_call_context ctx = {.request_id = "req-123", .traceparent = parent};
    ord_product_price prices[1] = {{.product_id = 1}};
    ord_precheck_result result;
    ord_precheck port = ord_http_client_precheck(fx->client);
    assert_int_equal(port.ops->check(port.self, &ctx, 42, prices, 1, &result), ORD_OK);
    cJSON *st = sim_state();
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(st, "lastRequest"), "catalog");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(last, "requestId");
    const cJSON *tp = cJSON_GetObjectItemCaseSensitive(last, "traceparent");
    assert_true(cJSON_IsString(id) && cJSON_IsString(tp));
    assert_string_equal(id->valuestring, "req-123");
    /* Same trace and flags, a span of our own. */
    assert_int_equal(strlen(tp->valuestring), 55);
    assert_memory_equal(tp->valuestring, parent, 36);
    assert_string_equal(tp->valuestring + 52, "-01");
    assert_memory_not_equal(tp->valuestring + 36, parent + 36, 16);
    cJSON_Delete(st);
}

static void test_a_new_trace_starts_without_a_valid_traceparent(void **state)
{
    http_fixture *fx = *state;
    ord_call_context ctx = {.request_id = "bad\r\nX-Evil: 1", .traceparent = "garbage"};
    ord_product_price prices[1] = {{.product_id = 1}};
    ord_precheck_result result;
    ord_precheck port = ord_http_client_precheck(fx->client);
    assert_int_equal(port.ops->check(port.self, &ctx, 0, prices, 1, &result), ORD_OK);
    cJSON *st = sim_state();
    const cJSON *last = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(st, "lastRequest"), "catalog");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(last, "requestId");
    const cJSON *tp = cJSON_GetObjectItemCaseSensitive(last, "traceparent");
    assert_string_equal(id->valuestring, ""); /* an unsafe id is not passed on */
    assert_int_equal(strlen(tp->valuestring), 55);
    assert_memory_equal(tp->valuestring, "00-", 3);
    cJSON_Delete(st);
}

/* The traceparent the catalog received for a call made with this one. */
static char *forwarded_traceparent(http_fixture *fx, const char *incoming)
{
    ord_call_context ctx = {.request_id = "req-tp", .traceparent = incoming};
    ord_product_price prices[1] = {{.product_id = 1}};
    ord_precheck_result result;
    ord_precheck port = ord_http_client_precheck(fx->client);
    assert_int_equal(port.ops->check(port.self, &ctx, 0, prices, 1, &result), ORD_OK);
    cJSON *st = sim_state();
    const cJSON *tp = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(st, "lastRequest"),
                                         "catalog"),
        "traceparent");
    assert_true(cJSON_IsString(tp));
    char *copy = strdup(tp->valuestring);
    cJSON_Delete(st);
    return copy;
}

static void test_only_the_sampled_flag_is_passed_on(void **state)
{
    /* W3C trace context: flags this version does not define are sent as 0. */
    static const char *const incoming[] = {
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-ff",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-02",
    };
    static const char *const flags[] = {"-01", "-00"};
    for (size_t i = 0; i < 2; i++) {
        char *tp = forwarded_traceparent(*state, incoming[i]);
        assert_int_equal(strlen(tp), 55);
        assert_memory_equal(tp, incoming[i], 36);
        assert_string_equal(tp + 52, flags[i]);
        free(tp);
    }
}

static void test_new_span_ids_use_every_bit(void **state)
{
    /* Each hex digit of a fresh span id is random: over 32 calls the lowest
     * bit of the first digit is 0 at least once, unless a bit is pinned. */
    const char *incoming = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    bool seen_even = false;
    for (int i = 0; i < 32 && !seen_even; i++) {
        char *tp = forwarded_traceparent(*state, incoming);
        char first = tp[36];
        int value = first >= 'a' ? first - 'a' + 10 : first - '0';
        seen_even = (value & 1) == 0;
        free(tp);
    }
    assert_true(seen_even);
}

static void test_a_later_traceparent_version_keeps_its_trace(void **state)
{
    /* A later version may add fields after the flags; its trace goes on,
     * sent as version 00. Version 00 itself has no room for more. */
    static const char later[] =
        "cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-what-the-future-holds";
    char *tp = forwarded_traceparent(*state, later);
    assert_int_equal(strlen(tp), 55);
    assert_memory_equal(tp, "00-0af7651916cd43dd8448eb211c80319c-", 36);
    assert_string_equal(tp + 52, "-01");
    free(tp);
    static const char longer_00[] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x";
    tp = forwarded_traceparent(*state, longer_00);
    assert_memory_not_equal(tp + 3, longer_00 + 3, 32);
    free(tp);
    static const char later_bad_end[] = "cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x";
    tp = forwarded_traceparent(*state, later_bad_end);
    assert_memory_not_equal(tp + 3, later_bad_end + 3, 32);
    free(tp);
}

static void test_bad_arguments_are_refused_without_a_call(void **state)
{
    http_fixture *fx = *state;
    ord_product_price prices[1] = {{.product_id = 0}};
    ord_precheck_result result;
    assert_int_equal(check(fx, 42, prices, 1, &result), ORD_EINVALID);
    assert_int_equal(check(fx, 42, prices, 0, &result), ORD_EINVALID);
    assert_int_equal(check(fx, 42, NULL, 1, &result), ORD_EINVALID);
    prices[0].product_id = 1;
    assert_int_equal(check(fx, 42, prices, 1, NULL), ORD_EINVALID);
    assert_int_equal(check(fx, -1, prices, 1, &result), ORD_EINVALID);
    assert_int_equal(check(fx, 42, prices, ORD_MAX_ITEMS + 1, &result), ORD_EINVALID);
    assert_int_equal(sim_state_number("requests", "catalog"), 0);
}

static void test_a_hundred_products_fit_one_lookup(void **state)
{
    ord_product_price prices[ORD_MAX_ITEMS];
    for (size_t i = 0; i < ORD_MAX_ITEMS; i++)
        prices[i] = (ord_product_price){.product_id = (int64_t)i + 1};
    ord_precheck_result result;
    assert_int_equal(check(*state, 42, prices, ORD_MAX_ITEMS, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_UNKNOWN_PRODUCTS);
    assert_true(prices[19].found);
    assert_false(prices[20].found);
    assert_int_equal(sim_state_number("requests", "catalog"), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_known_products_pass_with_their_prices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unknown_product_is_reported_beside_known_prices, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restricted_customer_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ineligible_customer_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guest_skips_account_checks, setup, teardown),
        cmocka_unit_test(test_unconfigured_account_services_are_skipped),
        cmocka_unit_test_setup_teardown(test_catalog_down_fails_closed_naming_the_catalog, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restrictions_down_names_the_restrictions_service, setup, teardown),
        cmocka_unit_test_setup_teardown(test_eligibility_garbage_is_a_contract_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hanging_catalog_times_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_slow_answers_within_the_timeout_pass, setup, teardown),
        cmocka_unit_test(test_three_checks_overlap_in_the_simulator),
        cmocka_unit_test(test_sequential_mode_never_overlaps),
        cmocka_unit_test_setup_teardown(test_first_refusal_cancels_the_other_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_failure_cancels_the_other_checks, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tracing_headers_reach_the_services, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_new_trace_starts_without_a_valid_traceparent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_only_the_sampled_flag_is_passed_on, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_later_traceparent_version_keeps_its_trace, setup, teardown),
        cmocka_unit_test_setup_teardown(test_new_span_ids_use_every_bit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments_are_refused_without_a_call, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_hundred_products_fit_one_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_one_product_priced_outside_the_contract_is_not_an_outage, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catalog_element_without_a_product_is_a_contract_error,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, http_group_setup, http_group_teardown);
}
