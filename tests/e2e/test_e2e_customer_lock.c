/* End to end with --serialize-customer-creates: of concurrent creates of
 * one customer (on different connections of the real server and one
 * PostgreSQL) one is placed and the others get 409 with Retry-After and
 * leave nothing behind; other customers are not held up. */
#include "e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RACERS 4

static int reset(void **state)
{
    (void)state;
    e2e_sim_reset();
    return 0;
}

/* Slow prices keep the first create inside its lock while the others come. */
static void slow_catalog(void)
{
    e2e_fault_json("{\"service\":\"catalog\",\"mode\":\"slow\",\"latencyMs\":500}");
}

static void test_concurrent_creates_of_one_customer_place_one_and_refuse_the_rest(void **state)
{
    (void)state;
    slow_catalog();
    char *body = e2e_order_body(6001, "[{\"productId\":2,\"quantity\":1}]");
    e2e_job jobs[RACERS];
    char keys[RACERS][48];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < RACERS; i++) {
        jobs[i].method = "POST";
        strcpy(jobs[i].path, "/api/v1/orders");
        jobs[i].body = body;
        snprintf(keys[i], sizeof keys[i], "Idempotency-Key: lock-e2e-%d", i);
        jobs[i].headers[0] = keys[i];
    }
    e2e_parallel(jobs, RACERS);
    int placed = 0, busy = -1, refused = 0;
    for (int i = 0; i < RACERS; i++) {
        if (jobs[i].reply.status == 201) {
            placed++;
        } else {
            e2e_assert_problem(&jobs[i].reply, 409,
                               "Another order of this customer is being placed");
            char buf[16];
            assert_non_null(e2e_header(&jobs[i].reply, "Retry-After", buf, sizeof buf));
            busy = i;
            refused++;
        }
        e2e_reply_free(&jobs[i].reply);
    }
    assert_int_equal(placed, 1);
    assert_int_equal(refused, RACERS - 1);
    int64_t available, reserved, committed;
    e2e_sim_stock(2, &available, &reserved, &committed);
    assert_int_equal(reserved, 1);

    /* A refused request's key was not used up: its retry is placed. */
    e2e_fault("all", "ok");
    char header[48];
    snprintf(header, sizeof header, "Idempotency-Key: lock-e2e-%d", busy);
    e2e_reply r = e2e_call("POST", "/api/v1/orders", body, header, NULL);
    assert_int_equal(r.status, 201);
    char buf[16];
    assert_null(e2e_header(&r, "Idempotent-Replayed", buf, sizeof buf));
    e2e_reply_free(&r);
    e2e_sim_stock(2, &available, &reserved, &committed);
    assert_int_equal(reserved, 2);
    free(body);
}

static void test_concurrent_creates_of_different_customers_are_all_placed(void **state)
{
    (void)state;
    slow_catalog();
    char *bodies[RACERS];
    e2e_job jobs[RACERS];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < RACERS; i++) {
        bodies[i] = e2e_order_body(6101 + i, "[{\"productId\":3,\"quantity\":1}]");
        jobs[i].method = "POST";
        strcpy(jobs[i].path, "/api/v1/orders");
        jobs[i].body = bodies[i];
    }
    e2e_parallel(jobs, RACERS);
    for (int i = 0; i < RACERS; i++) {
        if (jobs[i].reply.status != 201)
            fail_msg("customer %d: %ld %s", 6101 + i, jobs[i].reply.status, jobs[i].reply.body);
        e2e_reply_free(&jobs[i].reply);
        free(bodies[i]);
    }
    e2e_fault("all", "ok");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(
            test_concurrent_creates_of_one_customer_place_one_and_refuse_the_rest, reset),
        cmocka_unit_test_setup(test_concurrent_creates_of_different_customers_are_all_placed,
                               reset),
    };
    return cmocka_run_group_tests(tests, e2e_group_setup, e2e_group_teardown);
}
