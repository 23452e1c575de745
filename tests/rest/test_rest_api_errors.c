/* The API function's errors: routing, body handling, validation, the
 * saga's refusals and idempotency, each in the problem+json shape of
 * docs/api.md, Errors. */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void test_unknown_route_is_404(void **state)
{
    rx *x = *state;
    const char *paths[] = {"/", "/api/v1", "/api/v1/orders/1/explode", "/api/v1/orders/",
                           "/api/v1/orders//cancel", "/health", "no-slash"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        ord_rest_response res = rx_send(x, "GET", paths[i], NULL, NULL, NULL);
        rx_assert_problem(&res, 404, "Not found");
        assert_string_equal(res.route, "unmatched");
        ord_rest_response_free(&res);
    }
}

static void test_wrong_method_is_405_with_allow(void **state)
{
    rx *x = *state;
    /* HEAD is answered wherever GET is, so Allow lists it too. */
    ord_rest_response res = rx_send(x, "DELETE", "/api/v1/orders/5", NULL, NULL, NULL);
    rx_assert_problem(&res, 405, "Method not allowed");
    rx_assert_header(&res, "Allow", "GET, HEAD");
    ord_rest_response_free(&res);
    res = rx_send(x, "GET", "/api/v1/orders", NULL, NULL, NULL);
    rx_assert_problem(&res, 405, "Method not allowed");
    rx_assert_header(&res, "Allow", "POST");
    ord_rest_response_free(&res);
    /* /orders/drafts is both a literal route (POST) and an {id} (GET). */
    res = rx_send(x, "PUT", "/api/v1/orders/drafts", NULL, NULL, NULL);
    rx_assert_problem(&res, 405, "Method not allowed");
    rx_assert_header(&res, "Allow", "POST, GET, HEAD");
    ord_rest_response_free(&res);
    res = rx_send(x, "POST", "/health/live", NULL, "{}", NULL);
    rx_assert_problem(&res, 405, "Method not allowed");
    rx_assert_header(&res, "Allow", "GET, HEAD");
    ord_rest_response_free(&res);
}

static void test_validation_lists_every_broken_field(void **state)
{
    rx *x = *state;
    const char *body = "{\"customerId\":0,\"items\":[{\"productId\":-1,\"quantity\":0},"
                       "{\"productId\":2,\"quantity\":10001}],\"deliveryAddress\":\"\"}";
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, body, NULL);
    rx_assert_problem(&res, 400, "Validation failed");
    cJSON *json = rx_json(&res);
    const cJSON *fields = cJSON_GetObjectItem(json, "fields");
    const char *wanted[] = {"customerId", "items[0].productId", "items[0].quantity",
                            "items[1].quantity", "deliveryAddress"};
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        bool found = false;
        const cJSON *f;
        cJSON_ArrayForEach(f, fields)
        {
            if (strcmp(rx_str(f, "field"), wanted[i]) == 0) {
                found = true;
                assert_true(strlen(rx_str(f, "message")) > 0);
            }
        }
        if (!found)
            fail_msg("no error for %s in %s", wanted[i], res.body);
    }
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 0);
}

static void test_wrong_json_types_are_field_errors(void **state)
{
    rx *x = *state;
    const char *body = "{\"customerId\":\"12345\",\"items\":[{\"productId\":1.5,\"quantity\":\"2\"},7],"
                       "\"deliveryAddress\":42,\"carrier\":[],\"customerName\":{}}";
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, body, NULL);
    rx_assert_problem(&res, 400, "Validation failed");
    cJSON *json = rx_json(&res);
    const char *wanted[] = {"customerId", "items[0].productId", "items[0].quantity", "items[1]",
                            "deliveryAddress", "carrier", "customerName"};
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        bool found = false;
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItem(json, "fields"))
        {
            if (strcmp(rx_str(f, "field"), wanted[i]) == 0)
                found = true;
        }
        if (!found)
            fail_msg("no error for %s in %s", wanted[i], res.body);
    }
    cJSON_Delete(json);
    ord_rest_response_free(&res);

    res = rx_send(x, "POST", "/api/v1/orders", NULL, "{\"deliveryAddress\":\"x\"}", NULL);
    rx_assert_problem(&res, 400, "Validation failed");
    assert_non_null(strstr(res.body, "{\"field\":\"customerId\",\"message\":\"is required\"}"));
    assert_non_null(strstr(res.body, "{\"field\":\"items\",\"message\":\"is required\"}"));
    ord_rest_response_free(&res);
}

static void test_malformed_json_is_400(void **state)
{
    rx *x = *state;
    const char *bodies[] = {"{", "{\"customerId\":}", "not json", "{} trailing", "[1,2]", "42", ""};
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, bodies[i], NULL);
        rx_assert_problem(&res, 400, "Malformed JSON");
        ord_rest_response_free(&res);
    }
}

static void test_wrong_or_missing_content_type_is_415(void **state)
{
    rx *x = *state;
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY,
                                    "Content-Type", "text/plain", NULL);
    rx_assert_problem(&res, 415, "Unsupported media type");
    ord_rest_response_free(&res);
    res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Content-Type",
                  "application/jsonp", NULL);
    rx_assert_problem(&res, 415, "Unsupported media type");
    ord_rest_response_free(&res);
    res = rx_send_as(x, NULL, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, NULL, 0);
    rx_assert_problem(&res, 415, "Unsupported media type");
    ord_rest_response_free(&res);
    res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "content-type",
                  "Application/JSON; charset=utf-8", NULL);
    assert_int_equal(res.status, 201);
    ord_rest_response_free(&res);
}

static void test_body_over_64_kib_is_413(void **state)
{
    rx *x = *state;
    size_t n = ORD_REST_MAX_BODY_BYTES + 1;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, ' ', n);
    big[0] = '{';
    big[n - 1] = '}';
    big[n] = '\0';
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, big, NULL);
    rx_assert_problem(&res, 413, "Payload too large");
    ord_rest_response_free(&res);
    /* Exactly the limit is accepted (and then judged on its content). */
    big[n - 2] = '}';
    big[n - 1] = '\0';
    res = rx_send(x, "POST", "/api/v1/orders", NULL, big, NULL);
    rx_assert_problem(&res, 400, "Validation failed");
    ord_rest_response_free(&res);
    free(big);

    /* A transport that stopped reading says so with body_too_large. */
    ord_rest_request req;
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.path = "/api/v1/orders";
    req.body_too_large = true;
    ord_rest_response out;
    assert_int_equal(ord_rest_api_handle(x->api, &req, &out), ORD_OK);
    rx_assert_problem(&out, 413, "Payload too large");
    assert_true(out.close_connection);
    ord_rest_response_free(&out);
}

static void test_idempotency_key_empty_too_long_or_not_printable_is_400(void **state)
{
    rx *x = *state;
    char long_key[300];
    memset(long_key, 'k', 256);
    long_key[256] = '\0';
    const char *keys[] = {"", long_key, "caf\xc3\xa9", "tab\there"};
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        ord_rest_response res =
            rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key", keys[i], NULL);
        rx_assert_problem(&res, 400, "Invalid Idempotency-Key");
        ord_rest_response_free(&res);
    }
    long_key[255] = '\0';
    ord_rest_response res =
        rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key", long_key, NULL);
    assert_int_equal(res.status, 201);
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 1);
}

static void test_idempotent_retry_replays_same_status_and_body(void **state)
{
    rx *x = *state;
    ord_rest_response first =
        rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key", "key-1", NULL);
    assert_int_equal(first.status, 201);
    assert_null(ord_rest_response_header(&first, "Idempotent-Replayed"));
    ord_rest_response again =
        rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key", "key-1", NULL);
    assert_int_equal(again.status, 201);
    assert_string_equal(again.body, first.body);
    rx_assert_header(&again, "Idempotent-Replayed", "true");
    rx_assert_header(&again, "Location", ord_rest_response_header(&first, "Location"));
    rx_assert_header(&again, "ETag", ord_rest_response_header(&first, "ETag"));
    rx_assert_header(&again, "Content-Type", "application/json");
    ord_rest_response_free(&first);
    ord_rest_response_free(&again);
    assert_int_equal(ord_memory_store_order_count(x->store), 1);
    assert_int_equal(ord_memory_downstream_calls(x->ds, ORD_MEM_RESERVE), 1);
}

static void test_idempotency_key_with_other_body_is_422(void **state)
{
    rx *x = *state;
    ord_rest_response res =
        rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key", "key-2", NULL);
    assert_int_equal(res.status, 201);
    ord_rest_response_free(&res);
    const char *other = "{\"customerId\":12345,\"items\":[{\"productId\":2,\"quantity\":1}],"
                        "\"deliveryAddress\":\"Elsewhere 1\"}";
    res = rx_send(x, "POST", "/api/v1/orders", NULL, other, "Idempotency-Key", "key-2", NULL);
    rx_assert_problem(&res, 422, "Idempotency key reused with a different request");
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 1);
}

static void assert_customer_busy(const ord_rest_response *res)
{
    rx_assert_problem(res, 409, "Another order of this customer is being placed");
    rx_assert_header(res, "Retry-After", "1");
    rx_assert_header(res, "Content-Type", "application/problem+json");
}

static void test_customer_busy_with_another_order_is_409_with_retry_after(void **state)
{
    rx *x = *state;
    x->config.serialize_customer_creates = true;
    rx_rebuild_service(x);
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders/drafts", NULL,
                                    "{\"customerId\":12345,\"items\":[{\"productId\":2,"
                                    "\"quantity\":1}]}",
                                    NULL);
    assert_int_equal(res.status, 201);
    cJSON *json = rx_json(&res);
    int64_t draft = rx_int(json, "orderId");
    cJSON_Delete(json);
    ord_rest_response_free(&res);

    /* Another instance is placing an order of customer 12345. */
    ord_memory_store_connection *other = NULL;
    assert_int_equal(ord_memory_store_connection_new(x->store, &other), ORD_OK);
    ord_order_repository held = ord_memory_store_connection_orders(other);
    assert_int_equal(held.ops->lock_customer(held.self, RX_CUSTOMER), ORD_OK);

    res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key", "busy-1",
                  NULL);
    assert_customer_busy(&res);
    ord_rest_response_free(&res);
    char path[96];
    res = rx_send(x, "POST", rx_path(path, draft, "/checkout"), NULL,
                  "{\"customerId\":12345,\"deliveryAddress\":\"1 Road\"}", NULL);
    assert_customer_busy(&res);
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 1); /* the draft alone */

    /* Nothing was recorded under the key: the retry is placed. */
    ord_memory_store_connection_free(other);
    res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key", "busy-1",
                  NULL);
    assert_int_equal(res.status, 201);
    assert_null(ord_rest_response_header(&res, "Idempotent-Replayed"));
    ord_rest_response_free(&res);
    res = rx_send(x, "POST", rx_path(path, draft, "/checkout"), NULL,
                  "{\"customerId\":12345,\"deliveryAddress\":\"1 Road\"}", NULL);
    assert_int_equal(res.status, 201);
    ord_rest_response_free(&res);
}

static void test_idempotency_key_held_by_unfinished_request_is_409(void **state)
{
    rx *x = *state;
    /* The first request's answer cannot be recorded, so to the store it is
     * still in flight. Recording is the last write of a placement: count
     * the writes of one placement, then fail the last of the next. */
    ord_rest_response res =
        rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key", "warm-up", NULL);
    assert_int_equal(res.status, 201);
    ord_rest_response_free(&res);
    size_t writes = ord_memory_store_calls(x->store, ORD_MEM_IDEM_WRITE);
    assert_true(writes >= 1);
    ord_fault lost = {ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, (int)writes - 1, 1};
    ord_memory_store_inject(x->store, ORD_MEM_IDEM_WRITE, &lost);
    res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key", "key-3", NULL);
    assert_int_equal(res.status, 201);
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_calls(x->store, ORD_MEM_IDEM_WRITE), 2 * writes);
    res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key", "key-3", NULL);
    rx_assert_problem(&res, 409, "Request with this idempotency key is in progress");
    assert_non_null(ord_rest_response_header(&res, "Retry-After"));
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 2);
}

static void test_refused_request_stores_nothing_under_its_key(void **state)
{
    rx *x = *state;
    const char *invalid = "{\"customerId\":12345,\"items\":[],\"deliveryAddress\":\"x\"}";
    ord_rest_response res =
        rx_send(x, "POST", "/api/v1/orders", NULL, invalid, "Idempotency-Key", "key-4", NULL);
    rx_assert_problem(&res, 400, "Validation failed");
    ord_rest_response_free(&res);
    res = rx_send(x, "POST", "/api/v1/orders", NULL, "{oops", "Idempotency-Key", "key-4", NULL);
    rx_assert_problem(&res, 400, "Malformed JSON");
    ord_rest_response_free(&res);
    res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key", "key-4", NULL);
    assert_int_equal(res.status, 201);
    assert_null(ord_rest_response_header(&res, "Idempotent-Replayed"));
    ord_rest_response_free(&res);
}

static void test_inventory_down_is_503_and_retry_with_same_key_resumes(void **state)
{
    rx *x = *state;
    ord_fault down = {ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1};
    ord_memory_downstream_inject(x->ds, ORD_MEM_RESERVE, &down);
    ord_rest_response res =
        rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key", "key-5", NULL);
    rx_assert_problem(&res, 503, "Inventory service unavailable");
    rx_assert_header(&res, "Retry-After", "7");
    cJSON *json = rx_json(&res);
    int64_t id = rx_int(json, "orderId");
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    char path[96];
    res = rx_send(x, "GET", rx_path(path, id, ""), NULL, NULL, NULL);
    json = rx_json(&res);
    assert_string_equal(rx_str(json, "status"), "PENDING_CHECK");
    cJSON_Delete(json);
    ord_rest_response_free(&res);

    res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key", "key-5", NULL);
    assert_int_equal(res.status, 201);
    json = rx_json(&res);
    assert_int_equal(rx_int(json, "orderId"), id);
    assert_string_equal(rx_str(json, "status"), "CONFIRMED");
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 1);
}

/* The store committed the order but its reply was lost: 503, and the retry
 * with the same key answers with that order, not a second one. */
static void test_lost_create_reply_is_503_and_retry_with_same_key_places_one_order(void **state)
{
    rx *x = *state;
    ord_fault lost = {ORD_FAULT_AFTER, ORD_EUNAVAILABLE, 0, 1};
    ord_memory_store_inject(x->store, ORD_MEM_ORDER_CREATE, &lost);
    ord_rest_response res =
        rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key", "key-9", NULL);
    rx_assert_problem(&res, 503, "Service unavailable");
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 1);

    res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key", "key-9", NULL);
    assert_int_equal(res.status, 201);
    cJSON *json = rx_json(&res);
    assert_string_equal(rx_str(json, "status"), "CONFIRMED");
    int64_t id = rx_int(json, "orderId");
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 1);
    assert_int_equal(ord_memory_downstream_calls(x->ds, ORD_MEM_RESERVE), 1);

    res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key", "key-9", NULL);
    assert_int_equal(res.status, 201);
    rx_assert_header(&res, "Idempotent-Replayed", "true");
    json = rx_json(&res);
    assert_int_equal(rx_int(json, "orderId"), id);
    cJSON_Delete(json);
    ord_rest_response_free(&res);
}

static void test_refusal_after_work_started_is_replayed_too(void **state)
{
    rx *x = *state;
    const char *body = "{\"customerId\":12345,\"items\":[{\"productId\":4,\"quantity\":1}],"
                       "\"deliveryAddress\":\"x\"}";
    ord_rest_response first = rx_send(x, "POST", "/api/v1/orders", NULL, body, "Idempotency-Key", "key-6", NULL);
    rx_assert_problem(&first, 400, "Insufficient stock");
    ord_rest_response again = rx_send(x, "POST", "/api/v1/orders", NULL, body, "Idempotency-Key", "key-6", NULL);
    rx_assert_problem(&again, 400, "Insufficient stock");
    rx_assert_header(&again, "Idempotent-Replayed", "true");
    assert_string_equal(again.body, first.body);
    ord_rest_response_free(&first);
    ord_rest_response_free(&again);
    assert_int_equal(ord_memory_store_order_count(x->store), 1);
    assert_int_equal(ord_memory_downstream_calls(x->ds, ORD_MEM_RESERVE), 1);
}

static void test_catalog_down_is_503_and_stores_nothing(void **state)
{
    rx *x = *state;
    ord_fault down = {ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1};
    ord_memory_downstream_inject(x->ds, ORD_MEM_CATALOG, &down);
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, NULL);
    rx_assert_problem(&res, 503, "Catalog service unavailable");
    rx_assert_header(&res, "Retry-After", "7");
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 0);
}

static void test_unknown_product_is_400_with_list(void **state)
{
    rx *x = *state;
    const char *body = "{\"customerId\":12345,\"items\":[{\"productId\":1,\"quantity\":1},"
                       "{\"productId\":999,\"quantity\":1}],\"deliveryAddress\":\"x\"}";
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, body, NULL);
    rx_assert_problem(&res, 400, "Unknown product");
    cJSON *json = rx_json(&res);
    const cJSON *unknown = cJSON_GetObjectItem(json, "unknownProducts");
    assert_int_equal(cJSON_GetArraySize(unknown), 1);
    assert_int_equal(cJSON_GetArrayItem(unknown, 0)->valueint, 999);
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 0);
}

static void test_restricted_and_ineligible_accounts_are_403(void **state)
{
    rx *x = *state;
    const char *restricted = "{\"customerId\":666,\"items\":[{\"productId\":1,\"quantity\":1}],"
                             "\"deliveryAddress\":\"x\"}";
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, restricted, NULL);
    rx_assert_problem(&res, 403, "Account has restrictions");
    ord_rest_response_free(&res);
    const char *ineligible = "{\"customerId\":777,\"items\":[{\"productId\":1,\"quantity\":1}],"
                             "\"deliveryAddress\":\"x\"}";
    res = rx_send(x, "POST", "/api/v1/orders", NULL, ineligible, NULL);
    rx_assert_problem(&res, 403, "Account is not eligible");
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 0);
}

static void test_insufficient_stock_is_400_with_cancelled_order_id(void **state)
{
    rx *x = *state;
    const char *body = "{\"customerId\":12345,\"items\":[{\"productId\":4,\"quantity\":1},"
                       "{\"productId\":2,\"quantity\":1}],\"deliveryAddress\":\"x\"}";
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, body, NULL);
    rx_assert_problem(&res, 400, "Insufficient stock");
    cJSON *json = rx_json(&res);
    int64_t id = rx_int(json, "orderId");
    const cJSON *unavailable = cJSON_GetObjectItem(json, "unavailableProducts");
    assert_int_equal(cJSON_GetArraySize(unavailable), 1);
    assert_int_equal(cJSON_GetArrayItem(unavailable, 0)->valueint, 4);
    assert_string_equal(rx_str(json, "message"), "Product ID 4 has insufficient stock");
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    char path[96];
    res = rx_send(x, "GET", rx_path(path, id, ""), NULL, NULL, NULL);
    json = rx_json(&res);
    assert_string_equal(rx_str(json, "status"), "CANCELLED");
    cJSON_Delete(json);
    ord_rest_response_free(&res);
}

static void test_no_service_for_the_thread_is_503(void **state)
{
    rx *x = *state;
    x->no_service = true;
    ord_rest_response res = rx_send(x, "GET", "/api/v1/orders/1", NULL, NULL, NULL);
    rx_assert_problem(&res, 503, "Service unavailable");
    rx_assert_header(&res, "Retry-After", "7");
    ord_rest_response_free(&res);
    res = rx_send(x, "GET", "/health/live", NULL, NULL, NULL);
    assert_int_equal(res.status, 200);
    ord_rest_response_free(&res);
}

static void test_store_down_is_503_without_internals(void **state)
{
    rx *x = *state;
    ord_fault down = {ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1};
    ord_memory_store_inject(x->store, ORD_MEM_ORDER_GET, &down);
    ord_rest_response res = rx_send(x, "GET", "/api/v1/orders/1", NULL, NULL, NULL);
    rx_assert_problem(&res, 503, "Service unavailable");
    assert_null(strstr(res.body, ".c"));
    ord_rest_response_free(&res);
}

/* A stand-in for a token authenticator: "Bearer customer-<id>" is that
 * customer, "Bearer blocked" is refused with 403, anything else 401. */
static void token_authenticate(void *self, const ord_rest_header *headers, size_t count,
                               ord_rest_auth_result *out)
{
    int *calls = self;
    (*calls)++;
    const char *value = NULL;
    for (size_t i = 0; i < count; i++) {
        if (strcasecmp(headers[i].name, "Authorization") == 0)
            value = headers[i].value;
    }
    if (value != NULL && strncmp(value, "Bearer customer-", 16) == 0) {
        out->principal.kind = ORD_PRINCIPAL_CUSTOMER;
        out->principal.customer_id = strtoll(value + 16, NULL, 10);
        snprintf(out->subject, sizeof out->subject, "%s", value + 7);
        out->principal.subject = out->subject;
        return;
    }
    if (value != NULL && strcmp(value, "Bearer blocked") == 0)
        ord_rest_auth_refuse(out, 403, "Forbidden", "The token may not use this API");
    else
        ord_rest_auth_refuse(out, 401, "Unauthorized", "A valid bearer token is required");
}

static const ord_rest_authenticator_ops TOKEN_OPS = {
    .version = ORD_REST_AUTHENTICATOR_VERSION,
    .name = "test-token",
    .authenticate = token_authenticate,
    .free = NULL,
};

static ord_service *shared_service(void *ctx, void *thread_data)
{
    (void)thread_data;
    return ((rx *)ctx)->svc;
}

static ord_rest_response send_with(ord_rest_api *api, const char *method, const char *path,
                                   const char *body, const char *authorization)
{
    ord_rest_header headers[2] = {{"Content-Type", "application/json"},
                                  {"Authorization", authorization}};
    ord_rest_request req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = path;
    req.headers = headers;
    req.header_count = authorization != NULL ? 2 : 1;
    req.body = body;
    req.body_len = body != NULL ? strlen(body) : 0;
    ord_rest_response res;
    assert_int_equal(ord_rest_api_handle(api, &req, &res), ORD_OK);
    return res;
}

static void test_authenticator_decides_the_principal_of_api_routes(void **state)
{
    rx *x = *state;
    int calls = 0;
    ord_rest_api_config cfg = ORD_REST_API_CONFIG_INIT;
    cfg.service = shared_service;
    cfg.service_ctx = x;
    cfg.authenticator.ops = &TOKEN_OPS;
    cfg.authenticator.self = &calls;
    ord_rest_api *api = NULL;
    assert_int_equal(ord_rest_api_new(&api, &cfg), ORD_OK);
    assert_string_equal(ord_rest_api_auth_name(api), "test-token");

    ord_rest_response res = send_with(api, "GET", "/api/v1/orders/1", NULL, NULL);
    rx_assert_problem(&res, 401, "Unauthorized");
    rx_assert_header(&res, "WWW-Authenticate", "Bearer");
    ord_rest_response_free(&res);
    res = send_with(api, "GET", "/api/v1/orders/1", NULL, "Bearer blocked");
    rx_assert_problem(&res, 403, "Forbidden");
    assert_null(ord_rest_response_header(&res, "WWW-Authenticate"));
    ord_rest_response_free(&res);

    /* Operations endpoints need no principal. */
    int before = calls;
    res = send_with(api, "GET", "/health/live", NULL, NULL);
    assert_int_equal(res.status, 200);
    ord_rest_response_free(&res);
    assert_int_equal(calls, before);

    /* The token's customer stands in for a missing customerId... */
    const char *no_customer = "{\"items\":[{\"productId\":2,\"quantity\":1}],\"deliveryAddress\":\"x\"}";
    res = send_with(api, "POST", "/api/v1/orders", no_customer, "Bearer customer-4242");
    assert_int_equal(res.status, 201);
    cJSON *json = rx_json(&res);
    assert_int_equal(rx_int(json, "customerId"), 4242);
    int64_t id = rx_int(json, "orderId");
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    /* ...and owns the order, which another customer cannot see. */
    char path[96];
    res = send_with(api, "GET", rx_path(path, id, ""), NULL, "Bearer customer-4242");
    assert_int_equal(res.status, 200);
    ord_rest_response_free(&res);
    res = send_with(api, "GET", rx_path(path, id, ""), NULL, "Bearer customer-12345");
    rx_assert_problem(&res, 404, "Order not found");
    ord_rest_response_free(&res);
    res = send_with(api, "GET", "/api/v1/orders/customer/4242", NULL, "Bearer customer-12345");
    rx_assert_problem(&res, 403, "Forbidden");
    ord_rest_response_free(&res);
    ord_rest_api_free(api);
}

static ord_service *no_service(void *ctx, void *thread_data)
{
    (void)ctx;
    (void)thread_data;
    return NULL;
}

static void test_api_refuses_config_without_service_or_authenticator(void **state)
{
    (void)state;
    ord_rest_api *api = (ord_rest_api *)1;
    ord_rest_api_config cfg = ORD_REST_API_CONFIG_INIT;
    cfg.authenticator = ord_rest_auth_off();
    assert_int_equal(ord_rest_api_new(&api, &cfg), ORD_EINVALID);
    assert_null(api);
    cfg = (ord_rest_api_config)ORD_REST_API_CONFIG_INIT;
    cfg.service = no_service;
    assert_int_equal(ord_rest_api_new(&api, &cfg), ORD_EINVALID);
    assert_null(api);
}

#define T(name) cmocka_unit_test_setup_teardown(name, rx_setup, rx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_unknown_route_is_404),
        T(test_wrong_method_is_405_with_allow),
        T(test_validation_lists_every_broken_field),
        T(test_wrong_json_types_are_field_errors),
        T(test_malformed_json_is_400),
        T(test_wrong_or_missing_content_type_is_415),
        T(test_body_over_64_kib_is_413),
        T(test_idempotency_key_empty_too_long_or_not_printable_is_400),
        T(test_idempotent_retry_replays_same_status_and_body),
        T(test_idempotency_key_with_other_body_is_422),
        T(test_idempotency_key_held_by_unfinished_request_is_409),
        T(test_customer_busy_with_another_order_is_409_with_retry_after),
        T(test_refused_request_stores_nothing_under_its_key),
        T(test_inventory_down_is_503_and_retry_with_same_key_resumes),
        T(test_lost_create_reply_is_503_and_retry_with_same_key_places_one_order),
        T(test_refusal_after_work_started_is_replayed_too),
        T(test_catalog_down_is_503_and_stores_nothing),
        T(test_unknown_product_is_400_with_list),
        T(test_restricted_and_ineligible_accounts_are_403),
        T(test_insufficient_stock_is_400_with_cancelled_order_id),
        T(test_no_service_for_the_thread_is_503),
        T(test_store_down_is_503_without_internals),
        T(test_authenticator_decides_the_principal_of_api_routes),
        cmocka_unit_test(test_api_refuses_config_without_service_or_authenticator),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
