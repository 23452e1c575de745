/* End to end: concurrent requests on one order or one product. Cancel
 * against ship has exactly one winner and nothing half-done; repeated
 * cancels are all 204; stock is never sold twice. */
#include "e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reset(void **state)
{
    (void)state;
    e2e_sim_reset();
    return 0;
}

typedef struct reservation_wait {
    int64_t id;
    const char *status;
} reservation_wait;

static bool reservation_is(void *ctx)
{
    reservation_wait *w = ctx;
    char buf[32];
    const char *got = e2e_sim_reservation(w->id, buf, sizeof buf);
    return got != NULL && strcmp(got, w->status) == 0;
}

static void test_cancel_racing_ship_has_exactly_one_winner(void **state)
{
    (void)state;
    /* A little inventory latency widens the window in which both run. */
    e2e_fault_json("{\"service\":\"inventory\",\"mode\":\"slow\",\"latencyMs\":50}");
    int cancelled_wins = 0, shipped_wins = 0;
    for (int round = 0; round < 10; round++) {
        int64_t id = e2e_place(5001, "[{\"productId\":1,\"quantity\":1}]");
        e2e_job jobs[2];
        memset(jobs, 0, sizeof jobs);
        jobs[0].method = "PUT";
        e2e_path(jobs[0].path, sizeof jobs[0].path, id, "/cancel");
        jobs[1].method = "PUT";
        e2e_path(jobs[1].path, sizeof jobs[1].path, id, "/ship");
        e2e_parallel(jobs, 2);
        long cancel = jobs[0].reply.status, ship = jobs[1].reply.status;
        if (!((cancel == 204 && ship == 409) || (cancel == 409 && ship == 204)))
            fail_msg("round %d: cancel %ld %s, ship %ld %s", round, cancel, jobs[0].reply.body,
                     ship, jobs[1].reply.body);
        e2e_assert_problem(&jobs[cancel == 409 ? 0 : 1].reply, 409, "Invalid status transition");
        e2e_reply_free(&jobs[0].reply);
        e2e_reply_free(&jobs[1].reply);

        char buf[32];
        const char *status = e2e_status(id, buf, sizeof buf);
        reservation_wait w = {id, cancel == 204 ? "RELEASED" : "COMMITTED"};
        assert_string_equal(status, cancel == 204 ? "CANCELLED" : "SHIPPED");
        assert_true(e2e_wait(reservation_is, &w));
        cancel == 204 ? cancelled_wins++ : shipped_wins++;
    }
    e2e_fault("all", "ok");
    int64_t available, reserved, committed;
    e2e_sim_stock(1, &available, &reserved, &committed);
    assert_int_equal(reserved, 0);
    assert_int_equal(committed, shipped_wins);
    assert_int_equal(available + committed, 100);
    assert_int_equal(cancelled_wins + shipped_wins, 10);
}

static void test_concurrent_cancels_of_one_order_all_answer_204(void **state)
{
    (void)state;
    int64_t id = e2e_place(5002, "[{\"productId\":2,\"quantity\":3}]");
    e2e_job jobs[6];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < 6; i++) {
        jobs[i].method = "PUT";
        e2e_path(jobs[i].path, sizeof jobs[i].path, id, "/cancel");
    }
    e2e_parallel(jobs, 6);
    for (int i = 0; i < 6; i++) {
        if (jobs[i].reply.status != 204)
            fail_msg("cancel %d: %ld %s", i, jobs[i].reply.status, jobs[i].reply.body);
        e2e_reply_free(&jobs[i].reply);
    }
    char buf[32];
    assert_string_equal(e2e_status(id, buf, sizeof buf), "CANCELLED");
    int64_t available, reserved, committed;
    e2e_sim_stock(2, &available, &reserved, &committed);
    assert_int_equal(available, 100);
    assert_int_equal(reserved, 0);
    /* One CANCELLED transition in the history, not six. */
    cJSON *order = e2e_get_order(id);
    int cancels = 0;
    const cJSON *h;
    cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(order, "statusHistory"))
        if (strcmp(e2e_str(h, "to"), "CANCELLED") == 0)
            cancels++;
    assert_int_equal(cancels, 1);
    cJSON_Delete(order);
}

static void test_concurrent_orders_never_sell_more_than_the_stock(void **state)
{
    (void)state;
    static const char catalog[] = "{\"products\":[{\"productId\":1,\"name\":\"Keyboard\","
                                  "\"price\":99.99,\"currency\":\"USD\",\"available\":5}]}";
    e2e_reply r = e2e_vcall(e2e_sim_url(), "PUT", "/sim/catalog", catalog, strlen(catalog), NULL, 0);
    assert_int_equal(r.status, 204);
    e2e_reply_free(&r);
    char *body = e2e_order_body(5003, "[{\"productId\":1,\"quantity\":1}]");
    e2e_job jobs[12];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < 12; i++) {
        jobs[i].method = "POST";
        strcpy(jobs[i].path, "/api/v1/orders");
        jobs[i].body = body;
    }
    e2e_parallel(jobs, 12);
    free(body);
    int confirmed = 0, short_of_stock = 0;
    for (int i = 0; i < 12; i++) {
        if (jobs[i].reply.status == 201) {
            confirmed++;
        } else {
            e2e_assert_problem(&jobs[i].reply, 400, "Insufficient stock");
            short_of_stock++;
        }
        e2e_reply_free(&jobs[i].reply);
    }
    assert_int_equal(confirmed, 5);
    assert_int_equal(short_of_stock, 7);
    int64_t available, reserved, committed;
    e2e_sim_stock(1, &available, &reserved, &committed);
    assert_int_equal(available, 0);
    assert_int_equal(reserved, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_cancel_racing_ship_has_exactly_one_winner, reset),
        cmocka_unit_test_setup(test_concurrent_cancels_of_one_order_all_answer_204, reset),
        cmocka_unit_test_setup(test_concurrent_orders_never_sell_more_than_the_stock, reset),
    };
    return cmocka_run_group_tests(tests, e2e_group_setup, e2e_group_teardown);
}
