/* The inventory port over HTTP against the simulator: reservations and their
 * stock accounting, insufficient stock, contract errors, and retries that
 * never reserve twice. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

static ord_error reserve(http_fixture *fx, int64_t order_id, int64_t product, int32_t quantity,
                         ord_reserve_result *result)
{
    ord_order_item item = {.product_id = product, .quantity = quantity};
    ord_inventory port = ord_http_client_inventory(fx->client);
    return port.ops->reserve(port.self, NULL, order_id, &item, 1, result);
}

static ord_error release(http_fixture *fx, int64_t order_id)
{
    ord_inventory port = ord_http_client_inventory(fx->client);
    return port.ops->release(port.self, NULL, order_id);
}

static ord_error commit(http_fixture *fx, int64_t order_id)
{
    ord_inventory port = ord_http_client_inventory(fx->client);
    return port.ops->commit(port.self, NULL, order_id);
}

static void assert_stock(int64_t product, int64_t available, int64_t reserved, int64_t committed)
{
    int64_t a = -1, r = -1, c = -1;
    assert_true(sim_stock(product, &a, &r, &c));
    assert_int_equal(a, available);
    assert_int_equal(r, reserved);
    assert_int_equal(c, committed);
}

static void test_reserve_holds_stock_in_the_simulator(void **state)
{
    ord_reserve_result result;
    assert_int_equal(reserve(*state, 501, 1, 3, &result), ORD_OK);
    assert_true(result.reserved);
    assert_int_equal(result.unavailable_count, 0);
    assert_stock(1, 97, 3, 0);
}

static void test_reserve_of_several_lines_is_all_or_nothing(void **state)
{
    http_fixture *fx = *state;
    ord_order_item items[2] = {{.product_id = 1, .quantity = 2}, {.product_id = 2, .quantity = 500}};
    ord_inventory port = ord_http_client_inventory(fx->client);
    ord_reserve_result result;
    assert_int_equal(port.ops->reserve(port.self, NULL, 502, items, 2, &result), ORD_OK);
    assert_false(result.reserved);
    assert_int_equal(result.unavailable_count, 1);
    assert_int_equal(result.unavailable[0], 2);
    assert_stock(1, 100, 0, 0);
}

static void test_insufficient_stock_names_the_products(void **state)
{
    ord_reserve_result result;
    assert_int_equal(reserve(*state, 503, 3, 101, &result), ORD_OK);
    assert_false(result.reserved);
    assert_int_equal(result.unavailable_count, 1);
    assert_int_equal(result.unavailable[0], 3);
    assert_stock(3, 100, 0, 0);
}

static void test_conflict_with_products_is_insufficient_stock(void **state)
{
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"garbage\",\"status\":409,"
                          "\"body\":\"{\\\"success\\\":false,\\\"unavailableProducts\\\":[4]}\"}"));
    ord_reserve_result result;
    assert_int_equal(reserve(*state, 504, 4, 1, &result), ORD_OK);
    assert_false(result.reserved);
    assert_int_equal(result.unavailable_count, 1);
    assert_int_equal(result.unavailable[0], 4);
}

static void test_bad_request_without_products_is_a_contract_error(void **state)
{
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"garbage\",\"status\":400,"
                          "\"body\":\"{\\\"error\\\":\\\"bad request\\\"}\"}"));
    ord_reserve_result result = {.reserved = true};
    assert_int_equal(reserve(*state, 505, 1, 1, &result), ORD_ECONTRACT);
    assert_true(result.reserved); /* untouched on failure */
}

static void test_shortage_of_a_product_never_asked_for_is_a_contract_error(void **state)
{
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"garbage\",\"status\":400,"
                          "\"body\":\"{\\\"unavailableProducts\\\":[17]}\"}"));
    ord_reserve_result result;
    assert_int_equal(reserve(*state, 506, 1, 1, &result), ORD_ECONTRACT);
}

static void test_other_client_errors_are_contract_errors_and_never_retried(void **state)
{
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"garbage\",\"status\":422,"
                          "\"body\":\"{\\\"unavailableProducts\\\":[1]}\"}"));
    ord_reserve_result result;
    assert_int_equal(reserve(*state, 507, 1, 1, &result), ORD_ECONTRACT);
    assert_int_equal(sim_state_number("requests", "inventory"), 1);
}

static void test_success_without_success_flag_is_a_contract_error(void **state)
{
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"garbage\",\"status\":200,"
                          "\"body\":\"{\\\"success\\\":\\\"yes\\\"}\"}"));
    ord_reserve_result result;
    assert_int_equal(reserve(*state, 508, 1, 1, &result), ORD_ECONTRACT);
}

static void test_repeated_reserve_returns_the_first_outcome(void **state)
{
    ord_reserve_result first, second;
    assert_int_equal(reserve(*state, 509, 1, 4, &first), ORD_OK);
    assert_int_equal(reserve(*state, 509, 1, 4, &second), ORD_OK);
    assert_true(first.reserved && second.reserved);
    assert_stock(1, 96, 4, 0);
}

static void test_retry_after_a_timeout_reserves_once(void **state)
{
    /* The first attempt is held past the client's timeout but still
     * reserves in the simulator; the retry must not reserve again. */
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"slow\",\"latencyMs\":600,"
                          "\"times\":1}"));
    ord_reserve_result result;
    assert_int_equal(reserve(*state, 510, 2, 5, &result), ORD_OK);
    assert_true(result.reserved);
    sim_wait_idle();
    assert_int_equal(sim_state_number("requests", "inventory"), 2);
    assert_stock(2, 95, 5, 0);
}

static void test_server_errors_are_retried_until_success(void **state)
{
    http_fixture *fx = *state;
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"error\",\"times\":2}"));
    ord_reserve_result result;
    assert_int_equal(reserve(fx, 511, 1, 1, &result), ORD_OK);
    assert_true(result.reserved);
    assert_int_equal(sim_state_number("requests", "inventory"), 3);
    ord_http_stats stats;
    ord_http_services_stats(fx->services, &stats);
    assert_int_equal(stats.services[ORD_HTTP_INVENTORY].retries, 2);
    assert_int_equal(stats.services[ORD_HTTP_INVENTORY].outcomes[ORD_HTTP_OUTCOME_SERVER_ERROR], 2);
    assert_int_equal(stats.services[ORD_HTTP_INVENTORY].outcomes[ORD_HTTP_OUTCOME_SUCCESS], 1);
    assert_stock(1, 99, 1, 0);
}

static void test_retries_stop_at_the_attempt_cap(void **state)
{
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"error\"}"));
    ord_reserve_result result;
    assert_int_equal(reserve(*state, 512, 1, 1, &result), ORD_EUNAVAILABLE);
    assert_int_equal(sim_state_number("requests", "inventory"), 3);
}

static void short_total(ord_http_options *options)
{
    options->retry.max_attempts = 10;
    options->retry.max_total_ms = 700;
}

static void test_retries_stop_at_the_total_time_cap(void **state)
{
    (void)state;
    http_fixture *fx = http_fixture_open(short_total);
    assert_non_null(fx);
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"hang\"}"));
    ord_reserve_result result;
    assert_int_equal(reserve(fx, 513, 1, 1, &result), ORD_ETIMEOUT);
    /* 300 ms per attempt inside 700 ms: never the ten attempts allowed. */
    int64_t attempts = sim_state_number("requests", "inventory");
    assert_true(attempts >= 2 && attempts <= 3);
    http_fixture_close(fx);
}

static void test_hanging_inventory_times_out(void **state)
{
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"hang\"}"));
    ord_reserve_result result;
    assert_int_equal(reserve(*state, 514, 1, 1, &result), ORD_ETIMEOUT);
}

static void test_release_returns_stock_and_repeats_harmlessly(void **state)
{
    http_fixture *fx = *state;
    ord_reserve_result result;
    assert_int_equal(reserve(fx, 515, 5, 7, &result), ORD_OK);
    assert_stock(5, 93, 7, 0);
    assert_int_equal(release(fx, 515), ORD_OK);
    assert_stock(5, 100, 0, 0);
    assert_int_equal(release(fx, 515), ORD_OK);
    assert_stock(5, 100, 0, 0);
}

static void test_commit_consumes_reserved_stock_once(void **state)
{
    http_fixture *fx = *state;
    ord_reserve_result result;
    assert_int_equal(reserve(fx, 516, 6, 2, &result), ORD_OK);
    assert_int_equal(commit(fx, 516), ORD_OK);
    assert_stock(6, 98, 0, 2);
    assert_int_equal(commit(fx, 516), ORD_OK);
    assert_int_equal(release(fx, 516), ORD_OK); /* shipped stock stays shipped */
    assert_stock(6, 98, 0, 2);
}

static void test_release_of_an_unknown_order_succeeds(void **state)
{
    assert_int_equal(release(*state, 999999), ORD_OK);
    assert_int_equal(commit(*state, 999998), ORD_OK);
}

static void test_release_during_an_outage_is_unavailable(void **state)
{
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"error\"}"));
    assert_int_equal(release(*state, 517), ORD_EUNAVAILABLE);
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"garbage\",\"status\":404}"));
    assert_int_equal(commit(*state, 517), ORD_ECONTRACT);
}

static void test_bad_arguments_are_refused_without_a_call(void **state)
{
    http_fixture *fx = *state;
    ord_inventory port = ord_http_client_inventory(fx->client);
    ord_order_item item = {.product_id = 1, .quantity = 0};
    ord_reserve_result result;
    assert_int_equal(port.ops->reserve(port.self, NULL, 518, &item, 1, &result), ORD_EINVALID);
    item.quantity = 1;
    assert_int_equal(port.ops->reserve(port.self, NULL, 0, &item, 1, &result), ORD_EINVALID);
    assert_int_equal(port.ops->reserve(port.self, NULL, 518, &item, 0, &result), ORD_EINVALID);
    assert_int_equal(port.ops->reserve(port.self, NULL, 518, NULL, 1, &result), ORD_EINVALID);
    assert_int_equal(port.ops->reserve(port.self, NULL, 518, &item, 1, NULL), ORD_EINVALID);
    assert_int_equal(port.ops->release(port.self, NULL, -5), ORD_EINVALID);
    assert_int_equal(port.ops->commit(port.self, NULL, 0), ORD_EINVALID);
    assert_int_equal(sim_state_number("requests", "inventory"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_reserve_holds_stock_in_the_simulator, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reserve_of_several_lines_is_all_or_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_insufficient_stock_names_the_products, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conflict_with_products_is_insufficient_stock, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_request_without_products_is_a_contract_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_shortage_of_a_product_never_asked_for_is_a_contract_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_other_client_errors_are_contract_errors_and_never_retried, setup, teardown),
        cmocka_unit_test_setup_teardown(test_success_without_success_flag_is_a_contract_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeated_reserve_returns_the_first_outcome, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retry_after_a_timeout_reserves_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_server_errors_are_retried_until_success, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retries_stop_at_the_attempt_cap, setup, teardown),
        cmocka_unit_test(test_retries_stop_at_the_total_time_cap),
        cmocka_unit_test_setup_teardown(test_hanging_inventory_times_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_returns_stock_and_repeats_harmlessly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_consumes_reserved_stock_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_of_an_unknown_order_succeeds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_during_an_outage_is_unavailable, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments_are_refused_without_a_call, setup, teardown),
    };
    return cmocka_run_group_tests(tests, http_group_setup, http_group_teardown);
}
