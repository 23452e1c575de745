/* Cancel, ship and deliver through the use cases: every legal and illegal
 * transition, the stock each one moves in the fake inventory, If-Match,
 * and the events the changes raise. */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>

static ord_principal admin;

static int64_t place_pending(fx *f)
{
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_RESERVE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 2);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACE_INVENTORY_UNAVAILABLE);
    int64_t id = res.order.id;
    ord_place_result_free(&res);
    return id;
}

static int64_t create_draft(fx *f)
{
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    ord_item_request items[] = {{.product_id = 1, .quantity = 1}};
    ord_order draft;
    ord_order_init(&draft);
    assert_int_equal(ord_create_draft(f->svc, &admin, &owner, items, 1, NULL, NULL, &draft), ORD_OK);
    int64_t id = draft.id;
    ord_order_free(&draft);
    return id;
}

static ord_status status_of(fx *f, int64_t id, int64_t *version)
{
    ord_order o;
    ord_order_init(&o);
    fx_load(f, id, &o);
    ord_status s = o.status;
    if (version)
        *version = o.version;
    assert_int_equal(o.pending_inventory, ORD_INVENTORY_NONE);
    ord_order_free(&o);
    return s;
}

static ord_error cancel(fx *f, int64_t id, int64_t if_match)
{
    char ref[24];
    return ord_cancel_order(f->svc, &admin, NULL, fx_ref(id, ref), if_match);
}

static ord_error ship(fx *f, int64_t id)
{
    char ref[24];
    return ord_ship_order(f->svc, &admin, NULL, fx_ref(id, ref), 0);
}

static ord_error deliver(fx *f, int64_t id)
{
    char ref[24];
    return ord_deliver_order(f->svc, &admin, NULL, fx_ref(id, ref), 0);
}

static void test_cancel_confirmed_order_releases_stock(void **state)
{
    fx *f = *state;
    int64_t id = fx_place_confirmed(f);
    assert_int_equal(fx_stock(f, 1).reserved, 2);
    assert_int_equal(cancel(f, id, 0), ORD_OK);
    assert_int_equal(status_of(f, id, NULL), ORD_STATUS_CANCELLED);
    ord_memory_stock s = fx_stock(f, 1);
    assert_int_equal(s.available, 10);
    assert_int_equal(s.reserved, 0);
    assert_int_equal(fx_stock(f, 5).available, 10);
    assert_int_equal(ord_memory_downstream_reservation(f->ds, id), ORD_MEM_RESERVATION_RELEASED);
}

static void test_cancel_pending_order_releases_whatever_was_reserved(void **state)
{
    fx *f = *state;
    int64_t id = place_pending(f);
    size_t releases = ord_memory_downstream_calls(f->ds, ORD_MEM_RELEASE);
    assert_int_equal(cancel(f, id, 0), ORD_OK);
    assert_int_equal(status_of(f, id, NULL), ORD_STATUS_CANCELLED);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_RELEASE), releases + 1);
    assert_int_equal(fx_stock(f, 1).available, 10);
}

static void test_cancel_draft_touches_no_stock(void **state)
{
    fx *f = *state;
    int64_t id = create_draft(f);
    assert_int_equal(cancel(f, id, 0), ORD_OK);
    assert_int_equal(status_of(f, id, NULL), ORD_STATUS_CANCELLED);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_RELEASE), 0);
}

static void test_cancel_cancelled_order_is_a_no_op(void **state)
{
    fx *f = *state;
    int64_t id = fx_place_confirmed(f);
    assert_int_equal(cancel(f, id, 0), ORD_OK);
    int64_t version = 0;
    status_of(f, id, &version);
    size_t events = ord_memory_store_event_count(f->store);
    assert_int_equal(cancel(f, id, 0), ORD_OK);
    int64_t after = 0;
    assert_int_equal(status_of(f, id, &after), ORD_STATUS_CANCELLED);
    assert_int_equal(after, version);
    assert_int_equal(ord_memory_store_event_count(f->store), events);
}

static void test_cancel_shipped_or_delivered_order_is_refused(void **state)
{
    fx *f = *state;
    int64_t id = fx_place_confirmed(f);
    assert_int_equal(ship(f, id), ORD_OK);
    int64_t version = 0;
    status_of(f, id, &version);
    assert_int_equal(cancel(f, id, 0), ORD_ETRANSITION);
    int64_t after = 0;
    assert_int_equal(status_of(f, id, &after), ORD_STATUS_SHIPPED);
    assert_int_equal(after, version);
    assert_int_equal(fx_stock(f, 1).committed, 2);

    assert_int_equal(deliver(f, id), ORD_OK);
    assert_int_equal(cancel(f, id, 0), ORD_ETRANSITION);
    assert_int_equal(status_of(f, id, NULL), ORD_STATUS_DELIVERED);
}

static void test_ship_confirmed_order_commits_stock(void **state)
{
    fx *f = *state;
    int64_t id = fx_place_confirmed(f);
    assert_int_equal(ship(f, id), ORD_OK);
    assert_int_equal(status_of(f, id, NULL), ORD_STATUS_SHIPPED);
    ord_memory_stock s = fx_stock(f, 1);
    assert_int_equal(s.available, 8);
    assert_int_equal(s.reserved, 0);
    assert_int_equal(s.committed, 2);
    assert_int_equal(ord_memory_downstream_reservation(f->ds, id), ORD_MEM_RESERVATION_COMMITTED);
}

static void test_ship_shipped_order_again_is_a_no_op(void **state)
{
    fx *f = *state;
    int64_t id = fx_place_confirmed(f);
    assert_int_equal(ship(f, id), ORD_OK);
    int64_t version = 0;
    status_of(f, id, &version);
    assert_int_equal(ship(f, id), ORD_OK);
    int64_t after = 0;
    status_of(f, id, &after);
    assert_int_equal(after, version);
    assert_int_equal(fx_stock(f, 1).committed, 2);
}

static void test_ship_refuses_every_status_but_confirmed(void **state)
{
    fx *f = *state;
    int64_t pending = place_pending(f);
    int64_t draft = create_draft(f);
    int64_t cancelled = fx_place_confirmed(f);
    assert_int_equal(cancel(f, cancelled, 0), ORD_OK);
    int64_t delivered = fx_place_confirmed(f);
    assert_int_equal(ship(f, delivered), ORD_OK);
    assert_int_equal(deliver(f, delivered), ORD_OK);

    assert_int_equal(ship(f, pending), ORD_ETRANSITION);
    assert_int_equal(ship(f, draft), ORD_ETRANSITION);
    assert_int_equal(ship(f, cancelled), ORD_ETRANSITION);
    assert_int_equal(ship(f, delivered), ORD_ETRANSITION);
    assert_int_equal(status_of(f, pending, NULL), ORD_STATUS_PENDING_CHECK);
    assert_int_equal(status_of(f, draft, NULL), ORD_STATUS_DRAFT);
    assert_int_equal(status_of(f, cancelled, NULL), ORD_STATUS_CANCELLED);
    assert_int_equal(status_of(f, delivered, NULL), ORD_STATUS_DELIVERED);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_COMMIT), 1);
}

static void test_deliver_shipped_order_and_repeat(void **state)
{
    fx *f = *state;
    int64_t id = fx_place_confirmed(f);
    assert_int_equal(deliver(f, id), ORD_ETRANSITION);
    assert_int_equal(status_of(f, id, NULL), ORD_STATUS_CONFIRMED);
    assert_int_equal(ship(f, id), ORD_OK);
    assert_int_equal(deliver(f, id), ORD_OK);
    assert_int_equal(status_of(f, id, NULL), ORD_STATUS_DELIVERED);
    assert_int_equal(deliver(f, id), ORD_OK);
    assert_int_equal(ship(f, id), ORD_ETRANSITION);
}

static void test_deliver_refuses_draft_pending_and_cancelled(void **state)
{
    fx *f = *state;
    int64_t pending = place_pending(f);
    int64_t draft = create_draft(f);
    assert_int_equal(deliver(f, pending), ORD_ETRANSITION);
    assert_int_equal(deliver(f, draft), ORD_ETRANSITION);
    assert_int_equal(cancel(f, pending, 0), ORD_OK);
    assert_int_equal(deliver(f, pending), ORD_ETRANSITION);
    assert_int_equal(status_of(f, draft, NULL), ORD_STATUS_DRAFT);
}

static void test_ship_and_deliver_need_an_admin(void **state)
{
    fx *f = *state;
    int64_t id = fx_place_confirmed(f);
    ord_principal owner = fx_customer(FX_CUSTOMER);
    char ref[24];
    assert_int_equal(ord_ship_order(f->svc, &owner, NULL, fx_ref(id, ref), 0), ORD_EFORBIDDEN);
    assert_int_equal(ord_deliver_order(f->svc, &owner, NULL, ref, 0), ORD_EFORBIDDEN);
    assert_int_equal(status_of(f, id, NULL), ORD_STATUS_CONFIRMED);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_COMMIT), 0);
}

static void test_customer_cancels_only_own_orders(void **state)
{
    fx *f = *state;
    int64_t id = fx_place_confirmed(f);
    char ref[24];
    ord_principal stranger = fx_customer(FX_OTHER_CUSTOMER);
    assert_int_equal(ord_cancel_order(f->svc, &stranger, NULL, fx_ref(id, ref), 0), ORD_ENOTFOUND);
    assert_int_equal(status_of(f, id, NULL), ORD_STATUS_CONFIRMED);
    ord_principal owner = fx_customer(FX_CUSTOMER);
    assert_int_equal(ord_cancel_order(f->svc, &owner, NULL, ref, 0), ORD_OK);
    assert_int_equal(status_of(f, id, NULL), ORD_STATUS_CANCELLED);
}

static void test_stale_if_match_changes_nothing(void **state)
{
    fx *f = *state;
    int64_t id = fx_place_confirmed(f);
    int64_t version = 0;
    status_of(f, id, &version);
    assert_int_equal(cancel(f, id, version - 1), ORD_ECONFLICT);
    assert_int_equal(cancel(f, id, version + 1), ORD_ECONFLICT);
    char ref[24];
    assert_int_equal(ord_ship_order(f->svc, &admin, NULL, fx_ref(id, ref), version + 7),
                     ORD_ECONFLICT);
    assert_int_equal(status_of(f, id, NULL), ORD_STATUS_CONFIRMED);
    assert_int_equal(fx_stock(f, 1).reserved, 2);

    assert_int_equal(cancel(f, id, version), ORD_OK);
    assert_int_equal(status_of(f, id, NULL), ORD_STATUS_CANCELLED);
}

static void test_order_reference_may_be_the_number(void **state)
{
    fx *f = *state;
    int64_t id = fx_place_confirmed(f);
    ord_order o;
    ord_order_init(&o);
    fx_load(f, id, &o);
    assert_int_equal(ord_ship_order(f->svc, &admin, NULL, o.number, 0), ORD_OK);
    ord_order_free(&o);
    assert_int_equal(status_of(f, id, NULL), ORD_STATUS_SHIPPED);
}

static void test_unknown_or_malformed_reference_is_not_found(void **state)
{
    fx *f = *state;
    assert_int_equal(ord_cancel_order(f->svc, &admin, NULL, "42", 0), ORD_ENOTFOUND);
    assert_int_equal(ord_cancel_order(f->svc, &admin, NULL, "-1", 0), ORD_ENOTFOUND);
    assert_int_equal(ord_ship_order(f->svc, &admin, NULL, "abc", 0), ORD_ENOTFOUND);
    assert_int_equal(ord_deliver_order(f->svc, &admin, NULL, "", 0), ORD_ENOTFOUND);
    assert_int_equal(ord_cancel_order(f->svc, &admin, NULL, NULL, 0), ORD_ENOTFOUND);
}

static void test_cancel_with_inventory_down_keeps_the_release_owed(void **state)
{
    fx *f = *state;
    int64_t id = fx_place_confirmed(f);
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_RELEASE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1);
    assert_int_equal(cancel(f, id, 0), ORD_OK);
    ord_order o;
    ord_order_init(&o);
    fx_load(f, id, &o);
    assert_int_equal(o.status, ORD_STATUS_CANCELLED);
    assert_int_equal(o.pending_inventory, ORD_INVENTORY_RELEASE);
    ord_order_free(&o);
    assert_int_equal(fx_stock(f, 1).reserved, 2);
}

static void test_ship_with_inventory_down_keeps_the_commit_owed(void **state)
{
    fx *f = *state;
    int64_t id = fx_place_confirmed(f);
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_COMMIT, ORD_FAULT_BEFORE, ORD_ETIMEOUT, 0, -1);
    assert_int_equal(ship(f, id), ORD_OK);
    ord_order o;
    ord_order_init(&o);
    fx_load(f, id, &o);
    assert_int_equal(o.status, ORD_STATUS_SHIPPED);
    assert_int_equal(o.pending_inventory, ORD_INVENTORY_COMMIT);
    ord_order_free(&o);
    assert_int_equal(fx_stock(f, 1).committed, 0);
}

static void test_store_down_changes_nothing(void **state)
{
    fx *f = *state;
    int64_t id = fx_place_confirmed(f);
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_UPDATE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1);
    assert_int_equal(cancel(f, id, 0), ORD_EUNAVAILABLE);
    assert_int_equal(ship(f, id), ORD_EUNAVAILABLE);
    fx_heal(f, FX_STORE, ORD_MEM_ORDER_UPDATE);
    assert_int_equal(status_of(f, id, NULL), ORD_STATUS_CONFIRMED);
    assert_int_equal(fx_stock(f, 1).reserved, 2);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_RELEASE), 0);
}

/* Each event the sink received, in order: type and the order it is about. */
static void expect_event(fx *f, size_t index, ord_event_type type, int64_t order_id,
                         int64_t *sequence)
{
    ord_outbox_event ev;
    memset(&ev, 0, sizeof ev);
    assert_int_equal(ord_memory_downstream_event(f->ds, index, &ev), ORD_OK);
    assert_int_equal(ev.type, type);
    assert_int_equal(ev.order_id, order_id);
    assert_true(ev.sequence > *sequence);
    *sequence = ev.sequence;
    assert_non_null(strstr(ev.payload, ord_event_type_name(type)));
    free(ev.payload);
}

static void test_every_status_change_raises_exactly_one_event(void **state)
{
    fx *f = *state;
    int64_t shipped = fx_place_confirmed(f);
    assert_int_equal(ship(f, shipped), ORD_OK);
    assert_int_equal(ship(f, shipped), ORD_OK); /* no-op: no event */
    assert_int_equal(deliver(f, shipped), ORD_OK);
    int64_t cancelled = fx_place_confirmed(f);
    assert_int_equal(cancel(f, cancelled, 0), ORD_OK);
    assert_int_equal(cancel(f, cancelled, 0), ORD_OK);
    int64_t draft = create_draft(f); /* DRAFT raises none */
    assert_int_equal(cancel(f, draft, 0), ORD_OK);

    assert_int_equal(ord_memory_store_event_count(f->store), 6);
    fx_relay_all(f);
    assert_int_equal(ord_memory_downstream_event_count(f->ds), 6);
    /* Per order, in order; the relay interleaves orders, so look per order. */
    int64_t seq_a = 0, seq_b = 0, seq_c = 0;
    size_t seen_a = 0, seen_b = 0, seen_c = 0;
    const ord_event_type want_a[] = {ORD_EVENT_ORDER_PLACED, ORD_EVENT_ORDER_SHIPPED,
                                     ORD_EVENT_ORDER_DELIVERED};
    const ord_event_type want_b[] = {ORD_EVENT_ORDER_PLACED, ORD_EVENT_ORDER_CANCELLED};
    for (size_t i = 0; i < 6; i++) {
        ord_outbox_event ev;
        memset(&ev, 0, sizeof ev);
        assert_int_equal(ord_memory_downstream_event(f->ds, i, &ev), ORD_OK);
        int64_t order = ev.order_id;
        free(ev.payload);
        if (order == shipped)
            expect_event(f, i, want_a[seen_a++], shipped, &seq_a);
        else if (order == cancelled)
            expect_event(f, i, want_b[seen_b++], cancelled, &seq_b);
        else {
            seen_c++;
            expect_event(f, i, ORD_EVENT_ORDER_CANCELLED, draft, &seq_c);
        }
    }
    assert_int_equal(seen_a, 3);
    assert_int_equal(seen_b, 2);
    assert_int_equal(seen_c, 1);
    assert_int_equal(f->seen.status_changes, 6);
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
        T(test_cancel_confirmed_order_releases_stock),
        T(test_cancel_pending_order_releases_whatever_was_reserved),
        T(test_cancel_draft_touches_no_stock),
        T(test_cancel_cancelled_order_is_a_no_op),
        T(test_cancel_shipped_or_delivered_order_is_refused),
        T(test_ship_confirmed_order_commits_stock),
        T(test_ship_shipped_order_again_is_a_no_op),
        T(test_ship_refuses_every_status_but_confirmed),
        T(test_deliver_shipped_order_and_repeat),
        T(test_deliver_refuses_draft_pending_and_cancelled),
        T(test_ship_and_deliver_need_an_admin),
        T(test_customer_cancels_only_own_orders),
        T(test_stale_if_match_changes_nothing),
        T(test_order_reference_may_be_the_number),
        T(test_unknown_or_malformed_reference_is_not_found),
        T(test_cancel_with_inventory_down_keeps_the_release_owed),
        T(test_ship_with_inventory_down_keeps_the_commit_owed),
        T(test_store_down_changes_nothing),
        T(test_every_status_change_raises_exactly_one_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
