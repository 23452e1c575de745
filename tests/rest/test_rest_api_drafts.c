/* Drafts and checkout through the API function: owner proof (401), state
 * (409/400), concurrent checkout (409) and idempotent checkout. */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t create_draft(rx *x, const char *body)
{
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders/drafts", NULL, body, NULL);
    if (res.status != 201)
        fail_msg("draft: %d %s", res.status, res.body);
    cJSON *json = rx_json(&res);
    int64_t id = rx_int(json, "orderId");
    assert_string_equal(rx_str(json, "status"), "DRAFT");
    char path[96];
    rx_assert_header(&res, "Location", rx_path(path, id, ""));
    assert_non_null(ord_rest_response_header(&res, "ETag"));
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    return id;
}

static void test_draft_lines_then_checkout_places_the_order(void **state)
{
    rx *x = *state;
    int64_t id = create_draft(x, "{\"customerId\":12345,\"items\":[{\"productId\":2,\"quantity\":1}]}");
    char path[96];
    ord_rest_response res = rx_send(x, "PUT", rx_path(path, id, "/items"), NULL,
                                    "{\"productId\":3,\"quantity\":2,\"customerId\":12345}", NULL);
    assert_int_equal(res.status, 200);
    cJSON *json = rx_json(&res);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(json, "items")), 2);
    cJSON_Delete(json);
    ord_rest_response_free(&res);
    res = rx_send(x, "PUT", rx_path(path, id, "/items"), NULL,
                  "{\"productId\":2,\"quantity\":0,\"customerId\":12345}", NULL);
    assert_int_equal(res.status, 200);
    json = rx_json(&res);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(json, "items")), 1);
    cJSON_Delete(json);
    ord_rest_response_free(&res);

    res = rx_send(x, "POST", rx_path(path, id, "/checkout"), NULL,
                  "{\"customerId\":12345,\"deliveryAddress\":\"1 Road\",\"customerName\":\"Ada\"}",
                  NULL);
    assert_int_equal(res.status, 201);
    json = rx_json(&res);
    assert_int_equal(rx_int(json, "orderId"), id);
    assert_string_equal(rx_str(json, "status"), "CONFIRMED");
    assert_non_null(strstr(res.body, "\"totalPrice\":0.4"));
    cJSON_Delete(json);
    rx_assert_header(&res, "Location", rx_path(path, id, ""));
    ord_rest_response_free(&res);
}

static void test_guest_draft_is_proven_by_its_token(void **state)
{
    rx *x = *state;
    int64_t id = create_draft(x, "{\"guestToken\":\"Zq3xV9pL2mT7wR4kY8nB1cD6\"}");
    char path[96];
    ord_rest_response res = rx_send(x, "PUT", rx_path(path, id, "/items"), NULL,
                                    "{\"productId\":1,\"quantity\":1,\"guestToken\":\"Zq3xV9pL2mT7wR4kY8nB1cD6\"}", NULL);
    assert_int_equal(res.status, 200);
    ord_rest_response_free(&res);
    res = rx_send(x, "PUT", rx_path(path, id, "/items"), NULL,
                  "{\"productId\":1,\"quantity\":1,\"guestToken\":\"Yq3xV9pL2mT7wR4kY8nB1cD6\"}", NULL);
    rx_assert_problem(&res, 401, "Unauthorized");
    rx_assert_problem_type(&res, "draft-owner-mismatch");
    ord_rest_response_free(&res);
    res = rx_send(x, "POST", rx_path(path, id, "/checkout"), NULL,
                  "{\"guestToken\":\"Yq3xV9pL2mT7wR4kY8nB1cD6\",\"deliveryAddress\":\"1 Road\"}", NULL);
    rx_assert_problem(&res, 401, "Unauthorized");
    rx_assert_problem_type(&res, "draft-owner-mismatch");
    ord_rest_response_free(&res);
    res = rx_send(x, "POST", rx_path(path, id, "/checkout"), NULL,
                  "{\"guestToken\":\"Zq3xV9pL2mT7wR4kY8nB1cD6\",\"deliveryAddress\":\"1 Road\"}", NULL);
    assert_int_equal(res.status, 201);
    ord_rest_response_free(&res);
}

static void test_draft_without_owner_gets_an_issued_guest_token(void **state)
{
    rx *x = *state;
    static const char *const bodies[] = {"{}", "{\"customerId\":null,\"guestToken\":null}"};
    for (size_t i = 0; i < 2; i++) {
        ord_rest_response res = rx_send(x, "POST", "/api/v1/orders/drafts", NULL, bodies[i], NULL);
        assert_int_equal(res.status, 201);
        rx_assert_header(&res, "Cache-Control", "no-store");
        cJSON *json = rx_json(&res);
        const char *token = rx_str(json, "guestToken");
        assert_int_equal(strlen(token), ORD_GUEST_TOKEN_SIZE - 1);
        int64_t id = rx_int(json, "orderId");
        char body[160];
        snprintf(body, sizeof body, "{\"productId\":1,\"quantity\":1,\"guestToken\":\"%s\"}", token);
        cJSON_Delete(json);
        ord_rest_response_free(&res);
        /* The token proves the guest; the draft never shows it again. */
        char path[96];
        res = rx_send(x, "PUT", rx_path(path, id, "/items"), NULL, body, NULL);
        assert_int_equal(res.status, 200);
        assert_null(strstr(res.body, "guestToken"));
        ord_rest_response_free(&res);
    }
    /* A blank or weak token of the client's is refused, not replaced. */
    ord_rest_response res = rx_send(x, "POST", "/api/v1/orders/drafts", NULL, "{\"guestToken\":\"  \"}", NULL);
    rx_assert_problem(&res, 400, "Validation failed");
    ord_rest_response_free(&res);
    res = rx_send(x, "POST", "/api/v1/orders/drafts", NULL, "{\"guestToken\":\"guest-abc\"}", NULL);
    rx_assert_problem(&res, 400, "Validation failed");
    assert_non_null(strstr(res.body, "128 bits"));
    ord_rest_response_free(&res);
    res = rx_send(x, "POST", "/api/v1/orders/drafts", NULL, "{\"customerId\":\"7\"}", NULL);
    rx_assert_problem(&res, 400, "Validation failed");
    ord_rest_response_free(&res);
    assert_int_equal(ord_memory_store_order_count(x->store), 2);
}

static void test_draft_line_validation_is_400_with_fields(void **state)
{
    rx *x = *state;
    int64_t id = create_draft(x, "{\"customerId\":12345}");
    char path[96];
    ord_rest_response res = rx_send(x, "PUT", rx_path(path, id, "/items"), NULL,
                                    "{\"customerId\":12345}", NULL);
    rx_assert_problem(&res, 400, "Validation failed");
    assert_non_null(strstr(res.body, "\"field\":\"productId\""));
    assert_non_null(strstr(res.body, "\"field\":\"quantity\""));
    ord_rest_response_free(&res);
    res = rx_send(x, "PUT", rx_path(path, id, "/items"), NULL,
                  "{\"productId\":1,\"quantity\":-1,\"customerId\":12345}", NULL);
    rx_assert_problem(&res, 400, "Validation failed");
    assert_non_null(strstr(res.body, "\"field\":\"quantity\""));
    ord_rest_response_free(&res);
}

static void test_changing_or_checking_out_a_placed_order_is_refused(void **state)
{
    rx *x = *state;
    int64_t id = create_draft(x, "{\"customerId\":12345,\"items\":[{\"productId\":2,\"quantity\":1}]}");
    char path[96];
    const char *checkout = "{\"customerId\":12345,\"deliveryAddress\":\"1 Road\"}";
    ord_rest_response res = rx_send(x, "POST", rx_path(path, id, "/checkout"), NULL, checkout, NULL);
    assert_int_equal(res.status, 201);
    ord_rest_response_free(&res);
    res = rx_send(x, "PUT", rx_path(path, id, "/items"), NULL,
                  "{\"productId\":1,\"quantity\":1,\"customerId\":12345}", NULL);
    rx_assert_problem(&res, 409, "Order is not in draft state");
    ord_rest_response_free(&res);
    res = rx_send(x, "POST", rx_path(path, id, "/checkout"), NULL, checkout, NULL);
    rx_assert_problem(&res, 400, "Order is not in draft state");
    ord_rest_response_free(&res);
}

static void test_checkout_losing_a_race_is_409(void **state)
{
    rx *x = *state;
    int64_t id = create_draft(x, "{\"customerId\":12345,\"items\":[{\"productId\":2,\"quantity\":1}]}");
    /* Every update loses to a concurrent change, as when another checkout
     * of the same draft wins. */
    ord_fault lost = {ORD_FAULT_BEFORE, ORD_ECONFLICT, 0, -1};
    ord_memory_store_inject(x->store, ORD_MEM_ORDER_UPDATE, &lost);
    char path[96];
    ord_rest_response res = rx_send(x, "POST", rx_path(path, id, "/checkout"), NULL,
                                    "{\"customerId\":12345,\"deliveryAddress\":\"1 Road\"}", NULL);
    rx_assert_problem(&res, 409, "Conflict");
    ord_rest_response_free(&res);
}

static void test_checkout_of_empty_or_unknown_draft(void **state)
{
    rx *x = *state;
    int64_t id = create_draft(x, "{\"customerId\":12345}");
    char path[96];
    const char *checkout = "{\"customerId\":12345,\"deliveryAddress\":\"1 Road\"}";
    ord_rest_response res = rx_send(x, "POST", rx_path(path, id, "/checkout"), NULL, checkout, NULL);
    rx_assert_problem(&res, 400, "Draft is empty");
    ord_rest_response_free(&res);
    res = rx_send(x, "POST", "/api/v1/orders/99999/checkout", NULL, checkout, NULL);
    rx_assert_problem(&res, 404, "Order not found");
    ord_rest_response_free(&res);
    res = rx_send(x, "POST", "/api/v1/orders/nope/checkout", NULL, checkout, NULL);
    rx_assert_problem(&res, 404, "Order not found");
    ord_rest_response_free(&res);
}

static void test_checkout_validation_is_400_with_fields(void **state)
{
    rx *x = *state;
    int64_t id = create_draft(x, "{\"customerId\":12345,\"items\":[{\"productId\":2,\"quantity\":1}]}");
    char path[96];
    ord_rest_response res = rx_send(x, "POST", rx_path(path, id, "/checkout"), NULL,
                                    "{\"customerId\":12345,\"deliveryAddress\":7,\"carrier\":\"\"}", NULL);
    rx_assert_problem(&res, 400, "Validation failed");
    assert_non_null(strstr(res.body, "\"field\":\"deliveryAddress\""));
    ord_rest_response_free(&res);
    res = rx_send(x, "POST", rx_path(path, id, "/checkout"), NULL, "{\"customerId\":12345}", NULL);
    rx_assert_problem(&res, 400, "Validation failed");
    assert_non_null(strstr(res.body, "\"field\":\"deliveryAddress\""));
    ord_rest_response_free(&res);
}

static void test_idempotent_checkout_replays(void **state)
{
    rx *x = *state;
    int64_t id = create_draft(x, "{\"customerId\":12345,\"items\":[{\"productId\":2,\"quantity\":1}]}");
    char path[96];
    const char *checkout = "{\"customerId\":12345,\"deliveryAddress\":\"1 Road\"}";
    ord_rest_response first = rx_send(x, "POST", rx_path(path, id, "/checkout"), NULL, checkout,
                                      "Idempotency-Key", "co-1", NULL);
    assert_int_equal(first.status, 201);
    ord_rest_response again = rx_send(x, "POST", rx_path(path, id, "/checkout"), NULL, checkout,
                                      "Idempotency-Key", "co-1", NULL);
    assert_int_equal(again.status, 201);
    rx_assert_header(&again, "Idempotent-Replayed", "true");
    assert_string_equal(again.body, first.body);
    ord_rest_response_free(&first);
    ord_rest_response_free(&again);
}

#define T(name) cmocka_unit_test_setup_teardown(name, rx_setup, rx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_draft_lines_then_checkout_places_the_order),
        T(test_guest_draft_is_proven_by_its_token),
        T(test_draft_without_owner_gets_an_issued_guest_token),
        T(test_draft_line_validation_is_400_with_fields),
        T(test_changing_or_checking_out_a_placed_order_is_refused),
        T(test_checkout_losing_a_race_is_409),
        T(test_checkout_of_empty_or_unknown_draft),
        T(test_checkout_validation_is_400_with_fields),
        T(test_idempotent_checkout_replays),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
