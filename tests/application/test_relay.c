/* The outbox relay: at-least-once delivery in order per order, backoff after
 * failures, parking after the limit without holding back other orders, and
 * re-driving parked events. */
#include "fixture.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ord_principal admin;

static size_t relay(fx *f, size_t *completed)
{
    ord_work_report report;
    assert_int_equal(ord_relay_events(f->svc, 100, &report), ORD_OK);
    assert_int_equal(report.claimed, report.completed + report.failed);
    if (completed)
        *completed = report.completed;
    return report.claimed;
}

static ord_outbox_event received(fx *f, size_t index)
{
    ord_outbox_event ev;
    memset(&ev, 0, sizeof ev);
    assert_int_equal(ord_memory_downstream_event(f->ds, index, &ev), ORD_OK);
    return ev;
}

static void outbox_counts(fx *f, int64_t *pending, int64_t *parked)
{
    assert_int_equal(f->ports.outbox.ops->count(f->ports.outbox.self, pending, parked), ORD_OK);
}

static void test_relay_delivers_each_event_once_in_order_per_order(void **state)
{
    fx *f = *state;
    char ref[24];
    int64_t a = fx_place_confirmed(f);
    int64_t b = fx_place_confirmed(f);
    assert_int_equal(ord_ship_order(f->svc, &admin, NULL, fx_ref(a, ref), 0), ORD_OK);
    assert_int_equal(ord_deliver_order(f->svc, &admin, NULL, ref, 0), ORD_OK);
    assert_int_equal(ord_cancel_order(f->svc, &admin, NULL, fx_ref(b, ref), 0), ORD_OK);

    fx_relay_all(f);
    assert_int_equal(ord_memory_downstream_event_count(f->ds), 5);
    assert_int_equal(ord_memory_downstream_duplicate_events(f->ds), 0);
    int64_t last_a = 0, last_b = 0;
    for (size_t i = 0; i < 5; i++) {
        ord_outbox_event ev = received(f, i);
        int64_t *last = ev.order_id == a ? &last_a : &last_b;
        assert_true(ev.order_id == a || ev.order_id == b);
        assert_true(ev.sequence > *last);
        *last = ev.sequence;
        free(ev.payload);
    }
    int64_t pending = -1, parked = -1;
    outbox_counts(f, &pending, &parked);
    assert_int_equal(pending, 0);
    assert_int_equal(parked, 0);
    assert_int_equal(relay(f, NULL), 0);
}

static void test_relay_backs_off_exponentially_after_failures(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_DELIVER_EVENT, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1);
    fx_place_confirmed(f);
    int64_t min = f->config.outbox_backoff_min_ms;

    assert_int_equal(relay(f, NULL), 1);          /* attempt 1 fails: wait min */
    assert_int_equal(relay(f, NULL), 0);
    ord_manual_clock_advance(f->clock, min - 1);
    assert_int_equal(relay(f, NULL), 0);
    ord_manual_clock_advance(f->clock, 1);
    assert_int_equal(relay(f, NULL), 1);          /* attempt 2 fails: wait 2 min */
    ord_manual_clock_advance(f->clock, 2 * min - 1);
    assert_int_equal(relay(f, NULL), 0);
    ord_manual_clock_advance(f->clock, 1);
    assert_int_equal(relay(f, NULL), 1);          /* attempt 3 fails: wait 4 min */
    assert_string_equal(f->seen.last_background_what, "event_retry");

    fx_heal(f, FX_DOWNSTREAM, ORD_MEM_DELIVER_EVENT);
    ord_manual_clock_advance(f->clock, 4 * min - 1);
    assert_int_equal(relay(f, NULL), 0);
    ord_manual_clock_advance(f->clock, 1);
    size_t completed = 0;
    assert_int_equal(relay(f, &completed), 1);
    assert_int_equal(completed, 1);
    assert_int_equal(ord_memory_downstream_event_count(f->ds), 1);
}

static void test_parked_event_holds_back_only_its_own_order_until_redriven(void **state)
{
    fx *f = *state;
    f->config.outbox_max_attempts = 3;
    f->config.outbox_backoff_min_ms = 10;
    f->config.outbox_backoff_max_ms = 10;
    fx_rebuild(f);

    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_DELIVER_EVENT, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 3);
    int64_t a = fx_place_confirmed(f);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(relay(f, NULL), 1);
        ord_manual_clock_advance(f->clock, 10);
    }
    assert_string_equal(f->seen.last_background_what, "event_parked");
    int64_t pending = -1, parked = -1;
    outbox_counts(f, &pending, &parked);
    assert_int_equal(pending, 0);
    assert_int_equal(parked, 1);
    assert_int_equal(relay(f, NULL), 0);

    char ref[24];
    assert_int_equal(ord_ship_order(f->svc, &admin, NULL, fx_ref(a, ref), 0), ORD_OK);
    int64_t b = fx_place_confirmed(f);
    fx_relay_all(f);
    assert_int_equal(ord_memory_downstream_event_count(f->ds), 1);
    ord_outbox_event ev = received(f, 0);
    assert_int_equal(ev.order_id, b);
    free(ev.payload);

    int64_t redriven = 0;
    assert_int_equal(f->ports.outbox.ops->redrive(f->ports.outbox.self, 0, &redriven), ORD_OK);
    assert_int_equal(redriven, 1);
    fx_relay_all(f);
    assert_int_equal(ord_memory_downstream_event_count(f->ds), 3);
    ev = received(f, 1);
    assert_int_equal(ev.order_id, a);
    assert_int_equal(ev.type, ORD_EVENT_ORDER_PLACED);
    free(ev.payload);
    ev = received(f, 2);
    assert_int_equal(ev.order_id, a);
    assert_int_equal(ev.type, ORD_EVENT_ORDER_SHIPPED);
    free(ev.payload);
}

static void test_lost_acknowledgement_redelivers_the_same_event(void **state)
{
    fx *f = *state;
    fx_place_confirmed(f);
    fx_fail(f, FX_STORE, ORD_MEM_OUTBOX_MARK, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    size_t completed = 9;
    assert_int_equal(relay(f, &completed), 1);
    assert_int_equal(completed, 0);
    ord_manual_clock_advance(f->clock, f->config.lease_ms);
    assert_int_equal(relay(f, &completed), 1);
    assert_int_equal(completed, 1);
    assert_int_equal(ord_memory_downstream_event_count(f->ds), 1);
    assert_int_equal(ord_memory_downstream_duplicate_events(f->ds), 1);
}

static void expect_in(const char *payload, const char *fragment)
{
    if (strstr(payload, fragment) == NULL)
        fail_msg("%s\nlacks %s", payload, fragment);
}

static void test_event_payload_describes_the_order_as_of_its_change(void **state)
{
    fx *f = *state;
    int64_t a = fx_place_confirmed(f);
    char ref[24];
    assert_int_equal(ord_ship_order(f->svc, &admin, NULL, fx_ref(a, ref), 0), ORD_OK);
    fx_relay_all(f);

    ord_outbox_event placed = received(f, 0);
    ord_outbox_event shipped = received(f, 1);
    char fragment[128];
    snprintf(fragment, sizeof fragment, "{\"eventId\":\"%s\",\"eventType\":\"OrderPlaced\"",
             placed.event_id);
    expect_in(placed.payload, fragment);
    snprintf(fragment, sizeof fragment, "\"orderId\":%" PRId64, a);
    expect_in(placed.payload, fragment);
    expect_in(placed.payload, "\"customerId\":12345");
    expect_in(placed.payload, "\"status\":\"CONFIRMED\"");
    snprintf(fragment, sizeof fragment, "\"sequence\":%" PRId64, placed.sequence);
    expect_in(placed.payload, fragment);
    /* The order inside is the order at that version. */
    snprintf(fragment, sizeof fragment, "\"version\":%" PRId64 "}}", placed.sequence);
    expect_in(placed.payload, fragment);
    expect_in(placed.payload, "\"totalPrice\":349.97");
    expect_in(placed.payload, "\"occurredAt\":\"2026-03-08T14:30:00Z\"");

    expect_in(shipped.payload, "\"eventType\":\"OrderShipped\"");
    expect_in(shipped.payload, "\"status\":\"SHIPPED\"");
    assert_true(shipped.sequence > placed.sequence);
    assert_string_not_equal(shipped.event_id, placed.event_id);
    assert_true(ord_uuid_is_valid(placed.event_id));
    free(placed.payload);
    free(shipped.payload);
}

static void test_relay_without_an_event_sink_is_refused(void **state)
{
    fx *f = *state;
    memset(&f->ports.events, 0, sizeof f->ports.events);
    fx_rebuild(f);
    fx_place_confirmed(f);
    ord_work_report report;
    assert_int_equal(ord_relay_events(f->svc, 10, &report), ORD_EINVALID);
    assert_int_equal(report.claimed, 0);
}

static int setup(void **state)
{
    admin = fx_admin();
    return fx_setup(state);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_relay_delivers_each_event_once_in_order_per_order),
        T(test_relay_backs_off_exponentially_after_failures),
        T(test_parked_event_holds_back_only_its_own_order_until_redriven),
        T(test_lost_acknowledgement_redelivers_the_same_event),
        T(test_event_payload_describes_the_order_as_of_its_change),
        T(test_relay_without_an_event_sink_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
