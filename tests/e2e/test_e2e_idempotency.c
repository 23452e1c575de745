/* End to end: Idempotency-Key on create — replay, a different body, a
 * request still in flight, a retry after 503 that resumes the same order,
 * invalid keys, and refused requests that leave the key free. */
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

static int orders_of(int64_t customer)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/orders/customer/%lld?limit=100", (long long)customer);
    e2e_reply r = e2e_call("GET", path, NULL, NULL);
    assert_int_equal(r.status, 200);
    int n = cJSON_GetArraySize(r.json);
    e2e_reply_free(&r);
    return n;
}

static e2e_reply post_with_key(int64_t customer, const char *items, const char *key)
{
    char *body = e2e_order_body(customer, items);
    char header[400];
    snprintf(header, sizeof header, "Idempotency-Key: %s", key);
    e2e_reply r = e2e_call("POST", "/api/v1/orders", body, header, NULL);
    free(body);
    return r;
}

static void test_same_key_and_body_replays_the_stored_answer_without_a_second_order(void **state)
{
    (void)state;
    e2e_reply first = post_with_key(2001, ITEMS, "e2e-replay-1");
    assert_int_equal(first.status, 201);
    char buf[128];
    assert_null(e2e_header(&first, "Idempotent-Replayed", buf, sizeof buf));
    int64_t id = e2e_int(first.json, "orderId");

    e2e_reply again = post_with_key(2001, ITEMS, "e2e-replay-1");
    assert_int_equal(again.status, 201);
    assert_string_equal(e2e_header(&again, "Idempotent-Replayed", buf, sizeof buf), "true");
    assert_string_equal(again.body, first.body);
    char location[96];
    snprintf(location, sizeof location, "/api/v1/orders/%lld", (long long)id);
    assert_string_equal(e2e_header(&again, "Location", buf, sizeof buf), location);
    e2e_reply_free(&first);
    e2e_reply_free(&again);

    assert_int_equal(orders_of(2001), 1);
    assert_int_equal(e2e_sim_reservation_count(id), 1);
    int64_t available, reserved, committed;
    e2e_sim_stock(1, &available, &reserved, &committed);
    assert_int_equal(reserved, 2);
}

static void test_same_key_with_a_different_body_is_422(void **state)
{
    (void)state;
    e2e_reply first = post_with_key(2002, ITEMS, "e2e-mismatch-1");
    assert_int_equal(first.status, 201);
    e2e_reply_free(&first);
    e2e_reply other = post_with_key(2002, "[{\"productId\":1,\"quantity\":3}]", "e2e-mismatch-1");
    e2e_assert_problem(&other, 422, "Idempotency key reused with a different request");
    e2e_reply_free(&other);
    assert_int_equal(orders_of(2002), 1);
}

static void test_same_key_while_the_first_is_in_flight_is_409(void **state)
{
    (void)state;
    /* Inventory answers after a second, so the first request holds the key
     * while the second arrives. */
    e2e_fault_json("{\"service\":\"inventory\",\"mode\":\"slow\",\"latencyMs\":1000}");
    char *body = e2e_order_body(2003, ITEMS);
    e2e_job jobs[2];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < 2; i++) {
        jobs[i].method = "POST";
        strcpy(jobs[i].path, "/api/v1/orders");
        jobs[i].body = body;
        jobs[i].headers[0] = "Idempotency-Key: e2e-concurrent-1";
    }
    e2e_parallel(jobs, 2);
    e2e_fault("all", "ok");
    free(body);
    int created = 0, in_progress = 0;
    for (int i = 0; i < 2; i++) {
        if (jobs[i].reply.status == 201) {
            created++;
        } else {
            e2e_assert_problem(&jobs[i].reply, 409, "Request with this idempotency key is in progress");
            in_progress++;
        }
        e2e_reply_free(&jobs[i].reply);
    }
    assert_int_equal(created, 1);
    assert_int_equal(in_progress, 1);
    assert_int_equal(orders_of(2003), 1);
}

static void test_many_concurrent_requests_with_one_key_make_one_order(void **state)
{
    (void)state;
    e2e_fault_json("{\"service\":\"inventory\",\"mode\":\"slow\",\"latencyMs\":300}");
    char *body = e2e_order_body(2004, ITEMS);
    e2e_job jobs[8];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < 8; i++) {
        jobs[i].method = "POST";
        strcpy(jobs[i].path, "/api/v1/orders");
        jobs[i].body = body;
        jobs[i].headers[0] = "Idempotency-Key: e2e-concurrent-8";
    }
    e2e_parallel(jobs, 8);
    e2e_fault("all", "ok");
    free(body);
    int64_t id = 0;
    for (int i = 0; i < 8; i++) {
        long s = jobs[i].reply.status;
        if (s != 201 && s != 409)
            fail_msg("unexpected %ld: %s", s, jobs[i].reply.body);
        if (s == 201) {
            int64_t got = e2e_int(jobs[i].reply.json, "orderId");
            assert_true(id == 0 || id == got);
            id = got;
        }
        e2e_reply_free(&jobs[i].reply);
    }
    assert_true(id > 0);
    assert_int_equal(orders_of(2004), 1);
    assert_int_equal(e2e_sim_reservation_count(id), 1);
}

static void test_retry_after_503_resumes_the_same_order(void **state)
{
    (void)state;
    e2e_fault("inventory", "error");
    e2e_reply first = post_with_key(2005, ITEMS, "e2e-resume-1");
    e2e_fault("all", "ok");
    e2e_assert_problem(&first, 503, "Inventory service unavailable");
    int64_t id = e2e_int(first.json, "orderId");
    char buf[64];
    assert_non_null(e2e_header(&first, "Retry-After", buf, sizeof buf));
    e2e_reply_free(&first);

    e2e_reply retry = post_with_key(2005, ITEMS, "e2e-resume-1");
    assert_int_equal(retry.status, 201);
    assert_int_equal(e2e_int(retry.json, "orderId"), id);
    assert_string_equal(e2e_str(retry.json, "status"), "CONFIRMED");
    e2e_reply_free(&retry);

    e2e_reply replay = post_with_key(2005, ITEMS, "e2e-resume-1");
    assert_int_equal(replay.status, 201);
    assert_int_equal(e2e_int(replay.json, "orderId"), id);
    e2e_reply_free(&replay);

    assert_int_equal(orders_of(2005), 1);
    assert_int_equal(e2e_sim_reservation_count(id), 1);
    int64_t available, reserved, committed;
    e2e_sim_stock(1, &available, &reserved, &committed);
    assert_int_equal(reserved, 2);
}

static void test_empty_long_or_unprintable_keys_are_400(void **state)
{
    (void)state;
    char *body = e2e_order_body(2006, ITEMS);
    char long_key[300] = "Idempotency-Key: ";
    memset(long_key + strlen(long_key), 'k', 256);
    long_key[17 + 256] = '\0';
    /* curl sends "Name;" as an empty header. */
    const char *headers[] = {"Idempotency-Key;", long_key, "Idempotency-Key: caf\xc3\xa9",
                             "Idempotency-Key: a\x01z"};
    for (size_t i = 0; i < sizeof headers / sizeof headers[0]; i++) {
        e2e_reply r = e2e_call("POST", "/api/v1/orders", body, headers[i], NULL);
        if (r.status != 400)
            fail_msg("key #%zu: %ld %s", i, r.status, r.body);
        assert_int_equal(e2e_int(r.json, "status"), 400);
        e2e_reply_free(&r);
    }
    free(body);
    assert_int_equal(orders_of(2006), 0);

    char max_key[300] = "Idempotency-Key: ";
    memset(max_key + strlen(max_key), 'k', 255);
    max_key[17 + 255] = '\0';
    body = e2e_order_body(2006, ITEMS);
    e2e_reply r = e2e_call("POST", "/api/v1/orders", body, max_key, NULL);
    free(body);
    assert_int_equal(r.status, 201);
    e2e_reply_free(&r);
}

static void test_refused_request_leaves_the_key_free_for_the_fixed_one(void **state)
{
    (void)state;
    e2e_reply bad = post_with_key(2007, "[{\"productId\":1,\"quantity\":0}]", "e2e-fix-1");
    e2e_assert_problem(&bad, 400, "Validation failed");
    e2e_reply_free(&bad);
    e2e_reply fixed = post_with_key(2007, ITEMS, "e2e-fix-1");
    assert_int_equal(fixed.status, 201);
    e2e_reply_free(&fixed);
    assert_int_equal(orders_of(2007), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_same_key_and_body_replays_the_stored_answer_without_a_second_order, reset),
        cmocka_unit_test_setup(test_same_key_with_a_different_body_is_422, reset),
        cmocka_unit_test_setup(test_same_key_while_the_first_is_in_flight_is_409, reset),
        cmocka_unit_test_setup(test_many_concurrent_requests_with_one_key_make_one_order, reset),
        cmocka_unit_test_setup(test_retry_after_503_resumes_the_same_order, reset),
        cmocka_unit_test_setup(test_empty_long_or_unprintable_keys_are_400, reset),
        cmocka_unit_test_setup(test_refused_request_leaves_the_key_free_for_the_fixed_one, reset),
    };
    return cmocka_run_group_tests(tests, e2e_group_setup, e2e_group_teardown);
}
