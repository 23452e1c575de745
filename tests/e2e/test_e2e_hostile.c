/* End to end: hostile requests to the real order server are refused in the
 * problem shape, change nothing (no order, no reservation) and leave the
 * server running. */
#include "e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HOSTILE_CUSTOMER 9100

static int reset(void **state)
{
    (void)state;
    e2e_sim_reset();
    return 0;
}

/* The customer's orders and the simulator's reservations: both empty. */
static void assert_nothing_stored(void)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/orders/customer/%d", HOSTILE_CUSTOMER);
    e2e_reply list = e2e_call("GET", path, NULL, NULL);
    assert_int_equal(list.status, 200);
    assert_int_equal(cJSON_GetArraySize(list.json), 0);
    e2e_reply_free(&list);
    cJSON *state = e2e_sim_state();
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(state, "reservations")), 0);
    cJSON_Delete(state);
}

static void assert_server_lives(void)
{
    e2e_reply live = e2e_call("GET", "/health/live", NULL, NULL);
    assert_int_equal(live.status, 200);
    e2e_reply_free(&live);
}

static void test_deeply_nested_body_is_400_and_the_server_lives(void **state)
{
    (void)state;
    /* 2 KB of brackets once overflowed a worker thread's stack in cJSON. */
    size_t depth = 1000;
    char *body = malloc(2 * depth + 128);
    assert_non_null(body);
    int n = snprintf(body, 128, "{\"customerId\":%d,\"extra\":", HOSTILE_CUSTOMER);
    memset(body + n, '[', depth);
    memset(body + n + depth, ']', depth);
    strcpy(body + n + 2 * depth, "}");
    e2e_reply r = e2e_call("POST", "/api/v1/orders", body, NULL);
    free(body);
    e2e_assert_problem(&r, 400, "Malformed JSON");
    e2e_reply_free(&r);
    assert_server_lives();
    assert_nothing_stored();
}

static void test_ambiguous_json_is_400_and_stores_nothing(void **state)
{
    (void)state;
    const char *items = "\"items\":[{\"productId\":1,\"quantity\":1}]";
    char bodies[4][256];
    /* A NUL would end the address early; a name repeated, or one with a NUL
     * in it, leaves unclear which value counts. */
    snprintf(bodies[0], sizeof bodies[0],
             "{\"customerId\":%d,%s,\"deliveryAddress\":\"1 Main St\\u0000 and more\"}", HOSTILE_CUSTOMER,
             items);
    snprintf(bodies[1], sizeof bodies[1],
             "{\"customerId\":%d,%s,\"deliveryAddress\\u0000x\":\"1 Main St\"}", HOSTILE_CUSTOMER, items);
    snprintf(bodies[2], sizeof bodies[2],
             "{\"customerId\":%d,\"customerId\":1,%s,\"deliveryAddress\":\"1 Main St\"}", HOSTILE_CUSTOMER,
             items);
    /* 2^53 + 1 would be read as 2^53. */
    snprintf(bodies[3], sizeof bodies[3],
             "{\"customerId\":9007199254740993,%s,\"deliveryAddress\":\"1 Main St\"}", items);
    const char *errors[] = {"Malformed JSON", "Malformed JSON", "Malformed JSON", "Validation failed"};
    for (size_t i = 0; i < 4; i++) {
        e2e_reply r = e2e_call("POST", "/api/v1/orders", bodies[i], NULL);
        e2e_assert_problem(&r, 400, errors[i]);
        e2e_reply_free(&r);
    }
    assert_nothing_stored();
}

static void test_escaped_nul_or_slash_in_the_path_changes_nothing(void **state)
{
    (void)state;
    int64_t id = e2e_place(HOSTILE_CUSTOMER + 1, "[{\"productId\":1,\"quantity\":1}]");
    char path[128];
    /* Decoded whole, each of these would have cancelled the order. */
    snprintf(path, sizeof path, "/api/v1/orders/%lld/cancel%%00x", (long long)id);
    e2e_reply r = e2e_call("PUT", path, NULL, NULL);
    e2e_assert_problem(&r, 404, "Not found");
    e2e_reply_free(&r);
    snprintf(path, sizeof path, "/api/v1/orders/%lld%%2Fcancel", (long long)id);
    r = e2e_call("PUT", path, NULL, NULL);
    e2e_assert_problem(&r, 405, "Method not allowed");
    e2e_reply_free(&r);
    char status[32];
    assert_string_equal(e2e_status(id, status, sizeof status), "CONFIRMED");
    char buf[32];
    assert_string_equal(e2e_sim_reservation(id, buf, sizeof buf), "RESERVED");
}

static void test_head_answers_like_get_without_a_body(void **state)
{
    (void)state;
    int64_t id = e2e_place(HOSTILE_CUSTOMER + 2, "[{\"productId\":1,\"quantity\":1}]");
    char path[96];
    e2e_path(path, sizeof path, id, "");
    e2e_reply got = e2e_call("GET", path, NULL, NULL);
    e2e_reply head = e2e_call("HEAD", path, NULL, NULL);
    assert_int_equal(head.status, 200);
    assert_int_equal(head.body_len, 0);
    char a[64];
    char b[64];
    assert_string_equal(e2e_header(&head, "ETag", a, sizeof a), e2e_header(&got, "ETag", b, sizeof b));
    char length[32];
    snprintf(length, sizeof length, "%zu", got.body_len);
    assert_string_equal(e2e_header(&head, "Content-Length", a, sizeof a), length);
    e2e_reply_free(&got);
    e2e_reply_free(&head);
    assert_server_lives();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_deeply_nested_body_is_400_and_the_server_lives, reset),
        cmocka_unit_test_setup(test_ambiguous_json_is_400_and_stores_nothing, reset),
        cmocka_unit_test_setup(test_escaped_nul_or_slash_in_the_path_changes_nothing, reset),
        cmocka_unit_test_setup(test_head_answers_like_get_without_a_body, reset),
    };
    return cmocka_run_group_tests(tests, e2e_group_setup, e2e_group_teardown);
}
