/* End to end: the server stopped or killed in the middle of work, and the
 * database restarted under it. SIGTERM finishes requests in flight and exits
 * 0; after a crash the restarted server repairs the saga; nothing stored is
 * lost and every event reaches the sink once, in order. */
#include "e2e.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEMS "[{\"productId\":1,\"quantity\":1}]"

static int reset(void **state)
{
    (void)state;
    e2e_sim_reset();
    return 0;
}

typedef struct background_post {
    pthread_t thread;
    int64_t customer;
    e2e_reply reply;
} background_post;

static void *post_order(void *arg)
{
    background_post *p = arg;
    char *body = e2e_order_body(p->customer, ITEMS);
    p->reply = e2e_call("POST", "/api/v1/orders", body, NULL);
    free(body);
    return NULL;
}

static bool inventory_call_in_flight(void *ctx)
{
    (void)ctx;
    cJSON *state = e2e_sim_state();
    const cJSON *in_flight = cJSON_GetObjectItemCaseSensitive(state, "inFlight");
    bool busy = e2e_int(in_flight, "inventory") > 0;
    cJSON_Delete(state);
    return busy;
}

static int64_t only_order_of(int64_t customer)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/orders/customer/%lld", (long long)customer);
    e2e_reply r = e2e_call("GET", path, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_int_equal(cJSON_GetArraySize(r.json), 1);
    int64_t id = e2e_int(cJSON_GetArrayItem(r.json, 0), "orderId");
    e2e_reply_free(&r);
    return id;
}

static void test_sigterm_finishes_the_request_in_flight_and_exits_zero(void **state)
{
    (void)state;
    e2e_fault_json("{\"service\":\"inventory\",\"mode\":\"slow\",\"latencyMs\":1500}");
    background_post p = {.customer = 7001};
    assert_int_equal(pthread_create(&p.thread, NULL, post_order, &p), 0);
    assert_true(e2e_wait(inventory_call_in_flight, NULL));
    /* Fails the test unless the server exits 0. */
    e2e_server_stop("TERM");
    pthread_join(p.thread, NULL);
    assert_int_equal(p.reply.status, 201);
    int64_t id = e2e_int(p.reply.json, "orderId");
    e2e_reply_free(&p.reply);

    e2e_fault("all", "ok");
    e2e_server_start();
    char buf[32];
    assert_string_equal(e2e_status(id, buf, sizeof buf), "CONFIRMED");
}

static void test_sigint_stops_the_server_cleanly_too(void **state)
{
    (void)state;
    int64_t id = e2e_place(7002, ITEMS);
    e2e_server_stop("INT");
    e2e_server_start();
    char buf[32];
    assert_string_equal(e2e_status(id, buf, sizeof buf), "CONFIRMED");
}

static void test_crash_in_the_middle_of_the_saga_is_repaired_after_restart(void **state)
{
    (void)state;
    e2e_fault_json("{\"service\":\"inventory\",\"mode\":\"slow\",\"latencyMs\":1500}");
    background_post p = {.customer = 7003};
    assert_int_equal(pthread_create(&p.thread, NULL, post_order, &p), 0);
    assert_true(e2e_wait(inventory_call_in_flight, NULL));
    e2e_server_stop("KILL");
    pthread_join(p.thread, NULL);
    assert_int_equal(p.reply.status, -1); /* the connection died with the server */
    e2e_reply_free(&p.reply);
    e2e_fault("all", "ok");

    e2e_server_start();
    int64_t id = only_order_of(7003);
    assert_true(e2e_wait_status(id, "CONFIRMED"));
    assert_true(e2e_wait_tracking(id));
    /* The reserve the dead server sent and the one the worker repeated are
     * one reservation (keyed by orderId). */
    assert_int_equal(e2e_sim_reservation_count(id), 1);
    int64_t available, reserved, committed;
    e2e_sim_stock(1, &available, &reserved, &committed);
    assert_int_equal(reserved, 1);
}

static void test_pending_order_left_by_a_crash_is_recovered_by_the_new_server(void **state)
{
    (void)state;
    e2e_fault("inventory", "error");
    char *body = e2e_order_body(7004, ITEMS);
    e2e_reply r = e2e_call("POST", "/api/v1/orders", body, NULL);
    free(body);
    e2e_assert_problem(&r, 503, "Inventory service unavailable");
    int64_t id = e2e_int(r.json, "orderId");
    e2e_reply_free(&r);
    e2e_server_stop("KILL");
    e2e_fault("all", "ok");
    e2e_server_start();
    assert_true(e2e_wait_status(id, "CONFIRMED"));
    assert_int_equal(e2e_sim_reservation_count(id), 1);
}

/* Events of one order in the sink, by type, in arrival order. */
static int sink_events(int64_t order_id, char types[][32], int cap, int64_t *sequences)
{
    cJSON *state = e2e_sim_state();
    const cJSON *ev;
    int n = 0;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(state, "events")) {
        if (e2e_int(ev, "orderId") != order_id)
            continue;
        if (n < cap) {
            snprintf(types[n], 32, "%s", e2e_str(ev, "eventType"));
            sequences[n] = e2e_int(ev, "sequence");
        }
        n++;
    }
    cJSON_Delete(state);
    return n;
}

typedef struct all_events {
    const int64_t *ids;
    int count;
    int per_order;
} all_events;

static bool all_delivered(void *ctx)
{
    all_events *w = ctx;
    for (int i = 0; i < w->count; i++) {
        char types[8][32];
        int64_t seq[8];
        if (sink_events(w->ids[i], types, 8, seq) < w->per_order)
            return false;
    }
    return true;
}

static void test_restarts_lose_no_order_and_deliver_every_event_once_in_order(void **state)
{
    (void)state;
    int64_t ids[6];
    char *before[6];
    char path[96];
    for (int i = 0; i < 6; i++) {
        ids[i] = e2e_place(7005, ITEMS);
        e2e_reply r = e2e_call("PUT", e2e_path(path, sizeof path, ids[i], "/ship"), NULL, NULL);
        assert_int_equal(r.status, 204);
        e2e_reply_free(&r);
        if (i == 1 || i == 3) {
            e2e_server_stop(i == 1 ? "TERM" : "KILL");
            e2e_server_start();
        }
    }
    for (int i = 0; i < 6; i++) {
        e2e_reply r = e2e_call("PUT", e2e_path(path, sizeof path, ids[i], "/deliver"), NULL, NULL);
        assert_int_equal(r.status, 204);
        e2e_reply_free(&r);
        e2e_reply got = e2e_call("GET", e2e_path(path, sizeof path, ids[i], ""), NULL, NULL);
        assert_int_equal(got.status, 200);
        before[i] = got.body;
        got.body = NULL;
        e2e_reply_free(&got);
    }
    e2e_server_stop("KILL");
    e2e_server_start();

    for (int i = 0; i < 6; i++) {
        e2e_reply got = e2e_call("GET", e2e_path(path, sizeof path, ids[i], ""), NULL, NULL);
        assert_int_equal(got.status, 200);
        assert_string_equal(got.body, before[i]);
        e2e_reply_free(&got);
        free(before[i]);
    }
    all_events w = {ids, 6, 3};
    assert_true(e2e_wait(all_delivered, &w));
    static const char *const expected[] = {"OrderPlaced", "OrderShipped", "OrderDelivered"};
    for (int i = 0; i < 6; i++) {
        char types[8][32];
        int64_t seq[8];
        assert_int_equal(sink_events(ids[i], types, 8, seq), 3);
        for (int k = 0; k < 3; k++) {
            assert_string_equal(types[k], expected[k]);
            if (k > 0)
                assert_true(seq[k] > seq[k - 1]);
        }
    }
}

static bool database_ready(void *ctx)
{
    (void)ctx;
    e2e_reply r = e2e_call("GET", "/health/ready", NULL, NULL);
    bool ready = r.status == 200;
    e2e_reply_free(&r);
    return ready;
}

static void test_database_restart_makes_the_server_unready_then_it_recovers(void **state)
{
    (void)state;
    int64_t before = e2e_place(7006, ITEMS);
    e2e_cluster("stop");
    e2e_reply ready = e2e_call("GET", "/health/ready", NULL, NULL);
    assert_int_equal(ready.status, 503);
    const cJSON *deps = cJSON_GetObjectItemCaseSensitive(ready.json, "dependencies");
    assert_string_equal(e2e_str(deps, "database"), "DOWN");
    e2e_reply_free(&ready);
    char *body = e2e_order_body(7006, ITEMS);
    e2e_reply r = e2e_call("POST", "/api/v1/orders", body, NULL);
    assert_int_equal(r.status, 503);
    e2e_reply_free(&r);
    char path[96];
    r = e2e_call("GET", e2e_path(path, sizeof path, before, ""), NULL, NULL);
    assert_int_equal(r.status, 503);
    e2e_reply_free(&r);

    e2e_cluster("start");
    assert_true(e2e_wait(database_ready, NULL));
    r = e2e_call("POST", "/api/v1/orders", body, NULL);
    free(body);
    assert_int_equal(r.status, 201);
    e2e_reply_free(&r);
    char buf[32];
    assert_string_equal(e2e_status(before, buf, sizeof buf), "CONFIRMED");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_sigterm_finishes_the_request_in_flight_and_exits_zero, reset),
        cmocka_unit_test_setup(test_sigint_stops_the_server_cleanly_too, reset),
        cmocka_unit_test_setup(test_crash_in_the_middle_of_the_saga_is_repaired_after_restart, reset),
        cmocka_unit_test_setup(test_pending_order_left_by_a_crash_is_recovered_by_the_new_server, reset),
        cmocka_unit_test_setup(test_restarts_lose_no_order_and_deliver_every_event_once_in_order, reset),
        cmocka_unit_test_setup(test_database_restart_makes_the_server_unready_then_it_recovers, reset),
    };
    return cmocka_run_group_tests(tests, e2e_group_setup, e2e_group_teardown);
}
