/* End to end: every order endpoint of docs/api.md and its error cases, over real
 * HTTP against the order server, PostgreSQL and the simulator. */
#include "e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEMS "[{\"productId\":1,\"quantity\":2},{\"productId\":5,\"quantity\":1}]"

static int reset(void **state)
{
    (void)state;
    e2e_sim_reset();
    return 0;
}

static void test_create_order_confirms_reserves_and_returns_the_order(void **state)
{
    (void)state;
    char *body = e2e_order_body(1001, ITEMS);
    e2e_reply r = e2e_call("POST", "/api/v1/orders", body, "X-Request-Id: e2e-create-1", NULL);
    free(body);
    assert_int_equal(r.status, 201);
    const cJSON *o = r.json;
    int64_t id = e2e_int(o, "orderId");
    char buf[256];
    char expected[96];
    snprintf(expected, sizeof expected, "/api/v1/orders/%lld", (long long)id);
    assert_string_equal(e2e_header(&r, "Location", buf, sizeof buf), expected);
    assert_string_equal(e2e_header(&r, "X-Request-Id", buf, sizeof buf), "e2e-create-1");
    assert_string_equal(e2e_header(&r, "Content-Type", buf, sizeof buf), "application/json");
    assert_int_equal(strncmp(e2e_str(o, "orderNumber"), "ORD-", 4), 0);
    assert_int_equal(strlen(e2e_str(o, "orderNumber")), 40);
    assert_int_equal(e2e_int(o, "customerId"), 1001);
    assert_string_equal(e2e_str(o, "status"), "CONFIRMED");
    assert_int_equal(e2e_cents(o, "totalPrice"), 34997);
    assert_string_equal(e2e_str(o, "currency"), "USD");
    const char *date = e2e_str(o, "orderDate");
    assert_int_equal(strlen(date), 20);
    assert_int_equal(date[19], 'Z');
    assert_int_equal(strncmp(e2e_str(o, "trackingNumber"), "TRK-", 4), 0);
    assert_string_equal(e2e_str(o, "deliveryAddress"), "123 Main St, City, State 12345");
    assert_string_equal(e2e_str(o, "carrier"), "DHL");
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(o, "items");
    assert_int_equal(cJSON_GetArraySize(items), 2);
    assert_int_equal(e2e_int(cJSON_GetArrayItem(items, 0), "productId"), 1);
    assert_int_equal(e2e_int(cJSON_GetArrayItem(items, 0), "quantity"), 2);
    assert_int_equal(e2e_cents(cJSON_GetArrayItem(items, 0), "priceAtPurchase"), 9999);
    assert_int_equal(e2e_cents(cJSON_GetArrayItem(items, 1), "priceAtPurchase"), 14999);
    assert_null(cJSON_GetObjectItemCaseSensitive(o, "warnings"));
    e2e_reply_free(&r);

    int64_t available, reserved, committed;
    e2e_sim_stock(1, &available, &reserved, &committed);
    assert_int_equal(available, 98);
    assert_int_equal(reserved, 2);
    assert_string_equal(e2e_sim_reservation(id, buf, sizeof buf), "RESERVED");
    assert_int_equal(e2e_sim_shipment_count(id), 1);
}

static void test_request_id_is_generated_when_none_is_given(void **state)
{
    (void)state;
    e2e_reply r = e2e_call("GET", "/health/live", NULL, NULL);
    assert_int_equal(r.status, 200);
    char buf[128];
    assert_non_null(e2e_header(&r, "X-Request-Id", buf, sizeof buf));
    assert_true(strlen(buf) >= 8);
    e2e_reply_free(&r);
}

static void test_get_order_by_id_and_by_number_with_etag_and_history(void **state)
{
    (void)state;
    int64_t id = e2e_place(1002, ITEMS);
    char path[96];
    e2e_reply by_id = e2e_call("GET", e2e_path(path, sizeof path, id, ""), NULL, NULL);
    assert_int_equal(by_id.status, 200);
    char etag[64];
    assert_non_null(e2e_header(&by_id, "ETag", etag, sizeof etag));
    assert_int_equal(etag[0], '"');
    const cJSON *history = cJSON_GetObjectItemCaseSensitive(by_id.json, "statusHistory");
    assert_int_equal(cJSON_GetArraySize(history), 2);
    const cJSON *first = cJSON_GetArrayItem(history, 0);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(first, "from")));
    assert_string_equal(e2e_str(first, "to"), "PENDING_CHECK");
    assert_string_equal(e2e_str(first, "reason"), "created");
    assert_string_equal(e2e_str(cJSON_GetArrayItem(history, 1), "from"), "PENDING_CHECK");
    assert_string_equal(e2e_str(cJSON_GetArrayItem(history, 1), "to"), "CONFIRMED");
    assert_int_equal(e2e_str(first, "at")[19], 'Z');

    char by_number_path[128];
    snprintf(by_number_path, sizeof by_number_path, "/api/v1/orders/%s",
             e2e_str(by_id.json, "orderNumber"));
    e2e_reply by_number = e2e_call("GET", by_number_path, NULL, NULL);
    assert_int_equal(by_number.status, 200);
    assert_int_equal(e2e_int(by_number.json, "orderId"), id);
    assert_string_equal(by_number.body, by_id.body);
    e2e_reply_free(&by_id);
    e2e_reply_free(&by_number);
}

static void test_unknown_or_malformed_order_reference_is_404(void **state)
{
    (void)state;
    static const char *const paths[] = {
        "/api/v1/orders/987654321", "/api/v1/orders/abc",
        "/api/v1/orders/ORD-00000000-0000-4000-8000-000000000000", "/api/v1/orders/-1"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        e2e_reply r = e2e_call("GET", paths[i], NULL, NULL);
        if (r.status != 404)
            fail_msg("GET %s: %ld %s", paths[i], r.status, r.body);
        assert_int_equal(e2e_int(r.json, "status"), 404);
        e2e_reply_free(&r);
    }
    e2e_reply r = e2e_call("PUT", "/api/v1/orders/987654321/cancel", NULL, NULL);
    e2e_assert_problem(&r, 404, "Order not found");
    e2e_reply_free(&r);
}

static void test_money_is_exact_point_one_plus_point_two_is_point_three(void **state)
{
    (void)state;
    /* The seeded catalog sells product 18 at 0.10 and 19 at 0.20. */
    char *body = e2e_order_body(1003, "[{\"productId\":18,\"quantity\":1},{\"productId\":19,\"quantity\":1}]");
    e2e_reply r = e2e_call("POST", "/api/v1/orders", body, NULL);
    free(body);
    assert_int_equal(r.status, 201);
    assert_int_equal(e2e_cents(r.json, "totalPrice"), 30);
    assert_true(strstr(r.body, "\"totalPrice\":0.3,") != NULL ||
                strstr(r.body, "\"totalPrice\":0.30,") != NULL);
    e2e_reply_free(&r);
}

static void test_validation_errors_name_each_field_and_store_nothing(void **state)
{
    (void)state;
    e2e_reply r = e2e_call("POST", "/api/v1/orders",
                           "{\"customerId\":1004,\"items\":[{\"productId\":1,\"quantity\":0},"
                           "{\"productId\":1,\"quantity\":1}],\"deliveryAddress\":\"\"}",
                           NULL);
    e2e_assert_problem(&r, 400, "Validation failed");
    const cJSON *fields = cJSON_GetObjectItemCaseSensitive(r.json, "fields");
    assert_true(cJSON_GetArraySize(fields) >= 2);
    bool quantity = false, address = false;
    const cJSON *f;
    cJSON_ArrayForEach(f, fields) {
        quantity = quantity || strcmp(e2e_str(f, "field"), "items[0].quantity") == 0;
        address = address || strcmp(e2e_str(f, "field"), "deliveryAddress") == 0;
        assert_true(strlen(e2e_str(f, "message")) > 0);
    }
    assert_true(quantity);
    assert_true(address);
    e2e_reply_free(&r);

    r = e2e_call("POST", "/api/v1/orders",
                 "{\"customerId\":-4,\"items\":[],\"deliveryAddress\":\"x\"}", NULL);
    e2e_assert_problem(&r, 400, "Validation failed");
    e2e_reply_free(&r);

    r = e2e_call("GET", "/api/v1/orders/customer/1004", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(r.json), 0);
    e2e_reply_free(&r);
}

static void test_unknown_product_is_400_and_stores_nothing(void **state)
{
    (void)state;
    char *body = e2e_order_body(1005, "[{\"productId\":1,\"quantity\":1},{\"productId\":9999,\"quantity\":1}]");
    e2e_reply r = e2e_call("POST", "/api/v1/orders", body, NULL);
    free(body);
    e2e_assert_problem(&r, 400, "Unknown product");
    const cJSON *unknown = cJSON_GetObjectItemCaseSensitive(r.json, "unknownProducts");
    assert_int_equal(cJSON_GetArraySize(unknown), 1);
    assert_int_equal((int64_t)cJSON_GetArrayItem(unknown, 0)->valuedouble, 9999);
    e2e_reply_free(&r);
    r = e2e_call("GET", "/api/v1/orders/customer/1005", NULL, NULL);
    assert_int_equal(cJSON_GetArraySize(r.json), 0);
    e2e_reply_free(&r);
}

static void test_restricted_and_ineligible_accounts_are_refused_with_403(void **state)
{
    (void)state;
    char *body = e2e_order_body(666, ITEMS);
    e2e_reply r = e2e_call("POST", "/api/v1/orders", body, NULL);
    free(body);
    e2e_assert_problem(&r, 403, "Account has restrictions");
    e2e_reply_free(&r);
    body = e2e_order_body(777, ITEMS);
    r = e2e_call("POST", "/api/v1/orders", body, NULL);
    free(body);
    e2e_assert_problem(&r, 403, "Account is not eligible");
    e2e_reply_free(&r);
    int64_t available, reserved, committed;
    e2e_sim_stock(1, &available, &reserved, &committed);
    assert_int_equal(reserved, 0);
}

static void test_insufficient_stock_cancels_the_order_and_keeps_the_stock(void **state)
{
    (void)state;
    char *body = e2e_order_body(1006, "[{\"productId\":1,\"quantity\":1},{\"productId\":2,\"quantity\":101}]");
    e2e_reply r = e2e_call("POST", "/api/v1/orders", body, NULL);
    free(body);
    e2e_assert_problem(&r, 400, "Insufficient stock");
    int64_t id = e2e_int(r.json, "orderId");
    const cJSON *missing = cJSON_GetObjectItemCaseSensitive(r.json, "unavailableProducts");
    assert_int_equal(cJSON_GetArraySize(missing), 1);
    assert_int_equal((int64_t)cJSON_GetArrayItem(missing, 0)->valuedouble, 2);
    assert_non_null(strstr(e2e_str(r.json, "message"), "2"));
    e2e_reply_free(&r);
    char status[32];
    assert_string_equal(e2e_status(id, status, sizeof status), "CANCELLED");
    int64_t available, reserved, committed;
    e2e_sim_stock(1, &available, &reserved, &committed);
    assert_int_equal(available, 100);
    assert_int_equal(reserved, 0);
}

static void test_malformed_wrong_type_and_oversized_bodies_are_refused(void **state)
{
    (void)state;
    e2e_reply r = e2e_call("POST", "/api/v1/orders", "{\"customerId\":", NULL);
    e2e_assert_problem(&r, 400, "Malformed JSON");
    e2e_reply_free(&r);

    r = e2e_call("POST", "/api/v1/orders", "customerId=1", "Content-Type: text/plain", NULL);
    assert_int_equal(r.status, 415);
    assert_int_equal(e2e_int(r.json, "status"), 415);
    e2e_reply_free(&r);

    size_t big = 70 * 1024;
    char *body = malloc(big + 1);
    assert_non_null(body);
    memset(body, ' ', big);
    body[0] = '{';
    body[big - 1] = '}';
    body[big] = '\0';
    r = e2e_call("POST", "/api/v1/orders", body, NULL);
    free(body);
    assert_int_equal(r.status, 413);
    assert_int_equal(e2e_int(r.json, "status"), 413);
    e2e_reply_free(&r);
}

static void test_catalog_down_is_503_with_retry_after_and_stores_nothing(void **state)
{
    (void)state;
    e2e_fault("catalog", "error");
    char *body = e2e_order_body(1007, ITEMS);
    e2e_reply r = e2e_call("POST", "/api/v1/orders", body, NULL);
    free(body);
    e2e_fault("all", "ok");
    assert_int_equal(r.status, 503);
    char buf[64];
    assert_non_null(e2e_header(&r, "Retry-After", buf, sizeof buf));
    assert_true(atoi(buf) > 0);
    assert_int_equal(e2e_int(r.json, "status"), 503);
    assert_null(cJSON_GetObjectItemCaseSensitive(r.json, "orderId"));
    e2e_reply_free(&r);
    r = e2e_call("GET", "/api/v1/orders/customer/1007", NULL, NULL);
    assert_int_equal(cJSON_GetArraySize(r.json), 0);
    e2e_reply_free(&r);
}

static void test_customer_list_is_newest_first_paged_and_filtered(void **state)
{
    (void)state;
    int64_t ids[3];
    for (int i = 0; i < 3; i++)
        ids[i] = e2e_place(1008, "[{\"productId\":3,\"quantity\":1}]");
    char path[96];
    e2e_reply c = e2e_call("PUT", e2e_path(path, sizeof path, ids[0], "/cancel"), NULL, NULL);
    assert_int_equal(c.status, 204);
    e2e_reply_free(&c);

    e2e_reply page1 = e2e_call("GET", "/api/v1/orders/customer/1008?limit=2", NULL, NULL);
    assert_int_equal(page1.status, 200);
    assert_int_equal(cJSON_GetArraySize(page1.json), 2);
    const cJSON *newest = cJSON_GetArrayItem(page1.json, 0);
    assert_int_equal(e2e_int(newest, "orderId"), ids[2]);
    assert_int_equal(e2e_int(cJSON_GetArrayItem(page1.json, 1), "orderId"), ids[1]);
    assert_int_equal(strncmp(e2e_str(newest, "orderNumber"), "ORD-", 4), 0);
    assert_string_equal(e2e_str(newest, "status"), "CONFIRMED");
    assert_int_equal(e2e_cents(newest, "totalPrice"), 999);
    assert_int_equal(e2e_str(newest, "orderDate")[19], 'Z');
    assert_non_null(cJSON_GetObjectItemCaseSensitive(newest, "trackingNumber"));
    char link[512];
    assert_non_null(e2e_header(&page1, "Link", link, sizeof link));
    assert_non_null(strstr(link, "rel=\"next\""));
    assert_int_equal(link[0], '<');
    char next[512];
    size_t n = strcspn(link + 1, ">");
    snprintf(next, sizeof next, "%.*s", (int)n, link + 1);
    e2e_reply_free(&page1);

    e2e_reply page2 = e2e_call("GET", next, NULL, NULL);
    assert_int_equal(page2.status, 200);
    assert_int_equal(cJSON_GetArraySize(page2.json), 1);
    assert_int_equal(e2e_int(cJSON_GetArrayItem(page2.json, 0), "orderId"), ids[0]);
    char none[64];
    assert_null(e2e_header(&page2, "Link", none, sizeof none));
    e2e_reply_free(&page2);

    e2e_reply cancelled = e2e_call("GET", "/api/v1/orders/customer/1008?status=CANCELLED", NULL, NULL);
    assert_int_equal(cancelled.status, 200);
    assert_int_equal(cJSON_GetArraySize(cancelled.json), 1);
    assert_int_equal(e2e_int(cJSON_GetArrayItem(cancelled.json, 0), "orderId"), ids[0]);
    e2e_reply_free(&cancelled);

    e2e_reply unknown = e2e_call("GET", "/api/v1/orders/customer/99999999", NULL, NULL);
    assert_int_equal(unknown.status, 200);
    assert_string_equal(unknown.body, "[]");
    e2e_reply_free(&unknown);

    static const char *const bad[] = {
        "/api/v1/orders/customer/1008?limit=0", "/api/v1/orders/customer/1008?limit=101",
        "/api/v1/orders/customer/1008?limit=x", "/api/v1/orders/customer/1008?status=BOGUS",
        "/api/v1/orders/customer/1008?cursor=not-a-cursor"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        e2e_reply r = e2e_call("GET", bad[i], NULL, NULL);
        if (r.status != 400)
            fail_msg("GET %s: %ld %s", bad[i], r.status, r.body);
        e2e_reply_free(&r);
    }
    e2e_reply r = e2e_call("GET", "/api/v1/orders/customer/abc", NULL, NULL);
    assert_int_equal(r.status, 404);
    e2e_reply_free(&r);
}

static void test_cancel_releases_the_stock_and_repeating_it_is_204(void **state)
{
    (void)state;
    int64_t id = e2e_place(1009, ITEMS);
    char path[96];
    e2e_path(path, sizeof path, id, "/cancel");
    for (int i = 0; i < 2; i++) {
        e2e_reply r = e2e_call("PUT", path, NULL, NULL);
        assert_int_equal(r.status, 204);
        assert_int_equal(r.body_len, 0);
        e2e_reply_free(&r);
    }
    char buf[32];
    assert_string_equal(e2e_status(id, buf, sizeof buf), "CANCELLED");
    assert_string_equal(e2e_sim_reservation(id, buf, sizeof buf), "RELEASED");
    int64_t available, reserved, committed;
    e2e_sim_stock(1, &available, &reserved, &committed);
    assert_int_equal(available, 100);
    assert_int_equal(reserved, 0);
}

static void test_ship_commits_stock_and_deliver_completes_with_repeats_204(void **state)
{
    (void)state;
    int64_t id = e2e_place(1010, ITEMS);
    char path[96];
    char buf[32];
    for (int i = 0; i < 2; i++) {
        e2e_reply r = e2e_call("PUT", e2e_path(path, sizeof path, id, "/ship"), NULL, NULL);
        assert_int_equal(r.status, 204);
        e2e_reply_free(&r);
    }
    assert_string_equal(e2e_status(id, buf, sizeof buf), "SHIPPED");
    assert_string_equal(e2e_sim_reservation(id, buf, sizeof buf), "COMMITTED");
    int64_t available, reserved, committed;
    e2e_sim_stock(1, &available, &reserved, &committed);
    assert_int_equal(committed, 2);
    assert_int_equal(reserved, 0);

    e2e_reply cancel = e2e_call("PUT", e2e_path(path, sizeof path, id, "/cancel"), NULL, NULL);
    e2e_assert_problem(&cancel, 409, "Invalid status transition");
    e2e_reply_free(&cancel);

    for (int i = 0; i < 2; i++) {
        e2e_reply r = e2e_call("PUT", e2e_path(path, sizeof path, id, "/deliver"), NULL, NULL);
        assert_int_equal(r.status, 204);
        e2e_reply_free(&r);
    }
    assert_string_equal(e2e_status(id, buf, sizeof buf), "DELIVERED");
    cancel = e2e_call("PUT", e2e_path(path, sizeof path, id, "/cancel"), NULL, NULL);
    e2e_assert_problem(&cancel, 409, "Invalid status transition");
    e2e_reply_free(&cancel);
}

static void test_refused_transitions_are_409_and_change_nothing(void **state)
{
    (void)state;
    int64_t confirmed = e2e_place(1011, ITEMS);
    int64_t cancelled = e2e_place(1011, ITEMS);
    char path[96];
    char buf[32];
    e2e_reply r = e2e_call("PUT", e2e_path(path, sizeof path, cancelled, "/cancel"), NULL, NULL);
    assert_int_equal(r.status, 204);
    e2e_reply_free(&r);

    r = e2e_call("PUT", e2e_path(path, sizeof path, confirmed, "/deliver"), NULL, NULL);
    e2e_assert_problem(&r, 409, "Invalid status transition");
    e2e_reply_free(&r);
    assert_string_equal(e2e_status(confirmed, buf, sizeof buf), "CONFIRMED");

    r = e2e_call("PUT", e2e_path(path, sizeof path, cancelled, "/ship"), NULL, NULL);
    e2e_assert_problem(&r, 409, "Invalid status transition");
    e2e_reply_free(&r);
    assert_string_equal(e2e_status(cancelled, buf, sizeof buf), "CANCELLED");
    assert_string_equal(e2e_sim_reservation(cancelled, buf, sizeof buf), "RELEASED");
}

static void test_stale_if_match_is_412_and_current_one_is_accepted(void **state)
{
    (void)state;
    int64_t id = e2e_place(1012, ITEMS);
    char path[96];
    e2e_reply got = e2e_call("GET", e2e_path(path, sizeof path, id, ""), NULL, NULL);
    char etag[64];
    assert_non_null(e2e_header(&got, "ETag", etag, sizeof etag));
    e2e_reply_free(&got);

    e2e_reply r = e2e_call("PUT", e2e_path(path, sizeof path, id, "/cancel"), NULL,
                           "If-Match: \"1\"", NULL);
    assert_int_equal(r.status, 412);
    assert_int_equal(e2e_int(r.json, "status"), 412);
    e2e_reply_free(&r);
    char buf[32];
    assert_string_equal(e2e_status(id, buf, sizeof buf), "CONFIRMED");

    char if_match[96];
    snprintf(if_match, sizeof if_match, "If-Match: %s", etag);
    r = e2e_call("PUT", path, NULL, if_match, NULL);
    assert_int_equal(r.status, 204);
    e2e_reply_free(&r);
    assert_string_equal(e2e_status(id, buf, sizeof buf), "CANCELLED");
}

static void test_health_metrics_and_openapi_are_served(void **state)
{
    (void)state;
    e2e_reply live = e2e_call("GET", "/health/live", NULL, NULL);
    assert_int_equal(live.status, 200);
    assert_string_equal(e2e_str(live.json, "status"), "UP");
    e2e_reply_free(&live);

    e2e_reply ready = e2e_call("GET", "/health/ready", NULL, NULL);
    assert_int_equal(ready.status, 200);
    assert_string_equal(e2e_str(ready.json, "status"), "UP");
    const cJSON *deps = cJSON_GetObjectItemCaseSensitive(ready.json, "dependencies");
    assert_string_equal(e2e_str(deps, "database"), "UP");
    assert_string_equal(e2e_str(deps, "inventory"), "UP");
    assert_string_equal(e2e_str(deps, "tracking"), "UP");
    e2e_reply_free(&ready);

    e2e_place(1013, ITEMS);
    e2e_reply m = e2e_call("GET", "/metrics", NULL, NULL);
    assert_int_equal(m.status, 200);
    static const char *const names[] = {
        "http_requests_total{", "http_request_duration_seconds_bucket{", "orders_created_total",
        "order_status_transitions_total{", "downstream_requests_total{service=\"inventory\",outcome=\"success\"}",
        "circuit_breaker_state{service=\"inventory\"} 0", "outbox_pending_events",
        "db_pool_connections{state=\"busy\"} ", "db_pool_connections{state=\"idle\"} ",
        "db_pool_timeouts_total 0\n"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strstr(m.body, names[i]) == NULL)
            fail_msg("/metrics lacks %s", names[i]);
    e2e_reply_free(&m);

    e2e_reply doc = e2e_call("GET", "/openapi.json", NULL, NULL);
    assert_int_equal(doc.status, 200);
    assert_non_null(doc.json);
    assert_int_equal(e2e_str(doc.json, "openapi")[0], '3');
    assert_non_null(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc.json, "paths"),
                                                     "/api/v1/orders"));
    e2e_reply_free(&doc);
}

static void test_unknown_route_is_a_404_problem(void **state)
{
    (void)state;
    e2e_reply r = e2e_call("GET", "/api/v2/nothing", NULL, NULL);
    assert_int_equal(r.status, 404);
    char type[64];
    assert_string_equal(e2e_header(&r, "Content-Type", type, sizeof type), "application/problem+json");
    e2e_reply_free(&r);
}

static void test_log_lines_are_json_with_request_fields_and_no_password(void **state)
{
    (void)state;
    e2e_reply r = e2e_call("GET", "/health/live", NULL, "X-Request-Id: e2e-log-line", NULL);
    e2e_reply_free(&r);
    char *log = e2e_read_stack_file("server.log");
    assert_non_null(log);
    assert_null(strstr(log, "e2e-secret-pw"));
    bool request_line = false;
    bool ready_line = false;
    for (char *line = strtok(log, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        cJSON *json = cJSON_Parse(line);
        if (json == NULL)
            fail_msg("log line is not JSON: %s", line);
        assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(json, "time")));
        assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(json, "level")));
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(json, "requestId");
        if (cJSON_IsString(id) && strcmp(id->valuestring, "e2e-log-line") == 0) {
            request_line = true;
            assert_string_equal(e2e_str(json, "method"), "GET");
            assert_string_equal(e2e_str(json, "route"), "/health/live");
            assert_int_equal(e2e_int(json, "status"), 200);
            assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(json, "durationMs")));
        }
        const cJSON *message = cJSON_GetObjectItemCaseSensitive(json, "message");
        if (cJSON_IsString(message) && strcmp(message->valuestring, "order server ready") == 0) {
            ready_line = true;
            assert_non_null(strstr(e2e_str(json, "database"), ":***@"));
        }
        cJSON_Delete(json);
    }
    assert_true(request_line);
    assert_true(ready_line);
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_create_order_confirms_reserves_and_returns_the_order, reset),
        cmocka_unit_test_setup(test_request_id_is_generated_when_none_is_given, reset),
        cmocka_unit_test_setup(test_get_order_by_id_and_by_number_with_etag_and_history, reset),
        cmocka_unit_test_setup(test_unknown_or_malformed_order_reference_is_404, reset),
        cmocka_unit_test_setup(test_money_is_exact_point_one_plus_point_two_is_point_three, reset),
        cmocka_unit_test_setup(test_validation_errors_name_each_field_and_store_nothing, reset),
        cmocka_unit_test_setup(test_unknown_product_is_400_and_stores_nothing, reset),
        cmocka_unit_test_setup(test_restricted_and_ineligible_accounts_are_refused_with_403, reset),
        cmocka_unit_test_setup(test_insufficient_stock_cancels_the_order_and_keeps_the_stock, reset),
        cmocka_unit_test_setup(test_malformed_wrong_type_and_oversized_bodies_are_refused, reset),
        cmocka_unit_test_setup(test_catalog_down_is_503_with_retry_after_and_stores_nothing, reset),
        cmocka_unit_test_setup(test_customer_list_is_newest_first_paged_and_filtered, reset),
        cmocka_unit_test_setup(test_cancel_releases_the_stock_and_repeating_it_is_204, reset),
        cmocka_unit_test_setup(test_ship_commits_stock_and_deliver_completes_with_repeats_204, reset),
        cmocka_unit_test_setup(test_refused_transitions_are_409_and_change_nothing, reset),
        cmocka_unit_test_setup(test_stale_if_match_is_412_and_current_one_is_accepted, reset),
        cmocka_unit_test_setup(test_health_metrics_and_openapi_are_served, reset),
        cmocka_unit_test_setup(test_unknown_route_is_a_404_problem, reset),
        cmocka_unit_test(test_log_lines_are_json_with_request_fields_and_no_password),
    };
    return cmocka_run_group_tests(tests, e2e_group_setup, e2e_group_teardown);
}
