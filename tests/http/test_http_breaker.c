/* The circuit breaker per service, against the simulator: it opens on the
 * failure rate, answers at once while open, lets trial calls through after
 * the wait, and closes or opens again on their outcome. Time of the breakers
 * is a test clock moved by hand, so nothing here waits for it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sim_control.h"

static int64_t clock_ms;

static int64_t test_clock(void *self)
{
    (void)self;
    return clock_ms;
}

/* Window 4, judged from 4 calls, opens at 50 %, 1 s open, 2 trial calls,
 * no retries (so one port call is one breaker call). */
static void small_breaker(ord_http_options *options)
{
    options->breaker = (ord_http_breaker_options){.window_size = 4,
                                                  .minimum_calls = 4,
                                                  .failure_rate_percent = 50,
                                                  .open_wait_ms = 1000,
                                                  .half_open_calls = 2};
    options->retry.max_attempts = 1;
    options->monotonic_ms = test_clock;
}

static int setup(void **state)
{
    clock_ms = 1000000;
    *state = http_fixture_open(small_breaker);
    return *state != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    http_fixture_close(*state);
    return 0;
}

static ord_error release(http_fixture *fx, int64_t order_id)
{
    ord_inventory port = ord_http_client_inventory(fx->client);
    return port.ops->release(port.self, NULL, order_id);
}

static ord_http_breaker_state inventory_breaker(http_fixture *fx)
{
    return ord_http_services_breaker(fx->services, ORD_HTTP_INVENTORY);
}

static void open_inventory_breaker(http_fixture *fx)
{
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"error\"}"));
    for (int i = 0; i < 4; i++)
        assert_int_equal(release(fx, 700 + i), ORD_EUNAVAILABLE);
    assert_int_equal(inventory_breaker(fx), ORD_HTTP_BREAKER_OPEN);
}

static void test_breaker_opens_at_the_failure_rate(void **state)
{
    http_fixture *fx = *state;
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"error\",\"errorRate\":0.5}"));
    for (int i = 0; i < 3; i++)
        release(fx, 710 + i);
    assert_int_equal(inventory_breaker(fx), ORD_HTTP_BREAKER_CLOSED);
    release(fx, 713); /* fourth call: 2 of 4 failed = 50 % */
    assert_int_equal(inventory_breaker(fx), ORD_HTTP_BREAKER_OPEN);
}

static void test_breaker_stays_closed_below_the_minimum_calls(void **state)
{
    http_fixture *fx = *state;
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"error\"}"));
    for (int i = 0; i < 3; i++)
        assert_int_equal(release(fx, 720 + i), ORD_EUNAVAILABLE);
    assert_int_equal(inventory_breaker(fx), ORD_HTTP_BREAKER_CLOSED);
}

static void test_open_breaker_answers_at_once_without_calling(void **state)
{
    http_fixture *fx = *state;
    open_inventory_breaker(fx);
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"ok\"}"));
    int64_t before = sim_state_number("requests", "inventory");
    assert_int_equal(release(fx, 730), ORD_EUNAVAILABLE);
    ord_reserve_result result;
    ord_order_item item = {.product_id = 1, .quantity = 1};
    ord_inventory port = ord_http_client_inventory(fx->client);
    assert_int_equal(port.ops->reserve(port.self, NULL, 731, &item, 1, &result), ORD_EUNAVAILABLE);
    assert_int_equal(sim_state_number("requests", "inventory"), before);
    ord_http_stats stats;
    ord_http_services_stats(fx->services, &stats);
    assert_int_equal(stats.services[ORD_HTTP_INVENTORY].state, ORD_HTTP_BREAKER_OPEN);
    assert_int_equal(stats.services[ORD_HTTP_INVENTORY].outcomes[ORD_HTTP_OUTCOME_CIRCUIT_OPEN], 2);
}

static void test_breakers_are_per_service(void **state)
{
    http_fixture *fx = *state;
    open_inventory_breaker(fx);
    char number[ORD_TRACKING_NUMBER_SIZE];
    ord_shipment_request req = {.order_id = 740, .delivery_address = "x", .carrier = "DHL"};
    ord_tracking port = ord_http_client_tracking(fx->client);
    assert_int_equal(port.ops->create_shipment(port.self, NULL, &req, number), ORD_OK);
    assert_int_equal(ord_http_services_breaker(fx->services, ORD_HTTP_TRACKING),
                     ORD_HTTP_BREAKER_CLOSED);
}

static void test_breaker_recovers_after_successful_trials(void **state)
{
    http_fixture *fx = *state;
    open_inventory_breaker(fx);
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"ok\"}"));
    clock_ms += 999;
    assert_int_equal(inventory_breaker(fx), ORD_HTTP_BREAKER_OPEN);
    clock_ms += 1;
    assert_int_equal(inventory_breaker(fx), ORD_HTTP_BREAKER_HALF_OPEN);
    assert_int_equal(release(fx, 750), ORD_OK);
    assert_int_equal(inventory_breaker(fx), ORD_HTTP_BREAKER_HALF_OPEN);
    assert_int_equal(release(fx, 751), ORD_OK);
    assert_int_equal(inventory_breaker(fx), ORD_HTTP_BREAKER_CLOSED);
    assert_int_equal(release(fx, 752), ORD_OK);
}

static void test_failed_trials_open_the_breaker_again(void **state)
{
    http_fixture *fx = *state;
    open_inventory_breaker(fx);
    clock_ms += 1000;
    assert_int_equal(release(fx, 760), ORD_EUNAVAILABLE);
    assert_int_equal(release(fx, 761), ORD_EUNAVAILABLE);
    assert_int_equal(inventory_breaker(fx), ORD_HTTP_BREAKER_OPEN);
    int64_t before = sim_state_number("requests", "inventory");
    assert_int_equal(release(fx, 762), ORD_EUNAVAILABLE);
    assert_int_equal(sim_state_number("requests", "inventory"), before);
}

static void test_business_answers_do_not_open_the_breaker(void **state)
{
    http_fixture *fx = *state;
    ord_inventory port = ord_http_client_inventory(fx->client);
    ord_order_item item = {.product_id = 1, .quantity = 1000};
    for (int i = 0; i < 6; i++) {
        ord_reserve_result result;
        assert_int_equal(port.ops->reserve(port.self, NULL, 770 + i, &item, 1, &result), ORD_OK);
        assert_false(result.reserved);
    }
    assert_int_equal(inventory_breaker(fx), ORD_HTTP_BREAKER_CLOSED);
    ord_http_stats stats;
    ord_http_services_stats(fx->services, &stats);
    assert_int_equal(stats.services[ORD_HTTP_INVENTORY].outcomes[ORD_HTTP_OUTCOME_REJECTED], 6);
}

static void test_timeouts_count_as_failures(void **state)
{
    http_fixture *fx = *state;
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"hang\"}"));
    for (int i = 0; i < 4; i++)
        assert_int_equal(release(fx, 780 + i), ORD_ETIMEOUT);
    assert_int_equal(inventory_breaker(fx), ORD_HTTP_BREAKER_OPEN);
}

static void test_contract_errors_count_as_failures(void **state)
{
    http_fixture *fx = *state;
    assert_true(sim_fault("{\"service\":\"inventory\",\"mode\":\"garbage\",\"status\":418}"));
    for (int i = 0; i < 4; i++)
        assert_int_equal(release(fx, 790 + i), ORD_ECONTRACT);
    assert_int_equal(inventory_breaker(fx), ORD_HTTP_BREAKER_OPEN);
}

static void test_open_catalog_breaker_fails_the_precheck_at_once(void **state)
{
    http_fixture *fx = *state;
    assert_true(sim_fault("{\"service\":\"catalog\",\"mode\":\"error\"}"));
    ord_precheck port = ord_http_client_precheck(fx->client);
    ord_product_price prices[1] = {{.product_id = 1}};
    ord_precheck_result result;
    for (int i = 0; i < 4; i++)
        assert_int_equal(port.ops->check(port.self, NULL, 42, prices, 1, &result), ORD_EUNAVAILABLE);
    assert_int_equal(ord_http_services_breaker(fx->services, ORD_HTTP_CATALOG),
                     ORD_HTTP_BREAKER_OPEN);
    int64_t before = sim_state_number("requests", "catalog");
    assert_int_equal(port.ops->check(port.self, NULL, 42, prices, 1, &result), ORD_EUNAVAILABLE);
    assert_int_equal(result.failed, ORD_PRECHECK_CATALOG);
    assert_int_equal(sim_state_number("requests", "catalog"), before);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_breaker_opens_at_the_failure_rate, setup, teardown),
        cmocka_unit_test_setup_teardown(test_breaker_stays_closed_below_the_minimum_calls, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_breaker_answers_at_once_without_calling, setup, teardown),
        cmocka_unit_test_setup_teardown(test_breakers_are_per_service, setup, teardown),
        cmocka_unit_test_setup_teardown(test_breaker_recovers_after_successful_trials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_trials_open_the_breaker_again, setup, teardown),
        cmocka_unit_test_setup_teardown(test_business_answers_do_not_open_the_breaker, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeouts_count_as_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_contract_errors_count_as_failures, setup, teardown),
        cmocka_unit_test_setup_teardown(test_open_catalog_breaker_fails_the_precheck_at_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, http_group_setup, http_group_teardown);
}
