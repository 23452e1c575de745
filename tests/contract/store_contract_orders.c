/* Storage contract, part 1: creating, loading and listing orders, and text
 * that must come back byte for byte. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store_contract.h"

/* Quotes, backslashes, multi-byte UTF-8 and SQL that must not be run. */
#define NASTY_NAME "Zoë \"Q\" O'Brien \\ 李小龙 🚚"
#define NASTY_ADDRESS "'; DROP TABLE orders; --\n1 Rue de l'Église, Paris \\N %s"
#define NASTY_CARRIER "DHL' OR '1'='1"
#define NASTY_TRACKING "TRK\\x00\"; DELETE FROM order_items; --"

static void test_create_sets_id_and_version_one(void **state)
{
    ord_store_fixture *f = *state;
    ord_order a;
    ord_order b;
    sc_build_order(&a, 1, SC_T0);
    sc_build_order(&b, 1, SC_T0);
    assert_int_equal(f->orders.ops->create(f->orders.self, &a), ORD_OK);
    assert_int_equal(f->orders.ops->create(f->orders.self, &b), ORD_OK);
    assert_true(a.id > 0);
    assert_true(b.id > 0);
    assert_int_not_equal(a.id, b.id);
    assert_int_equal(a.version, 1);
    assert_int_equal(b.version, 1);
    ord_order_free(&a);
    ord_order_free(&b);
}

static void test_create_round_trips_every_field_by_id(void **state)
{
    ord_store_fixture *f = *state;
    ord_order o;
    sc_build_full_order(&o);
    assert_int_equal(f->orders.ops->create(f->orders.self, &o), ORD_OK);
    ord_order got;
    sc_load(f, o.id, &got);
    sc_assert_orders_equal(&o, &got);
    ord_order_free(&got);
    ord_order_free(&o);
}

static void test_create_round_trips_every_field_by_number(void **state)
{
    ord_store_fixture *f = *state;
    ord_order o;
    sc_build_full_order(&o);
    assert_int_equal(f->orders.ops->create(f->orders.self, &o), ORD_OK);
    ord_order got;
    ord_order_init(&got);
    assert_int_equal(f->orders.ops->get_by_number(f->orders.self, o.number, &got), ORD_OK);
    sc_assert_orders_equal(&o, &got);
    ord_order_free(&got);
    ord_order_free(&o);
}

static void test_create_guest_draft_without_prices_round_trips(void **state)
{
    ord_store_fixture *f = *state;
    ord_order o;
    ord_order_init(&o);
    sc_next_number(o.number);
    strcpy(o.guest_token_hash, "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae");
    assert_int_equal(ord_order_set_line(&o, 5, 4), ORD_OK);
    assert_int_equal(ord_money_make(&o.total, 0, "USD"), ORD_OK);
    assert_int_equal(ord_order_start(&o, ORD_STATUS_DRAFT, SC_T0, "created"), ORD_OK);
    assert_int_equal(f->orders.ops->create(f->orders.self, &o), ORD_OK);
    ord_order got;
    sc_load(f, o.id, &got);
    sc_assert_orders_equal(&o, &got);
    assert_false(got.items[0].has_price);
    assert_int_equal(got.customer_id, 0);
    assert_int_equal(got.status, ORD_STATUS_DRAFT);
    ord_order_free(&got);
    ord_order_free(&o);
}

static void test_stored_order_shares_no_memory_with_the_caller(void **state)
{
    ord_store_fixture *f = *state;
    ord_order o;
    sc_build_full_order(&o);
    assert_int_equal(f->orders.ops->create(f->orders.self, &o), ORD_OK);
    ord_order pristine;
    ord_order_init(&pristine);
    assert_int_equal(ord_order_copy(&pristine, &o), ORD_OK);
    o.customer_name[0] = 'X';
    o.items[1].quantity = 5;
    o.history[0].at_ms = 1;
    ord_order_free(&o);
    o = pristine;

    ord_order first;
    sc_load(f, o.id, &first);
    first.delivery_address[0] = 'X';
    first.items[0].quantity = 77;
    first.history[0].reason[0] = 'X';
    ord_order second;
    sc_load(f, o.id, &second);
    sc_assert_orders_equal(&o, &second);
    ord_order_free(&first);
    ord_order_free(&second);
    ord_order_free(&o);
}

static void test_get_missing_id_is_not_found_and_zeroes_out(void **state)
{
    ord_store_fixture *f = *state;
    sc_create_order(f, 1, SC_T0);
    ord_order out;
    ord_order_init(&out);
    out.id = 77;
    out.version = 3;
    strcpy(out.number, "ORD-stale");
    assert_int_equal(f->orders.ops->get_by_id(f->orders.self, 987654321, &out), ORD_ENOTFOUND);
    sc_assert_order_zeroed(&out);
}

static void test_get_missing_number_is_not_found_and_zeroes_out(void **state)
{
    ord_store_fixture *f = *state;
    sc_create_order(f, 1, SC_T0);
    ord_order out;
    ord_order_init(&out);
    out.id = 77;
    out.customer_id = 5;
    strcpy(out.number, "ORD-stale");
    assert_int_equal(f->orders.ops->get_by_number(f->orders.self,
                                                  "ORD-00000000-0000-4000-8000-000000000000", &out),
                     ORD_ENOTFOUND);
    sc_assert_order_zeroed(&out);
}

static void test_create_duplicate_number_conflicts_and_keeps_the_first(void **state)
{
    ord_store_fixture *f = *state;
    ord_order first;
    sc_build_order(&first, 1, SC_T0);
    assert_int_equal(f->orders.ops->create(f->orders.self, &first), ORD_OK);
    ord_order dup;
    sc_build_order(&dup, 2, SC_T0 + 5);
    strcpy(dup.number, first.number);
    assert_int_equal(f->orders.ops->create(f->orders.self, &dup), ORD_ECONFLICT);
    assert_int_equal(dup.id, 0);
    ord_order got;
    ord_order_init(&got);
    assert_int_equal(f->orders.ops->get_by_number(f->orders.self, first.number, &got), ORD_OK);
    assert_int_equal(got.id, first.id);
    assert_int_equal(got.customer_id, 1);
    ord_order_free(&got);
    ord_order_free(&dup);
    ord_order_free(&first);
}

static void assert_create_refused(const ord_store_fixture *f, ord_order *o)
{
    assert_int_equal(f->orders.ops->create(f->orders.self, o), ORD_EINVALID);
    assert_int_equal(o->id, 0);
    ord_order got;
    ord_order_init(&got);
    assert_int_equal(f->orders.ops->get_by_number(f->orders.self, o->number, &got), ORD_ENOTFOUND);
}

static void test_create_refuses_zero_quantity(void **state)
{
    ord_store_fixture *f = *state;
    ord_order o;
    sc_build_order(&o, 1, SC_T0);
    o.items[1].quantity = 0;
    assert_create_refused(f, &o);
    ord_order_free(&o);
}

static void test_create_refuses_negative_price(void **state)
{
    ord_store_fixture *f = *state;
    ord_order o;
    sc_build_order(&o, 1, SC_T0);
    o.items[0].unit_price.minor = -1;
    assert_create_refused(f, &o);
    ord_order_free(&o);
}

static void test_text_is_stored_and_read_back_verbatim(void **state)
{
    ord_store_fixture *f = *state;
    ord_order o;
    sc_build_order(&o, 31, SC_T0);
    assert_int_equal(ord_order_set_text(&o.customer_name, NASTY_NAME), ORD_OK);
    assert_int_equal(ord_order_set_text(&o.delivery_address, NASTY_ADDRESS), ORD_OK);
    assert_int_equal(ord_order_set_text(&o.carrier, NASTY_CARRIER), ORD_OK);
    assert_int_equal(ord_order_set_text(&o.tracking_number, NASTY_TRACKING), ORD_OK);
    strcpy(o.history[0].reason, "'; DROP TABLE orders; --");
    assert_int_equal(f->orders.ops->create(f->orders.self, &o), ORD_OK);

    ord_order got;
    sc_load(f, o.id, &got);
    assert_string_equal(got.customer_name, NASTY_NAME);
    assert_string_equal(got.delivery_address, NASTY_ADDRESS);
    assert_string_equal(got.carrier, NASTY_CARRIER);
    assert_string_equal(got.tracking_number, NASTY_TRACKING);
    assert_string_equal(got.history[0].reason, "'; DROP TABLE orders; --");
    sc_assert_orders_equal(&o, &got);
    ord_order_free(&got);

    ord_order_page page = {0};
    ord_order_query q = {.customer_id = 31, .limit = 10};
    assert_int_equal(f->orders.ops->list_by_customer(f->orders.self, &q, &page), ORD_OK);
    assert_int_equal(page.count, 1);
    assert_string_equal(page.orders[0].delivery_address, NASTY_ADDRESS);
    ord_order_page_free(&page);
    ord_order_free(&o);
}

/* Reads every page of a query; returns the ids in the order seen. */
static size_t list_all(const ord_store_fixture *f, ord_order_query q, int64_t *ids, size_t cap,
                       size_t *pages)
{
    size_t n = 0;
    *pages = 0;
    for (;;) {
        ord_order_page page = {0};
        assert_int_equal(f->orders.ops->list_by_customer(f->orders.self, &q, &page), ORD_OK);
        (*pages)++;
        assert_true(page.count <= q.limit);
        for (size_t i = 0; i < page.count; i++) {
            assert_true(n < cap);
            ids[n++] = page.orders[i].id;
            assert_int_equal(page.orders[i].customer_id, q.customer_id);
        }
        if (page.has_more)
            assert_int_equal(page.count, q.limit);
        bool more = page.has_more;
        if (page.count > 0) {
            q.has_after = true;
            q.after_created_at_ms = page.orders[page.count - 1].created_at_ms;
            q.after_id = page.orders[page.count - 1].id;
        }
        ord_order_page_free(&page);
        if (!more)
            return n;
        assert_true(*pages < 50);
    }
}

static void test_list_is_newest_first_over_keyset_pages(void **state)
{
    ord_store_fixture *f = *state;
    /* Three orders share a timestamp, so ties must break on id. */
    int64_t at[8] = {SC_T0 + 5, SC_T0 + 1, SC_T0 + 3, SC_T0 + 3, SC_T0 + 7, SC_T0 + 3,
                     SC_T0 + 2, SC_T0 + 6};
    int64_t id[8];
    for (int i = 0; i < 8; i++) {
        id[i] = sc_create_order(f, 500, at[i]);
        sc_create_order(f, 501, at[i]); /* a neighbour's orders interleave */
    }
    /* Newest first: +7, +6, +5, then the three +3 by id descending, +2, +1. */
    int64_t expected[8] = {id[4], id[7], id[0], id[5], id[3], id[2], id[6], id[1]};

    int64_t seen[16];
    size_t pages = 0;
    ord_order_query q = {.customer_id = 500, .limit = 3};
    size_t n = list_all(f, q, seen, 16, &pages);
    assert_int_equal(n, 8);
    assert_int_equal(pages, 3);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(seen[i], expected[i]);

    /* When the limit divides the count, the last full page says no more. */
    q.limit = 4;
    n = list_all(f, q, seen, 16, &pages);
    assert_int_equal(n, 8);
    assert_int_equal(pages, 2);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(seen[i], expected[i]);
}

static void test_list_page_has_summaries_without_items_or_history(void **state)
{
    ord_store_fixture *f = *state;
    ord_order o;
    sc_build_full_order(&o);
    assert_int_equal(f->orders.ops->create(f->orders.self, &o), ORD_OK);
    ord_order_page page = {0};
    ord_order_query q = {.customer_id = o.customer_id, .limit = 5};
    assert_int_equal(f->orders.ops->list_by_customer(f->orders.self, &q, &page), ORD_OK);
    assert_int_equal(page.count, 1);
    assert_false(page.has_more);
    const ord_order *p = &page.orders[0];
    assert_int_equal(p->id, o.id);
    assert_string_equal(p->number, o.number);
    assert_int_equal(p->status, o.status);
    assert_int_equal(p->total.minor, o.total.minor);
    assert_string_equal(p->total.currency, "USD");
    assert_int_equal(p->created_at_ms, o.created_at_ms);
    assert_int_equal(p->version, 1);
    assert_string_equal(p->tracking_number, o.tracking_number);
    assert_int_equal(p->item_count, 0);
    assert_int_equal(p->history_count, 0);
    ord_order_page_free(&page);
    ord_order_free(&o);
}

static void test_list_filters_by_status(void **state)
{
    ord_store_fixture *f = *state;
    int64_t a = sc_create_order(f, 600, SC_T0 + 1);
    int64_t b = sc_create_order(f, 600, SC_T0 + 2);
    int64_t c = sc_create_order(f, 600, SC_T0 + 3);
    sc_move(f, b, ORD_STATUS_CONFIRMED, SC_T0 + 10);
    sc_move(f, c, ORD_STATUS_CANCELLED, SC_T0 + 11);

    ord_order_page page = {0};
    ord_order_query q = {.customer_id = 600, .limit = 10, .has_status = true,
                         .status = ORD_STATUS_CONFIRMED};
    assert_int_equal(f->orders.ops->list_by_customer(f->orders.self, &q, &page), ORD_OK);
    assert_int_equal(page.count, 1);
    assert_int_equal(page.orders[0].id, b);
    assert_int_equal(page.orders[0].status, ORD_STATUS_CONFIRMED);
    ord_order_page_free(&page);

    q.status = ORD_STATUS_PENDING_CHECK;
    assert_int_equal(f->orders.ops->list_by_customer(f->orders.self, &q, &page), ORD_OK);
    assert_int_equal(page.count, 1);
    assert_int_equal(page.orders[0].id, a);
    ord_order_page_free(&page);

    q.status = ORD_STATUS_SHIPPED;
    assert_int_equal(f->orders.ops->list_by_customer(f->orders.self, &q, &page), ORD_OK);
    assert_int_equal(page.count, 0);
    assert_false(page.has_more);
    ord_order_page_free(&page);
}

static void test_list_excludes_other_customers(void **state)
{
    ord_store_fixture *f = *state;
    int64_t mine = sc_create_order(f, 700, SC_T0);
    sc_create_order(f, 701, SC_T0 + 1);
    sc_create_order(f, 7000, SC_T0 + 2);
    ord_order_page page = {0};
    ord_order_query q = {.customer_id = 700, .limit = 100};
    assert_int_equal(f->orders.ops->list_by_customer(f->orders.self, &q, &page), ORD_OK);
    assert_int_equal(page.count, 1);
    assert_int_equal(page.orders[0].id, mine);
    assert_false(page.has_more);
    ord_order_page_free(&page);
}

static void test_list_of_unknown_customer_is_empty(void **state)
{
    ord_store_fixture *f = *state;
    sc_create_order(f, 800, SC_T0);
    ord_order_page page = {0};
    ord_order_query q = {.customer_id = 801, .limit = 20};
    assert_int_equal(f->orders.ops->list_by_customer(f->orders.self, &q, &page), ORD_OK);
    assert_int_equal(page.count, 0);
    assert_false(page.has_more);
    ord_order_page_free(&page);
}

static void test_list_refuses_limit_outside_1_to_100(void **state)
{
    ord_store_fixture *f = *state;
    sc_create_order(f, 900, SC_T0);
    ord_order_page page = {0};
    ord_order_query q = {.customer_id = 900, .limit = 0};
    assert_int_equal(f->orders.ops->list_by_customer(f->orders.self, &q, &page), ORD_EINVALID);
    assert_int_equal(page.count, 0);
    assert_null(page.orders);
    q.limit = 101;
    assert_int_equal(f->orders.ops->list_by_customer(f->orders.self, &q, &page), ORD_EINVALID);
    assert_int_equal(page.count, 0);
}

int sc_run_orders(void)
{
    const struct CMUnitTest store_contract_orders[] = {
        SC_TEST(test_create_sets_id_and_version_one),
        SC_TEST(test_create_round_trips_every_field_by_id),
        SC_TEST(test_create_round_trips_every_field_by_number),
        SC_TEST(test_create_guest_draft_without_prices_round_trips),
        SC_TEST(test_stored_order_shares_no_memory_with_the_caller),
        SC_TEST(test_get_missing_id_is_not_found_and_zeroes_out),
        SC_TEST(test_get_missing_number_is_not_found_and_zeroes_out),
        SC_TEST(test_create_duplicate_number_conflicts_and_keeps_the_first),
        SC_TEST(test_create_refuses_zero_quantity),
        SC_TEST(test_create_refuses_negative_price),
        SC_TEST(test_text_is_stored_and_read_back_verbatim),
        SC_TEST(test_list_is_newest_first_over_keyset_pages),
        SC_TEST(test_list_page_has_summaries_without_items_or_history),
        SC_TEST(test_list_filters_by_status),
        SC_TEST(test_list_excludes_other_customers),
        SC_TEST(test_list_of_unknown_customer_is_empty),
        SC_TEST(test_list_refuses_limit_outside_1_to_100),
    };
    return cmocka_run_group_tests(store_contract_orders, NULL, NULL);
}
