/* The background steps repair what a crash or an outage left behind:
 * unfinished PENDING_CHECK orders, missing tracking numbers, and stock
 * operations still owed to inventory. */
#include "fixture.h"

#include <string.h>

static ord_order load(fx *f, int64_t id)
{
    ord_order o;
    ord_order_init(&o);
    fx_load(f, id, &o);
    return o;
}

static ord_work_report recover_pending(fx *f)
{
    ord_work_report report;
    assert_int_equal(ord_recover_pending_orders(f->svc, 10, &report), ORD_OK);
    return report;
}

static int64_t place_expecting(fx *f, int product, int quantity, ord_place_outcome outcome)
{
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, product, quantity);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, outcome);
    int64_t id = res.order.id;
    ord_place_result_free(&res);
    return id;
}

static void expect_confirmed_once(fx *f, int64_t id, int64_t reserved)
{
    ord_order o = load(f, id);
    assert_int_equal(o.status, ORD_STATUS_CONFIRMED);
    assert_non_null(o.tracking_number);
    assert_int_equal(o.history_count, 2);
    ord_order_free(&o);
    assert_int_equal(ord_memory_downstream_reservation(f->ds, id), ORD_MEM_RESERVATION_RESERVED);
    ord_memory_stock s = fx_stock(f, 1);
    assert_int_equal(s.reserved, reserved);
    assert_int_equal(s.available, 10 - reserved);
}

static void test_crash_before_reserve_is_resumed_once_stale(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_RESERVE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    int64_t id = place_expecting(f, 1, 3, ORD_PLACE_INVENTORY_UNAVAILABLE);

    ord_work_report report = recover_pending(f);
    assert_int_equal(report.claimed, 0); /* not stale yet: maybe still in flight */

    ord_manual_clock_advance(f->clock, f->config.pending_stale_ms);
    report = recover_pending(f);
    assert_int_equal(report.claimed, 1);
    assert_int_equal(report.completed, 1);
    assert_int_equal(report.failed, 0);
    expect_confirmed_once(f, id, 3);
    assert_int_equal(f->seen.last_background_order, id);

    ord_manual_clock_advance(f->clock, f->config.pending_stale_ms);
    assert_int_equal(recover_pending(f).claimed, 0);
}

static void test_crash_right_after_persisting_is_repaired_with_one_reservation(void **state)
{
    fx *f = *state;
    /* The store wrote the order but its answer was lost. */
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_CREATE, ORD_FAULT_AFTER, ORD_EUNAVAILABLE, 0, 1);
    place_expecting(f, 1, 2, ORD_PLACE_STORE_UNAVAILABLE);
    assert_int_equal(ord_memory_store_order_count(f->store), 1);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_RESERVE), 0);

    ord_manual_clock_advance(f->clock, f->config.pending_stale_ms);
    ord_work_report report = recover_pending(f);
    assert_int_equal(report.completed, 1);
    int64_t id = f->seen.last_background_order;
    expect_confirmed_once(f, id, 2);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_RESERVE), 1);
}

static void test_crash_after_reserve_before_confirm_does_not_reserve_twice(void **state)
{
    fx *f = *state;
    /* Reserved, but the reply was lost. */
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_RESERVE, ORD_FAULT_AFTER, ORD_ETIMEOUT, 0, 1);
    int64_t id = place_expecting(f, 1, 4, ORD_PLACE_INVENTORY_UNAVAILABLE);
    assert_int_equal(ord_memory_downstream_reservation(f->ds, id), ORD_MEM_RESERVATION_RESERVED);
    ord_order o = load(f, id);
    assert_int_equal(o.status, ORD_STATUS_PENDING_CHECK);
    ord_order_free(&o);

    ord_manual_clock_advance(f->clock, f->config.pending_stale_ms);
    assert_int_equal(recover_pending(f).completed, 1);
    expect_confirmed_once(f, id, 4);
}

static void test_pending_order_past_deadline_is_cancelled_and_stock_released(void **state)
{
    fx *f = *state;
    /* A reservation happened but inventory never answered after that. */
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_RESERVE, ORD_FAULT_AFTER, ORD_EUNAVAILABLE, 0, -1);
    int64_t id = place_expecting(f, 1, 2, ORD_PLACE_INVENTORY_UNAVAILABLE);
    assert_int_equal(fx_stock(f, 1).reserved, 2);

    ord_manual_clock_advance(f->clock, f->config.pending_deadline_ms);
    ord_work_report report = recover_pending(f);
    assert_int_equal(report.completed, 1);
    ord_order o = load(f, id);
    assert_int_equal(o.status, ORD_STATUS_CANCELLED);
    assert_string_equal(o.history[o.history_count - 1].reason, "deadline");
    assert_int_equal(o.pending_inventory, ORD_INVENTORY_NONE);
    ord_order_free(&o);
    ord_memory_stock s = fx_stock(f, 1);
    assert_int_equal(s.reserved, 0);
    assert_int_equal(s.available, 10);
    assert_string_equal(f->seen.last_background_what, "pending_cancel_deadline");
}

/* The deadline counts from checkout, not from when the cart was started: a
 * draft kept for a day and checked out while inventory is down is resumed,
 * not cancelled at once. */
static void test_deadline_of_a_checked_out_draft_counts_from_checkout(void **state)
{
    fx *f = *state;
    ord_principal admin = fx_admin();
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    ord_item_request items[] = {{.product_id = 1, .quantity = 2}};
    ord_order draft;
    ord_order_init(&draft);
    assert_int_equal(ord_create_draft(f->svc, &admin, &owner, items, 1, NULL, NULL, &draft), ORD_OK);
    ord_manual_clock_advance(f->clock, 2 * f->config.pending_deadline_ms);

    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_RESERVE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    ord_checkout_request req = {.owner = owner, .delivery_address = FX_ADDRESS};
    char ref[24];
    ord_place_result res = {0};
    assert_int_equal(ord_checkout_draft(f->svc, &admin, NULL, fx_ref(draft.id, ref), &req, NULL,
                                        &res),
                     ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_INVENTORY_UNAVAILABLE);
    ord_place_result_free(&res);

    ord_manual_clock_advance(f->clock, f->config.pending_stale_ms);
    assert_int_equal(recover_pending(f).completed, 1);
    ord_order o = load(f, draft.id);
    assert_int_equal(o.status, ORD_STATUS_CONFIRMED);
    assert_int_equal(o.history_count, 3); /* created, checkout, stock_reserved */
    ord_order_free(&o);
    assert_int_equal(fx_stock(f, 1).reserved, 2);

    /* Past the deadline counted from checkout, a still pending one is cancelled. */
    ord_order second;
    ord_order_init(&second);
    assert_int_equal(ord_create_draft(f->svc, &admin, &owner, items, 1, NULL, NULL, &second), ORD_OK);
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_RESERVE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1);
    assert_int_equal(ord_checkout_draft(f->svc, &admin, NULL, fx_ref(second.id, ref), &req, NULL,
                                        &res),
                     ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_INVENTORY_UNAVAILABLE);
    ord_place_result_free(&res);
    ord_manual_clock_advance(f->clock, f->config.pending_deadline_ms);
    assert_int_equal(recover_pending(f).completed, 1);
    o = load(f, second.id);
    assert_int_equal(o.status, ORD_STATUS_CANCELLED);
    assert_string_equal(o.history[o.history_count - 1].reason, "deadline");
    ord_order_free(&o);
    ord_order_free(&draft);
    ord_order_free(&second);
}

static void test_resumed_order_short_of_stock_is_cancelled(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_RESERVE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    int64_t id = place_expecting(f, 1, 5, ORD_PLACE_INVENTORY_UNAVAILABLE);
    ord_money price;
    assert_int_equal(ord_money_make(&price, 9999, "USD"), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_product(f->ds, 1, price, 1), ORD_OK);

    ord_manual_clock_advance(f->clock, f->config.pending_stale_ms);
    assert_int_equal(recover_pending(f).completed, 1);
    ord_order o = load(f, id);
    assert_int_equal(o.status, ORD_STATUS_CANCELLED);
    assert_string_equal(o.history[o.history_count - 1].reason, "insufficient_stock");
    ord_order_free(&o);
    assert_int_equal(fx_stock(f, 1).reserved, 0);
}

static void test_pending_recovery_backs_off_while_inventory_is_down(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_RESERVE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1);
    int64_t id = place_expecting(f, 1, 1, ORD_PLACE_INVENTORY_UNAVAILABLE);
    ord_manual_clock_advance(f->clock, f->config.pending_stale_ms);
    ord_work_report report = recover_pending(f);
    assert_int_equal(report.claimed, 1);
    assert_int_equal(report.failed, 1);
    assert_int_equal(f->seen.last_background_result, ORD_EUNAVAILABLE);
    assert_int_equal(recover_pending(f).claimed, 0); /* deferred */

    fx_heal(f, FX_DOWNSTREAM, ORD_MEM_RESERVE);
    ord_manual_clock_advance(f->clock, f->config.pending_stale_ms);
    assert_int_equal(recover_pending(f).completed, 1);
    expect_confirmed_once(f, id, 1);
}

static void test_recovery_reports_an_unreachable_store(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_CLAIM, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1);
    ord_work_report report;
    assert_int_equal(ord_recover_pending_orders(f->svc, 10, &report), ORD_EUNAVAILABLE);
    assert_int_equal(ord_recover_tracking_numbers(f->svc, 10, &report), ORD_EUNAVAILABLE);
    assert_int_equal(ord_recover_inventory_actions(f->svc, 10, &report), ORD_EUNAVAILABLE);
    assert_int_equal(report.claimed, 0);
    assert_int_equal(ord_recover_pending_orders(NULL, 10, &report), ORD_EINVALID);
    assert_int_equal(ord_recover_pending_orders(f->svc, 10, NULL), ORD_EINVALID);
}

static size_t recover_tracking(fx *f, size_t *completed)
{
    ord_work_report report;
    assert_int_equal(ord_recover_tracking_numbers(f->svc, 10, &report), ORD_OK);
    if (completed)
        *completed = report.completed;
    return report.claimed;
}

static void test_tracking_recovery_backs_off_then_fills_the_number(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_SHIPMENT, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1);
    int64_t id = place_expecting(f, 1, 1, ORD_PLACED);
    ord_order o = load(f, id);
    assert_null(o.tracking_number);
    ord_order_free(&o);
    int64_t min = f->config.tracking_backoff_min_ms;

    assert_int_equal(recover_tracking(f, NULL), 0); /* too fresh */
    ord_manual_clock_advance(f->clock, min);        /* age 1 min */
    assert_int_equal(recover_tracking(f, NULL), 1); /* fails: next try in 1 min */
    assert_int_equal(recover_tracking(f, NULL), 0);
    ord_manual_clock_advance(f->clock, min);        /* age 2 min */
    assert_int_equal(recover_tracking(f, NULL), 1); /* fails: next try in 2 min */
    ord_manual_clock_advance(f->clock, min);
    assert_int_equal(recover_tracking(f, NULL), 0); /* still backing off */
    ord_manual_clock_advance(f->clock, min);        /* age 4 min */
    size_t shipments = ord_memory_downstream_calls(f->ds, ORD_MEM_SHIPMENT);
    fx_heal(f, FX_DOWNSTREAM, ORD_MEM_SHIPMENT);
    size_t completed = 0;
    assert_int_equal(recover_tracking(f, &completed), 1);
    assert_int_equal(completed, 1);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_SHIPMENT), shipments + 1);

    o = load(f, id);
    char number[ORD_TRACKING_NUMBER_SIZE];
    assert_true(ord_memory_downstream_shipment(f->ds, id, number));
    assert_non_null(o.tracking_number);
    assert_string_equal(o.tracking_number, number);
    assert_int_equal(o.status, ORD_STATUS_CONFIRMED);
    ord_order_free(&o);
    assert_int_equal(ord_memory_store_event_count(f->store), 1); /* a number is no event */

    ord_manual_clock_advance(f->clock, 100 * min);
    assert_int_equal(recover_tracking(f, NULL), 0);
}

static void test_order_shipped_before_tracking_answered_still_gets_its_number(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_SHIPMENT, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1);
    int64_t id = place_expecting(f, 1, 1, ORD_PLACED);
    ord_principal admin = fx_admin();
    char ref[32];
    assert_int_equal(ord_ship_order(f->svc, &admin, NULL, fx_ref(id, ref), 0), ORD_OK);
    fx_heal(f, FX_DOWNSTREAM, ORD_MEM_SHIPMENT);
    ord_manual_clock_advance(f->clock, f->config.tracking_backoff_min_ms);
    size_t completed = 0;
    assert_int_equal(recover_tracking(f, &completed), 1);
    assert_int_equal(completed, 1);
    ord_order o = load(f, id);
    assert_int_equal(o.status, ORD_STATUS_SHIPPED);
    assert_non_null(o.tracking_number);
    ord_order_free(&o);
}

/* Delivered before tracking answered: the number is still obtained (and the
 * shipment registered), as for a shipped order; delivery is no reason to
 * leave the customer without a tracking reference. */
static void test_order_delivered_before_tracking_answered_still_gets_its_number(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_SHIPMENT, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1);
    int64_t id = place_expecting(f, 1, 1, ORD_PLACED);
    ord_principal admin = fx_admin();
    char ref[32];
    assert_int_equal(ord_ship_order(f->svc, &admin, NULL, fx_ref(id, ref), 0), ORD_OK);
    assert_int_equal(ord_deliver_order(f->svc, &admin, NULL, fx_ref(id, ref), 0), ORD_OK);
    fx_heal(f, FX_DOWNSTREAM, ORD_MEM_SHIPMENT);
    ord_manual_clock_advance(f->clock, f->config.tracking_backoff_min_ms);
    size_t completed = 0;
    assert_int_equal(recover_tracking(f, &completed), 1);
    assert_int_equal(completed, 1);
    ord_order o = load(f, id);
    assert_int_equal(o.status, ORD_STATUS_DELIVERED);
    char number[ORD_TRACKING_NUMBER_SIZE];
    assert_true(ord_memory_downstream_shipment(f->ds, id, number));
    assert_non_null(o.tracking_number);
    assert_string_equal(o.tracking_number, number);
    ord_order_free(&o);
}

static void test_tracking_backoff_is_capped(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_SHIPMENT, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1);
    place_expecting(f, 1, 1, ORD_PLACED);
    int64_t max = f->config.tracking_backoff_max_ms;
    ord_manual_clock_advance(f->clock, 10 * max);
    assert_int_equal(recover_tracking(f, NULL), 1); /* next try in max, not 10 * max */
    ord_manual_clock_advance(f->clock, max - 1);
    assert_int_equal(recover_tracking(f, NULL), 0);
    ord_manual_clock_advance(f->clock, 1);
    assert_int_equal(recover_tracking(f, NULL), 1);
}

static size_t recover_inventory(fx *f, size_t *completed)
{
    ord_work_report report;
    assert_int_equal(ord_recover_inventory_actions(f->svc, 10, &report), ORD_OK);
    if (completed)
        *completed = report.completed;
    return report.claimed;
}

static void test_owed_release_is_paid_by_inventory_recovery(void **state)
{
    fx *f = *state;
    int64_t id = fx_place_confirmed(f);
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_RELEASE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1);
    char ref[24];
    ord_principal admin = fx_admin();
    assert_int_equal(ord_cancel_order(f->svc, &admin, NULL, fx_ref(id, ref), 0), ORD_OK);
    assert_int_equal(fx_stock(f, 1).reserved, 2);

    assert_int_equal(recover_inventory(f, NULL), 0);
    ord_manual_clock_advance(f->clock, f->config.tracking_backoff_min_ms);
    assert_int_equal(recover_inventory(f, NULL), 1); /* still down: deferred */
    assert_int_equal(recover_inventory(f, NULL), 0);
    fx_heal(f, FX_DOWNSTREAM, ORD_MEM_RELEASE);
    ord_manual_clock_advance(f->clock, 2 * f->config.tracking_backoff_min_ms);
    size_t completed = 0;
    assert_int_equal(recover_inventory(f, &completed), 1);
    assert_int_equal(completed, 1);
    assert_string_equal(f->seen.last_background_what, "inventory_release");

    ord_order o = load(f, id);
    assert_int_equal(o.pending_inventory, ORD_INVENTORY_NONE);
    assert_int_equal(o.status, ORD_STATUS_CANCELLED);
    ord_order_free(&o);
    ord_memory_stock s = fx_stock(f, 1);
    assert_int_equal(s.reserved, 0);
    assert_int_equal(s.available, 10);
    ord_manual_clock_advance(f->clock, 100 * f->config.tracking_backoff_min_ms);
    assert_int_equal(recover_inventory(f, NULL), 0);
}

static void test_owed_commit_is_paid_by_inventory_recovery(void **state)
{
    fx *f = *state;
    int64_t id = fx_place_confirmed(f);
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_COMMIT, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    char ref[24];
    ord_principal admin = fx_admin();
    assert_int_equal(ord_ship_order(f->svc, &admin, NULL, fx_ref(id, ref), 0), ORD_OK);
    assert_int_equal(fx_stock(f, 1).committed, 0);
    ord_manual_clock_advance(f->clock, f->config.tracking_backoff_min_ms);
    size_t completed = 0;
    assert_int_equal(recover_inventory(f, &completed), 1);
    assert_int_equal(completed, 1);
    assert_string_equal(f->seen.last_background_what, "inventory_commit");
    ord_memory_stock s = fx_stock(f, 1);
    assert_int_equal(s.committed, 2);
    assert_int_equal(s.reserved, 0);
    ord_order o = load(f, id);
    assert_int_equal(o.pending_inventory, ORD_INVENTORY_NONE);
    assert_int_equal(o.status, ORD_STATUS_SHIPPED);
    ord_order_free(&o);
}

static void test_recovery_with_nothing_to_do_claims_nothing(void **state)
{
    fx *f = *state;
    fx_place_confirmed(f);
    ord_manual_clock_advance(f->clock, f->config.pending_deadline_ms);
    assert_int_equal(recover_pending(f).claimed, 0);
    assert_int_equal(recover_tracking(f, NULL), 0);
    assert_int_equal(recover_inventory(f, NULL), 0);
    ord_work_report report;
    assert_int_equal(ord_recover_pending_orders(f->svc, 0, &report), ORD_OK);
    assert_int_equal(f->seen.background, 0);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_crash_before_reserve_is_resumed_once_stale),
        T(test_crash_right_after_persisting_is_repaired_with_one_reservation),
        T(test_crash_after_reserve_before_confirm_does_not_reserve_twice),
        T(test_pending_order_past_deadline_is_cancelled_and_stock_released),
        T(test_deadline_of_a_checked_out_draft_counts_from_checkout),
        T(test_resumed_order_short_of_stock_is_cancelled),
        T(test_pending_recovery_backs_off_while_inventory_is_down),
        T(test_recovery_reports_an_unreachable_store),
        T(test_tracking_recovery_backs_off_then_fills_the_number),
        T(test_tracking_backoff_is_capped),
        T(test_order_shipped_before_tracking_answered_still_gets_its_number),
        T(test_order_delivered_before_tracking_answered_still_gets_its_number),
        T(test_owed_release_is_paid_by_inventory_recovery),
        T(test_owed_commit_is_paid_by_inventory_recovery),
        T(test_recovery_with_nothing_to_do_claims_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
