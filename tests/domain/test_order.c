/* The order aggregate: ownership, cart lines, total, start and transitions
 * with their history, and that every refused change leaves the order as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <orders/domain/order.h>

static ord_order_item priced(int64_t product_id, int32_t quantity, int64_t minor,
                             const char *currency)
{
    ord_order_item item = {.product_id = product_id, .quantity = quantity, .has_price = true};
    assert_int_equal(ord_money_make(&item.unit_price, minor, currency), ORD_OK);
    return item;
}

/* Bring a fresh order to @p status by legal steps only. */
static void order_in_status(ord_order *order, ord_status status)
{
    ord_order_init(order);
    ord_status start = status == ORD_STATUS_DRAFT || status == ORD_STATUS_CANCELLED
                           ? ORD_STATUS_DRAFT
                           : ORD_STATUS_PENDING_CHECK;
    assert_int_equal(ord_order_start(order, start, 1000, "created"), ORD_OK);
    const ord_status path[] = {ORD_STATUS_CONFIRMED, ORD_STATUS_SHIPPED, ORD_STATUS_DELIVERED};
    if (status == ORD_STATUS_CANCELLED) {
        assert_int_equal(ord_order_transition(order, ORD_STATUS_CANCELLED, 2000, "cancelled", NULL),
                         ORD_OK);
        return;
    }
    for (size_t i = 0; i < 3 && order->status != status; i++)
        assert_int_equal(ord_order_transition(order, path[i], 2000 + (int64_t)i, "step", NULL),
                         ORD_OK);
    assert_int_equal(order->status, status);
}

static bool expected_legal(ord_status from, ord_status to)
{
    switch (from) {
    case ORD_STATUS_DRAFT:
        return to == ORD_STATUS_PENDING_CHECK || to == ORD_STATUS_CANCELLED;
    case ORD_STATUS_PENDING_CHECK:
        return to == ORD_STATUS_CONFIRMED || to == ORD_STATUS_CANCELLED;
    case ORD_STATUS_CONFIRMED:
        return to == ORD_STATUS_SHIPPED || to == ORD_STATUS_CANCELLED;
    case ORD_STATUS_SHIPPED:
        return to == ORD_STATUS_DELIVERED;
    default:
        return false;
    }
}

static void test_init_and_free_leave_a_zeroed_order(void **state)
{
    (void)state;
    ord_order order, zero;
    memset(&order, 0xAB, sizeof order);
    memset(&zero, 0, sizeof zero);
    ord_order_init(&order);
    assert_memory_equal(&order, &zero, sizeof order);
    ord_order_free(&order);
    ord_order_free(NULL);
    assert_int_equal(ord_order_set_text(&order.carrier, "DHL"), ORD_OK);
    assert_int_equal(ord_order_set_line(&order, 1, 2), ORD_OK);
    assert_int_equal(ord_order_start(&order, ORD_STATUS_DRAFT, 5, "created"), ORD_OK);
    ord_order_free(&order);
    assert_memory_equal(&order, &zero, sizeof order);
}

static void test_set_text_copies_replaces_and_clears(void **state)
{
    (void)state;
    ord_order order;
    ord_order_init(&order);
    char source[] = "123 Main St";
    assert_int_equal(ord_order_set_text(&order.delivery_address, source), ORD_OK);
    source[0] = 'X';
    assert_string_equal(order.delivery_address, "123 Main St");
    assert_int_equal(ord_order_set_text(&order.delivery_address, "Elsewhere"), ORD_OK);
    assert_string_equal(order.delivery_address, "Elsewhere");
    assert_int_equal(ord_order_set_text(&order.delivery_address, NULL), ORD_OK);
    assert_null(order.delivery_address);
    assert_int_equal(ord_order_set_text(NULL, "x"), ORD_EINVALID);
    ord_order_free(&order);
}

static void test_set_items_copies_and_enforces_the_line_limit(void **state)
{
    (void)state;
    ord_order order;
    ord_order_init(&order);
    ord_order_item items[ORD_MAX_ITEMS + 1];
    for (int i = 0; i <= ORD_MAX_ITEMS; i++)
        items[i] = priced(i + 1, 1, 100, "USD");
    assert_int_equal(ord_order_set_items(&order, items, 2), ORD_OK);
    items[0].quantity = 99;
    assert_int_equal(order.item_count, 2);
    assert_int_equal(order.items[0].quantity, 1);

    ord_order_item *before = order.items;
    assert_int_equal(ord_order_set_items(&order, items, ORD_MAX_ITEMS + 1), ORD_EINVALID);
    assert_ptr_equal(order.items, before);
    assert_int_equal(order.item_count, 2);
    assert_int_equal(ord_order_set_items(&order, NULL, 1), ORD_EINVALID);
    assert_int_equal(order.item_count, 2);

    assert_int_equal(ord_order_set_items(&order, items, ORD_MAX_ITEMS), ORD_OK);
    assert_int_equal(order.item_count, ORD_MAX_ITEMS);
    assert_int_equal(ord_order_set_items(&order, NULL, 0), ORD_OK);
    assert_int_equal(order.item_count, 0);
    assert_null(order.items);
    ord_order_free(&order);
}

static void test_set_line_appends_updates_and_zero_removes(void **state)
{
    (void)state;
    ord_order order;
    ord_order_init(&order);
    assert_int_equal(ord_order_set_line(&order, 10, 1), ORD_OK);
    assert_int_equal(ord_order_set_line(&order, 20, 2), ORD_OK);
    assert_int_equal(ord_order_set_line(&order, 30, 3), ORD_OK);
    assert_int_equal(order.item_count, 3);
    assert_false(order.items[2].has_price);

    order.items[1].has_price = true;
    assert_int_equal(ord_money_make(&order.items[1].unit_price, 999, "USD"), ORD_OK);
    assert_int_equal(ord_order_set_line(&order, 20, 7), ORD_OK);
    assert_int_equal(order.item_count, 3);
    const ord_order_item *line = ord_order_find_item(&order, 20);
    assert_non_null(line);
    assert_int_equal(line->quantity, 7);
    assert_true(line->has_price); /* prices are not touched */
    assert_int_equal(line->unit_price.minor, 999);

    assert_int_equal(ord_order_set_line(&order, 20, 0), ORD_OK);
    assert_int_equal(order.item_count, 2);
    assert_null(ord_order_find_item(&order, 20));
    assert_int_equal(order.items[0].product_id, 10);
    assert_int_equal(order.items[1].product_id, 30);

    assert_int_equal(ord_order_set_line(&order, 99, 0), ORD_OK);
    assert_int_equal(order.item_count, 2);
    assert_int_equal(ord_order_set_line(&order, 10, 0), ORD_OK);
    assert_int_equal(ord_order_set_line(&order, 30, 0), ORD_OK);
    assert_int_equal(order.item_count, 0);
    assert_null(order.items);
    ord_order_free(&order);
}

static void test_set_line_refuses_bad_values_and_changes_nothing(void **state)
{
    (void)state;
    ord_order order;
    ord_order_init(&order);
    assert_int_equal(ord_order_set_line(&order, 1, 5), ORD_OK);
    assert_int_equal(ord_order_set_line(&order, 0, 1), ORD_EINVALID);
    assert_int_equal(ord_order_set_line(&order, -3, 1), ORD_EINVALID);
    assert_int_equal(ord_order_set_line(&order, 1, -1), ORD_EINVALID);
    assert_int_equal(ord_order_set_line(&order, 1, ORD_MAX_QUANTITY + 1), ORD_EINVALID);
    assert_int_equal(ord_order_set_line(&order, 2, INT64_MAX), ORD_EINVALID);
    assert_int_equal(order.item_count, 1);
    assert_int_equal(order.items[0].quantity, 5);
    assert_int_equal(ord_order_set_line(&order, 1, ORD_MAX_QUANTITY), ORD_OK);
    assert_int_equal(order.items[0].quantity, ORD_MAX_QUANTITY);
    assert_int_equal(ord_order_set_line(NULL, 1, 1), ORD_EINVALID);
    ord_order_free(&order);
}

static void test_set_line_stops_at_the_line_limit(void **state)
{
    (void)state;
    ord_order order;
    ord_order_init(&order);
    for (int64_t p = 1; p <= ORD_MAX_ITEMS; p++)
        assert_int_equal(ord_order_set_line(&order, p, 1), ORD_OK);
    assert_int_equal(ord_order_set_line(&order, ORD_MAX_ITEMS + 1, 1), ORD_EINVALID);
    assert_int_equal(order.item_count, ORD_MAX_ITEMS);
    assert_null(ord_order_find_item(&order, ORD_MAX_ITEMS + 1));
    /* A full cart can still change or drop an existing line. */
    assert_int_equal(ord_order_set_line(&order, 50, 4), ORD_OK);
    assert_int_equal(ord_order_set_line(&order, 1, 0), ORD_OK);
    assert_int_equal(ord_order_set_line(&order, ORD_MAX_ITEMS + 1, 1), ORD_OK);
    assert_int_equal(order.item_count, ORD_MAX_ITEMS);
    ord_order_free(&order);
}

static void test_total_is_exact_sum_of_price_times_quantity(void **state)
{
    (void)state;
    ord_order order;
    ord_order_init(&order);
    ord_order_item items[] = {priced(1, 2, 9999, "USD"), priced(5, 1, 14999, "USD")};
    assert_int_equal(ord_order_set_items(&order, items, 2), ORD_OK);
    ord_money total;
    assert_int_equal(ord_order_compute_total(&order, &total, "USD"), ORD_OK);
    assert_int_equal(total.minor, 34997);
    assert_string_equal(total.currency, "USD");

    ord_order_item cents[] = {priced(1, 1, 10, "USD"), priced(2, 1, 20, "USD")};
    assert_int_equal(ord_order_set_items(&order, cents, 2), ORD_OK);
    assert_int_equal(ord_order_compute_total(&order, &total, "USD"), ORD_OK);
    char text[ORD_MONEY_TEXT_SIZE];
    assert_int_equal(ord_money_format(text, sizeof text, total), ORD_OK);
    assert_string_equal(text, "0.30");
    ord_order_free(&order);
}

static void test_total_of_no_items_is_zero_in_the_given_currency(void **state)
{
    (void)state;
    ord_order order;
    ord_order_init(&order);
    ord_money total = {.minor = 5, .currency = "USD"};
    assert_int_equal(ord_order_compute_total(&order, &total, "JPY"), ORD_OK);
    assert_int_equal(total.minor, 0);
    assert_string_equal(total.currency, "JPY");
    assert_int_equal(ord_order_compute_total(&order, &total, "jpy"), ORD_EINVALID);
}

static void test_total_refuses_missing_prices_and_mixed_currencies(void **state)
{
    (void)state;
    ord_order order;
    ord_order_init(&order);
    ord_money total = {.minor = 77, .currency = "USD"};
    ord_order_item unpriced[] = {priced(1, 1, 100, "USD"), {.product_id = 2, .quantity = 1}};
    assert_int_equal(ord_order_set_items(&order, unpriced, 2), ORD_OK);
    assert_int_equal(ord_order_compute_total(&order, &total, "USD"), ORD_EINVALID);
    ord_order_item mixed[] = {priced(1, 1, 100, "USD"), priced(2, 1, 100, "EUR")};
    assert_int_equal(ord_order_set_items(&order, mixed, 2), ORD_OK);
    assert_int_equal(ord_order_compute_total(&order, &total, "USD"), ORD_EINVALID);
    assert_int_equal(total.minor, 77);
    ord_order_free(&order);
}

static void test_total_reports_overflow(void **state)
{
    (void)state;
    ord_order order;
    ord_order_init(&order);
    ord_money total = {.minor = 77, .currency = "USD"};
    ord_order_item line_overflows[] = {priced(1, 3, INT64_MAX / 2, "USD")};
    assert_int_equal(ord_order_set_items(&order, line_overflows, 1), ORD_OK);
    assert_int_equal(ord_order_compute_total(&order, &total, "USD"), ORD_EOVERFLOW);
    ord_order_item sum_overflows[] = {priced(1, 1, INT64_MAX / 2 + 1, "USD"),
                                      priced(2, 1, INT64_MAX / 2 + 1, "USD")};
    assert_int_equal(ord_order_set_items(&order, sum_overflows, 2), ORD_OK);
    assert_int_equal(ord_order_compute_total(&order, &total, "USD"), ORD_EOVERFLOW);
    assert_int_equal(total.minor, 77);
    ord_order_free(&order);
}

static void test_start_records_the_first_history_entry(void **state)
{
    (void)state;
    ord_order order;
    ord_order_init(&order);
    assert_int_equal(ord_order_start(&order, ORD_STATUS_PENDING_CHECK, 1234, "created"), ORD_OK);
    assert_int_equal(order.status, ORD_STATUS_PENDING_CHECK);
    assert_int_equal(order.created_at_ms, 1234);
    assert_int_equal(order.updated_at_ms, 1234);
    assert_int_equal(order.history_count, 1);
    assert_false(order.history[0].has_from);
    assert_int_equal(order.history[0].to, ORD_STATUS_PENDING_CHECK);
    assert_int_equal(order.history[0].at_ms, 1234);
    assert_string_equal(order.history[0].reason, "created");

    assert_int_equal(ord_order_start(&order, ORD_STATUS_DRAFT, 9999, "again"), ORD_EINVALID);
    assert_int_equal(order.history_count, 1);
    assert_int_equal(order.created_at_ms, 1234);
    ord_order_free(&order);
}

static void test_start_refuses_statuses_an_order_cannot_begin_in(void **state)
{
    (void)state;
    const ord_status bad[] = {ORD_STATUS_CONFIRMED, ORD_STATUS_SHIPPED, ORD_STATUS_DELIVERED,
                              ORD_STATUS_CANCELLED, (ord_status)9};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ord_order order;
        ord_order_init(&order);
        assert_int_equal(ord_order_start(&order, bad[i], 1, "created"), ORD_EINVALID);
        assert_int_equal(order.history_count, 0);
        assert_null(order.history);
    }
}

static void test_every_transition_adds_one_entry_or_changes_nothing(void **state)
{
    (void)state;
    for (int from = 0; from < ORD_STATUS_COUNT; from++) {
        for (int to = 0; to < ORD_STATUS_COUNT; to++) {
            ord_order order, before;
            order_in_status(&order, (ord_status)from);
            ord_order_init(&before);
            assert_int_equal(ord_order_copy(&before, &order), ORD_OK);
            ord_status_change change;
            memset(&change, 0x5A, sizeof change);
            ord_error err = ord_order_transition(&order, (ord_status)to, 99000, "why", &change);
            if (expected_legal((ord_status)from, (ord_status)to)) {
                assert_int_equal(err, ORD_OK);
                assert_int_equal(order.history_count, before.history_count + 1);
                const ord_status_change *last = &order.history[order.history_count - 1];
                assert_true(last->has_from);
                assert_int_equal(last->from, from);
                assert_int_equal(last->to, to);
                assert_int_equal(last->at_ms, 99000);
                assert_string_equal(last->reason, "why");
                assert_true(change.has_from);
                assert_int_equal(change.from, from);
                assert_int_equal(change.to, to);
                assert_int_equal(change.at_ms, 99000);
                assert_string_equal(change.reason, "why");
                assert_int_equal(order.status, to);
                assert_int_equal(order.updated_at_ms, 99000);
                assert_memory_equal(order.history, before.history,
                                    before.history_count * sizeof *before.history);
            } else {
                assert_int_equal(err, ORD_ETRANSITION);
                assert_int_equal(order.status, from);
                assert_int_equal(order.history_count, before.history_count);
                assert_int_equal(order.updated_at_ms, before.updated_at_ms);
                assert_memory_equal(order.history, before.history,
                                    before.history_count * sizeof *before.history);
                assert_int_equal(change.at_ms, 0x5A5A5A5A5A5A5A5ALL); /* untouched */
            }
            ord_order_free(&before);
            ord_order_free(&order);
        }
    }
}

static void test_transition_reason_is_cut_to_fit(void **state)
{
    (void)state;
    ord_order order;
    order_in_status(&order, ORD_STATUS_DRAFT);
    char long_reason[200];
    memset(long_reason, 'r', sizeof long_reason - 1);
    long_reason[sizeof long_reason - 1] = '\0';
    assert_int_equal(ord_order_transition(&order, ORD_STATUS_PENDING_CHECK, 5, long_reason, NULL),
                     ORD_OK);
    assert_int_equal(strlen(order.history[1].reason), ORD_REASON_SIZE - 1);
    assert_memory_equal(order.history[1].reason, long_reason, ORD_REASON_SIZE - 1);

    /* 62 ASCII bytes then "é" (2 bytes): the character does not fit whole and
     * is dropped rather than split. */
    char utf8_reason[ORD_REASON_SIZE + 8];
    memset(utf8_reason, 'a', 62);
    strcpy(utf8_reason + 62, "\xC3\xA9tail");
    assert_int_equal(ord_order_transition(&order, ORD_STATUS_CONFIRMED, 6, utf8_reason, NULL),
                     ORD_OK);
    assert_int_equal(strlen(order.history[2].reason), 62);

    assert_int_equal(ord_order_transition(&order, ORD_STATUS_SHIPPED, 7, NULL, NULL), ORD_OK);
    assert_string_equal(order.history[3].reason, "");
    ord_order_free(&order);
}

static void test_copy_is_deep_and_replaces_previous_content(void **state)
{
    (void)state;
    ord_order src, dst;
    order_in_status(&src, ORD_STATUS_CONFIRMED);
    src.id = 789;
    src.customer_id = 12345;
    strcpy(src.number, "ORD-550e8400-e29b-41d4-a716-446655440000");
    assert_int_equal(ord_order_set_text(&src.customer_name, "Ada"), ORD_OK);
    assert_int_equal(ord_order_set_text(&src.delivery_address, "1 Road"), ORD_OK);
    assert_int_equal(ord_order_set_text(&src.carrier, "DHL"), ORD_OK);
    assert_int_equal(ord_order_set_line(&src, 1, 2), ORD_OK);

    ord_order_init(&dst);
    assert_int_equal(ord_order_set_text(&dst.tracking_number, "old"), ORD_OK);
    assert_int_equal(ord_order_set_line(&dst, 9, 9), ORD_OK);
    assert_int_equal(ord_order_copy(&dst, &src), ORD_OK);

    assert_int_equal(dst.id, 789);
    assert_string_equal(dst.number, src.number);
    assert_null(dst.tracking_number);
    assert_ptr_not_equal(dst.customer_name, src.customer_name);
    assert_string_equal(dst.customer_name, "Ada");
    assert_string_equal(dst.delivery_address, "1 Road");
    assert_ptr_not_equal(dst.items, src.items);
    assert_int_equal(dst.item_count, 1);
    assert_int_equal(dst.items[0].product_id, 1);
    assert_ptr_not_equal(dst.history, src.history);
    assert_int_equal(dst.history_count, src.history_count);
    assert_memory_equal(dst.history, src.history, src.history_count * sizeof *src.history);

    /* Changing the copy leaves the original alone. */
    dst.customer_name[0] = 'X';
    dst.items[0].quantity = 50;
    assert_string_equal(src.customer_name, "Ada");
    assert_int_equal(src.items[0].quantity, 2);

    assert_int_equal(ord_order_copy(&src, &src), ORD_OK);
    assert_string_equal(src.customer_name, "Ada");
    ord_order_free(&src);
    ord_order_free(&dst);
}

static void test_copy_of_an_empty_order_owns_nothing(void **state)
{
    (void)state;
    ord_order src, dst;
    ord_order_init(&src);
    ord_order_init(&dst);
    assert_int_equal(ord_order_copy(&dst, &src), ORD_OK);
    assert_null(dst.items);
    assert_null(dst.history);
    assert_null(dst.customer_name);
    assert_int_equal(ord_order_copy(NULL, &src), ORD_EINVALID);
    ord_order_free(&dst);
}

static void test_find_item_returns_the_line_or_null(void **state)
{
    (void)state;
    ord_order order;
    ord_order_init(&order);
    assert_null(ord_order_find_item(&order, 1));
    assert_int_equal(ord_order_set_line(&order, 4, 3), ORD_OK);
    const ord_order_item *line = ord_order_find_item(&order, 4);
    assert_ptr_equal(line, &order.items[0]);
    assert_null(ord_order_find_item(&order, 5));
    assert_null(ord_order_find_item(NULL, 4));
    ord_order_free(&order);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_and_free_leave_a_zeroed_order),
        cmocka_unit_test(test_set_text_copies_replaces_and_clears),
        cmocka_unit_test(test_set_items_copies_and_enforces_the_line_limit),
        cmocka_unit_test(test_set_line_appends_updates_and_zero_removes),
        cmocka_unit_test(test_set_line_refuses_bad_values_and_changes_nothing),
        cmocka_unit_test(test_set_line_stops_at_the_line_limit),
        cmocka_unit_test(test_total_is_exact_sum_of_price_times_quantity),
        cmocka_unit_test(test_total_of_no_items_is_zero_in_the_given_currency),
        cmocka_unit_test(test_total_refuses_missing_prices_and_mixed_currencies),
        cmocka_unit_test(test_total_reports_overflow),
        cmocka_unit_test(test_start_records_the_first_history_entry),
        cmocka_unit_test(test_start_refuses_statuses_an_order_cannot_begin_in),
        cmocka_unit_test(test_every_transition_adds_one_entry_or_changes_nothing),
        cmocka_unit_test(test_transition_reason_is_cut_to_fit),
        cmocka_unit_test(test_copy_is_deep_and_replaces_previous_content),
        cmocka_unit_test(test_copy_of_an_empty_order_owns_nothing),
        cmocka_unit_test(test_find_item_returns_the_line_or_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
