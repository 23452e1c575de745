/* Which status changes raise events, their wire names, and the status codes' texts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <orders/domain/error.h>
#include <orders/domain/event.h>

static void test_each_consumer_visible_status_raises_its_event(void **state)
{
    (void)state;
    const struct { ord_status to; ord_event_type type; const char *name; } cases[] = {
        {ORD_STATUS_CONFIRMED, ORD_EVENT_ORDER_PLACED, "OrderPlaced"},
        {ORD_STATUS_CANCELLED, ORD_EVENT_ORDER_CANCELLED, "OrderCancelled"},
        {ORD_STATUS_SHIPPED, ORD_EVENT_ORDER_SHIPPED, "OrderShipped"},
        {ORD_STATUS_DELIVERED, ORD_EVENT_ORDER_DELIVERED, "OrderDelivered"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ord_event_type type = (ord_event_type)0;
        assert_true(ord_event_type_for_status(&type, cases[i].to));
        assert_int_equal(type, cases[i].type);
        assert_string_equal(ord_event_type_name(type), cases[i].name);
    }
}

static void test_draft_and_pending_check_raise_no_event(void **state)
{
    (void)state;
    const ord_status quiet[] = {ORD_STATUS_DRAFT, ORD_STATUS_PENDING_CHECK, (ord_status)6,
                                (ord_status)-1};
    for (size_t i = 0; i < sizeof quiet / sizeof quiet[0]; i++) {
        ord_event_type type = ORD_EVENT_ORDER_SHIPPED;
        assert_false(ord_event_type_for_status(&type, quiet[i]));
        assert_int_equal(type, ORD_EVENT_ORDER_SHIPPED);
    }
}

static void test_unknown_event_type_is_named_unknown(void **state)
{
    (void)state;
    assert_string_equal(ord_event_type_name((ord_event_type)0), "Unknown");
    assert_string_equal(ord_event_type_name((ord_event_type)5), "Unknown");
}

static void test_every_error_has_its_own_text(void **state)
{
    (void)state;
    for (int a = ORD_EUNAUTHORIZED; a <= ORD_OK; a++) {
        const char *text = ord_strerror((ord_error)a);
        assert_non_null(text);
        assert_true(strlen(text) > 0);
        for (int b = ORD_EUNAUTHORIZED; b < a; b++)
            assert_string_not_equal(text, ord_strerror((ord_error)b));
    }
    assert_string_equal(ord_strerror((ord_error)-1000), "unknown error");
    assert_string_equal(ord_strerror((ord_error)1), "unknown error");
}

static void test_only_dependency_failures_are_transient(void **state)
{
    (void)state;
    for (int e = ORD_EINTERNAL; e <= ORD_OK; e++) {
        bool transient = e == ORD_EUNAVAILABLE || e == ORD_ETIMEOUT || e == ORD_ECONTRACT;
        assert_int_equal(ord_error_is_transient((ord_error)e), transient);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_consumer_visible_status_raises_its_event),
        cmocka_unit_test(test_draft_and_pending_check_raise_no_event),
        cmocka_unit_test(test_unknown_event_type_is_named_unknown),
        cmocka_unit_test(test_every_error_has_its_own_text),
        cmocka_unit_test(test_only_dependency_failures_are_transient),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
