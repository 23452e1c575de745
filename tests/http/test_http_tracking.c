/* The tracking port over HTTP against the simulator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

static ord_error ship(http_fixture *fx, int64_t order_id, const char *name,
                      char number[ORD_TRACKING_NUMBER_SIZE])
{
    ord_shipment_request req = {.order_id = order_id,
                                .customer_name = name,
                                .delivery_address = "123 Main St, City",
                                .carrier = "DHL"};
    ord_tracking port = ord_http_client_tracking(fx->client);
    return port.ops->create_shipment(port.self, NULL, &req, number);
}

static void test_shipment_gets_a_tracking_number(void **state)
{
    char number[ORD_TRACKING_NUMBER_SIZE];
    assert_int_equal(ship(*state, 601, "Ada \"Countess\" Lovelace", number), ORD_OK);
    assert_int_equal(strncmp(number, "TRK-", 4), 0);
    assert_int_equal(strlen(number), 40);
}

static void test_repeated_shipment_returns_the_same_number(void **state)
{
    char first[ORD_TRACKING_NUMBER_SIZE], second[ORD_TRACKING_NUMBER_SIZE];
    assert_int_equal(ship(*state, 602, NULL, first), ORD_OK);
    assert_int_equal(ship(*state, 602, NULL, second), ORD_OK);
    assert_string_equal(first, second);
    cJSON *st = sim_state();
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(st, "shipments")), 1);
    cJSON_Delete(st);
}

static void test_retried_shipment_after_errors_creates_one_shipment(void **state)
{
    assert_true(sim_fault("{\"service\":\"tracking\",\"mode\":\"error\",\"times\":1}"));
    char number[ORD_TRACKING_NUMBER_SIZE];
    assert_int_equal(ship(*state, 603, "Ada", number), ORD_OK);
    assert_int_equal(sim_state_number("requests", "tracking"), 2);
    cJSON *st = sim_state();
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(st, "shipments")), 1);
    cJSON_Delete(st);
}

static void test_tracking_outage_leaves_an_empty_number(void **state)
{
    assert_true(sim_fault("{\"service\":\"tracking\",\"mode\":\"error\"}"));
    char number[ORD_TRACKING_NUMBER_SIZE] = "stale";
    assert_int_equal(ship(*state, 604, "Ada", number), ORD_EUNAVAILABLE);
    assert_string_equal(number, "");
}

static void test_hanging_tracking_times_out(void **state)
{
    assert_true(sim_fault("{\"service\":\"tracking\",\"mode\":\"hang\"}"));
    char number[ORD_TRACKING_NUMBER_SIZE];
    assert_int_equal(ship(*state, 605, "Ada", number), ORD_ETIMEOUT);
}

static void test_answers_outside_the_contract_are_contract_errors(void **state)
{
    static const char *const faults[] = {
        "{\"service\":\"tracking\",\"mode\":\"garbage\"}",
        "{\"service\":\"tracking\",\"mode\":\"garbage\",\"status\":201,"
        "\"body\":\"{\\\"trackingNumber\\\":12345}\"}",
        "{\"service\":\"tracking\",\"mode\":\"garbage\",\"status\":201,"
        "\"body\":\"{\\\"trackingNumber\\\":\\\"\\\"}\"}",
        "{\"service\":\"tracking\",\"mode\":\"garbage\",\"status\":201,"
        "\"body\":\"{\\\"trackingNumber\\\":\\\"TRK 1\\\"}\"}",
        "{\"service\":\"tracking\",\"mode\":\"garbage\",\"status\":201,"
        "\"body\":\"{\\\"estimatedDelivery\\\":\\\"2026-01-01\\\"}\"}",
        "{\"service\":\"tracking\",\"mode\":\"garbage\",\"status\":204,\"body\":\"\"}",
        "{\"service\":\"tracking\",\"mode\":\"garbage\",\"status\":400,\"body\":\"{}\"}",
    };
    for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
        assert_true(sim_fault(faults[i]));
        char number[ORD_TRACKING_NUMBER_SIZE];
        assert_int_equal(ship(*state, 606, "Ada", number), ORD_ECONTRACT);
        assert_string_equal(number, "");
    }
}

static void test_overlong_tracking_number_is_a_contract_error(void **state)
{
    char fault[600];
    char big[200];
    memset(big, 'X', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    snprintf(fault, sizeof fault,
             "{\"service\":\"tracking\",\"mode\":\"garbage\",\"status\":201,"
             "\"body\":\"{\\\"trackingNumber\\\":\\\"%s\\\"}\"}",
             big);
    assert_true(sim_fault(fault));
    char number[ORD_TRACKING_NUMBER_SIZE];
    assert_int_equal(ship(*state, 607, "Ada", number), ORD_ECONTRACT);
}

static void test_bad_requests_are_refused_without_a_call(void **state)
{
    http_fixture *fx = *state;
    ord_tracking port = ord_http_client_tracking(fx->client);
    char number[ORD_TRACKING_NUMBER_SIZE];
    ord_shipment_request req = {.order_id = 608, .delivery_address = NULL, .carrier = "DHL"};
    assert_int_equal(port.ops->create_shipment(port.self, NULL, &req, number), ORD_EINVALID);
    req.delivery_address = "x";
    req.order_id = 0;
    assert_int_equal(port.ops->create_shipment(port.self, NULL, &req, number), ORD_EINVALID);
    assert_int_equal(port.ops->create_shipment(port.self, NULL, NULL, number), ORD_EINVALID);
    req.order_id = 608;
    assert_int_equal(port.ops->create_shipment(port.self, NULL, &req, NULL), ORD_EINVALID);
    assert_int_equal(sim_state_number("requests", "tracking"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_shipment_gets_a_tracking_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeated_shipment_returns_the_same_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_retried_shipment_after_errors_creates_one_shipment, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tracking_outage_leaves_an_empty_number, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hanging_tracking_times_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_answers_outside_the_contract_are_contract_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_overlong_tracking_number_is_a_contract_error, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_requests_are_refused_without_a_call, setup, teardown),
    };
    return cmocka_run_group_tests(tests, http_group_setup, http_group_teardown);
}
