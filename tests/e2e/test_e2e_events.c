/* End to end: outbox events reach the simulator's sink, once per eventId and
 * in order per order, also when the sink is down for a while or fails every
 * other call; an event that keeps failing is parked without holding back
 * other orders. */
#include "e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ITEMS "[{\"productId\":1,\"quantity\":1}]"
#define MAX_EVENTS 16

static int reset(void **state)
{
    (void)state;
    e2e_sim_reset();
    return 0;
}

/* The events the sink holds for one order, in arrival order. */
typedef struct order_events {
    int count;
    char type[MAX_EVENTS][32];
    int64_t sequence[MAX_EVENTS];
    char event_id[MAX_EVENTS][64];
} order_events;

static void events_of(int64_t order_id, order_events *out)
{
    memset(out, 0, sizeof *out);
    cJSON *state = e2e_sim_state();
    const cJSON *ev;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(state, "events")) {
        if (e2e_int(ev, "orderId") != order_id)
            continue;
        assert_true(out->count < MAX_EVENTS);
        snprintf(out->type[out->count], sizeof out->type[0], "%s", e2e_str(ev, "eventType"));
        out->sequence[out->count] = e2e_int(ev, "sequence");
        snprintf(out->event_id[out->count], sizeof out->event_id[0], "%s", e2e_str(ev, "eventId"));
        out->count++;
    }
    cJSON_Delete(state);
}

typedef struct count_wait {
    int64_t order_id;
    int count;
} count_wait;

static bool has_events(void *ctx)
{
    count_wait *w = ctx;
    order_events ev;
    events_of(w->order_id, &ev);
    return ev.count >= w->count;
}

/* The order's events are exactly @p types, in that order, with growing
 * sequences and distinct ids. */
static void assert_events(int64_t order_id, const char *const *types, int count)
{
    count_wait w = {order_id, count};
    assert_true(e2e_wait(has_events, &w));
    order_events ev;
    events_of(order_id, &ev);
    assert_int_equal(ev.count, count);
    for (int i = 0; i < count; i++) {
        assert_string_equal(ev.type[i], types[i]);
        if (i > 0)
            assert_true(ev.sequence[i] > ev.sequence[i - 1]);
        for (int k = 0; k < i; k++)
            assert_string_not_equal(ev.event_id[i], ev.event_id[k]);
    }
}

static void put(int64_t id, const char *action)
{
    char path[96];
    e2e_reply r = e2e_call("PUT", e2e_path(path, sizeof path, id, action), NULL, NULL);
    if (r.status != 204)
        fail_msg("PUT %s: %ld %s", path, r.status, r.body);
    e2e_reply_free(&r);
}

static void test_every_status_change_reaches_the_sink_in_order(void **state)
{
    (void)state;
    int64_t shipped = e2e_place(6001, ITEMS);
    int64_t cancelled = e2e_place(6001, ITEMS);
    put(shipped, "/ship");
    put(cancelled, "/cancel");
    put(shipped, "/deliver");
    static const char *const lifecycle[] = {"OrderPlaced", "OrderShipped", "OrderDelivered"};
    static const char *const cancel[] = {"OrderPlaced", "OrderCancelled"};
    assert_events(shipped, lifecycle, 3);
    assert_events(cancelled, cancel, 2);

    /* The body of one event, as docs/api.md, Events describes it. */
    cJSON *state_json = e2e_sim_state();
    const cJSON *ev;
    bool seen = false;
    cJSON_ArrayForEach(ev, cJSON_GetObjectItemCaseSensitive(state_json, "events")) {
        if (e2e_int(ev, "orderId") != shipped || strcmp(e2e_str(ev, "eventType"), "OrderDelivered") != 0)
            continue;
        seen = true;
        assert_int_equal(strlen(e2e_str(ev, "eventId")), 36);
        const char *at = e2e_str(ev, "occurredAt");
        assert_int_equal(at[strlen(at) - 1], 'Z');
        assert_int_equal(strncmp(e2e_str(ev, "orderNumber"), "ORD-", 4), 0);
        assert_int_equal(e2e_int(ev, "customerId"), 6001);
        assert_string_equal(e2e_str(ev, "status"), "DELIVERED");
        const cJSON *order = cJSON_GetObjectItemCaseSensitive(ev, "order");
        assert_int_equal(e2e_int(order, "orderId"), shipped);
        assert_string_equal(e2e_str(order, "status"), "DELIVERED");
    }
    assert_true(seen);
    assert_int_equal(e2e_int(state_json, "duplicateEvents"), 0);
    cJSON_Delete(state_json);
}

static bool pending_events_zero(void *ctx)
{
    (void)ctx;
    e2e_reply m = e2e_call("GET", "/metrics", NULL, NULL);
    bool zero = strstr(m.body, "\noutbox_pending_events 0\n") != NULL;
    e2e_reply_free(&m);
    return zero;
}

/* A counter of /metrics (0 when absent). */
static long long metric(const char *body, const char *series)
{
    const char *at = strstr(body, series);
    return at != NULL ? strtoll(at + strlen(series), NULL, 10) : 0;
}

/* Deliveries the webhook sink did not take, by every outcome but "ok". */
static long long failed_deliveries(void)
{
    e2e_reply m = e2e_call("GET", "/metrics", NULL, NULL);
    long long failed = 0;
    static const char *const outcomes[] = {"unavailable", "timeout", "refused", "error"};
    for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++) {
        char series[96];
        snprintf(series, sizeof series, "event_publish_total{sink=\"webhook\",outcome=\"%s\"} ",
                 outcomes[i]);
        assert_non_null(strstr(m.body, series));
        failed += metric(m.body, series);
    }
    e2e_reply_free(&m);
    return failed;
}

static bool a_delivery_failed(void *ctx)
{
    return failed_deliveries() > *(const long long *)ctx;
}

static void test_events_wait_while_the_sink_is_down_then_arrive_in_order(void **state)
{
    (void)state;
    long long failed_before = failed_deliveries();
    e2e_fault("events", "error");
    int64_t id = e2e_place(6002, ITEMS);
    put(id, "/ship");
    put(id, "/deliver");
    /* The relay tried and failed, and every attempt is counted. */
    assert_true(e2e_wait(a_delivery_failed, &failed_before));
    order_events ev;
    events_of(id, &ev);
    assert_int_equal(ev.count, 0);
    e2e_reply m = e2e_call("GET", "/metrics", NULL, NULL);
    assert_null(strstr(m.body, "\noutbox_pending_events 0\n"));
    e2e_reply_free(&m);

    e2e_fault("all", "ok");
    static const char *const lifecycle[] = {"OrderPlaced", "OrderShipped", "OrderDelivered"};
    assert_events(id, lifecycle, 3);
    assert_true(e2e_wait(pending_events_zero, NULL));
    m = e2e_call("GET", "/metrics", NULL, NULL);
    assert_true(metric(m.body, "event_publish_total{sink=\"webhook\",outcome=\"ok\"} ") >= 3);
    e2e_reply_free(&m);
}

static void test_flaky_sink_still_gets_each_event_once_in_order(void **state)
{
    (void)state;
    /* Every other delivery fails. */
    e2e_fault_json("{\"service\":\"events\",\"mode\":\"ok\",\"errorRate\":0.5}");
    int64_t ids[4];
    for (int i = 0; i < 4; i++) {
        ids[i] = e2e_place(6003, ITEMS);
        put(ids[i], "/ship");
        put(ids[i], "/deliver");
    }
    static const char *const lifecycle[] = {"OrderPlaced", "OrderShipped", "OrderDelivered"};
    for (int i = 0; i < 4; i++)
        assert_events(ids[i], lifecycle, 3);
    e2e_fault("all", "ok");
}

static bool one_event_parked(void *ctx)
{
    (void)ctx;
    e2e_reply m = e2e_call("GET", "/metrics", NULL, NULL);
    bool parked = strstr(m.body, "\noutbox_parked_events 1\n") != NULL;
    e2e_reply_free(&m);
    return parked;
}

static void test_event_failing_past_the_limit_is_parked_without_blocking_others(void **state)
{
    (void)state;
    e2e_fault("events", "error");
    int64_t stuck = e2e_place(6004, ITEMS);
    /* The stack parks an event after a few attempts. */
    assert_true(e2e_wait(one_event_parked, NULL));
    e2e_fault("all", "ok");

    int64_t flowing = e2e_place(6004, ITEMS);
    static const char *const placed[] = {"OrderPlaced"};
    assert_events(flowing, placed, 1);
    order_events ev;
    events_of(stuck, &ev);
    assert_int_equal(ev.count, 0);

    /* The operator re-drives it once the sink is fixed: it arrives. */
    assert_int_equal(e2e_server_command("redrive-events"), 0);
    assert_events(stuck, placed, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_every_status_change_reaches_the_sink_in_order, reset),
        cmocka_unit_test_setup(test_events_wait_while_the_sink_is_down_then_arrive_in_order, reset),
        cmocka_unit_test_setup(test_flaky_sink_still_gets_each_event_once_in_order, reset),
        cmocka_unit_test_setup(test_event_failing_past_the_limit_is_parked_without_blocking_others, reset),
    };
    return cmocka_run_group_tests(tests, e2e_group_setup, e2e_group_teardown);
}
