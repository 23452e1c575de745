/* Hostile input to the API function: JSON that cJSON takes but that is
 * ambiguous or would be silently altered, numbers a double cannot hold,
 * repeated headers, percent-encoded paths and HEAD. Every refusal is 400
 * in the problem shape and stores nothing. */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

/* An order body with @p extra spliced in as the member "extra". */
static char *order_with_extra(const char *extra)
{
    static const char head[] = "{\"customerId\":12345,\"items\":[{\"productId\":1,\"quantity\":1}],"
                                "\"deliveryAddress\":\"1 Main St\",\"extra\":";
    size_t n = strlen(head) + strlen(extra) + 2;
    char *body = malloc(n);
    assert_non_null(body);
    snprintf(body, n, "%s%s}", head, extra);
    return body;
}

/* "[[...]]" nested @p depth deep. */
static char *nested_arrays(size_t depth)
{
    char *text = malloc(2 * depth + 1);
    assert_non_null(text);
    memset(text, '[', depth);
    memset(text + depth, ']', depth);
    text[2 * depth] = '\0';
    return text;
}

static void test_body_nested_too_deeply_is_400(void **state)
{
    rx *x = *state;
    /* The top object is one level: 31 arrays inside it reach the limit. */
    char *arrays = nested_arrays(31);
    char *body = order_with_extra(arrays);
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, body, NULL);
    assert_int_equal(res.status, 201);
    ord_rest_response_free(&res);
    free(body);
    free(arrays);
    arrays = nested_arrays(32);
    body = order_with_extra(arrays);
    res = rx_send(x, "POST", "/api/v1/orders", NULL, body, NULL);
    rx_assert_problem(&res, 400, "Malformed JSON");
    assert_non_null(strstr(res.body, "nested too deeply"));
    ord_rest_response_free(&res);
    free(body);
    free(arrays);
    assert_int_equal(ord_memory_store_order_count(x->store), 1);
}

static void test_nul_in_a_string_is_400_not_a_shorter_string(void **state)
{
    rx *x = *state;
    const char *bodies[] = {
        "{\"customerId\":12345,\"items\":[{\"productId\":1,\"quantity\":1}],"
        "\"deliveryAddress\":\"1 Main St\\u0000; DROP\"}",
        /* In a name, the NUL would make "deliveryAddress\u0000x" count as
         * "deliveryAddress". */
        "{\"customerId\":12345,\"items\":[{\"productId\":1,\"quantity\":1}],"
        "\"deliveryAddress\\u0000x\":\"1 Main St\"}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, bodies[i], NULL);
        rx_assert_problem(&res, 400, "Malformed JSON");
        ord_rest_response_free(&res);
    }
    assert_int_equal(ord_memory_store_order_count(x->store), 0);

    /* An escaped backslash before "u0000" is ordinary text. */
    const char *text = "{\"customerId\":12345,\"items\":[{\"productId\":1,\"quantity\":1}],"
                       "\"deliveryAddress\":\"C:\\\\u0000\"}";
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, text, NULL);
    assert_int_equal(res.status, 201);
    cJSON *json = rx_json(&res);
    assert_string_equal(rx_str(json, "deliveryAddress"), "C:\\u0000");
    cJSON_Delete(json);
    ord_rest_response_free(&res);
}

static void test_raw_control_character_in_a_string_is_400(void **state)
{
    rx *x = *state;
    static const char body[] = "{\"customerId\":12345,\"items\":[{\"productId\":1,\"quantity\":1}],"
                               "\"deliveryAddress\":\"1 Main St\0 and more\"}";
    ord_rest_header type = {"Content-Type", "application/json"};
    ord_rest_request req;
    memset(&req, 0, sizeof req);
    req.method = "POST";
    req.path = "/api/v1/orders";
    req.headers = &type;
    req.header_count = 1;
    req.body = body;
    req.body_len = sizeof body - 1; /* the NUL byte is inside */
    ord_rest_response res;
    assert_int_equal(ord_rest_api_handle(x->api, &req, &res), ORD_OK);
    rx_assert_problem(&res, 400, "Malformed JSON");
    ord_rest_response_free(&res);
    const char *newline = "{\"customerId\":12345,\"items\":[{\"productId\":1,\"quantity\":1}],"
                          "\"deliveryAddress\":\"line one\nline two\"}";
    res = rx_send(x, "POST", "/api/v1/orders", NULL, newline, NULL);
    rx_assert_problem(&res, 400, "Malformed JSON");
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 0);
}

static void test_member_named_twice_is_400(void **state)
{
    rx *x = *state;
    const char *bodies[] = {
        "{\"customerId\":4242,\"customerId\":12345,\"items\":[{\"productId\":1,\"quantity\":1}],"
        "\"deliveryAddress\":\"1 Main St\"}",
        "{\"customerId\":12345,\"items\":[{\"productId\":1,\"quantity\":1,\"quantity\":9}],"
        "\"deliveryAddress\":\"1 Main St\"}",
    };
    for (size_t i = 0; i < sizeof bodies / sizeof bodies[0]; i++) {
        ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, bodies[i], NULL);
        rx_assert_problem(&res, 400, "Malformed JSON");
        assert_non_null(strstr(res.body, "names a member twice"));
        ord_rest_response_free(&res);
    }
    ord_rest_response res =
        rx_send(x, "POST", "/api/v1/orders/drafts", NULL, "{\"guestToken\":\"a\",\"guestToken\":\"b\"}", NULL);
    rx_assert_problem(&res, 400, "Malformed JSON");
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 0);
}

static void test_integer_a_double_cannot_hold_is_a_field_error(void **state)
{
    rx *x = *state;
    /* 2^53 + 1 parses as 2^53: the order would name another customer. */
    const char *numbers[] = {"9007199254740993", "9007199254740992", "1e300"};
    char body[256];
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        snprintf(body, sizeof body,
                 "{\"customerId\":%s,\"items\":[{\"productId\":1,\"quantity\":1}],"
                 "\"deliveryAddress\":\"1 Main St\"}",
                 numbers[i]);
        ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, body, NULL);
        rx_assert_problem(&res, 400, "Validation failed");
        assert_non_null(strstr(res.body, "{\"field\":\"customerId\",\"message\":\"must be an integer\"}"));
        ord_rest_response_free(&res);
    }
    assert_int_equal(ord_memory_store_order_count(x->store), 0);
    snprintf(body, sizeof body,
             "{\"customerId\":9007199254740991,\"items\":[{\"productId\":1,\"quantity\":1}],"
             "\"deliveryAddress\":\"1 Main St\"}");
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, body, NULL);
    assert_int_equal(res.status, 201);
    assert_non_null(strstr(res.body, "\"customerId\":9007199254740991,"));
    ord_rest_response_free(&res);
}

static void test_item_that_is_not_an_object_is_reported_once(void **state)
{
    rx *x = *state;
    const char *body = "{\"customerId\":12345,\"items\":[7,{\"productId\":1,\"quantity\":1}],"
                       "\"deliveryAddress\":\"1 Main St\"}";
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, body, NULL);
    rx_assert_problem(&res, 400, "Validation failed");
    cJSON *json = rx_json(&res);
    const cJSON *fields = cJSON_GetObjectItem(json, "fields");
    assert_int_equal(cJSON_GetArraySize(fields), 1);
    assert_string_equal(rx_str(cJSON_GetArrayItem(fields, 0), "field"), "items[0]");
    assert_string_equal(rx_str(json, "detail"), "items[0] must be an object");
    cJSON_Delete(json);
    ord_rest_response_free(&res);
}

static void test_two_idempotency_keys_are_400(void **state)
{
    rx *x = *state;
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key",
                                    "first", "idempotency-key", "second", NULL);
    rx_assert_problem(&res, 400, "Invalid Idempotency-Key");
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 0);
    /* Nothing was stored under either key. */
    res = rx_send(x, "POST", "/api/v1/orders", NULL, RX_ORDER_BODY, "Idempotency-Key", "first", NULL);
    assert_int_equal(res.status, 201);
    assert_null(ord_rest_response_header(&res, "Idempotent-Replayed"));
    ord_rest_response_free(&res);
}

static void test_path_segments_are_percent_decoded_one_by_one(void **state)
{
    rx *x = *state;
    int64_t id = rx_place(x);
    assert_int_equal(id, 1);
    /* %31 is "1", and %6F an "o" of a literal segment. */
    ord_rest_response res = rx_send(x, "GET", "/api/v1/%6Frders/%31", NULL, NULL, NULL);
    assert_int_equal(res.status, 200);
    assert_string_equal(res.route, "/api/v1/orders/{id}");
    ord_rest_response_free(&res);
    /* An escaped '/' stays inside its segment; %00 and broken escapes
     * match nothing. */
    const char *missing[] = {"/api/v1/orders/1%2Fcancel", "/api/v1/orders/1%00", "/api/v1/orders/%3",
                             "/api/v1/orders/%zz"};
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++) {
        res = rx_send(x, "GET", missing[i], NULL, NULL, NULL);
        assert_int_equal(res.status, 404);
        ord_rest_response_free(&res);
    }
    res = rx_send(x, "PUT", "/api/v1/orders/1/cancel%00", NULL, NULL, NULL);
    rx_assert_problem(&res, 404, "Not found");
    ord_rest_response_free(&res);
    res = rx_send(x, "GET", "/api/v1/orders/1", NULL, NULL, NULL);
    cJSON *json = rx_json(&res);
    assert_string_equal(rx_str(json, "status"), "CONFIRMED");
    cJSON_Delete(json);
    ord_rest_response_free(&res);
}

static void test_head_is_answered_as_get(void **state)
{
    rx *x = *state;
    int64_t id = rx_place(x);
    char path[96];
    ord_rest_response get = rx_send(x, "GET", rx_path(path, id, ""), NULL, NULL, NULL);
    ord_rest_response head = rx_send(x, "HEAD", rx_path(path, id, ""), NULL, NULL, NULL);
    assert_int_equal(head.status, 200);
    assert_string_equal(head.route, "/api/v1/orders/{id}");
    rx_assert_header(&head, "ETag", ord_rest_response_header(&get, "ETag"));
    rx_assert_header(&head, "Content-Type", "application/json");
    /* The body says how long GET's is; the transport does not send it. */
    assert_int_equal(head.body_len, get.body_len);
    ord_rest_response_free(&get);
    ord_rest_response_free(&head);
    head = rx_send(x, "HEAD", "/health/live", NULL, NULL, NULL);
    assert_int_equal(head.status, 200);
    ord_rest_response_free(&head);
    head = rx_send(x, "HEAD", "/api/v1/orders", NULL, NULL, NULL);
    rx_assert_problem(&head, 405, "Method not allowed");
    rx_assert_header(&head, "Allow", "POST");
    ord_rest_response_free(&head);
}

#define T(name) cmocka_unit_test_setup_teardown(name, rx_setup, rx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_body_nested_too_deeply_is_400),
        T(test_nul_in_a_string_is_400_not_a_shorter_string),
        T(test_raw_control_character_in_a_string_is_400),
        T(test_member_named_twice_is_400),
        T(test_integer_a_double_cannot_hold_is_a_field_error),
        T(test_item_that_is_not_an_object_is_reported_once),
        T(test_two_idempotency_keys_are_400),
        T(test_path_segments_are_percent_decoded_one_by_one),
        T(test_head_is_answered_as_get),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
