/* Behaviour of the in-memory downstream fakes beyond the shared contract:
 * the order of the precheck calls, argument checks, the inspection hooks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <orders/adapters/memory/downstream.h>

static ord_money usd(int64_t minor)
{
    ord_money m;
    ord_money_make(&m, minor, "USD");
    return m;
}

/* Product 1: 99.99, 10 in stock; 2: 0.10, 100; customer 666 restricted, 777 ineligible. */
static int setup(void **state)
{
    ord_memory_downstream *ds;
    if (ord_memory_downstream_new(&ds) != ORD_OK)
        return -1;
    if (ord_memory_downstream_set_product(ds, 1, usd(9999), 10) != ORD_OK ||
        ord_memory_downstream_set_product(ds, 2, usd(10), 100) != ORD_OK ||
        ord_memory_downstream_set_restricted(ds, 666, true) != ORD_OK ||
        ord_memory_downstream_set_ineligible(ds, 777, true) != ORD_OK) {
        ord_memory_downstream_free(ds);
        return -1;
    }
    *state = ds;
    return 0;
}

static int teardown(void **state)
{
    ord_memory_downstream_free(*state);
    return 0;
}

static ord_error check(ord_memory_downstream *ds, int64_t customer_id, ord_product_price *prices,
                       size_t count, ord_precheck_result *result)
{
    ord_precheck p = ord_memory_downstream_precheck(ds);
    return p.ops->check(p.self, NULL, customer_id, prices, count, result);
}

static ord_error reserve(ord_memory_downstream *ds, int64_t order_id, const ord_order_item *items,
                         size_t count, ord_reserve_result *result)
{
    ord_inventory inv = ord_memory_downstream_inventory(ds);
    return inv.ops->reserve(inv.self, NULL, order_id, items, count, result);
}

static ord_error release(ord_memory_downstream *ds, int64_t order_id)
{
    ord_inventory inv = ord_memory_downstream_inventory(ds);
    return inv.ops->release(inv.self, NULL, order_id);
}

static ord_error commit(ord_memory_downstream *ds, int64_t order_id)
{
    ord_inventory inv = ord_memory_downstream_inventory(ds);
    return inv.ops->commit(inv.self, NULL, order_id);
}

static ord_memory_stock stock(ord_memory_downstream *ds, int64_t product_id)
{
    ord_memory_stock s = {0};
    assert_int_equal(ord_memory_downstream_stock(ds, product_id, &s), ORD_OK);
    return s;
}

static ord_order_item line(int64_t product_id, int32_t quantity)
{
    return (ord_order_item){.product_id = product_id, .quantity = quantity};
}

/* ---- lifetime ---- */

static void test_new_refuses_null_output(void **state)
{
    (void)state;
    assert_int_equal(ord_memory_downstream_new(NULL), ORD_EINVALID);
    ord_memory_downstream_free(NULL);
}

/* ---- precheck ---- */

static void test_precheck_reports_unknown_product_before_asking_about_the_account(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_product_price prices[] = {{.product_id = 999}};
    ord_precheck_result result;
    assert_int_equal(check(ds, 666, prices, 1, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_UNKNOWN_PRODUCTS);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_CATALOG), 1);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_RESTRICTIONS), 0);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_ELIGIBILITY), 0);
}

static void test_precheck_restricted_customer_is_not_asked_for_eligibility(void **state)
{
    ord_memory_downstream *ds = *state;
    assert_int_equal(ord_memory_downstream_set_ineligible(ds, 666, true), ORD_OK);
    ord_product_price prices[] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(check(ds, 666, prices, 1, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_RESTRICTED);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_RESTRICTIONS), 1);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_ELIGIBILITY), 0);
}

static void test_precheck_asks_each_service_once_for_an_allowed_customer(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_product_price prices[] = {{.product_id = 1}, {.product_id = 2}};
    ord_precheck_result result;
    assert_int_equal(check(ds, 42, prices, 2, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_PASSED);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_CATALOG), 1);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_RESTRICTIONS), 1);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_ELIGIBILITY), 1);
}

static void test_precheck_for_a_guest_makes_no_account_calls(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_product_price prices[] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(check(ds, 0, prices, 1, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_PASSED);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_RESTRICTIONS), 0);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_ELIGIBILITY), 0);
}

static void test_precheck_marks_unknown_product_without_a_price(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_product_price prices[] = {{.product_id = 999, .found = true, .price = {.minor = 5}}};
    ord_precheck_result result;
    assert_int_equal(check(ds, 0, prices, 1, &result), ORD_OK);
    assert_false(prices[0].found);
    assert_int_equal(prices[0].price.minor, 0);
}

static void test_precheck_refuses_bad_arguments_without_calling_anything(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_product_price prices[ORD_MAX_ITEMS + 1];
    memset(prices, 0, sizeof prices);
    for (size_t i = 0; i < ORD_MAX_ITEMS + 1; i++)
        prices[i].product_id = 1;
    ord_precheck_result result;
    assert_int_equal(check(ds, 1, prices, 0, &result), ORD_EINVALID);
    assert_int_equal(check(ds, 1, prices, ORD_MAX_ITEMS + 1, &result), ORD_EINVALID);
    assert_int_equal(check(ds, 1, NULL, 1, &result), ORD_EINVALID);
    assert_int_equal(check(ds, 1, prices, 1, NULL), ORD_EINVALID);
    assert_int_equal(check(ds, -1, prices, 1, &result), ORD_EINVALID);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_CATALOG), 0);
    assert_int_equal(check(ds, 1, prices, ORD_MAX_ITEMS, &result), ORD_OK);
}

static void test_lifted_restriction_lets_the_customer_pass(void **state)
{
    ord_memory_downstream *ds = *state;
    assert_int_equal(ord_memory_downstream_set_restricted(ds, 666, false), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_ineligible(ds, 777, false), ORD_OK);
    ord_product_price prices[] = {{.product_id = 1}};
    ord_precheck_result result;
    assert_int_equal(check(ds, 666, prices, 1, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_PASSED);
    assert_int_equal(check(ds, 777, prices, 1, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_PASSED);
}

static void test_account_rules_refuse_bad_customer_ids(void **state)
{
    ord_memory_downstream *ds = *state;
    assert_int_equal(ord_memory_downstream_set_restricted(ds, 0, true), ORD_EINVALID);
    assert_int_equal(ord_memory_downstream_set_ineligible(ds, -5, true), ORD_EINVALID);
    assert_int_equal(ord_memory_downstream_set_restricted(NULL, 5, true), ORD_EINVALID);
}

/* ---- catalog ---- */

static void test_set_product_refuses_bad_values_and_changes_nothing(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_money bad_currency = {.minor = 100, .currency = "usd"};
    assert_int_equal(ord_memory_downstream_set_product(ds, 0, usd(100), 1), ORD_EINVALID);
    assert_int_equal(ord_memory_downstream_set_product(ds, 5, usd(-1), 1), ORD_EINVALID);
    assert_int_equal(ord_memory_downstream_set_product(ds, 5, usd(100), -1), ORD_EINVALID);
    assert_int_equal(ord_memory_downstream_set_product(ds, 5, bad_currency, 1), ORD_EINVALID);
    assert_int_equal(ord_memory_downstream_set_product(NULL, 5, usd(100), 1), ORD_EINVALID);
    ord_memory_stock s;
    assert_int_equal(ord_memory_downstream_stock(ds, 5, &s), ORD_ENOTFOUND);
}

static void test_replaced_product_keeps_stock_held_by_reservations(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_order_item items[] = {line(1, 2)};
    ord_reserve_result result;
    assert_int_equal(reserve(ds, 10, items, 1, &result), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_product(ds, 1, usd(8999), 50), ORD_OK);
    ord_memory_stock s = stock(ds, 1);
    assert_int_equal(s.available, 50);
    assert_int_equal(s.reserved, 2);

    ord_product_price prices[] = {{.product_id = 1}};
    ord_precheck_result verdict;
    assert_int_equal(check(ds, 0, prices, 1, &verdict), ORD_OK);
    assert_int_equal(prices[0].price.minor, 8999);

    assert_int_equal(release(ds, 10), ORD_OK);
    assert_int_equal(stock(ds, 1).available, 52);
}

/* ---- inventory ---- */

static void test_reserve_reports_product_unknown_to_the_catalog_as_unavailable(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_order_item items[] = {line(1, 1), line(999, 1)};
    ord_reserve_result result;
    assert_int_equal(reserve(ds, 11, items, 2, &result), ORD_OK);
    assert_false(result.reserved);
    assert_int_equal(result.unavailable_count, 1);
    assert_int_equal(result.unavailable[0], 999);
    assert_int_equal(stock(ds, 1).available, 10);
    assert_int_equal(ord_memory_downstream_reservation(ds, 11), ORD_MEM_RESERVATION_REJECTED);
}

static void test_reserve_adds_up_lines_of_one_product(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_order_item too_many[] = {line(1, 6), line(2, 1), line(1, 5)};
    ord_reserve_result result;
    assert_int_equal(reserve(ds, 12, too_many, 3, &result), ORD_OK);
    assert_false(result.reserved);
    assert_int_equal(result.unavailable_count, 1);
    assert_int_equal(result.unavailable[0], 1);

    ord_order_item fits[] = {line(2, 3), line(2, 4)};
    assert_int_equal(reserve(ds, 13, fits, 2, &result), ORD_OK);
    assert_true(result.reserved);
    assert_int_equal(stock(ds, 2).reserved, 7);
    assert_int_equal(release(ds, 13), ORD_OK);
    assert_int_equal(stock(ds, 2).available, 100);
}

static void test_reserve_lists_every_short_product_in_order(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_order_item items[] = {line(999, 1), line(2, 1), line(1, 11)};
    ord_reserve_result result;
    assert_int_equal(reserve(ds, 14, items, 3, &result), ORD_OK);
    assert_false(result.reserved);
    assert_int_equal(result.unavailable_count, 2);
    assert_int_equal(result.unavailable[0], 999);
    assert_int_equal(result.unavailable[1], 1);
    assert_int_equal(stock(ds, 2).available, 100);
}

static void test_reserve_refuses_bad_arguments_and_holds_nothing(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_order_item good[] = {line(1, 1)};
    ord_order_item zero_quantity[] = {line(1, 0)};
    ord_order_item huge_quantity[] = {line(1, ORD_MAX_QUANTITY + 1)};
    ord_order_item bad_product[] = {line(0, 1)};
    ord_order_item many[ORD_MAX_ITEMS + 1];
    for (size_t i = 0; i < ORD_MAX_ITEMS + 1; i++)
        many[i] = line(2, 1);
    ord_reserve_result result;
    assert_int_equal(reserve(ds, 0, good, 1, &result), ORD_EINVALID);
    assert_int_equal(reserve(ds, 15, NULL, 1, &result), ORD_EINVALID);
    assert_int_equal(reserve(ds, 15, good, 0, &result), ORD_EINVALID);
    assert_int_equal(reserve(ds, 15, many, ORD_MAX_ITEMS + 1, &result), ORD_EINVALID);
    assert_int_equal(reserve(ds, 15, zero_quantity, 1, &result), ORD_EINVALID);
    assert_int_equal(reserve(ds, 15, huge_quantity, 1, &result), ORD_EINVALID);
    assert_int_equal(reserve(ds, 15, bad_product, 1, &result), ORD_EINVALID);
    assert_int_equal(reserve(ds, 15, good, 1, NULL), ORD_EINVALID);
    assert_int_equal(ord_memory_downstream_reservation(ds, 15), ORD_MEM_RESERVATION_NONE);
    assert_int_equal(stock(ds, 1).available, 10);
    assert_int_equal(stock(ds, 2).available, 100);

    assert_int_equal(reserve(ds, 15, many, ORD_MAX_ITEMS, &result), ORD_OK);
    assert_true(result.reserved);
    assert_int_equal(stock(ds, 2).reserved, ORD_MAX_ITEMS);
}

static void test_release_and_commit_refuse_bad_order_ids(void **state)
{
    ord_memory_downstream *ds = *state;
    assert_int_equal(release(ds, 0), ORD_EINVALID);
    assert_int_equal(commit(ds, -3), ORD_EINVALID);
}

static void test_reservation_state_follows_each_order(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_order_item items[] = {line(2, 1)};
    ord_order_item none_left[] = {line(1, 11)};
    ord_reserve_result result;
    assert_int_equal(ord_memory_downstream_reservation(ds, 20), ORD_MEM_RESERVATION_NONE);
    assert_int_equal(reserve(ds, 20, items, 1, &result), ORD_OK);
    assert_int_equal(ord_memory_downstream_reservation(ds, 20), ORD_MEM_RESERVATION_RESERVED);
    assert_int_equal(commit(ds, 20), ORD_OK);
    assert_int_equal(ord_memory_downstream_reservation(ds, 20), ORD_MEM_RESERVATION_COMMITTED);

    assert_int_equal(reserve(ds, 21, items, 1, &result), ORD_OK);
    assert_int_equal(release(ds, 21), ORD_OK);
    assert_int_equal(ord_memory_downstream_reservation(ds, 21), ORD_MEM_RESERVATION_RELEASED);

    assert_int_equal(reserve(ds, 22, none_left, 1, &result), ORD_OK);
    assert_int_equal(ord_memory_downstream_reservation(ds, 22), ORD_MEM_RESERVATION_REJECTED);
}

static void test_reserve_after_release_answers_first_outcome_without_holding_stock(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_order_item items[] = {line(1, 4)};
    ord_reserve_result result;
    assert_int_equal(reserve(ds, 23, items, 1, &result), ORD_OK);
    assert_int_equal(release(ds, 23), ORD_OK);
    assert_int_equal(reserve(ds, 23, items, 1, &result), ORD_OK);
    assert_true(result.reserved);
    assert_int_equal(stock(ds, 1).available, 10);
    assert_int_equal(stock(ds, 1).reserved, 0);
}

static void test_commit_after_release_consumes_nothing(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_order_item items[] = {line(1, 4)};
    ord_reserve_result result;
    assert_int_equal(reserve(ds, 24, items, 1, &result), ORD_OK);
    assert_int_equal(release(ds, 24), ORD_OK);
    assert_int_equal(commit(ds, 24), ORD_OK);
    ord_memory_stock s = stock(ds, 1);
    assert_int_equal(s.available, 10);
    assert_int_equal(s.committed, 0);
    assert_int_equal(ord_memory_downstream_reservation(ds, 24), ORD_MEM_RESERVATION_RELEASED);
}

static void test_stock_of_unknown_product_is_not_found(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_memory_stock s;
    assert_int_equal(ord_memory_downstream_stock(ds, 999, &s), ORD_ENOTFOUND);
    assert_int_equal(ord_memory_downstream_stock(ds, 1, NULL), ORD_EINVALID);
}

/* ---- tracking ---- */

static ord_error ship(ord_memory_downstream *ds, const ord_shipment_request *request,
                      char number[ORD_TRACKING_NUMBER_SIZE])
{
    ord_tracking t = ord_memory_downstream_tracking(ds);
    return t.ops->create_shipment(t.self, NULL, request, number);
}

static void test_tracking_numbers_count_up_in_uuid_shape(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_shipment_request request = {.order_id = 30, .delivery_address = "A", .carrier = "DHL"};
    char number[ORD_TRACKING_NUMBER_SIZE];
    assert_int_equal(ship(ds, &request, number), ORD_OK);
    assert_string_equal(number, "TRK-00000000-0000-4000-8000-000000000001");
    request.order_id = 31;
    assert_int_equal(ship(ds, &request, number), ORD_OK);
    assert_string_equal(number, "TRK-00000000-0000-4000-8000-000000000002");
}

static void test_shipment_hook_shows_the_number_issued(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_shipment_request request = {.order_id = 32, .customer_name = NULL,
                                    .delivery_address = "A", .carrier = "UPS"};
    char issued[ORD_TRACKING_NUMBER_SIZE];
    char seen[ORD_TRACKING_NUMBER_SIZE];
    assert_false(ord_memory_downstream_shipment(ds, 32, seen));
    assert_string_equal(seen, "");
    assert_int_equal(ship(ds, &request, issued), ORD_OK);
    assert_true(ord_memory_downstream_shipment(ds, 32, seen));
    assert_string_equal(seen, issued);
}

static void test_create_shipment_refuses_incomplete_request(void **state)
{
    ord_memory_downstream *ds = *state;
    char number[ORD_TRACKING_NUMBER_SIZE] = "stale";
    ord_shipment_request no_id = {.order_id = 0, .delivery_address = "A", .carrier = "DHL"};
    ord_shipment_request no_address = {.order_id = 33, .carrier = "DHL"};
    ord_shipment_request no_carrier = {.order_id = 33, .delivery_address = "A"};
    assert_int_equal(ship(ds, NULL, number), ORD_EINVALID);
    assert_string_equal(number, "");
    assert_int_equal(ship(ds, &no_id, number), ORD_EINVALID);
    assert_int_equal(ship(ds, &no_address, number), ORD_EINVALID);
    assert_int_equal(ship(ds, &no_carrier, number), ORD_EINVALID);
    assert_false(ord_memory_downstream_shipment(ds, 33, number));
}

/* ---- event sink ---- */

static ord_error deliver(ord_memory_downstream *ds, const ord_outbox_event *event)
{
    ord_event_sink sink = ord_memory_downstream_events(ds);
    return sink.ops->deliver(sink.self, NULL, event);
}

static void test_sink_keeps_its_own_copy_of_each_event(void **state)
{
    ord_memory_downstream *ds = *state;
    char payload[] = "{\"eventId\":\"00000000-0000-4000-8000-000000000007\"}";
    ord_outbox_event event = {.id = 3, .event_id = "00000000-0000-4000-8000-000000000007",
                              .type = ORD_EVENT_ORDER_SHIPPED, .order_id = 40, .customer_id = 9,
                              .sequence = 4, .occurred_at_ms = 1000, .payload = payload};
    assert_int_equal(deliver(ds, &event), ORD_OK);
    memset(payload, 'x', sizeof payload - 1);

    ord_outbox_event got;
    assert_int_equal(ord_memory_downstream_event(ds, 0, &got), ORD_OK);
    assert_string_equal(got.event_id, "00000000-0000-4000-8000-000000000007");
    assert_int_equal(got.type, ORD_EVENT_ORDER_SHIPPED);
    assert_int_equal(got.order_id, 40);
    assert_int_equal(got.customer_id, 9);
    assert_int_equal(got.sequence, 4);
    assert_int_equal(got.occurred_at_ms, 1000);
    assert_string_equal(got.payload, "{\"eventId\":\"00000000-0000-4000-8000-000000000007\"}");
    assert_ptr_not_equal(got.payload, payload);
    free(got.payload);
}

static void test_sink_keeps_events_in_arrival_order_and_counts_repeats(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_outbox_event b = {.event_id = "b", .order_id = 1, .payload = "B"};
    ord_outbox_event a = {.event_id = "a", .order_id = 2, .payload = "A"};
    assert_int_equal(deliver(ds, &b), ORD_OK);
    assert_int_equal(deliver(ds, &a), ORD_OK);
    assert_int_equal(deliver(ds, &b), ORD_OK);
    assert_int_equal(deliver(ds, &b), ORD_OK);
    assert_int_equal(ord_memory_downstream_event_count(ds), 2);
    assert_int_equal(ord_memory_downstream_duplicate_events(ds), 2);

    ord_outbox_event got;
    assert_int_equal(ord_memory_downstream_event(ds, 0, &got), ORD_OK);
    assert_string_equal(got.payload, "B");
    free(got.payload);
    assert_int_equal(ord_memory_downstream_event(ds, 1, &got), ORD_OK);
    assert_string_equal(got.payload, "A");
    free(got.payload);
}

static void test_event_past_the_end_is_not_found(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_outbox_event got;
    assert_int_equal(ord_memory_downstream_event(ds, 0, &got), ORD_ENOTFOUND);
    assert_null(got.payload);
    assert_int_equal(ord_memory_downstream_event(ds, 0, NULL), ORD_EINVALID);
}

static void test_sink_refuses_event_without_id_or_payload(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_outbox_event no_id = {.payload = "{}"};
    ord_outbox_event no_payload = {.event_id = "00000000-0000-4000-8000-000000000001"};
    assert_int_equal(deliver(ds, NULL), ORD_EINVALID);
    assert_int_equal(deliver(ds, &no_id), ORD_EINVALID);
    assert_int_equal(deliver(ds, &no_payload), ORD_EINVALID);
    assert_int_equal(ord_memory_downstream_event_count(ds), 0);
}

/* ---- inspection ---- */

static void test_calls_are_counted_per_operation(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_order_item items[] = {line(2, 1)};
    ord_reserve_result result;
    assert_int_equal(reserve(ds, 50, items, 1, &result), ORD_OK);
    assert_int_equal(reserve(ds, 50, items, 1, &result), ORD_OK);
    assert_int_equal(release(ds, 50), ORD_OK);
    assert_int_equal(commit(ds, 50), ORD_OK);
    assert_int_equal(commit(ds, 51), ORD_OK);
    assert_int_equal(commit(ds, 52), ORD_OK);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_RESERVE), 2);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_RELEASE), 1);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_COMMIT), 3);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_SHIPMENT), 0);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_DOWNSTREAM_OP_COUNT), 0);
}

static void test_inject_ignores_an_unknown_operation(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_fault fault = {.mode = ORD_FAULT_BEFORE, .error = ORD_EUNAVAILABLE, .times = -1};
    ord_memory_downstream_inject(ds, ORD_MEM_DOWNSTREAM_OP_COUNT, &fault);
    ord_memory_downstream_inject(ds, (ord_memory_downstream_op)-1, &fault);
    ord_order_item items[] = {line(2, 1)};
    ord_reserve_result result;
    assert_int_equal(reserve(ds, 53, items, 1, &result), ORD_OK);
    assert_true(result.reserved);
}

#define TEST(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_refuses_null_output),
        TEST(test_precheck_reports_unknown_product_before_asking_about_the_account),
        TEST(test_precheck_restricted_customer_is_not_asked_for_eligibility),
        TEST(test_precheck_asks_each_service_once_for_an_allowed_customer),
        TEST(test_precheck_for_a_guest_makes_no_account_calls),
        TEST(test_precheck_marks_unknown_product_without_a_price),
        TEST(test_precheck_refuses_bad_arguments_without_calling_anything),
        TEST(test_lifted_restriction_lets_the_customer_pass),
        TEST(test_account_rules_refuse_bad_customer_ids),
        TEST(test_set_product_refuses_bad_values_and_changes_nothing),
        TEST(test_replaced_product_keeps_stock_held_by_reservations),
        TEST(test_reserve_reports_product_unknown_to_the_catalog_as_unavailable),
        TEST(test_reserve_adds_up_lines_of_one_product),
        TEST(test_reserve_lists_every_short_product_in_order),
        TEST(test_reserve_refuses_bad_arguments_and_holds_nothing),
        TEST(test_release_and_commit_refuse_bad_order_ids),
        TEST(test_reservation_state_follows_each_order),
        TEST(test_reserve_after_release_answers_first_outcome_without_holding_stock),
        TEST(test_commit_after_release_consumes_nothing),
        TEST(test_stock_of_unknown_product_is_not_found),
        TEST(test_tracking_numbers_count_up_in_uuid_shape),
        TEST(test_shipment_hook_shows_the_number_issued),
        TEST(test_create_shipment_refuses_incomplete_request),
        TEST(test_sink_keeps_its_own_copy_of_each_event),
        TEST(test_sink_keeps_events_in_arrival_order_and_counts_repeats),
        TEST(test_event_past_the_end_is_not_found),
        TEST(test_sink_refuses_event_without_id_or_payload),
        TEST(test_calls_are_counted_per_operation),
        TEST(test_inject_ignores_an_unknown_operation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
