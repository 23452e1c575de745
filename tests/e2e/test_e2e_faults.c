/* End to end: downstream faults. Inventory down, answering garbage or
 * hanging is 503 with the order kept PENDING_CHECK and later confirmed by
 * the recovery worker; tracking down is a warning and the number is filled
 * in later; an open breaker shows in readiness and metrics; an order pending
 * past the deadline is cancelled. */
#include "e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEMS "[{\"productId\":1,\"quantity\":2},{\"productId\":5,\"quantity\":1}]"

static bool dependency_up(const char *name)
{
    e2e_reply r = e2e_call("GET", "/health/ready", NULL, NULL);
    const cJSON *deps = cJSON_GetObjectItemCaseSensitive(r.json, "dependencies");
    const cJSON *dep = cJSON_GetObjectItemCaseSensitive(deps, name);
    bool up = cJSON_IsString(dep) && strcmp(dep->valuestring, "UP") == 0;
    e2e_reply_free(&r);
    return up;
}

static bool breakers_closed(void *ctx)
{
    (void)ctx;
    return dependency_up("inventory") && dependency_up("tracking");
}

/* Each test starts with healthy services and no breaker left open by the
 * previous one (an open breaker lets trial calls through after its wait). */
static int reset(void **state)
{
    (void)state;
    e2e_sim_reset();
    return e2e_wait(breakers_closed, NULL) ? 0 : -1;
}

static int64_t place_expecting_503(int64_t customer)
{
    char *body = e2e_order_body(customer, ITEMS);
    e2e_reply r = e2e_call("POST", "/api/v1/orders", body, NULL);
    free(body);
    e2e_assert_problem(&r, 503, "Inventory service unavailable");
    char buf[32];
    assert_non_null(e2e_header(&r, "Retry-After", buf, sizeof buf));
    int64_t id = e2e_int(r.json, "orderId");
    e2e_reply_free(&r);
    return id;
}

static void assert_recovered(int64_t id)
{
    assert_true(e2e_wait_status(id, "CONFIRMED"));
    assert_true(e2e_wait_tracking(id));
    char buf[32];
    assert_string_equal(e2e_sim_reservation(id, buf, sizeof buf), "RESERVED");
    assert_int_equal(e2e_sim_reservation_count(id), 1);
    assert_int_equal(e2e_sim_shipment_count(id), 1);
}

static void test_inventory_down_is_503_and_the_worker_confirms_the_order_later(void **state)
{
    (void)state;
    e2e_fault("inventory", "error");
    int64_t id = place_expecting_503(3001);
    char buf[32];
    assert_string_equal(e2e_status(id, buf, sizeof buf), "PENDING_CHECK");
    e2e_fault("all", "ok");
    assert_recovered(id);
    int64_t available, reserved, committed;
    e2e_sim_stock(1, &available, &reserved, &committed);
    assert_int_equal(reserved, 2);
}

static void test_inventory_answering_garbage_is_503_and_recovered(void **state)
{
    (void)state;
    e2e_fault("inventory", "garbage");
    int64_t id = place_expecting_503(3002);
    e2e_fault("all", "ok");
    assert_recovered(id);
}

static void test_inventory_hanging_past_the_timeout_is_503_and_recovered(void **state)
{
    (void)state;
    e2e_fault("inventory", "hang");
    int64_t id = place_expecting_503(3003);
    e2e_fault("all", "ok");
    assert_recovered(id);
}

static void test_tracking_down_gives_a_warning_and_the_number_comes_later(void **state)
{
    (void)state;
    e2e_fault("tracking", "error");
    char *body = e2e_order_body(3004, ITEMS);
    e2e_reply r = e2e_call("POST", "/api/v1/orders", body, NULL);
    free(body);
    assert_int_equal(r.status, 201);
    assert_string_equal(e2e_str(r.json, "status"), "CONFIRMED");
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(r.json, "trackingNumber")));
    const cJSON *warnings = cJSON_GetObjectItemCaseSensitive(r.json, "warnings");
    assert_int_equal(cJSON_GetArraySize(warnings), 1);
    assert_string_equal(cJSON_GetArrayItem(warnings, 0)->valuestring,
                        "Tracking number pending: tracking service unavailable");
    int64_t id = e2e_int(r.json, "orderId");
    e2e_reply_free(&r);

    cJSON *order = e2e_get_order(id);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(order, "trackingNumber")));
    cJSON_Delete(order);
    e2e_fault("all", "ok");
    assert_true(e2e_wait_tracking(id));
    order = e2e_get_order(id);
    const char *number = e2e_str(order, "trackingNumber");
    assert_int_equal(strncmp(number, "TRK-", 4), 0);
    cJSON_Delete(order);
    assert_int_equal(e2e_sim_shipment_count(id), 1);
}

static bool inventory_down(void *ctx)
{
    (void)ctx;
    return !dependency_up("inventory");
}

static void test_open_inventory_breaker_shows_in_readiness_and_metrics_then_closes(void **state)
{
    (void)state;
    e2e_fault("inventory", "error");
    int64_t ids[6];
    for (int i = 0; i < 6; i++)
        ids[i] = place_expecting_503(3005);
    assert_true(e2e_wait(inventory_down, NULL));

    /* The database answers, so the instance stays ready. */
    e2e_reply ready = e2e_call("GET", "/health/ready", NULL, NULL);
    assert_int_equal(ready.status, 200);
    const cJSON *deps = cJSON_GetObjectItemCaseSensitive(ready.json, "dependencies");
    assert_string_equal(e2e_str(deps, "database"), "UP");
    assert_string_equal(e2e_str(deps, "inventory"), "DOWN");
    e2e_reply_free(&ready);
    e2e_reply metrics = e2e_call("GET", "/metrics", NULL, NULL);
    assert_non_null(strstr(metrics.body, "circuit_breaker_state{service=\"inventory\"} 1"));
    assert_null(strstr(metrics.body, "downstream_requests_total{service=\"inventory\",outcome=\"circuit_open\"} 0\n"));
    e2e_reply_free(&metrics);

    e2e_fault("all", "ok");
    for (int i = 0; i < 6; i++)
        assert_recovered(ids[i]);
    assert_true(e2e_wait(breakers_closed, NULL));
}

static void test_order_pending_past_the_deadline_is_cancelled(void **state)
{
    (void)state;
    e2e_fault("inventory", "error");
    int64_t id = place_expecting_503(3006);
    /* The stack's deadline is a few seconds: the worker gives up then. */
    assert_true(e2e_wait_status(id, "CANCELLED"));
    e2e_fault("all", "ok");
    cJSON *order = e2e_get_order(id);
    const cJSON *history = cJSON_GetObjectItemCaseSensitive(order, "statusHistory");
    const cJSON *last = cJSON_GetArrayItem(history, cJSON_GetArraySize(history) - 1);
    assert_string_equal(e2e_str(last, "from"), "PENDING_CHECK");
    assert_string_equal(e2e_str(last, "to"), "CANCELLED");
    cJSON_Delete(order);
    int64_t available, reserved, committed;
    e2e_sim_stock(1, &available, &reserved, &committed);
    assert_int_equal(available, 100);
    assert_int_equal(reserved, 0);
}

/* A product the catalog prices outside its contract (1.25 in a currency
 * without minor units) is refused by name, 422, as often as asked; orders
 * for other products go on (before, each such order counted against the
 * catalog's breaker and opened it for everyone). Mixed currencies: 422. */
static void test_a_badly_priced_product_is_refused_and_others_are_still_sold(void **state)
{
    (void)state;
    static const char catalog[] =
        "{\"products\":[{\"productId\":1,\"price\":99.99,\"currency\":\"USD\",\"available\":100},"
        "{\"productId\":7,\"price\":1.25,\"currency\":\"BIF\",\"available\":100},"
        "{\"productId\":8,\"price\":5,\"currency\":\"EUR\",\"available\":100}]}";
    e2e_reply put = e2e_vcall(e2e_sim_url(), "PUT", "/sim/catalog", catalog, strlen(catalog), NULL, 0);
    assert_int_equal(put.status, 204);
    e2e_reply_free(&put);
    for (int i = 0; i < 8; i++) {
        char *bad = e2e_order_body(3300 + i, "[{\"productId\":1,\"quantity\":1},"
                                             "{\"productId\":7,\"quantity\":1}]");
        e2e_reply r = e2e_call("POST", "/api/v1/orders", bad, NULL);
        free(bad);
        e2e_assert_problem(&r, 422, "Product cannot be priced");
        const cJSON *named = cJSON_GetObjectItemCaseSensitive(r.json, "unpricedProducts");
        assert_int_equal(cJSON_GetArraySize(named), 1);
        assert_int_equal((int64_t)cJSON_GetArrayItem(named, 0)->valuedouble, 7);
        e2e_reply_free(&r);
        e2e_place(3400 + i, "[{\"productId\":1,\"quantity\":1}]");
    }
    char *mixed = e2e_order_body(3500, "[{\"productId\":1,\"quantity\":1},"
                                       "{\"productId\":8,\"quantity\":1}]");
    e2e_reply r = e2e_call("POST", "/api/v1/orders", mixed, NULL);
    free(mixed);
    e2e_assert_problem(&r, 422, "Products priced in several currencies");
    e2e_reply_free(&r);
    e2e_reply m = e2e_call("GET", "/metrics", NULL, NULL);
    assert_non_null(strstr(m.body, "circuit_breaker_state{service=\"catalog\"} 0\n"));
    e2e_reply_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* First: the others leave the inventory breaker half-open at best. */
        cmocka_unit_test_setup(test_a_badly_priced_product_is_refused_and_others_are_still_sold,
                               reset),
        cmocka_unit_test_setup(test_inventory_down_is_503_and_the_worker_confirms_the_order_later, reset),
        cmocka_unit_test_setup(test_inventory_answering_garbage_is_503_and_recovered, reset),
        cmocka_unit_test_setup(test_inventory_hanging_past_the_timeout_is_503_and_recovered, reset),
        cmocka_unit_test_setup(test_tracking_down_gives_a_warning_and_the_number_comes_later, reset),
        cmocka_unit_test_setup(test_open_inventory_breaker_shows_in_readiness_and_metrics_then_closes, reset),
        cmocka_unit_test_setup(test_order_pending_past_the_deadline_is_cancelled, reset),
    };
    return cmocka_run_group_tests(tests, e2e_group_setup, e2e_group_teardown);
}
