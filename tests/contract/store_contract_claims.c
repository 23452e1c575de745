/* Storage contract, part 3: claiming background work with leases, so that
 * two workers never hold one order at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store_contract.h"

#define MAX_CLAIM 16

/* Claims work and returns how many orders came back in @p ids. */
static size_t claim(const ord_store_fixture *f, ord_work_kind kind, int64_t now_ms,
                    int64_t stale_before_ms, const char *owner, size_t max,
                    int64_t ids[MAX_CLAIM])
{
    ord_work_claim c = {
        .kind = kind,
        .now_ms = now_ms,
        .stale_before_ms = stale_before_ms,
        .lease_until_ms = now_ms + 30000,
        .owner = owner,
        .max = max,
    };
    size_t count = 99;
    assert_int_equal(f->orders.ops->claim(f->orders.self, &c, ids, &count), ORD_OK);
    assert_true(count <= max);
    return count;
}

static bool contains(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

static void test_claim_stale_pending_returns_only_stale_pending_orders(void **state)
{
    ord_store_fixture *f = *state;
    int64_t stale = sc_create_order(f, 20, SC_T0);
    int64_t fresh = sc_create_order(f, 20, SC_T0 + 60000);
    int64_t confirmed = sc_create_order(f, 20, SC_T0);
    sc_move(f, confirmed, ORD_STATUS_CONFIRMED, SC_T0);
    int64_t ids[MAX_CLAIM];
    size_t n = claim(f, ORD_WORK_STALE_PENDING, SC_T0 + 60000, SC_T0 + 1000, "w1", MAX_CLAIM, ids);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], stale);
    assert_false(contains(ids, n, fresh));
}

static void test_claim_missing_tracking_skips_orders_with_tracking(void **state)
{
    ord_store_fixture *f = *state;
    int64_t bare = sc_create_order(f, 21, SC_T0);
    sc_move(f, bare, ORD_STATUS_CONFIRMED, SC_T0 + 1);
    int64_t tracked = sc_create_order(f, 21, SC_T0);
    sc_move(f, tracked, ORD_STATUS_CONFIRMED, SC_T0 + 1);
    ord_order o;
    sc_load(f, tracked, &o);
    assert_int_equal(ord_order_set_text(&o.tracking_number, "TRK-9"), ORD_OK);
    ord_order_update u = {.order = &o, .fields = ORD_UPDATE_TRACKING};
    int64_t version = 0;
    assert_int_equal(f->orders.ops->update(f->orders.self, &u, &version), ORD_OK);
    ord_order_free(&o);
    sc_create_order(f, 21, SC_T0); /* pending: other work */
    int64_t recent = sc_create_order(f, 21, SC_T0);
    sc_move(f, recent, ORD_STATUS_CONFIRMED, SC_T0 + 50000);
    /* Shipped before tracking answered: still owed a number. */
    int64_t shipped = sc_create_order(f, 21, SC_T0);
    sc_move(f, shipped, ORD_STATUS_CONFIRMED, SC_T0 + 1);
    sc_move(f, shipped, ORD_STATUS_SHIPPED, SC_T0 + 2);
    int64_t cancelled = sc_create_order(f, 21, SC_T0);
    sc_move(f, cancelled, ORD_STATUS_CANCELLED, SC_T0 + 1);

    int64_t ids[MAX_CLAIM];
    size_t n = claim(f, ORD_WORK_MISSING_TRACKING, SC_T0 + 60000, SC_T0 + 1000, "w1", MAX_CLAIM,
                     ids);
    assert_int_equal(n, 2);
    assert_true(contains(ids, n, bare));
    assert_true(contains(ids, n, shipped));
}

/* Shipped and delivered before the tracking service answered: the order is
 * still owed its number (and the tracking service its shipment). */
static void test_claim_missing_tracking_includes_delivered_orders_without_number(void **state)
{
    ord_store_fixture *f = *state;
    int64_t delivered = sc_create_order(f, 22, SC_T0);
    sc_move(f, delivered, ORD_STATUS_CONFIRMED, SC_T0 + 1);
    sc_move(f, delivered, ORD_STATUS_SHIPPED, SC_T0 + 2);
    sc_move(f, delivered, ORD_STATUS_DELIVERED, SC_T0 + 3);

    int64_t ids[MAX_CLAIM];
    size_t n = claim(f, ORD_WORK_MISSING_TRACKING, SC_T0 + 60000, SC_T0 + 1000, "w1", MAX_CLAIM,
                     ids);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], delivered);
}

static void test_claim_inventory_returns_orders_owing_stock(void **state)
{
    ord_store_fixture *f = *state;
    int64_t owes_release = sc_create_order(f, 22, SC_T0);
    sc_set_pending_inventory(f, owes_release, ORD_INVENTORY_RELEASE, SC_T0 + 1);
    int64_t owes_commit = sc_create_order(f, 22, SC_T0);
    sc_set_pending_inventory(f, owes_commit, ORD_INVENTORY_COMMIT, SC_T0 + 2);
    int64_t settled = sc_create_order(f, 22, SC_T0);
    sc_set_pending_inventory(f, settled, ORD_INVENTORY_NONE, SC_T0 + 3);
    int64_t recent = sc_create_order(f, 22, SC_T0);
    sc_set_pending_inventory(f, recent, ORD_INVENTORY_RELEASE, SC_T0 + 50000);

    int64_t ids[MAX_CLAIM];
    size_t n = claim(f, ORD_WORK_INVENTORY, SC_T0 + 60000, SC_T0 + 1000, "w1", MAX_CLAIM, ids);
    assert_int_equal(n, 2);
    assert_true(contains(ids, n, owes_release));
    assert_true(contains(ids, n, owes_commit));
}

static void test_claim_is_oldest_first_and_stops_at_max(void **state)
{
    ord_store_fixture *f = *state;
    int64_t c = sc_create_order(f, 23, SC_T0 + 300);
    int64_t a = sc_create_order(f, 23, SC_T0 + 100);
    int64_t b = sc_create_order(f, 23, SC_T0 + 200);
    int64_t ids[MAX_CLAIM];
    size_t n = claim(f, ORD_WORK_STALE_PENDING, SC_T0 + 5000, SC_T0 + 1000, "w1", 2, ids);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], a);
    assert_int_equal(ids[1], b);
    n = claim(f, ORD_WORK_STALE_PENDING, SC_T0 + 5000, SC_T0 + 1000, "w2", MAX_CLAIM, ids);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], c);
}

static void test_claim_of_nothing_returns_zero(void **state)
{
    ord_store_fixture *f = *state;
    int64_t ids[MAX_CLAIM];
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, SC_T0, SC_T0, "w1", MAX_CLAIM, ids), 0);
    sc_create_order(f, 24, SC_T0 + 10);
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, SC_T0 + 20, SC_T0, "w1", MAX_CLAIM, ids), 0);
}

static void test_leased_order_is_not_claimed_by_another_owner_until_the_lease_ends(void **state)
{
    ord_store_fixture *f = *state;
    int64_t id = sc_create_order(f, 25, SC_T0);
    int64_t ids[MAX_CLAIM];
    int64_t now = SC_T0 + 10000;
    /* claim() leases for 30 s from now. */
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, now, now, "w1", MAX_CLAIM, ids), 1);
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, now + 1, now, "w2", MAX_CLAIM, ids), 0);
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, now + 29999, now, "w2", MAX_CLAIM, ids), 0);
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, now + 30001, now, "w2", MAX_CLAIM, ids), 1);
    assert_int_equal(ids[0], id);
    /* Now w2 holds it. */
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, now + 30002, now, "w1", MAX_CLAIM, ids), 0);
}

static void test_defer_by_the_owner_extends_the_lease(void **state)
{
    ord_store_fixture *f = *state;
    int64_t id = sc_create_order(f, 26, SC_T0);
    int64_t ids[MAX_CLAIM];
    int64_t now = SC_T0 + 10000;
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, now, now, "w1", MAX_CLAIM, ids), 1);
    assert_int_equal(f->orders.ops->defer(f->orders.self, id, "w1", now + 90000), ORD_OK);
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, now + 60000, now, "w2", MAX_CLAIM, ids), 0);
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, now + 90001, now, "w2", MAX_CLAIM, ids), 1);
}

static void test_deferred_order_is_not_claimed_again_by_its_own_owner_until_the_lease_ends(
    void **state)
{
    ord_store_fixture *f = *state;
    int64_t id = sc_create_order(f, 28, SC_T0);
    int64_t ids[MAX_CLAIM];
    int64_t now = SC_T0 + 10000;
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, now, now, "w1", MAX_CLAIM, ids), 1);
    assert_int_equal(f->orders.ops->defer(f->orders.self, id, "w1", now + 90000), ORD_OK);
    /* The lease is the backoff: its own owner waits for it too. */
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, now + 60000, now, "w1", MAX_CLAIM, ids), 0);
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, now + 90001, now, "w1", MAX_CLAIM, ids), 1);
    assert_int_equal(ids[0], id);
}

static void test_defer_by_a_non_owner_conflicts_and_changes_nothing(void **state)
{
    ord_store_fixture *f = *state;
    int64_t id = sc_create_order(f, 27, SC_T0);
    int64_t ids[MAX_CLAIM];
    int64_t now = SC_T0 + 10000;
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, now, now, "w1", MAX_CLAIM, ids), 1);
    assert_int_equal(f->orders.ops->defer(f->orders.self, id, "w2", now + 90000), ORD_ECONFLICT);
    /* w1's lease still ends after 30 s, not at w2's time. */
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, now + 30001, now, "w3", MAX_CLAIM, ids), 1);
}

static void test_defer_of_an_unleased_or_missing_order_fails(void **state)
{
    ord_store_fixture *f = *state;
    int64_t id = sc_create_order(f, 28, SC_T0);
    assert_int_equal(f->orders.ops->defer(f->orders.self, id, "w1", SC_T0 + 5), ORD_ECONFLICT);
    assert_int_equal(f->orders.ops->defer(f->orders.self, id + 1000, "w1", SC_T0 + 5),
                     ORD_ENOTFOUND);
}

static void test_update_releasing_the_lease_frees_the_order_for_others(void **state)
{
    ord_store_fixture *f = *state;
    int64_t id = sc_create_order(f, 29, SC_T0);
    int64_t ids[MAX_CLAIM];
    int64_t now = SC_T0 + 10000;
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, now, now, "w1", MAX_CLAIM, ids), 1);
    ord_order o;
    sc_load(f, id, &o);
    ord_order_update u = {.order = &o, .fields = 0, .release_lease = true};
    int64_t version = 0;
    assert_int_equal(f->orders.ops->update(f->orders.self, &u, &version), ORD_OK);
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, now + 1, now, "w2", MAX_CLAIM, ids), 1);
    assert_int_equal(ids[0], id);
    ord_order_free(&o);
}

static void test_update_keeping_the_lease_keeps_others_out(void **state)
{
    ord_store_fixture *f = *state;
    int64_t id = sc_create_order(f, 30, SC_T0);
    int64_t ids[MAX_CLAIM];
    int64_t now = SC_T0 + 10000;
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, now, now, "w1", MAX_CLAIM, ids), 1);
    ord_order o;
    sc_load(f, id, &o);
    ord_order_update u = {.order = &o, .fields = 0, .release_lease = false};
    int64_t version = 0;
    assert_int_equal(f->orders.ops->update(f->orders.self, &u, &version), ORD_OK);
    assert_int_equal(claim(f, ORD_WORK_STALE_PENDING, now + 1, now, "w2", MAX_CLAIM, ids), 0);
    ord_order_free(&o);
}

int sc_run_claims(void)
{
    const struct CMUnitTest store_contract_claims[] = {
        SC_TEST(test_claim_stale_pending_returns_only_stale_pending_orders),
        SC_TEST(test_claim_missing_tracking_skips_orders_with_tracking),
        SC_TEST(test_claim_missing_tracking_includes_delivered_orders_without_number),
        SC_TEST(test_claim_inventory_returns_orders_owing_stock),
        SC_TEST(test_claim_is_oldest_first_and_stops_at_max),
        SC_TEST(test_claim_of_nothing_returns_zero),
        SC_TEST(test_leased_order_is_not_claimed_by_another_owner_until_the_lease_ends),
        SC_TEST(test_defer_by_the_owner_extends_the_lease),
        SC_TEST(test_deferred_order_is_not_claimed_again_by_its_own_owner_until_the_lease_ends),
        SC_TEST(test_defer_by_a_non_owner_conflicts_and_changes_nothing),
        SC_TEST(test_defer_of_an_unleased_or_missing_order_fails),
        SC_TEST(test_update_releasing_the_lease_frees_the_order_for_others),
        SC_TEST(test_update_keeping_the_lease_keeps_others_out),
    };
    return cmocka_run_group_tests(store_contract_claims, NULL, NULL);
}
