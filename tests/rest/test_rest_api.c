/* The API function with the in-memory adapters: orders, listing, status
 * changes and the operations endpoints. */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

static void test_create_order_answers_201_with_location_etag_and_order(void **state)
{
    rx *x = *state;
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, NULL);
    assert_int_equal(res.status, 201);
    rx_assert_header(&res, "Content-Type", "application/json");
    cJSON *json = rx_json(&res);
    int64_t id = rx_int(json, "orderId");
    char path[96];
    rx_assert_header(&res, "Location", rx_path(path, id, ""));
    assert_string_equal(rx_str(json, "status"), "CONFIRMED");
    assert_int_equal(rx_int(json, "customerId"), RX_CUSTOMER);
    assert_true(strncmp(rx_str(json, "orderNumber"), "ORD-", 4) == 0);
    assert_string_equal(rx_str(json, "currency"), "USD");
    assert_string_equal(rx_str(json, "orderDate"), "2026-03-08T14:30:00Z");
    assert_string_equal(rx_str(json, "carrier"), "DHL");
    assert_true(cJSON_IsString(cJSON_GetObjectItem(json, "trackingNumber")));
    assert_null(cJSON_GetObjectItem(json, "warnings"));
    const cJSON *total = cJSON_GetObjectItem(json, "totalPrice");
    assert_true(cJSON_IsNumber(total));
    /* 2 x 99.99 + 149.99, exact */
    assert_non_null(strstr(res.body, "\"totalPrice\":349.97"));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(json, "items")), 2);
    char etag[32];
    snprintf(etag, sizeof etag, "\"%lld\"", (long long)rx_int(json, "version"));
    rx_assert_header(&res, "ETag", etag);
    cJSON_Delete(json);
    ord_rest_response_free(&res);
}

static void test_tracking_down_places_order_with_warning(void **state)
{
    rx *x = *state;
    ord_fault down = {ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1};
    ord_memory_downstream_inject(x->ds, ORD_MEM_SHIPMENT, &down);
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, NULL);
    assert_int_equal(res.status, 201);
    cJSON *json = rx_json(&res);
    assert_string_equal(rx_str(json, "status"), "CONFIRMED");
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(json, "trackingNumber")));
    const cJSON *warnings = cJSON_GetObjectItem(json, "warnings");
    assert_int_equal(cJSON_GetArraySize(warnings), 1);
    assert_string_equal(cJSON_GetArrayItem(warnings, 0)->valuestring,
                        "Tracking number pending: tracking service unavailable");
    cJSON_Delete(json);
    ord_rest_response_free(&res);
}

static void test_get_order_by_id_and_by_number_with_history_and_etag(void **state)
{
    rx *x = *state;
    int64_t id = rx_place(x);
    char path[96];
    ord_rest_response res = rx_send(x, "GET", rx_path(path, id, ""), NULL, NULL, NULL);
    assert_int_equal(res.status, 200);
    cJSON *json = rx_json(&res);
    assert_int_equal(rx_int(json, "orderId"), id);
    const cJSON *history = cJSON_GetObjectItem(json, "statusHistory");
    assert_true(cJSON_GetArraySize(history) >= 2);
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetArrayItem(history, 0), "from")));
    char etag[32];
    snprintf(etag, sizeof etag, "\"%lld\"", (long long)rx_int(json, "version"));
    rx_assert_header(&res, "ETag", etag);
    char by_number[96];
    snprintf(by_number, sizeof by_number, "/api/v1/orders/%s", rx_str(json, "orderNumber"));
    ord_rest_response again = rx_send(x, "GET", by_number, NULL, NULL, NULL);
    assert_int_equal(again.status, 200);
    assert_string_equal(again.body, res.body);
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    ord_rest_response_free(&again);
}

static void test_get_unknown_or_malformed_id_is_404(void **state)
{
    rx *x = *state;
    const char *paths[] = {"/api/v1/orders/987654", "/api/v1/orders/abc", "/api/v1/orders/-1",
                           "/api/v1/orders/0",
                           "/api/v1/orders/ORD-00000000-0000-4000-8000-000000000000",
                           "/api/v1/orders/ORD-nope"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        ord_rest_response res = rx_send(x, "GET", paths[i], NULL, NULL, NULL);
        rx_assert_problem(&res, 404, "Order not found");
        ord_rest_response_free(&res);
    }
}

static void test_customer_sees_only_own_orders(void **state)
{
    rx *x = *state;
    int64_t id = rx_place(x);
    char path[96];
    ord_principal owner = rx_customer(RX_CUSTOMER);
    ord_principal other = rx_customer(RX_OTHER_CUSTOMER);
    ord_rest_response res = rx_send_as(x, &owner, "GET", rx_path(path, id, ""), NULL, NULL, NULL, 0);
    assert_int_equal(res.status, 200);
    ord_rest_response_free(&res);
    res = rx_send_as(x, &other, "GET", rx_path(path, id, ""), NULL, NULL, NULL, 0);
    rx_assert_problem(&res, 404, "Order not found");
    ord_rest_response_free(&res);
    res = rx_send_as(x, &other, "PUT", rx_path(path, id, "/cancel"), NULL, NULL, NULL, 0);
    rx_assert_problem(&res, 404, "Order not found");
    ord_rest_response_free(&res);
}

static void test_customer_placing_for_another_customer_is_403(void **state)
{
    rx *x = *state;
    ord_principal other = rx_customer(RX_OTHER_CUSTOMER);
    ord_rest_header type = {"Content-Type", "application/json"};
    ord_rest_response res =
        rx_send_as(x, &other, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, &type, 1);
    rx_assert_problem(&res, 403, "Forbidden");
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 0);
}

static void test_list_pages_newest_first_with_link_and_cursor(void **state)
{
    rx *x = *state;
    int64_t ids[5];
    for (int i = 0; i < 5; i++) {
        ids[i] = rx_place(x);
        ord_manual_clock_advance(x->clock, 1000);
    }
    ord_rest_response res =
        rx_send(x, "GET", "/api/v1/orders/customer/12345", "limit=2", NULL, NULL);
    assert_int_equal(res.status, 200);
    cJSON *page = rx_json(&res);
    assert_int_equal(cJSON_GetArraySize(page), 2);
    assert_int_equal(rx_int(cJSON_GetArrayItem(page, 0), "orderId"), ids[4]);
    assert_int_equal(rx_int(cJSON_GetArrayItem(page, 1), "orderId"), ids[3]);
    const cJSON *first = cJSON_GetArrayItem(page, 0);
    assert_non_null(cJSON_GetObjectItem(first, "orderNumber"));
    assert_non_null(cJSON_GetObjectItem(first, "status"));
    assert_non_null(cJSON_GetObjectItem(first, "totalPrice"));
    assert_non_null(cJSON_GetObjectItem(first, "orderDate"));
    assert_non_null(cJSON_GetObjectItem(first, "trackingNumber"));
    cJSON_Delete(page);

    /* Follow the Link header until the last page. */
    int64_t seen[5] = {ids[4], ids[3], 0, 0, 0};
    size_t count = 2;
    int pages = 1;
    while (ord_rest_response_header(&res, "Link") != NULL) {
        const char *link = ord_rest_response_header(&res, "Link");
        const char *prefix = "</api/v1/orders/customer/12345?";
        assert_true(strncmp(link, prefix, strlen(prefix)) == 0);
        assert_non_null(strstr(link, ">; rel=\"next\""));
        char query[256];
        const char *q = link + strlen(prefix);
        size_t qlen = (size_t)(strchr(q, '>') - q);
        assert_true(qlen < sizeof query);
        memcpy(query, q, qlen);
        query[qlen] = '\0';
        assert_non_null(strstr(query, "limit=2"));
        assert_non_null(strstr(query, "cursor="));
        ord_rest_response next = rx_send(x, "GET", "/api/v1/orders/customer/12345", query, NULL, NULL);
        assert_int_equal(next.status, 200);
        cJSON *arr = rx_json(&next);
        for (int i = 0; i < cJSON_GetArraySize(arr); i++) {
            assert_true(count < 5);
            seen[count++] = rx_int(cJSON_GetArrayItem(arr, i), "orderId");
        }
        cJSON_Delete(arr);
        ord_rest_response_free(&res);
        res = next;
        pages++;
        assert_true(pages <= 3);
    }
    ord_rest_response_free(&res);
    assert_int_equal(count, 5);
    assert_int_equal(pages, 3);
    for (int i = 0; i < 5; i++)
        assert_int_equal(seen[i], ids[4 - i]);
}

static void test_list_filters_by_status_and_keeps_it_in_link(void **state)
{
    rx *x = *state;
    int64_t a = rx_place(x);
    rx_place(x);
    int64_t c = rx_place(x);
    char path[96];
    ord_rest_response res = rx_send(x, "PUT", rx_path(path, a, "/cancel"), NULL, NULL, NULL);
    assert_int_equal(res.status, 204);
    ord_rest_response_free(&res);
    res = rx_send(x, "PUT", rx_path(path, c, "/cancel"), NULL, NULL, NULL);
    ord_rest_response_free(&res);
    res = rx_send(x, "GET", "/api/v1/orders/customer/12345", "status=CANCELLED&limit=1", NULL, NULL);
    assert_int_equal(res.status, 200);
    cJSON *arr = rx_json(&res);
    assert_int_equal(cJSON_GetArraySize(arr), 1);
    assert_string_equal(rx_str(cJSON_GetArrayItem(arr, 0), "status"), "CANCELLED");
    cJSON_Delete(arr);
    const char *link = ord_rest_response_header(&res, "Link");
    assert_non_null(link);
    assert_non_null(strstr(link, "status=CANCELLED"));
    ord_rest_response_free(&res);
}

static void test_list_of_unknown_customer_is_empty_array(void **state)
{
    rx *x = *state;
    ord_rest_response res = rx_send(x, "GET", "/api/v1/orders/customer/999999", NULL, NULL, NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.body, "[]");
    assert_null(ord_rest_response_header(&res, "Link"));
    ord_rest_response_free(&res);
}

static void test_list_bad_limit_cursor_or_status_is_400(void **state)
{
    rx *x = *state;
    rx_place(x);
    const char *queries[] = {"limit=0",  "limit=101",    "limit=abc", "limit=",    "limit=5&limit=6",
                             "status=shipped", "status=NOPE", "cursor=",   "cursor=garbage%21",
                             "cursor=%zz"};
    const char *fields[] = {"limit", "limit", "limit", "limit", "limit",
                            "status", "status", "cursor", "cursor", "cursor"};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        ord_rest_response res =
            rx_send(x, "GET", "/api/v1/orders/customer/12345", queries[i], NULL, NULL);
        rx_assert_problem(&res, 400, "Validation failed");
        cJSON *json = rx_json(&res);
        const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(json, "fields"), 0);
        if (f == NULL || strcmp(rx_str(f, "field"), fields[i]) != 0)
            fail_msg("query %s: %s", queries[i], res.body);
        cJSON_Delete(json);
        ord_rest_response_free(&res);
    }
}

static void test_list_with_malformed_customer_id_is_404(void **state)
{
    rx *x = *state;
    ord_rest_response res = rx_send(x, "GET", "/api/v1/orders/customer/abc", NULL, NULL, NULL);
    rx_assert_problem(&res, 404, "Not found");
    ord_rest_response_free(&res);
}

static void test_cancel_confirmed_order_is_204_and_repeat_is_204(void **state)
{
    rx *x = *state;
    int64_t id = rx_place(x);
    char path[96];
    ord_rest_response res = rx_send(x, "PUT", rx_path(path, id, "/cancel"), NULL, NULL, NULL);
    assert_int_equal(res.status, 204);
    assert_int_equal(res.body_len, 0);
    assert_null(ord_rest_response_header(&res, "Content-Type"));
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_downstream_reservation(x->ds, id), ORD_MEM_RESERVATION_RELEASED);
    res = rx_send(x, "PUT", rx_path(path, id, "/cancel"), NULL, NULL, NULL);
    assert_int_equal(res.status, 204);
    ord_rest_response_free(&res);
    res = rx_send(x, "GET", rx_path(path, id, ""), NULL, NULL, NULL);
    cJSON *json = rx_json(&res);
    assert_string_equal(rx_str(json, "status"), "CANCELLED");
    cJSON_Delete(json);
    ord_rest_response_free(&res);
}

static void test_ship_deliver_and_invalid_transitions(void **state)
{
    rx *x = *state;
    int64_t id = rx_place(x);
    char path[96];
    ord_rest_response res = rx_send(x, "PUT", rx_path(path, id, "/deliver"), NULL, NULL, NULL);
    rx_assert_problem(&res, 409, "Invalid status transition");
    ord_rest_response_free(&res);
    res = rx_send(x, "PUT", rx_path(path, id, "/ship"), NULL, NULL, NULL);
    assert_int_equal(res.status, 204);
    ord_rest_response_free(&res);
    res = rx_send(x, "PUT", rx_path(path, id, "/ship"), NULL, NULL, NULL);
    assert_int_equal(res.status, 204);
    ord_rest_response_free(&res);
    res = rx_send(x, "PUT", rx_path(path, id, "/cancel"), NULL, NULL, NULL);
    rx_assert_problem(&res, 409, "Invalid status transition");
    ord_rest_response_free(&res);
    res = rx_send(x, "PUT", rx_path(path, id, "/deliver"), NULL, NULL, NULL);
    assert_int_equal(res.status, 204);
    ord_rest_response_free(&res);
    res = rx_send(x, "PUT", rx_path(path, id, "/deliver"), NULL, NULL, NULL);
    assert_int_equal(res.status, 204);
    ord_rest_response_free(&res);
    res = rx_send(x, "PUT", rx_path(path, id, "/cancel"), NULL, NULL, NULL);
    rx_assert_problem(&res, 409, "Invalid status transition");
    ord_rest_response_free(&res);
    res = rx_send(x, "GET", rx_path(path, id, ""), NULL, NULL, NULL);
    cJSON *json = rx_json(&res);
    assert_string_equal(rx_str(json, "status"), "DELIVERED");
    cJSON_Delete(json);
    ord_rest_response_free(&res);
}

static void test_ship_by_customer_is_403(void **state)
{
    rx *x = *state;
    int64_t id = rx_place(x);
    char path[96];
    ord_principal owner = rx_customer(RX_CUSTOMER);
    ord_rest_response res = rx_send_as(x, &owner, "PUT", rx_path(path, id, "/ship"), NULL, NULL, NULL, 0);
    rx_assert_problem(&res, 403, "Forbidden");
    ord_rest_response_free(&res);
    res = rx_send_as(x, &owner, "PUT", rx_path(path, id, "/deliver"), NULL, NULL, NULL, 0);
    rx_assert_problem(&res, 403, "Forbidden");
    ord_rest_response_free(&res);
}

static void test_if_match_current_version_succeeds_and_stale_is_412(void **state)
{
    rx *x = *state;
    int64_t id = rx_place(x);
    char path[96];
    ord_rest_response res = rx_send(x, "GET", rx_path(path, id, ""), NULL, NULL, NULL);
    char etag[32];
    strcpy(etag, ord_rest_response_header(&res, "ETag"));
    ord_rest_response_free(&res);
    res = rx_send(x, "PUT", rx_path(path, id, "/cancel"), NULL, NULL, "If-Match", "\"1\"", NULL);
    rx_assert_problem(&res, 412, "Precondition failed");
    ord_rest_response_free(&res);
    res = rx_send(x, "PUT", rx_path(path, id, "/ship"), NULL, NULL, "If-Match", "W/\"1\"", NULL);
    rx_assert_problem(&res, 412, "Precondition failed");
    ord_rest_response_free(&res);
    res = rx_send(x, "GET", rx_path(path, id, ""), NULL, NULL, NULL);
    cJSON *json = rx_json(&res);
    assert_string_equal(rx_str(json, "status"), "CONFIRMED");
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    res = rx_send(x, "PUT", rx_path(path, id, "/ship"), NULL, NULL, "If-Match", etag, NULL);
    assert_int_equal(res.status, 204);
    ord_rest_response_free(&res);
}

static void test_status_change_of_unknown_or_malformed_id_is_404(void **state)
{
    rx *x = *state;
    const char *paths[] = {"/api/v1/orders/424242/cancel", "/api/v1/orders/x/ship",
                           "/api/v1/orders/ORD-1/deliver"};
    for (size_t i = 0; i < 3; i++) {
        ord_rest_response res = rx_send(x, "PUT", paths[i], NULL, NULL, NULL);
        rx_assert_problem(&res, 404, "Order not found");
        ord_rest_response_free(&res);
    }
}

static void test_health_live_is_up(void **state)
{
    rx *x = *state;
    ord_rest_response res = rx_send(x, "GET", "/health/live", NULL, NULL, NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.body, "{\"status\":\"UP\"}");
    ord_rest_response_free(&res);
}

static void test_health_ready_lists_dependencies_and_fails_when_required_is_down(void **state)
{
    rx *x = *state;
    x->ready.inventory_up = false;
    ord_rest_response res = rx_send(x, "GET", "/health/ready", NULL, NULL, NULL);
    assert_int_equal(res.status, 200);
    cJSON *json = rx_json(&res);
    assert_string_equal(rx_str(json, "status"), "UP");
    const cJSON *deps = cJSON_GetObjectItem(json, "dependencies");
    assert_string_equal(rx_str(deps, "database"), "UP");
    assert_string_equal(rx_str(deps, "inventory"), "DOWN");
    cJSON_Delete(json);
    ord_rest_response_free(&res);

    x->ready.database_up = false;
    res = rx_send(x, "GET", "/health/ready", NULL, NULL, NULL);
    assert_int_equal(res.status, 503);
    rx_assert_header(&res, "Retry-After", "7");
    json = rx_json(&res);
    assert_string_equal(rx_str(json, "status"), "DOWN");
    assert_string_equal(rx_str(cJSON_GetObjectItem(json, "dependencies"), "database"), "DOWN");
    cJSON_Delete(json);
    ord_rest_response_free(&res);
}

static void test_metrics_count_requests_orders_and_transitions(void **state)
{
    rx *x = *state;
    int64_t id = rx_place(x);
    char path[96];
    ord_rest_response res = rx_send(x, "PUT", rx_path(path, id, "/cancel"), NULL, NULL, NULL);
    ord_rest_response_free(&res);
    res = rx_send(x, "GET", "/nope", NULL, NULL, NULL);
    ord_rest_response_free(&res);
    res = rx_send(x, "GET", "/metrics", NULL, NULL, NULL);
    assert_int_equal(res.status, 200);
    rx_assert_header(&res, "Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    const char *expected[] = {
        "http_requests_total{method=\"POST\",route=\"/api/v1/orders\",status=\"201\"} 1\n",
        "http_requests_total{method=\"PUT\",route=\"/api/v1/orders/{id}/cancel\",status=\"204\"} 1\n",
        "http_requests_total{method=\"GET\",route=\"unmatched\",status=\"404\"} 1\n",
        "# TYPE http_request_duration_seconds histogram\n",
        "http_request_duration_seconds_bucket{method=\"POST\",route=\"/api/v1/orders\",le=\"+Inf\"} 1\n",
        "http_request_duration_seconds_count{method=\"POST\",route=\"/api/v1/orders\"} 1\n",
        "orders_created_total 1\n",
        "order_status_transitions_total{from=\"PENDING_CHECK\",to=\"CONFIRMED\"} 1\n",
        "order_status_transitions_total{from=\"CONFIRMED\",to=\"CANCELLED\"} 1\n",
        "order_status_transitions_total{from=\"SHIPPED\",to=\"DELIVERED\"} 0\n",
        "outbox_pending_events ",
        "circuit_breaker_state{service=\"inventory\"} 0\n",
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        if (strstr(res.body, expected[i]) == NULL)
            fail_msg("missing %s in:\n%s", expected[i], res.body);
    }
    assert_null(strstr(res.body, "from=\"DELIVERED\",to=\"CANCELLED\""));
    ord_rest_response_free(&res);
    assert_int_equal(ord_rest_metrics_orders_created(x->metrics), 1);
}

static void test_metrics_count_background_actions_by_outcome(void **state)
{
    rx *x = *state;
    ord_service_observer obs = ord_rest_metrics_observer(x->metrics);
    obs.background_action(obs.ctx, "inventory_release", 7, ORD_OK);
    obs.background_action(obs.ctx, "inventory_release", 8, ORD_EUNAVAILABLE);
    obs.background_action(obs.ctx, "inventory_release", 9, ORD_OK);
    obs.background_action(obs.ctx, "bad\"label", 9, ORD_OK);
    ord_rest_response res = rx_send(x, "GET", "/metrics", NULL, NULL, NULL);
    assert_int_equal(res.status, 200);
    assert_non_null(strstr(res.body,
        "order_background_actions_total{action=\"inventory_release\",result=\"ok\"} 2\n"));
    assert_non_null(strstr(res.body,
        "order_background_actions_total{action=\"inventory_release\",result=\"failed\"} 1\n"));
    assert_null(strstr(res.body, "bad\"label"));
    ord_rest_response_free(&res);
}

static void test_openapi_document_is_served(void **state)
{
    rx *x = *state;
    ord_rest_response res = rx_send(x, "GET", "/openapi.json", NULL, NULL, NULL);
    assert_int_equal(res.status, 200);
    rx_assert_header(&res, "Content-Type", "application/json");
    cJSON *json = rx_json(&res);
    assert_true(strncmp(rx_str(json, "openapi"), "3.", 2) == 0);
    cJSON_Delete(json);
    ord_rest_response_free(&res);
}

static void test_request_id_is_echoed_or_generated(void **state)
{
    rx *x = *state;
    ord_rest_response res = rx_send(x, "GET", "/health/live", NULL, NULL, "X-Request-Id", "abc-123", NULL);
    rx_assert_header(&res, "X-Request-Id", "abc-123");
    ord_rest_response_free(&res);
    res = rx_send(x, "GET", "/api/v1/orders/1", NULL, NULL, NULL);
    const char *generated = ord_rest_response_header(&res, "X-Request-Id");
    assert_non_null(generated);
    assert_int_equal(strlen(generated), 36);
    assert_true(ord_uuid_is_valid(generated));
    ord_rest_response_free(&res);
    /* An id that could inject into headers or logs is replaced. */
    res = rx_send(x, "GET", "/health/live", NULL, NULL, "X-Request-Id", "bad\"id\nx", NULL);
    assert_true(ord_uuid_is_valid(ord_rest_response_header(&res, "X-Request-Id")));
    ord_rest_response_free(&res);
}

/* Generated ids come from a pool of random bytes refilled every 32 ids:
 * across refills they stay well-formed and distinct. */
static void test_generated_request_ids_are_distinct_uuids(void **state)
{
    rx *x = *state;
    enum { N = 100 };
    char ids[N][37];
    for (int i = 0; i < N; i++) {
        ord_rest_response res = rx_send(x, "GET", "/health/live", NULL, NULL, NULL);
        const char *id = ord_rest_response_header(&res, "X-Request-Id");
        assert_non_null(id);
        assert_true(ord_uuid_is_valid(id));
        snprintf(ids[i], sizeof ids[i], "%s", id);
        ord_rest_response_free(&res);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(ids[j], ids[i]);
    }
}

static void test_access_log_has_one_json_line_per_request(void **state)
{
    rx *x = *state;
    ord_rest_response res = rx_send(x, "GET", "/api/v1/orders/77", NULL, NULL, "X-Request-Id", "req-1",
                                    "Authorization", "Bearer secret-token", NULL);
    ord_rest_response_free(&res);
    res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, NULL);
    ord_rest_response_free(&res);
    rewind(x->log);
    char line[1024];
    assert_non_null(fgets(line, sizeof line, x->log));
    assert_null(strstr(line, "secret-token"));
    cJSON *json = cJSON_Parse(line);
    assert_non_null(json);
    assert_string_equal(rx_str(json, "level"), "info");
    assert_string_equal(rx_str(json, "requestId"), "req-1");
    assert_string_equal(rx_str(json, "method"), "GET");
    assert_string_equal(rx_str(json, "route"), "/api/v1/orders/{id}");
    assert_int_equal(rx_int(json, "status"), 404);
    assert_true(cJSON_IsNumber(cJSON_GetObjectItem(json, "durationMs")));
    const char *time = rx_str(json, "time");
    assert_int_equal(strlen(time), 24);
    assert_int_equal(time[23], 'Z');
    cJSON_Delete(json);
    assert_non_null(fgets(line, sizeof line, x->log));
    assert_null(strstr(line, "Ada Lovelace"));
    json = cJSON_Parse(line);
    assert_non_null(json);
    assert_int_equal(rx_int(json, "status"), 201);
    assert_string_equal(rx_str(json, "route"), "/api/v1/orders");
    cJSON_Delete(json);
    assert_null(fgets(line, sizeof line, x->log));
}

/* Every member the OpenAPI schema requires is in @p body. */
static void assert_matches_schema(const char *schema_name, const cJSON *body)
{
    cJSON *doc = cJSON_Parse(ord_rest_openapi_document(NULL));
    assert_non_null(doc);
    const cJSON *schema = cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "components"), "schemas"), schema_name);
    assert_non_null(schema);
    const cJSON *name;
    cJSON_ArrayForEach(name, cJSON_GetObjectItem(schema, "required"))
    {
        if (cJSON_GetObjectItemCaseSensitive(body, name->valuestring) == NULL)
            fail_msg("%s lacks required %s", schema_name, name->valuestring);
    }
    cJSON_Delete(doc);
}

static void test_bodies_have_what_the_openapi_schemas_require(void **state)
{
    rx *x = *state;
    int64_t id = rx_place(x);
    char path[96];
    ord_rest_response res = rx_send(x, "GET", rx_path(path, id, ""), NULL, NULL, NULL);
    cJSON *json = rx_json(&res);
    assert_matches_schema("Order", json);
    const cJSON *item;
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(json, "items")) assert_matches_schema("OrderItem", item);
    cJSON_ArrayForEach(item, cJSON_GetObjectItem(json, "statusHistory")) assert_matches_schema("StatusChange", item);
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    res = rx_send(x, "GET", "/api/v1/orders/customer/12345", NULL, NULL, NULL);
    json = rx_json(&res);
    assert_matches_schema("OrderSummary", cJSON_GetArrayItem(json, 0));
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    res = rx_send(x, "GET", "/api/v1/orders/424242", NULL, NULL, NULL);
    json = rx_json(&res);
    assert_matches_schema("Problem", json);
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    res = rx_send(x, "GET", "/health/ready", NULL, NULL, NULL);
    json = rx_json(&res);
    assert_matches_schema("Readiness", json);
    cJSON_Delete(json);
    ord_rest_response_free(&res);
}

#define T(name) cmocka_unit_test_setup_teardown(name, rx_setup, rx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_create_order_answers_201_with_location_etag_and_order),
        T(test_tracking_down_places_order_with_warning),
        T(test_get_order_by_id_and_by_number_with_history_and_etag),
        T(test_get_unknown_or_malformed_id_is_404),
        T(test_customer_sees_only_own_orders),
        T(test_customer_placing_for_another_customer_is_403),
        T(test_list_pages_newest_first_with_link_and_cursor),
        T(test_list_filters_by_status_and_keeps_it_in_link),
        T(test_list_of_unknown_customer_is_empty_array),
        T(test_list_bad_limit_cursor_or_status_is_400),
        T(test_list_with_malformed_customer_id_is_404),
        T(test_cancel_confirmed_order_is_204_and_repeat_is_204),
        T(test_ship_deliver_and_invalid_transitions),
        T(test_ship_by_customer_is_403),
        T(test_if_match_current_version_succeeds_and_stale_is_412),
        T(test_status_change_of_unknown_or_malformed_id_is_404),
        T(test_health_live_is_up),
        T(test_health_ready_lists_dependencies_and_fails_when_required_is_down),
        T(test_metrics_count_requests_orders_and_transitions),
        T(test_metrics_count_background_actions_by_outcome),
        T(test_openapi_document_is_served),
        T(test_bodies_have_what_the_openapi_schemas_require),
        T(test_request_id_is_echoed_or_generated),
        T(test_generated_request_ids_are_distinct_uuids),
        T(test_access_log_has_one_json_line_per_request),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
