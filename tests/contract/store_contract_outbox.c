/* Storage contract, part 4: the outbox relay side — in order per order,
 * retries not before their time, parked events holding back only their own
 * order, re-driving them, and purging delivered events after a while. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "store_contract.h"

#define LEASE_MS 10000

/* Claims due events at @p now_ms; the caller frees the batch. */
static void claim(const ord_store_fixture *f, int64_t now_ms, const char *owner, size_t max,
                  ord_outbox_batch *batch)
{
    memset(batch, 0, sizeof *batch);
    assert_int_equal(f->outbox.ops->claim(f->outbox.self, now_ms, now_ms + LEASE_MS, owner, max,
                                          batch),
                     ORD_OK);
    assert_true(batch->count <= max);
}

/* An order taken through CONFIRMED, SHIPPED and DELIVERED: three events. */
static int64_t order_with_three_events(const ord_store_fixture *f, int64_t customer_id)
{
    int64_t id = sc_create_order(f, customer_id, SC_T0);
    sc_move(f, id, ORD_STATUS_CONFIRMED, SC_T0 + 1);
    sc_move(f, id, ORD_STATUS_SHIPPED, SC_T0 + 2);
    sc_move(f, id, ORD_STATUS_DELIVERED, SC_T0 + 3);
    return id;
}

/* An order with one event (OrderPlaced). */
static int64_t order_with_one_event(const ord_store_fixture *f, int64_t customer_id)
{
    int64_t id = sc_create_order(f, customer_id, SC_T0);
    sc_move(f, id, ORD_STATUS_CONFIRMED, SC_T0 + 4);
    return id;
}

static const ord_outbox_event *event_of(const ord_outbox_batch *b, int64_t order_id)
{
    const ord_outbox_event *found = NULL;
    for (size_t i = 0; i < b->count; i++) {
        if (b->events[i].order_id == order_id) {
            assert_null(found); /* at most one event per order */
            found = &b->events[i];
        }
    }
    return found;
}

/* The id of an order's one event in a batch; the test fails when it has none. */
static int64_t event_id_of(const ord_outbox_batch *b, int64_t order_id)
{
    const ord_outbox_event *e = event_of(b, order_id);
    assert_non_null(e);
    return e != NULL ? e->id : 0;
}

static void test_claim_returns_only_the_oldest_event_of_each_order(void **state)
{
    ord_store_fixture *f = *state;
    int64_t a = order_with_three_events(f, 40);
    int64_t b = order_with_one_event(f, 41);
    sc_assert_outbox_counts(f, 4, 0);

    ord_outbox_batch batch;
    claim(f, SC_T0 + 100, "relay", 10, &batch);
    assert_int_equal(batch.count, 2);
    /* Oldest first across orders too. */
    assert_int_equal(batch.events[0].order_id, a);
    assert_int_equal(batch.events[1].order_id, b);
    assert_int_equal(batch.events[0].type, ORD_EVENT_ORDER_PLACED);
    assert_int_equal(batch.events[0].sequence, 2);
    assert_int_equal(batch.events[1].type, ORD_EVENT_ORDER_PLACED);
    ord_outbox_batch_free(&batch);
}

static void test_next_event_of_an_order_comes_only_after_the_previous_is_delivered(void **state)
{
    ord_store_fixture *f = *state;
    int64_t a = order_with_three_events(f, 42);
    ord_event_type expected[3] = {ORD_EVENT_ORDER_PLACED, ORD_EVENT_ORDER_SHIPPED,
                                  ORD_EVENT_ORDER_DELIVERED};
    int64_t now = SC_T0 + 100;
    for (int i = 0; i < 3; i++) {
        ord_outbox_batch batch;
        claim(f, now, "relay", 10, &batch);
        assert_int_equal(batch.count, 1);
        assert_int_equal(batch.events[0].order_id, a);
        assert_int_equal(batch.events[0].type, expected[i]);
        assert_int_equal(batch.events[0].sequence, 2 + i);
        int64_t id = batch.events[0].id;
        ord_outbox_batch_free(&batch);

        /* Not delivered yet: after its lease ends the same event comes back. */
        now += LEASE_MS + 1;
        claim(f, now, "relay", 10, &batch);
        assert_int_equal(batch.count, 1);
        assert_int_equal(batch.events[0].id, id);
        ord_outbox_batch_free(&batch);

        assert_int_equal(f->outbox.ops->mark_delivered(f->outbox.self, id), ORD_OK);
        sc_assert_outbox_counts(f, 2 - i, 0);
    }
    ord_outbox_batch batch;
    claim(f, now + LEASE_MS + 1, "relay", 10, &batch);
    assert_int_equal(batch.count, 0);
    ord_outbox_batch_free(&batch);
}

static void test_claimed_event_is_not_claimed_by_another_relay_until_the_lease_ends(void **state)
{
    ord_store_fixture *f = *state;
    order_with_one_event(f, 43);
    ord_outbox_batch batch;
    claim(f, SC_T0 + 100, "relay-1", 10, &batch);
    assert_int_equal(batch.count, 1);
    int64_t id = batch.events[0].id;
    ord_outbox_batch_free(&batch);
    claim(f, SC_T0 + 101, "relay-2", 10, &batch);
    assert_int_equal(batch.count, 0);
    ord_outbox_batch_free(&batch);
    claim(f, SC_T0 + 100 + LEASE_MS + 1, "relay-2", 10, &batch);
    assert_int_equal(batch.count, 1);
    assert_int_equal(batch.events[0].id, id);
    ord_outbox_batch_free(&batch);
}

static void test_failed_event_is_not_due_before_its_retry_time(void **state)
{
    ord_store_fixture *f = *state;
    int64_t a = order_with_one_event(f, 44);
    ord_outbox_batch batch;
    claim(f, SC_T0 + 100, "relay", 10, &batch);
    assert_int_equal(batch.count, 1);
    int64_t id = batch.events[0].id;
    ord_outbox_batch_free(&batch);

    assert_int_equal(f->outbox.ops->mark_failed(f->outbox.self, id, SC_T0 + 5000, false), ORD_OK);
    sc_assert_outbox_counts(f, 1, 0);
    claim(f, SC_T0 + 4999, "relay", 10, &batch);
    assert_int_equal(batch.count, 0);
    ord_outbox_batch_free(&batch);

    claim(f, SC_T0 + 5000, "relay", 10, &batch);
    assert_int_equal(batch.count, 1);
    assert_int_equal(batch.events[0].id, id);
    assert_int_equal(batch.events[0].order_id, a);
    assert_int_equal(batch.events[0].attempts, 1);
    ord_outbox_batch_free(&batch);

    assert_int_equal(f->outbox.ops->mark_failed(f->outbox.self, id, SC_T0 + 9000, false), ORD_OK);
    claim(f, SC_T0 + 9000, "relay", 10, &batch);
    assert_int_equal(batch.count, 1);
    assert_int_equal(batch.events[0].attempts, 2);
    ord_outbox_batch_free(&batch);
}

static void test_parked_event_blocks_its_own_order_but_no_other(void **state)
{
    ord_store_fixture *f = *state;
    int64_t a = order_with_three_events(f, 45);
    int64_t b = order_with_three_events(f, 46);
    ord_outbox_batch batch;
    claim(f, SC_T0 + 100, "relay", 10, &batch);
    assert_int_equal(batch.count, 2);
    int64_t a1 = event_id_of(&batch, a);
    int64_t b1 = event_id_of(&batch, b);
    ord_outbox_batch_free(&batch);

    assert_int_equal(f->outbox.ops->mark_failed(f->outbox.self, a1, SC_T0 + 200, true), ORD_OK);
    assert_int_equal(f->outbox.ops->mark_delivered(f->outbox.self, b1), ORD_OK);
    sc_assert_outbox_counts(f, 4, 1);

    /* Much later: a's later events wait behind the parked one; b moves on. */
    claim(f, SC_T0 + 1000000, "relay", 10, &batch);
    assert_int_equal(batch.count, 1);
    assert_int_equal(batch.events[0].order_id, b);
    assert_int_equal(batch.events[0].type, ORD_EVENT_ORDER_SHIPPED);
    assert_null(event_of(&batch, a));
    ord_outbox_batch_free(&batch);
}

static void test_count_reports_pending_and_parked(void **state)
{
    ord_store_fixture *f = *state;
    sc_assert_outbox_counts(f, 0, 0);
    int64_t a = order_with_one_event(f, 47);
    int64_t b = order_with_one_event(f, 48);
    int64_t c = order_with_one_event(f, 49);
    sc_assert_outbox_counts(f, 3, 0);
    ord_outbox_batch batch;
    claim(f, SC_T0 + 100, "relay", 10, &batch);
    assert_int_equal(batch.count, 3);
    assert_int_equal(f->outbox.ops->mark_delivered(f->outbox.self, event_id_of(&batch, a)),
                     ORD_OK);
    assert_int_equal(f->outbox.ops->mark_failed(f->outbox.self, event_id_of(&batch, b),
                                                SC_T0 + 200, true),
                     ORD_OK);
    assert_int_equal(f->outbox.ops->mark_failed(f->outbox.self, event_id_of(&batch, c),
                                                SC_T0 + 200, false),
                     ORD_OK);
    ord_outbox_batch_free(&batch);
    sc_assert_outbox_counts(f, 1, 1);
}

static void test_redrive_one_puts_a_parked_event_back_due_with_attempts_reset(void **state)
{
    ord_store_fixture *f = *state;
    int64_t a = order_with_one_event(f, 50);
    int64_t b = order_with_one_event(f, 51);
    ord_outbox_batch batch;
    claim(f, SC_T0 + 100, "relay", 10, &batch);
    int64_t a1 = event_id_of(&batch, a);
    int64_t b1 = event_id_of(&batch, b);
    ord_outbox_batch_free(&batch);
    /* Parked with a retry time far ahead: re-driving must make it due at once. */
    assert_int_equal(f->outbox.ops->mark_failed(f->outbox.self, a1, SC_T0 + 9999999, true), ORD_OK);
    assert_int_equal(f->outbox.ops->mark_failed(f->outbox.self, b1, SC_T0 + 9999999, true), ORD_OK);
    sc_assert_outbox_counts(f, 0, 2);

    int64_t count = -1;
    assert_int_equal(f->outbox.ops->redrive(f->outbox.self, a1, &count), ORD_OK);
    assert_int_equal(count, 1);
    sc_assert_outbox_counts(f, 1, 1);
    claim(f, SC_T0 + 300, "relay", 10, &batch);
    assert_int_equal(batch.count, 1);
    assert_int_equal(batch.events[0].id, a1);
    assert_int_equal(batch.events[0].attempts, 0);
    ord_outbox_batch_free(&batch);
}

static void test_redrive_all_puts_every_parked_event_back(void **state)
{
    ord_store_fixture *f = *state;
    int64_t a = order_with_one_event(f, 52);
    int64_t b = order_with_one_event(f, 53);
    order_with_one_event(f, 54);
    ord_outbox_batch batch;
    claim(f, SC_T0 + 100, "relay", 10, &batch);
    assert_int_equal(batch.count, 3);
    assert_int_equal(f->outbox.ops->mark_failed(f->outbox.self, event_id_of(&batch, a),
                                                SC_T0 + 9999999, true),
                     ORD_OK);
    assert_int_equal(f->outbox.ops->mark_failed(f->outbox.self, event_id_of(&batch, b),
                                                SC_T0 + 9999999, true),
                     ORD_OK);
    ord_outbox_batch_free(&batch);
    sc_assert_outbox_counts(f, 1, 2);

    int64_t count = -1;
    assert_int_equal(f->outbox.ops->redrive(f->outbox.self, 0, &count), ORD_OK);
    assert_int_equal(count, 2);
    sc_assert_outbox_counts(f, 3, 0);
    claim(f, SC_T0 + 200, "relay", 10, &batch);
    assert_non_null(event_of(&batch, a));
    assert_non_null(event_of(&batch, b));
    ord_outbox_batch_free(&batch);

    assert_int_equal(f->outbox.ops->redrive(f->outbox.self, 0, &count), ORD_OK);
    assert_int_equal(count, 0);
}

static void test_redrive_of_an_event_that_is_not_parked_is_not_found(void **state)
{
    ord_store_fixture *f = *state;
    order_with_one_event(f, 55);
    ord_outbox_batch batch;
    claim(f, SC_T0 + 100, "relay", 10, &batch);
    int64_t id = batch.events[0].id;
    ord_outbox_batch_free(&batch);
    int64_t count = -1;
    assert_int_equal(f->outbox.ops->redrive(f->outbox.self, id, &count), ORD_ENOTFOUND);
    assert_int_equal(f->outbox.ops->redrive(f->outbox.self, id + 1000, &count), ORD_ENOTFOUND);
    sc_assert_outbox_counts(f, 1, 0);
}

static void test_marking_an_unknown_event_is_not_found(void **state)
{
    ord_store_fixture *f = *state;
    order_with_one_event(f, 56);
    assert_int_equal(f->outbox.ops->mark_delivered(f->outbox.self, 987654), ORD_ENOTFOUND);
    assert_int_equal(f->outbox.ops->mark_failed(f->outbox.self, 987654, SC_T0, false),
                     ORD_ENOTFOUND);
    sc_assert_outbox_counts(f, 1, 0);
}

static void test_marking_delivered_twice_is_harmless(void **state)
{
    ord_store_fixture *f = *state;
    order_with_one_event(f, 57);
    ord_outbox_batch batch;
    claim(f, SC_T0 + 100, "relay", 10, &batch);
    int64_t id = batch.events[0].id;
    ord_outbox_batch_free(&batch);
    assert_int_equal(f->outbox.ops->mark_delivered(f->outbox.self, id), ORD_OK);
    assert_int_equal(f->outbox.ops->mark_delivered(f->outbox.self, id), ORD_OK);
    sc_assert_outbox_counts(f, 0, 0);
    claim(f, SC_T0 + 100 + LEASE_MS + 1, "relay", 10, &batch);
    assert_int_equal(batch.count, 0);
    ord_outbox_batch_free(&batch);
}

static void test_marking_many_delivered_marks_each_and_skips_unknown_ones(void **state)
{
    ord_store_fixture *f = *state;
    if (f->outbox.ops->version < 3 || f->outbox.ops->mark_delivered_many == NULL)
        skip();
    order_with_one_event(f, 61);
    order_with_one_event(f, 62);
    order_with_one_event(f, 63);
    ord_outbox_batch batch;
    claim(f, SC_T0 + 100, "relay", 10, &batch);
    assert_int_equal(batch.count, 3);
    /* The first two, an id never stored, and the first again. */
    int64_t ids[] = {batch.events[0].id, batch.events[1].id, 987654, batch.events[0].id};
    int64_t third = batch.events[2].id;
    ord_outbox_batch_free(&batch);
    size_t marked = 99;
    assert_int_equal(f->outbox.ops->mark_delivered_many(f->outbox.self, ids, 4, &marked), ORD_OK);
    assert_int_equal(marked, 2);
    sc_assert_outbox_counts(f, 1, 0);
    /* Only the third is left to claim once the leases have run out. */
    claim(f, SC_T0 + 100 + LEASE_MS + 1, "relay", 10, &batch);
    assert_int_equal(batch.count, 1);
    assert_int_equal(batch.events[0].id, third);
    ord_outbox_batch_free(&batch);
    assert_int_equal(f->outbox.ops->mark_delivered_many(f->outbox.self, NULL, 0, &marked), ORD_OK);
    assert_int_equal(marked, 0);
    assert_int_equal(f->outbox.ops->mark_delivered_many(f->outbox.self, NULL, 1, &marked),
                     ORD_EINVALID);
}

static void test_claim_stops_at_max_oldest_first(void **state)
{
    ord_store_fixture *f = *state;
    int64_t a = order_with_one_event(f, 58);
    int64_t b = order_with_one_event(f, 59);
    int64_t c = order_with_one_event(f, 60);
    ord_outbox_batch batch;
    claim(f, SC_T0 + 100, "relay", 2, &batch);
    assert_int_equal(batch.count, 2);
    assert_int_equal(batch.events[0].order_id, a);
    assert_int_equal(batch.events[1].order_id, b);
    ord_outbox_batch_free(&batch);
    claim(f, SC_T0 + 100, "relay-2", 2, &batch);
    assert_int_equal(batch.count, 1);
    assert_int_equal(batch.events[0].order_id, c);
    ord_outbox_batch_free(&batch);
}

static void test_event_payload_is_stored_verbatim(void **state)
{
    ord_store_fixture *f = *state;
    const char *payload = "{\"name\":\"Zoë \\\"Q\\\" 李\",\"note\":\"'; DROP TABLE outbox_events; --\","
                          "\"path\":\"C:\\\\tmp\"}";
    int64_t id = sc_create_order(f, 61, SC_T0);
    ord_order o;
    sc_load(f, id, &o);
    ord_status_change change;
    assert_int_equal(ord_order_transition(&o, ORD_STATUS_CANCELLED, SC_T0 + 1, "cancelled",
                                          &change),
                     ORD_OK);
    ord_outbox_event event = {
        .type = ORD_EVENT_ORDER_CANCELLED,
        .order_id = id,
        .customer_id = 61,
        .sequence = 2,
        .occurred_at_ms = SC_T0 + 1,
        .payload = (char *)payload,
    };
    sc_next_uuid(event.event_id);
    ord_order_update u = {.order = &o, .fields = ORD_UPDATE_STATUS, .change = &change,
                          .event = &event};
    int64_t version = 0;
    assert_int_equal(f->orders.ops->update(f->orders.self, &u, &version), ORD_OK);
    ord_order_free(&o);

    ord_outbox_batch batch;
    claim(f, SC_T0 + 100, "relay", 10, &batch);
    assert_int_equal(batch.count, 1);
    assert_string_equal(batch.events[0].payload, payload);
    assert_int_equal(batch.events[0].type, ORD_EVENT_ORDER_CANCELLED);
    ord_outbox_batch_free(&batch);
}

/* purge_delivered came with version 2 and is optional: skip without it. */
static int64_t purge(const ord_store_fixture *f, int64_t before_ms, size_t max)
{
    const ord_outbox_ops *ops = f->outbox.ops;
    if (ops->version < 2 || ops->purge_delivered == NULL) {
        skip();
        return 0;
    }
    int64_t count = -1;
    assert_int_equal(ops->purge_delivered(f->outbox.self, before_ms, max, &count), ORD_OK);
    assert_true(count >= 0 && (uint64_t)count <= max);
    return count;
}

/* Whether a delivered event is still stored: marking it again is harmless
 * while it exists, and not found once purged. */
static bool still_stored(const ord_store_fixture *f, int64_t id)
{
    ord_error rc = f->outbox.ops->mark_delivered(f->outbox.self, id);
    assert_true(rc == ORD_OK || rc == ORD_ENOTFOUND);
    return rc == ORD_OK;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    assert_int_equal(timespec_get(&ts, TIME_UTC), TIME_UTC);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_purge_deletes_only_delivered_events_from_before_the_cutoff(void **state)
{
    ord_store_fixture *f = *state;
    (void)purge(f, 0, 0); /* skips a store without the method */
    int64_t a = order_with_one_event(f, 70);
    int64_t b = order_with_one_event(f, 71);
    int64_t c = order_with_one_event(f, 72);
    int64_t d = order_with_one_event(f, 73);
    ord_outbox_batch batch;
    claim(f, SC_T0 + 100, "relay", 10, &batch);
    assert_int_equal(batch.count, 4);
    int64_t a1 = event_id_of(&batch, a);
    int64_t b1 = event_id_of(&batch, b);
    int64_t c1 = event_id_of(&batch, c);
    int64_t d1 = event_id_of(&batch, d);
    ord_outbox_batch_free(&batch);
    sc_deliver_at(f, a1, SC_T0 + 1000);
    sc_deliver_at(f, b1, SC_T0 + 2000);
    assert_int_equal(f->outbox.ops->mark_failed(f->outbox.self, c1, SC_T0 + 200, true), ORD_OK);
    assert_int_equal(f->outbox.ops->mark_failed(f->outbox.self, d1, SC_T0 + 200, false), ORD_OK);

    /* The bound is exclusive: b, delivered at the cutoff itself, stays. */
    assert_int_equal(purge(f, SC_T0 + 2000, 100), 1);
    assert_false(still_stored(f, a1));
    assert_true(still_stored(f, b1));
    sc_assert_outbox_counts(f, 1, 1);
    assert_int_equal(purge(f, SC_T0 + 2000, 100), 0);

    /* Marking b again above kept its first delivery time. */
    assert_int_equal(purge(f, SC_T0 + 2001, 100), 1);
    assert_false(still_stored(f, b1));

    /* Parked and pending events stay, whatever the cutoff. */
    assert_int_equal(purge(f, INT64_MAX, 100), 0);
    sc_assert_outbox_counts(f, 1, 1);
    int64_t count = -1;
    assert_int_equal(f->outbox.ops->redrive(f->outbox.self, c1, &count), ORD_OK);
    claim(f, SC_T0 + 300, "relay", 10, &batch);
    assert_int_equal(batch.count, 2);
    assert_int_equal(event_id_of(&batch, c), c1);
    assert_int_equal(event_id_of(&batch, d), d1);
    ord_outbox_batch_free(&batch);
}

static void test_purge_measures_a_delivery_from_when_it_was_marked(void **state)
{
    ord_store_fixture *f = *state;
    (void)purge(f, 0, 0);
    int64_t a = order_with_one_event(f, 74);
    ord_outbox_batch batch;
    claim(f, SC_T0 + 100, "relay", 10, &batch);
    int64_t a1 = event_id_of(&batch, a);
    ord_outbox_batch_free(&batch);

    /* The stores keep real time by default; a minute either side is far
     * beyond any clock step between this process and the store. */
    int64_t before = wall_ms();
    assert_int_equal(f->outbox.ops->mark_delivered(f->outbox.self, a1), ORD_OK);
    int64_t after = wall_ms();
    assert_int_equal(purge(f, before - 60000, 100), 0);
    assert_true(still_stored(f, a1));
    assert_int_equal(purge(f, after + 60000, 100), 1);
    assert_false(still_stored(f, a1));
}

static void test_purge_deletes_at_most_max_events(void **state)
{
    ord_store_fixture *f = *state;
    (void)purge(f, 0, 0);
    int64_t ids[3];
    int64_t orders[3];
    for (int i = 0; i < 3; i++)
        orders[i] = order_with_one_event(f, 75 + i);
    ord_outbox_batch batch;
    claim(f, SC_T0 + 100, "relay", 10, &batch);
    assert_int_equal(batch.count, 3);
    for (int i = 0; i < 3; i++) {
        ids[i] = event_id_of(&batch, orders[i]);
        assert_int_equal(f->outbox.ops->mark_delivered(f->outbox.self, ids[i]), ORD_OK);
    }
    ord_outbox_batch_free(&batch);

    assert_int_equal(purge(f, INT64_MAX, 0), 0);
    assert_int_equal(purge(f, INT64_MAX, 2), 2);
    assert_int_equal(purge(f, INT64_MAX, 2), 1);
    assert_int_equal(purge(f, INT64_MAX, 2), 0);
    for (int i = 0; i < 3; i++)
        assert_false(still_stored(f, ids[i]));

    int64_t count = -1;
    assert_int_equal(f->outbox.ops->purge_delivered(f->outbox.self, INT64_MAX, 10, NULL),
                     ORD_EINVALID);
    assert_int_equal(f->outbox.ops->purge_delivered(f->outbox.self, INT64_MAX, 10, &count),
                     ORD_OK);
    assert_int_equal(count, 0);
}

/* Claims one event of @p order_id and returns its type; 0 when none came. */
static ord_event_type next_of(const ord_store_fixture *f, int64_t order_id, int64_t now,
                              int64_t *id)
{
    ord_outbox_batch batch;
    claim(f, now, "relay", 10, &batch);
    const ord_outbox_event *e = event_of(&batch, order_id);
    ord_event_type type = e != NULL ? e->type : (ord_event_type)0;
    *id = e != NULL ? e->id : 0;
    ord_outbox_batch_free(&batch);
    return type;
}

static void test_purge_leaves_the_order_of_the_remaining_events_alone(void **state)
{
    ord_store_fixture *f = *state;
    (void)purge(f, 0, 0);
    int64_t a = order_with_three_events(f, 80);
    int64_t b = order_with_three_events(f, 81);
    int64_t now = SC_T0 + 100;
    int64_t a1 = 0, b1 = 0;
    assert_int_equal(next_of(f, a, now, &a1), ORD_EVENT_ORDER_PLACED);
    assert_int_equal(next_of(f, b, now, &b1), ORD_EVENT_ORDER_PLACED);
    assert_int_equal(f->outbox.ops->mark_delivered(f->outbox.self, a1), ORD_OK);
    /* b's head is parked: its later events wait behind it, purge or not. */
    assert_int_equal(f->outbox.ops->mark_failed(f->outbox.self, b1, now, true), ORD_OK);
    assert_int_equal(purge(f, INT64_MAX, 100), 1);

    now += LEASE_MS + 1;
    int64_t a2 = 0, b2 = 0, any = 0;
    assert_int_equal(next_of(f, a, now, &a2), ORD_EVENT_ORDER_SHIPPED);
    assert_int_equal(next_of(f, b, now, &any), 0);
    assert_int_equal(f->outbox.ops->mark_delivered(f->outbox.self, a2), ORD_OK);
    assert_int_equal(purge(f, INT64_MAX, 100), 1);

    int64_t a3 = 0;
    assert_int_equal(next_of(f, a, now, &a3), ORD_EVENT_ORDER_DELIVERED);
    assert_true(a3 > a2);

    int64_t count = -1;
    assert_int_equal(f->outbox.ops->redrive(f->outbox.self, b1, &count), ORD_OK);
    now += LEASE_MS + 1;
    assert_int_equal(next_of(f, b, now, &any), ORD_EVENT_ORDER_PLACED);
    assert_int_equal(any, b1);
    assert_int_equal(f->outbox.ops->mark_delivered(f->outbox.self, b1), ORD_OK);
    assert_int_equal(next_of(f, b, now, &b2), ORD_EVENT_ORDER_SHIPPED);

    /* New events after a purge get new ids, later than every earlier one. */
    int64_t c = order_with_one_event(f, 82);
    int64_t c1 = 0;
    assert_int_equal(next_of(f, c, now + LEASE_MS + 1, &c1), ORD_EVENT_ORDER_PLACED);
    assert_true(c1 > a3 && c1 > b2);
    sc_assert_outbox_counts(f, 4, 0);
}

int sc_run_outbox(void)
{
    const struct CMUnitTest store_contract_outbox[] = {
        SC_TEST(test_claim_returns_only_the_oldest_event_of_each_order),
        SC_TEST(test_next_event_of_an_order_comes_only_after_the_previous_is_delivered),
        SC_TEST(test_claimed_event_is_not_claimed_by_another_relay_until_the_lease_ends),
        SC_TEST(test_failed_event_is_not_due_before_its_retry_time),
        SC_TEST(test_parked_event_blocks_its_own_order_but_no_other),
        SC_TEST(test_count_reports_pending_and_parked),
        SC_TEST(test_redrive_one_puts_a_parked_event_back_due_with_attempts_reset),
        SC_TEST(test_redrive_all_puts_every_parked_event_back),
        SC_TEST(test_redrive_of_an_event_that_is_not_parked_is_not_found),
        SC_TEST(test_marking_an_unknown_event_is_not_found),
        SC_TEST(test_marking_delivered_twice_is_harmless),
        SC_TEST(test_marking_many_delivered_marks_each_and_skips_unknown_ones),
        SC_TEST(test_claim_stops_at_max_oldest_first),
        SC_TEST(test_event_payload_is_stored_verbatim),
        SC_TEST(test_purge_deletes_only_delivered_events_from_before_the_cutoff),
        SC_TEST(test_purge_measures_a_delivery_from_when_it_was_marked),
        SC_TEST(test_purge_deletes_at_most_max_events),
        SC_TEST(test_purge_leaves_the_order_of_the_remaining_events_alone),
    };
    return cmocka_run_group_tests(store_contract_outbox, NULL, NULL);
}
