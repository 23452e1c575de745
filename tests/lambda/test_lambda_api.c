/* The API through bootstrap: API Gateway events of both payload versions
 * against the real PostgreSQL and simulator: create, get, list with paging
 * links, cancel/ship, drafts, idempotent replay, 503 with Retry-After, the
 * headers of every answer, and identity from the authorizer's claims. */
#include "lambda_test.h"

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

static char *order_body(int64_t customer)
{
    return e2e_order_body(customer, ITEMS);
}

/* Create an order with @p version and optional claims; returns its id. */
static int64_t create(int version, int64_t customer, const char *claims)
{
    char *body = order_body(customer);
    lt_request req = {.method = "POST", .path = "/api/v1/orders", .body = body, .claims = claims};
    lt_http h = lt_call(version, &req);
    free(body);
    assert_int_equal(h.reply.status, 201);
    int64_t id = e2e_int(h.reply.json, "orderId");
    lt_http_free(&h);
    return id;
}

static const char *header(const lt_http *h, const char *name, char *buf, size_t cap)
{
    return e2e_header(&h->reply, name, buf, cap);
}

static void test_rest_api_event_creates_an_order_with_every_header(void **state)
{
    (void)state;
    char *body = order_body(3101);
    lt_request req = {.method = "POST",
                      .path = "/api/v1/orders",
                      .body = body,
                      .request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"};
    lt_http h = lt_call(1, &req);
    free(body);
    assert_int_equal(h.reply.status, 201);
    assert_string_equal(e2e_str(h.reply.json, "status"), "CONFIRMED");
    char buf[256], want[96];
    snprintf(want, sizeof want, "/api/v1/orders/%lld", (long long)e2e_int(h.reply.json, "orderId"));
    assert_string_equal(header(&h, "Location", buf, sizeof buf), want);
    assert_string_equal(header(&h, "X-Request-Id", buf, sizeof buf),
                        "c6af9ac6-7b61-11e6-9a41-93e8deadbeef");
    assert_string_equal(header(&h, "Content-Type", buf, sizeof buf), "application/json");
    /* Payload 1.0: headers and multiValueHeaders, no cookies. */
    const cJSON *single = cJSON_GetObjectItemCaseSensitive(h.answer, "headers");
    const cJSON *multi = cJSON_GetObjectItemCaseSensitive(h.answer, "multiValueHeaders");
    assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(single, "Location")));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(multi, "Location")), 1);
    assert_null(cJSON_GetObjectItemCaseSensitive(h.answer, "cookies"));
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(h.answer, "isBase64Encoded")));
    lt_http_free(&h);
}

static void test_http_api_event_creates_an_order_and_answers_with_cookies(void **state)
{
    (void)state;
    char *body = order_body(3102);
    /* An HTTP API's request id is base64: spelt base64url as X-Request-Id. */
    lt_request req = {.method = "POST", .path = "/api/v1/orders", .body = body,
                      .request_id = "JKJa+XmP/LvHcESHA="};
    lt_http h = lt_call(2, &req);
    assert_int_equal(h.reply.status, 201);
    char buf[256];
    assert_string_equal(header(&h, "X-Request-Id", buf, sizeof buf), "JKJa-XmP_LvHcESHA");
    assert_non_null(header(&h, "Location", buf, sizeof buf));
    assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(h.answer, "cookies")));
    assert_null(cJSON_GetObjectItemCaseSensitive(h.answer, "multiValueHeaders"));
    lt_http_free(&h);

    /* A caller's own X-Request-Id wins over the gateway's. */
    lt_request mine = {.method = "GET", .path = "/health/live", .headers = {"X-Request-Id: mine-42"}};
    h = lt_call(2, &mine);
    assert_string_equal(header(&h, "X-Request-Id", buf, sizeof buf), "mine-42");
    lt_http_free(&h);
    free(body);
}

static void test_base64_body_is_decoded(void **state)
{
    (void)state;
    char *body = order_body(3103);
    for (int version = 1; version <= 2; version++) {
        lt_request req = {.method = "POST", .path = "/api/v1/orders", .body = body, .base64 = true};
        lt_http h = lt_call(version, &req);
        assert_int_equal(h.reply.status, 201);
        assert_int_equal(e2e_int(h.reply.json, "customerId"), 3103);
        lt_http_free(&h);
    }
    free(body);
}

static void test_get_has_an_etag_and_head_has_no_body(void **state)
{
    (void)state;
    int64_t id = create(1, 3104, NULL);
    char path[96], buf[128];
    e2e_path(path, sizeof path, id, "");
    lt_request req = {.method = "GET", .path = path};
    lt_http h = lt_call(2, &req);
    assert_int_equal(h.reply.status, 200);
    assert_non_null(header(&h, "ETag", buf, sizeof buf));
    assert_true(cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(h.reply.json, "statusHistory")));
    lt_http_free(&h);

    lt_request head = {.method = "HEAD", .path = path};
    h = lt_call(1, &head);
    assert_int_equal(h.reply.status, 200);
    assert_non_null(header(&h, "ETag", buf, sizeof buf));
    assert_int_equal(h.reply.body_len, 0);
    lt_http_free(&h);
}

/* The "<...>" of a Link header, split into path and query. */
static void next_link(const lt_http *h, char *path, size_t cap, char *query, size_t qcap)
{
    char link[512];
    assert_non_null(header(h, "Link", link, sizeof link));
    assert_non_null(strstr(link, "rel=\"next\""));
    char *start = strchr(link, '<');
    char *end = strchr(link, '>');
    assert_true(start != NULL && end != NULL && end > start);
    *end = '\0';
    char *q = strchr(start + 1, '?');
    assert_non_null(q);
    *q = '\0';
    snprintf(path, cap, "%s", start + 1);
    snprintf(query, qcap, "%s", q + 1);
}

static void test_list_follows_next_links_in_both_payloads(void **state)
{
    (void)state;
    for (int i = 0; i < 3; i++)
        create(1 + i % 2, 3105, NULL);
    lt_request first = {.method = "GET", .path = "/api/v1/orders/customer/3105", .query = "limit=2"};
    lt_http h = lt_call(1, &first);
    assert_int_equal(h.reply.status, 200);
    assert_int_equal(cJSON_GetArraySize(h.reply.json), 2);
    char path[256], query[400];
    next_link(&h, path, sizeof path, query, sizeof query);
    lt_http_free(&h);

    for (int version = 1; version <= 2; version++) {
        lt_request rest = {.method = "GET", .path = path, .query = query};
        h = lt_call(version, &rest);
        assert_int_equal(h.reply.status, 200);
        assert_int_equal(cJSON_GetArraySize(h.reply.json), 1);
        char buf[256];
        assert_null(header(&h, "Link", buf, sizeof buf));
        lt_http_free(&h);
    }
}

static void test_cancel_with_a_stale_etag_is_412_and_ship_deliver_are_204(void **state)
{
    (void)state;
    int64_t id = create(2, 3106, NULL);
    char path[96];
    e2e_path(path, sizeof path, id, "/cancel");
    lt_request stale = {.method = "PUT", .path = path, .headers = {"If-Match: \"99\""}};
    lt_http h = lt_call(1, &stale);
    e2e_assert_problem(&h.reply, 412, "Precondition failed");
    lt_http_free(&h);

    e2e_path(path, sizeof path, id, "/ship");
    lt_request ship = {.method = "PUT", .path = path};
    h = lt_call(2, &ship);
    assert_int_equal(h.reply.status, 204);
    assert_int_equal(h.reply.body_len, 0);
    lt_http_free(&h);
    e2e_path(path, sizeof path, id, "/deliver");
    lt_request deliver = {.method = "PUT", .path = path};
    h = lt_call(1, &deliver);
    assert_int_equal(h.reply.status, 204);
    lt_http_free(&h);

    e2e_path(path, sizeof path, id, "/cancel");
    lt_request cancel = {.method = "PUT", .path = path};
    h = lt_call(2, &cancel);
    e2e_assert_problem(&h.reply, 409, "Invalid status transition");
    char buf[128];
    assert_string_equal(header(&h, "Content-Type", buf, sizeof buf), "application/problem+json");
    lt_http_free(&h);
}

static void test_guest_draft_is_filled_and_checked_out(void **state)
{
    (void)state;
    lt_request draft = {.method = "POST", .path = "/api/v1/orders/drafts",
                        .body = "{\"guestToken\":\"lambdaGuestT0ken9Xy7Qw3Rz\"}"};
    lt_http h = lt_call(1, &draft);
    assert_int_equal(h.reply.status, 201);
    assert_string_equal(e2e_str(h.reply.json, "status"), "DRAFT");
    int64_t id = e2e_int(h.reply.json, "orderId");
    lt_http_free(&h);

    char path[96];
    e2e_path(path, sizeof path, id, "/items");
    lt_request line = {.method = "PUT", .path = path,
                       .body = "{\"productId\":2,\"quantity\":3,\"guestToken\":\"lambdaGuestT0ken9Xy7Qw3Rz\"}"};
    h = lt_call(2, &line);
    assert_int_equal(h.reply.status, 200);
    lt_http_free(&h);

    e2e_path(path, sizeof path, id, "/checkout");
    lt_request checkout = {.method = "POST", .path = path,
                           .body = "{\"guestToken\":\"lambdaGuestT0ken9Xy7Qw3Rz\",\"deliveryAddress\":\"9 Guest Rd\"}"};
    h = lt_call(1, &checkout);
    assert_int_equal(h.reply.status, 201);
    assert_string_equal(e2e_str(h.reply.json, "status"), "CONFIRMED");
    lt_http_free(&h);
}

static void test_same_idempotency_key_replays_and_a_new_body_is_422(void **state)
{
    (void)state;
    char *body = order_body(3107);
    lt_request req = {.method = "POST", .path = "/api/v1/orders", .body = body,
                      .headers = {"Idempotency-Key: lambda-replay-1"}};
    lt_http first = lt_call(2, &req);
    assert_int_equal(first.reply.status, 201);
    lt_http again = lt_call(1, &req);
    assert_int_equal(again.reply.status, 201);
    char buf[64];
    assert_string_equal(header(&again, "Idempotent-Replayed", buf, sizeof buf), "true");
    assert_string_equal(again.reply.body, first.reply.body);
    lt_http_free(&first);
    lt_http_free(&again);
    free(body);

    body = e2e_order_body(3107, "[{\"productId\":3,\"quantity\":1}]");
    req.body = body;
    lt_http other = lt_call(2, &req);
    e2e_assert_problem(&other.reply, 422, "Idempotency key reused with a different request");
    lt_http_free(&other);
    free(body);
}

static void test_inventory_down_is_503_with_retry_after(void **state)
{
    (void)state;
    e2e_fault("inventory", "error");
    char *body = order_body(3108);
    lt_request req = {.method = "POST", .path = "/api/v1/orders", .body = body};
    lt_http h = lt_call(1, &req);
    free(body);
    e2e_assert_problem(&h.reply, 503, "Inventory service unavailable");
    char buf[64];
    assert_string_equal(header(&h, "Retry-After", buf, sizeof buf), "5");
    assert_true(e2e_int(h.reply.json, "orderId") > 0);
    lt_http_free(&h);
    e2e_sim_reset();
}

static void test_claims_customer_sees_only_its_own_orders(void **state)
{
    (void)state;
    int64_t id = create(1, 3110, "{\"sub\":\"3110\"}");
    char path[96];
    e2e_path(path, sizeof path, id, "");
    lt_request own = {.method = "GET", .path = path, .claims = "{\"sub\":\"3110\"}"};
    lt_http h = lt_call(1, &own);
    assert_int_equal(h.reply.status, 200);
    lt_http_free(&h);

    /* Another customer: 404 (no existence leak), 403 for the list and for
     * a body naming someone else. */
    for (int version = 1; version <= 2; version++) {
        lt_request other = {.method = "GET", .path = path, .claims = "{\"sub\":3111}"};
        h = lt_call(version, &other);
        e2e_assert_problem(&h.reply, 404, "Order not found");
        lt_http_free(&h);
    }
    lt_request list = {.method = "GET", .path = "/api/v1/orders/customer/3110",
                       .claims = "{\"sub\":\"3111\"}"};
    h = lt_call(2, &list);
    assert_int_equal(h.reply.status, 403);
    lt_http_free(&h);
    char *body = order_body(3112);
    lt_request mismatch = {.method = "POST", .path = "/api/v1/orders", .body = body,
                           .claims = "{\"sub\":\"3110\"}"};
    h = lt_call(1, &mismatch);
    assert_int_equal(h.reply.status, 403);
    lt_http_free(&h);
    free(body);
}

static void test_admin_by_scope_or_cognito_group_and_customer_refused(void **state)
{
    (void)state;
    int64_t id = create(2, 3120, "{\"sub\":\"3120\"}");
    char path[96];
    e2e_path(path, sizeof path, id, "/ship");
    lt_request customer = {.method = "PUT", .path = path, .claims = "{\"sub\":\"3120\"}"};
    lt_http h = lt_call(2, &customer);
    assert_int_equal(h.reply.status, 403);
    lt_http_free(&h);

    /* A machine's token: the admin scope, no customer. */
    lt_request machine = {.method = "PUT", .path = path, .claims = "{\"sub\":\"ops-bot\"}",
                          .scopes = "[\"orders:read\",\"orders:admin\"]"};
    h = lt_call(2, &machine);
    assert_int_equal(h.reply.status, 204);
    lt_http_free(&h);

    /* A Cognito user in the admin group reads anyone's order. */
    e2e_path(path, sizeof path, id, "");
    lt_request member = {.method = "GET", .path = path,
                         .claims = "{\"sub\":\"a1b2-c3\",\"cognito:groups\":\"readers,orders-admins\"}"};
    h = lt_call(1, &member);
    assert_int_equal(h.reply.status, 200);
    lt_http_free(&h);

    /* Verified, but neither a customer nor an admin. */
    lt_request nobody = {.method = "GET", .path = path,
                         .claims = "{\"sub\":\"a1b2-c3\",\"cognito:groups\":\"[readers]\"}"};
    h = lt_call(2, &nobody);
    e2e_assert_problem(&h.reply, 403, "Forbidden");
    lt_http_free(&h);
}

static void test_unknown_route_and_readiness(void **state)
{
    (void)state;
    lt_request nowhere = {.method = "GET", .path = "/api/v1/nowhere"};
    lt_http h = lt_call(2, &nowhere);
    e2e_assert_problem(&h.reply, 404, "Not found");
    lt_http_free(&h);
    lt_request ready = {.method = "GET", .path = "/health/ready"};
    h = lt_call(1, &ready);
    assert_int_equal(h.reply.status, 200);
    const cJSON *deps = cJSON_GetObjectItemCaseSensitive(h.reply.json, "dependencies");
    assert_string_equal(e2e_str(deps, "database"), "UP");
    lt_http_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_rest_api_event_creates_an_order_with_every_header, reset),
        cmocka_unit_test_setup(test_http_api_event_creates_an_order_and_answers_with_cookies, reset),
        cmocka_unit_test_setup(test_base64_body_is_decoded, reset),
        cmocka_unit_test_setup(test_get_has_an_etag_and_head_has_no_body, reset),
        cmocka_unit_test_setup(test_list_follows_next_links_in_both_payloads, reset),
        cmocka_unit_test_setup(test_cancel_with_a_stale_etag_is_412_and_ship_deliver_are_204, reset),
        cmocka_unit_test_setup(test_guest_draft_is_filled_and_checked_out, reset),
        cmocka_unit_test_setup(test_same_idempotency_key_replays_and_a_new_body_is_422, reset),
        cmocka_unit_test_setup(test_inventory_down_is_503_with_retry_after, reset),
        cmocka_unit_test_setup(test_claims_customer_sees_only_its_own_orders, reset),
        cmocka_unit_test_setup(test_admin_by_scope_or_cognito_group_and_customer_refused, reset),
        cmocka_unit_test_setup(test_unknown_route_and_readiness, reset),
    };
    return cmocka_run_group_tests(tests, lt_group_setup, lt_group_teardown);
}
