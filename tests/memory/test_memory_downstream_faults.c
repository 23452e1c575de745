/* Fault injection in the in-memory downstream fakes: every operation fails
 * before taking effect (service down) or after (reply lost), and heals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <orders/adapters/memory/downstream.h>

static ord_money usd(int64_t minor)
{
    ord_money m;
    ord_money_make(&m, minor, "USD");
    return m;
}

/* Product 1 with 10 in stock; customer 42 is allowed. */
static int setup(void **state)
{
    ord_memory_downstream *ds;
    if (ord_memory_downstream_new(&ds) != ORD_OK)
        return -1;
    if (ord_memory_downstream_set_product(ds, 1, usd(9999), 10) != ORD_OK) {
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

static void arm(ord_memory_downstream *ds, ord_memory_downstream_op op, ord_fault_mode mode,
                ord_error error)
{
    ord_fault fault = {.mode = mode, .error = error, .skip = 0, .times = 1};
    ord_memory_downstream_inject(ds, op, &fault);
}

static ord_error check(ord_memory_downstream *ds, int64_t customer_id, ord_product_price *price,
                       ord_precheck_result *result)
{
    ord_precheck p = ord_memory_downstream_precheck(ds);
    return p.ops->check(p.self, NULL, customer_id, price, 1, result);
}

static ord_error reserve(ord_memory_downstream *ds, int64_t order_id, int32_t quantity,
                         ord_reserve_result *result)
{
    ord_order_item item = {.product_id = 1, .quantity = quantity};
    ord_inventory inv = ord_memory_downstream_inventory(ds);
    return inv.ops->reserve(inv.self, NULL, order_id, &item, 1, result);
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

static ord_memory_stock stock(ord_memory_downstream *ds)
{
    ord_memory_stock s = {0};
    assert_int_equal(ord_memory_downstream_stock(ds, 1, &s), ORD_OK);
    return s;
}

static ord_error ship(ord_memory_downstream *ds, int64_t order_id, char number[ORD_TRACKING_NUMBER_SIZE])
{
    ord_shipment_request request = {.order_id = order_id, .delivery_address = "A", .carrier = "DHL"};
    ord_tracking t = ord_memory_downstream_tracking(ds);
    return t.ops->create_shipment(t.self, NULL, &request, number);
}

static ord_error deliver(ord_memory_downstream *ds, const char *event_id)
{
    ord_outbox_event event = {.order_id = 1, .payload = "{}"};
    strcpy(event.event_id, event_id);
    ord_event_sink sink = ord_memory_downstream_events(ds);
    return sink.ops->deliver(sink.self, NULL, &event);
}

/* ---- precheck ---- */

static void assert_precheck_fails_at(ord_memory_downstream *ds, ord_memory_downstream_op op,
                                     ord_fault_mode mode, ord_precheck_service service)
{
    arm(ds, op, mode, ORD_ETIMEOUT);
    ord_product_price price = {.product_id = 1};
    ord_precheck_result result;
    assert_int_equal(check(ds, 42, &price, &result), ORD_ETIMEOUT);
    assert_int_equal(result.failed, service);
    /* healed after one failure */
    assert_int_equal(check(ds, 42, &price, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_PASSED);
    assert_int_equal(result.failed, ORD_PRECHECK_NONE);
}

static void test_catalog_fault_before_fails_naming_the_catalog(void **state)
{
    assert_precheck_fails_at(*state, ORD_MEM_CATALOG, ORD_FAULT_BEFORE, ORD_PRECHECK_CATALOG);
}

static void test_catalog_fault_after_fails_naming_the_catalog(void **state)
{
    assert_precheck_fails_at(*state, ORD_MEM_CATALOG, ORD_FAULT_AFTER, ORD_PRECHECK_CATALOG);
}

static void test_restrictions_fault_before_fails_naming_restrictions(void **state)
{
    assert_precheck_fails_at(*state, ORD_MEM_RESTRICTIONS, ORD_FAULT_BEFORE,
                             ORD_PRECHECK_RESTRICTIONS);
}

static void test_restrictions_fault_after_fails_naming_restrictions(void **state)
{
    assert_precheck_fails_at(*state, ORD_MEM_RESTRICTIONS, ORD_FAULT_AFTER,
                             ORD_PRECHECK_RESTRICTIONS);
}

static void test_eligibility_fault_before_fails_naming_eligibility(void **state)
{
    assert_precheck_fails_at(*state, ORD_MEM_ELIGIBILITY, ORD_FAULT_BEFORE,
                             ORD_PRECHECK_ELIGIBILITY);
}

static void test_eligibility_fault_after_fails_naming_eligibility(void **state)
{
    assert_precheck_fails_at(*state, ORD_MEM_ELIGIBILITY, ORD_FAULT_AFTER,
                             ORD_PRECHECK_ELIGIBILITY);
}

static void test_catalog_fault_stops_the_account_checks(void **state)
{
    ord_memory_downstream *ds = *state;
    arm(ds, ORD_MEM_CATALOG, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE);
    ord_product_price price = {.product_id = 1};
    ord_precheck_result result;
    assert_int_equal(check(ds, 42, &price, &result), ORD_EUNAVAILABLE);
    assert_false(price.found);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_CATALOG), 1);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_RESTRICTIONS), 0);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_ELIGIBILITY), 0);
}

static void test_guest_precheck_is_untouched_by_account_faults(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_fault down = {.mode = ORD_FAULT_BEFORE, .error = ORD_EUNAVAILABLE, .times = -1};
    ord_memory_downstream_inject(ds, ORD_MEM_RESTRICTIONS, &down);
    ord_memory_downstream_inject(ds, ORD_MEM_ELIGIBILITY, &down);
    ord_product_price price = {.product_id = 1};
    ord_precheck_result result;
    assert_int_equal(check(ds, 0, &price, &result), ORD_OK);
    assert_int_equal(result.verdict, ORD_PRECHECK_PASSED);
    assert_int_equal(check(ds, 42, &price, &result), ORD_EUNAVAILABLE);
}

/* ---- inventory ---- */

static void test_reserve_fault_before_holds_nothing(void **state)
{
    ord_memory_downstream *ds = *state;
    arm(ds, ORD_MEM_RESERVE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE);
    ord_reserve_result result;
    assert_int_equal(reserve(ds, 100, 3, &result), ORD_EUNAVAILABLE);
    assert_false(result.reserved);
    assert_int_equal(stock(ds).reserved, 0);
    assert_int_equal(ord_memory_downstream_reservation(ds, 100), ORD_MEM_RESERVATION_NONE);

    assert_int_equal(reserve(ds, 100, 3, &result), ORD_OK);
    assert_true(result.reserved);
    assert_int_equal(stock(ds).reserved, 3);
}

static void test_reserve_fault_after_holds_stock_and_retry_does_not_reserve_twice(void **state)
{
    ord_memory_downstream *ds = *state;
    arm(ds, ORD_MEM_RESERVE, ORD_FAULT_AFTER, ORD_ETIMEOUT);
    ord_reserve_result result;
    assert_int_equal(reserve(ds, 101, 3, &result), ORD_ETIMEOUT);
    assert_false(result.reserved);
    assert_int_equal(ord_memory_downstream_reservation(ds, 101), ORD_MEM_RESERVATION_RESERVED);
    assert_int_equal(stock(ds).available, 7);
    assert_int_equal(stock(ds).reserved, 3);

    assert_int_equal(reserve(ds, 101, 3, &result), ORD_OK);
    assert_true(result.reserved);
    assert_int_equal(stock(ds).available, 7);
    assert_int_equal(stock(ds).reserved, 3);
}

static void test_reserve_fault_after_a_refusal_keeps_the_refusal(void **state)
{
    ord_memory_downstream *ds = *state;
    arm(ds, ORD_MEM_RESERVE, ORD_FAULT_AFTER, ORD_ETIMEOUT);
    ord_reserve_result result;
    assert_int_equal(reserve(ds, 102, 11, &result), ORD_ETIMEOUT);
    assert_int_equal(ord_memory_downstream_reservation(ds, 102), ORD_MEM_RESERVATION_REJECTED);
    assert_int_equal(reserve(ds, 102, 11, &result), ORD_OK);
    assert_false(result.reserved);
    assert_int_equal(result.unavailable_count, 1);
    assert_int_equal(stock(ds).available, 10);
}

static void test_release_fault_before_keeps_stock_reserved(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_reserve_result result;
    assert_int_equal(reserve(ds, 103, 4, &result), ORD_OK);
    arm(ds, ORD_MEM_RELEASE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE);
    assert_int_equal(release(ds, 103), ORD_EUNAVAILABLE);
    assert_int_equal(stock(ds).reserved, 4);
    assert_int_equal(release(ds, 103), ORD_OK);
    assert_int_equal(stock(ds).reserved, 0);
    assert_int_equal(stock(ds).available, 10);
}

static void test_release_fault_after_releases_and_retry_changes_nothing(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_reserve_result result;
    assert_int_equal(reserve(ds, 104, 4, &result), ORD_OK);
    arm(ds, ORD_MEM_RELEASE, ORD_FAULT_AFTER, ORD_ETIMEOUT);
    assert_int_equal(release(ds, 104), ORD_ETIMEOUT);
    assert_int_equal(stock(ds).available, 10);
    assert_int_equal(stock(ds).reserved, 0);
    assert_int_equal(release(ds, 104), ORD_OK);
    assert_int_equal(stock(ds).available, 10);
}

static void test_commit_fault_before_keeps_stock_reserved(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_reserve_result result;
    assert_int_equal(reserve(ds, 105, 2, &result), ORD_OK);
    arm(ds, ORD_MEM_COMMIT, ORD_FAULT_BEFORE, ORD_ECONTRACT);
    assert_int_equal(commit(ds, 105), ORD_ECONTRACT);
    assert_int_equal(stock(ds).reserved, 2);
    assert_int_equal(stock(ds).committed, 0);
    assert_int_equal(commit(ds, 105), ORD_OK);
    assert_int_equal(stock(ds).committed, 2);
}

static void test_commit_fault_after_commits_and_retry_changes_nothing(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_reserve_result result;
    assert_int_equal(reserve(ds, 106, 2, &result), ORD_OK);
    arm(ds, ORD_MEM_COMMIT, ORD_FAULT_AFTER, ORD_ETIMEOUT);
    assert_int_equal(commit(ds, 106), ORD_ETIMEOUT);
    assert_int_equal(stock(ds).reserved, 0);
    assert_int_equal(stock(ds).committed, 2);
    assert_int_equal(commit(ds, 106), ORD_OK);
    assert_int_equal(stock(ds).committed, 2);
    assert_int_equal(stock(ds).available, 8);
}

/* ---- tracking ---- */

static void test_shipment_fault_before_issues_no_number(void **state)
{
    ord_memory_downstream *ds = *state;
    arm(ds, ORD_MEM_SHIPMENT, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE);
    char number[ORD_TRACKING_NUMBER_SIZE] = "stale";
    assert_int_equal(ship(ds, 107, number), ORD_EUNAVAILABLE);
    assert_string_equal(number, "");
    assert_false(ord_memory_downstream_shipment(ds, 107, number));
}

static void test_shipment_fault_after_issues_the_number_a_retry_returns(void **state)
{
    ord_memory_downstream *ds = *state;
    arm(ds, ORD_MEM_SHIPMENT, ORD_FAULT_AFTER, ORD_ETIMEOUT);
    char number[ORD_TRACKING_NUMBER_SIZE];
    char issued[ORD_TRACKING_NUMBER_SIZE];
    assert_int_equal(ship(ds, 108, number), ORD_ETIMEOUT);
    assert_string_equal(number, "");
    assert_true(ord_memory_downstream_shipment(ds, 108, issued));
    assert_int_equal(ship(ds, 108, number), ORD_OK);
    assert_string_equal(number, issued);
}

/* ---- event sink ---- */

static void test_deliver_fault_before_records_nothing(void **state)
{
    ord_memory_downstream *ds = *state;
    arm(ds, ORD_MEM_DELIVER_EVENT, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE);
    assert_int_equal(deliver(ds, "e1"), ORD_EUNAVAILABLE);
    assert_int_equal(ord_memory_downstream_event_count(ds), 0);
    assert_int_equal(deliver(ds, "e1"), ORD_OK);
    assert_int_equal(ord_memory_downstream_event_count(ds), 1);
    assert_int_equal(ord_memory_downstream_duplicate_events(ds), 0);
}

static void test_deliver_fault_after_records_and_redelivery_is_a_duplicate(void **state)
{
    ord_memory_downstream *ds = *state;
    arm(ds, ORD_MEM_DELIVER_EVENT, ORD_FAULT_AFTER, ORD_ETIMEOUT);
    assert_int_equal(deliver(ds, "e2"), ORD_ETIMEOUT);
    assert_int_equal(ord_memory_downstream_event_count(ds), 1);
    assert_int_equal(deliver(ds, "e2"), ORD_OK);
    assert_int_equal(ord_memory_downstream_event_count(ds), 1);
    assert_int_equal(ord_memory_downstream_duplicate_events(ds), 1);
}

/* ---- skip, times, disarm ---- */

static void test_fault_lets_skipped_calls_pass_then_fails_then_heals(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_fault fault = {.mode = ORD_FAULT_BEFORE, .error = ORD_EUNAVAILABLE, .skip = 2, .times = 2};
    ord_memory_downstream_inject(ds, ORD_MEM_COMMIT, &fault);
    assert_int_equal(commit(ds, 1), ORD_OK);
    assert_int_equal(commit(ds, 2), ORD_OK);
    assert_int_equal(commit(ds, 3), ORD_EUNAVAILABLE);
    assert_int_equal(commit(ds, 4), ORD_EUNAVAILABLE);
    assert_int_equal(commit(ds, 5), ORD_OK);
    assert_int_equal(commit(ds, 6), ORD_OK);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_COMMIT), 6);
}

static void test_fault_for_good_fails_every_call(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_fault fault = {.mode = ORD_FAULT_BEFORE, .error = ORD_ETIMEOUT, .times = -1};
    ord_memory_downstream_inject(ds, ORD_MEM_RELEASE, &fault);
    for (int64_t i = 1; i <= 20; i++)
        assert_int_equal(release(ds, i), ORD_ETIMEOUT);
    assert_int_equal(ord_memory_downstream_calls(ds, ORD_MEM_RELEASE), 20);
}

static void test_fault_is_disarmed_by_a_zeroed_fault_or_null(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_fault fault = {.mode = ORD_FAULT_BEFORE, .error = ORD_ETIMEOUT, .times = -1};
    ord_fault none = {0};
    ord_memory_downstream_inject(ds, ORD_MEM_RELEASE, &fault);
    assert_int_equal(release(ds, 1), ORD_ETIMEOUT);
    ord_memory_downstream_inject(ds, ORD_MEM_RELEASE, &none);
    assert_int_equal(release(ds, 1), ORD_OK);

    ord_memory_downstream_inject(ds, ORD_MEM_RELEASE, &fault);
    assert_int_equal(release(ds, 1), ORD_ETIMEOUT);
    ord_memory_downstream_inject(ds, ORD_MEM_RELEASE, NULL);
    assert_int_equal(release(ds, 1), ORD_OK);
}

static void test_fault_without_an_error_fails_as_unavailable(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_fault fault = {.mode = ORD_FAULT_BEFORE, .times = 1};
    ord_memory_downstream_inject(ds, ORD_MEM_COMMIT, &fault);
    assert_int_equal(commit(ds, 1), ORD_EUNAVAILABLE);
}

static void test_fault_on_one_operation_leaves_the_others_alone(void **state)
{
    ord_memory_downstream *ds = *state;
    ord_fault fault = {.mode = ORD_FAULT_BEFORE, .error = ORD_EUNAVAILABLE, .times = -1};
    ord_memory_downstream_inject(ds, ORD_MEM_RESERVE, &fault);
    ord_reserve_result result;
    char number[ORD_TRACKING_NUMBER_SIZE];
    assert_int_equal(reserve(ds, 109, 1, &result), ORD_EUNAVAILABLE);
    assert_int_equal(release(ds, 109), ORD_OK);
    assert_int_equal(commit(ds, 109), ORD_OK);
    assert_int_equal(ship(ds, 109, number), ORD_OK);
    assert_int_equal(deliver(ds, "e3"), ORD_OK);
}

#define TEST(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_catalog_fault_before_fails_naming_the_catalog),
        TEST(test_catalog_fault_after_fails_naming_the_catalog),
        TEST(test_restrictions_fault_before_fails_naming_restrictions),
        TEST(test_restrictions_fault_after_fails_naming_restrictions),
        TEST(test_eligibility_fault_before_fails_naming_eligibility),
        TEST(test_eligibility_fault_after_fails_naming_eligibility),
        TEST(test_catalog_fault_stops_the_account_checks),
        TEST(test_guest_precheck_is_untouched_by_account_faults),
        TEST(test_reserve_fault_before_holds_nothing),
        TEST(test_reserve_fault_after_holds_stock_and_retry_does_not_reserve_twice),
        TEST(test_reserve_fault_after_a_refusal_keeps_the_refusal),
        TEST(test_release_fault_before_keeps_stock_reserved),
        TEST(test_release_fault_after_releases_and_retry_changes_nothing),
        TEST(test_commit_fault_before_keeps_stock_reserved),
        TEST(test_commit_fault_after_commits_and_retry_changes_nothing),
        TEST(test_shipment_fault_before_issues_no_number),
        TEST(test_shipment_fault_after_issues_the_number_a_retry_returns),
        TEST(test_deliver_fault_before_records_nothing),
        TEST(test_deliver_fault_after_records_and_redelivery_is_a_duplicate),
        TEST(test_fault_lets_skipped_calls_pass_then_fails_then_heals),
        TEST(test_fault_for_good_fails_every_call),
        TEST(test_fault_is_disarmed_by_a_zeroed_fault_or_null),
        TEST(test_fault_without_an_error_fails_as_unavailable),
        TEST(test_fault_on_one_operation_leaves_the_others_alone),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
