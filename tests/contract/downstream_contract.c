/* The downstream contract: what every precheck, inventory, tracking and
 * event sink adapter must do, checked only through the ports and the
 * factory's inspection hooks, so the in-memory fakes and the HTTP adapters
 * (against the simulator) are held to the same behaviour. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "contract.h"

/* cmocka's setup and teardown take no argument: the runner parks the
 * factory here for the length of one run. */
static const ord_downstream_factory *factory;

/* Order ids are fresh in every test, so that a service that keeps state
 * across fixtures cannot make a test pass or fail by accident. */
static int64_t last_order_id = 910000;

static int64_t fresh_order_id(void)
{
    return ++last_order_id;
}

static int fixture_setup(void **state)
{
    static ord_downstream_fixture fixture;
    memset(&fixture, 0, sizeof fixture);
    if (factory->setup(&fixture) != 0)
        return -1;
    *state = &fixture;
    return 0;
}

static int fixture_teardown(void **state)
{
    factory->teardown(*state);
    return 0;
}

typedef struct stock {
    int64_t available;
    int64_t reserved;
    int64_t committed;
} stock;

static stock stock_of(ord_downstream_fixture *f, int64_t product_id)
{
    stock s = {0};
    assert_int_equal(factory->stock(f, product_id, &s.available, &s.reserved, &s.committed), 0);
    return s;
}

static void assert_stock(ord_downstream_fixture *f, int64_t product_id, int64_t available,
                         int64_t reserved, int64_t committed)
{
    stock s = stock_of(f, product_id);
    assert_int_equal(s.available, available);
    assert_int_equal(s.reserved, reserved);
    assert_int_equal(s.committed, committed);
}

static ord_order_item line(int64_t product_id, int32_t quantity)
{
    return (ord_order_item){.product_id = product_id, .quantity = quantity};
}

static ord_error reserve(ord_downstream_fixture *f, int64_t order_id, const ord_order_item *items,
                         size_t count, ord_reserve_result *result)
{
    return f->inventory.ops->reserve(f->inventory.self, NULL, order_id, items, count, result);
}

static ord_error release(ord_downstream_fixture *f, int64_t order_id)
{
    return f->inventory.ops->release(f->inventory.self, NULL, order_id);
}

static ord_error commit(ord_downstream_fixture *f, int64_t order_id)
{
    return f->inventory.ops->commit(f->inventory.self, NULL, order_id);
}

static ord_error precheck(ord_downstream_fixture *f, int64_t customer_id, ord_product_price *prices,
                          size_t count, ord_precheck_result *result)
{
    return f->precheck.ops->check(f->precheck.self, NULL, customer_id, prices, count, result);
}

/* ---- precheck ---- */

static void test_precheck_returns_exact_catalog_prices(void **state)
{
    ord_downstream_fixture *f = *state;
    ord_product_price prices[] = {{.product_id = 1}, {.product_id = 2}, {.product_id = 3},
                                  {.product_id = 4}};
    ord_precheck_result result;
    assert_int_equal(precheck(f, 12345, prices, 4, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_PASSED);
    const int64_t expected[] = {9999, 10, 20, 14999};
    for (size_t i = 0; i < 4; i++) {
        assert_true(prices[i].found);
        assert_int_equal(prices[i].price.minor, expected[i]);
        assert_string_equal(prices[i].price.currency, "USD");
    }
}

static void test_precheck_unknown_product_sets_found_flags(void **state)
{
    ord_downstream_fixture *f = *state;
    ord_product_price prices[] = {{.product_id = 1},
                                  {.product_id = ORD_CONTRACT_UNKNOWN_PRODUCT},
                                  {.product_id = 2}};
    ord_precheck_result result;
    assert_int_equal(precheck(f, 12345, prices, 3, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_UNKNOWN_PRODUCTS);
    assert_true(prices[0].found);
    assert_int_equal(prices[0].price.minor, 9999);
    assert_false(prices[1].found);
    assert_true(prices[2].found);
    assert_int_equal(prices[2].price.minor, 10);
}

static void test_precheck_refuses_restricted_customer(void **state)
{
    ord_downstream_fixture *f = *state;
    ord_product_price prices[] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(precheck(f, ORD_CONTRACT_RESTRICTED_CUSTOMER, prices, 1, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_RESTRICTED);
}

static void test_precheck_refuses_ineligible_customer(void **state)
{
    ord_downstream_fixture *f = *state;
    ord_product_price prices[] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(precheck(f, ORD_CONTRACT_INELIGIBLE_CUSTOMER, prices, 1, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_INELIGIBLE);
}

static void test_precheck_passes_ordinary_customer(void **state)
{
    ord_downstream_fixture *f = *state;
    ord_product_price prices[] = {{.product_id = 2}};
    ord_precheck_result result;
    assert_int_equal(precheck(f, 12345, prices, 1, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_PASSED);
    assert_int_equal(result.failed, ORD_PRECHECK_NONE);
}

static void test_precheck_guest_skips_account_checks(void **state)
{
    ord_downstream_fixture *f = *state;
    ord_product_price prices[] = {{.product_id = 1}, {.product_id = 3}};
    ord_precheck_result result;
    assert_int_equal(precheck(f, 0, prices, 2, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_PASSED);
    assert_true(prices[0].found);
    assert_int_equal(prices[0].price.minor, 9999);
    assert_true(prices[1].found);
    assert_int_equal(prices[1].price.minor, 20);
}

/* ---- inventory ---- */

static void test_fixture_starts_with_seeded_stock(void **state)
{
    ord_downstream_fixture *f = *state;
    assert_stock(f, 1, 10, 0, 0);
    assert_stock(f, 2, 100, 0, 0);
    assert_stock(f, 3, 100, 0, 0);
    assert_stock(f, 4, 0, 0, 0);
}

static void test_reserve_moves_stock_to_reserved(void **state)
{
    ord_downstream_fixture *f = *state;
    ord_order_item items[] = {line(1, 2), line(2, 5)};
    ord_reserve_result result;
    assert_int_equal(reserve(f, fresh_order_id(), items, 2, &result), ORD_OK);
    assert_true(result.reserved);
    assert_int_equal(result.unavailable_count, 0);
    assert_stock(f, 1, 8, 2, 0);
    assert_stock(f, 2, 95, 5, 0);
}

static void test_reserve_short_of_stock_names_product_and_holds_nothing(void **state)
{
    ord_downstream_fixture *f = *state;
    ord_order_item items[] = {line(1, 1), line(4, 1)};
    ord_reserve_result result;
    assert_int_equal(reserve(f, fresh_order_id(), items, 2, &result), ORD_OK);
    assert_false(result.reserved);
    assert_int_equal(result.unavailable_count, 1);
    assert_int_equal(result.unavailable[0], 4);
    assert_stock(f, 1, 10, 0, 0);
    assert_stock(f, 4, 0, 0, 0);
}

static void test_reserve_more_than_available_is_refused(void **state)
{
    ord_downstream_fixture *f = *state;
    ord_order_item items[] = {line(1, 11)};
    ord_reserve_result result;
    assert_int_equal(reserve(f, fresh_order_id(), items, 1, &result), ORD_OK);
    assert_false(result.reserved);
    assert_int_equal(result.unavailable_count, 1);
    assert_int_equal(result.unavailable[0], 1);
    assert_stock(f, 1, 10, 0, 0);
}

static void test_reserve_of_all_available_stock_succeeds(void **state)
{
    ord_downstream_fixture *f = *state;
    ord_order_item items[] = {line(1, 10)};
    ord_reserve_result result;
    assert_int_equal(reserve(f, fresh_order_id(), items, 1, &result), ORD_OK);
    assert_true(result.reserved);
    assert_stock(f, 1, 0, 10, 0);

    ord_order_item more[] = {line(1, 1)};
    assert_int_equal(reserve(f, fresh_order_id(), more, 1, &result), ORD_OK);
    assert_false(result.reserved);
    assert_stock(f, 1, 0, 10, 0);
}

static void test_repeated_reserve_for_one_order_reserves_once(void **state)
{
    ord_downstream_fixture *f = *state;
    int64_t order_id = fresh_order_id();
    ord_order_item items[] = {line(1, 3)};
    ord_reserve_result first;
    ord_reserve_result again;
    assert_int_equal(reserve(f, order_id, items, 1, &first), ORD_OK);
    assert_int_equal(reserve(f, order_id, items, 1, &again), ORD_OK);
    assert_true(first.reserved);
    assert_true(again.reserved);
    assert_stock(f, 1, 7, 3, 0);
}

static void test_repeated_reserve_after_refusal_returns_refusal(void **state)
{
    ord_downstream_fixture *f = *state;
    int64_t order_id = fresh_order_id();
    ord_order_item items[] = {line(4, 1)};
    ord_reserve_result result;
    assert_int_equal(reserve(f, order_id, items, 1, &result), ORD_OK);
    assert_false(result.reserved);
    assert_int_equal(reserve(f, order_id, items, 1, &result), ORD_OK);
    assert_false(result.reserved);
    assert_int_equal(result.unavailable_count, 1);
    assert_int_equal(result.unavailable[0], 4);
    assert_stock(f, 4, 0, 0, 0);
}

static void test_release_restores_stock_and_is_repeatable(void **state)
{
    ord_downstream_fixture *f = *state;
    int64_t order_id = fresh_order_id();
    ord_order_item items[] = {line(1, 4), line(3, 7)};
    ord_reserve_result result;
    assert_int_equal(reserve(f, order_id, items, 2, &result), ORD_OK);
    assert_true(result.reserved);
    assert_stock(f, 1, 6, 4, 0);

    assert_int_equal(release(f, order_id), ORD_OK);
    assert_stock(f, 1, 10, 0, 0);
    assert_stock(f, 3, 100, 0, 0);

    assert_int_equal(release(f, order_id), ORD_OK);
    assert_stock(f, 1, 10, 0, 0);
    assert_stock(f, 3, 100, 0, 0);
}

static void test_release_of_unknown_order_succeeds(void **state)
{
    ord_downstream_fixture *f = *state;
    assert_int_equal(release(f, fresh_order_id()), ORD_OK);
    assert_stock(f, 1, 10, 0, 0);
}

static void test_release_of_one_order_leaves_others_reserved(void **state)
{
    ord_downstream_fixture *f = *state;
    int64_t kept = fresh_order_id();
    int64_t released = fresh_order_id();
    ord_order_item items[] = {line(1, 2)};
    ord_reserve_result result;
    assert_int_equal(reserve(f, kept, items, 1, &result), ORD_OK);
    assert_int_equal(reserve(f, released, items, 1, &result), ORD_OK);
    assert_stock(f, 1, 6, 4, 0);
    assert_int_equal(release(f, released), ORD_OK);
    assert_stock(f, 1, 8, 2, 0);
}

static void test_commit_consumes_reserved_stock_and_is_repeatable(void **state)
{
    ord_downstream_fixture *f = *state;
    int64_t order_id = fresh_order_id();
    ord_order_item items[] = {line(1, 2)};
    ord_reserve_result result;
    assert_int_equal(reserve(f, order_id, items, 1, &result), ORD_OK);
    assert_true(result.reserved);

    assert_int_equal(commit(f, order_id), ORD_OK);
    assert_stock(f, 1, 8, 0, 2);
    assert_int_equal(commit(f, order_id), ORD_OK);
    assert_stock(f, 1, 8, 0, 2);
}

static void test_release_after_commit_returns_nothing(void **state)
{
    ord_downstream_fixture *f = *state;
    int64_t order_id = fresh_order_id();
    ord_order_item items[] = {line(2, 10)};
    ord_reserve_result result;
    assert_int_equal(reserve(f, order_id, items, 1, &result), ORD_OK);
    assert_int_equal(commit(f, order_id), ORD_OK);
    assert_int_equal(release(f, order_id), ORD_OK);
    assert_stock(f, 2, 90, 0, 10);
}

static void test_commit_of_unknown_order_succeeds(void **state)
{
    ord_downstream_fixture *f = *state;
    assert_int_equal(commit(f, fresh_order_id()), ORD_OK);
    assert_stock(f, 1, 10, 0, 0);
}

/* ---- tracking ---- */

static ord_error ship(ord_downstream_fixture *f, int64_t order_id, char number[ORD_TRACKING_NUMBER_SIZE])
{
    ord_shipment_request request = {.order_id = order_id,
                                    .customer_name = "Ada Lovelace",
                                    .delivery_address = "123 Main St, City, State 12345",
                                    .carrier = "DHL"};
    return f->tracking.ops->create_shipment(f->tracking.self, NULL, &request, number);
}

static void test_tracking_number_is_the_same_for_the_same_order(void **state)
{
    ord_downstream_fixture *f = *state;
    int64_t order_id = fresh_order_id();
    char first[ORD_TRACKING_NUMBER_SIZE];
    char again[ORD_TRACKING_NUMBER_SIZE];
    assert_int_equal(ship(f, order_id, first), ORD_OK);
    assert_int_equal(strncmp(first, "TRK-", 4), 0);
    assert_true(strlen(first) > 4);
    assert_int_equal(ship(f, order_id, again), ORD_OK);
    assert_string_equal(first, again);
}

static void test_tracking_numbers_differ_between_orders(void **state)
{
    ord_downstream_fixture *f = *state;
    char a[ORD_TRACKING_NUMBER_SIZE];
    char b[ORD_TRACKING_NUMBER_SIZE];
    assert_int_equal(ship(f, fresh_order_id(), a), ORD_OK);
    assert_int_equal(ship(f, fresh_order_id(), b), ORD_OK);
    assert_string_not_equal(a, b);
}

/* ---- event sink ---- */

/* An event whose payload is the body docs/api.md, Events describes, so that a sink that
 * reads eventId from the body (the simulator) sees the same id. */
typedef struct test_event {
    ord_outbox_event event;
    char payload[512];
} test_event;

static unsigned last_event_serial;

static void make_event(test_event *e, int64_t order_id)
{
    memset(e, 0, sizeof *e);
    snprintf(e->event.event_id, sizeof e->event.event_id, "5e1d0c2a-7b3f-4c11-9a6e-%012u",
             ++last_event_serial);
    e->event.type = ORD_EVENT_ORDER_PLACED;
    e->event.order_id = order_id;
    e->event.customer_id = 12345;
    e->event.sequence = 2;
    e->event.occurred_at_ms = 1772980200000; /* 2026-03-08T14:30:00Z */
    snprintf(e->payload, sizeof e->payload,
             "{\"eventId\":\"%s\",\"eventType\":\"OrderPlaced\",\"occurredAt\":\"2026-03-08T14:30:00Z\","
             "\"orderId\":%lld,\"orderNumber\":\"ORD-550e8400-e29b-41d4-a716-446655440000\","
             "\"customerId\":12345,\"status\":\"CONFIRMED\",\"sequence\":2,\"order\":{}}",
             e->event.event_id, (long long)order_id);
    e->event.payload = e->payload;
}

static ord_error deliver(ord_downstream_fixture *f, const test_event *e)
{
    return f->events.ops->deliver(f->events.self, NULL, &e->event);
}

static void test_sink_accepts_events(void **state)
{
    ord_downstream_fixture *f = *state;
    int64_t before = factory->events_received(f);
    test_event a;
    test_event b;
    make_event(&a, fresh_order_id());
    make_event(&b, fresh_order_id());
    assert_int_equal(deliver(f, &a), ORD_OK);
    assert_int_equal(deliver(f, &b), ORD_OK);
    assert_int_equal(factory->events_received(f), before + 2);
}

static void test_sink_counts_a_duplicate_event_id_once(void **state)
{
    ord_downstream_fixture *f = *state;
    int64_t before = factory->events_received(f);
    test_event e;
    make_event(&e, fresh_order_id());
    assert_int_equal(deliver(f, &e), ORD_OK);
    assert_int_equal(deliver(f, &e), ORD_OK);
    assert_int_equal(factory->events_received(f), before + 1);
}

#define CONTRACT_TEST(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)

int ord_run_downstream_contract(const ord_downstream_factory *f)
{
    const struct CMUnitTest tests[] = {
        CONTRACT_TEST(test_precheck_returns_exact_catalog_prices),
        CONTRACT_TEST(test_precheck_unknown_product_sets_found_flags),
        CONTRACT_TEST(test_precheck_refuses_restricted_customer),
        CONTRACT_TEST(test_precheck_refuses_ineligible_customer),
        CONTRACT_TEST(test_precheck_passes_ordinary_customer),
        CONTRACT_TEST(test_precheck_guest_skips_account_checks),
        CONTRACT_TEST(test_fixture_starts_with_seeded_stock),
        CONTRACT_TEST(test_reserve_moves_stock_to_reserved),
        CONTRACT_TEST(test_reserve_short_of_stock_names_product_and_holds_nothing),
        CONTRACT_TEST(test_reserve_more_than_available_is_refused),
        CONTRACT_TEST(test_reserve_of_all_available_stock_succeeds),
        CONTRACT_TEST(test_repeated_reserve_for_one_order_reserves_once),
        CONTRACT_TEST(test_repeated_reserve_after_refusal_returns_refusal),
        CONTRACT_TEST(test_release_restores_stock_and_is_repeatable),
        CONTRACT_TEST(test_release_of_unknown_order_succeeds),
        CONTRACT_TEST(test_release_of_one_order_leaves_others_reserved),
        CONTRACT_TEST(test_commit_consumes_reserved_stock_and_is_repeatable),
        CONTRACT_TEST(test_release_after_commit_returns_nothing),
        CONTRACT_TEST(test_commit_of_unknown_order_succeeds),
        CONTRACT_TEST(test_tracking_number_is_the_same_for_the_same_order),
        CONTRACT_TEST(test_tracking_numbers_differ_between_orders),
        CONTRACT_TEST(test_sink_accepts_events),
        CONTRACT_TEST(test_sink_counts_a_duplicate_event_id_once),
    };
    factory = f;
    char group[128];
    snprintf(group, sizeof group, "downstream contract (%s)", f->name != NULL ? f->name : "?");
    int failed = cmocka_run_group_tests_name(group, tests, NULL, NULL);
    factory = NULL;
    return failed;
}
