/* The status machine: every (from, to) pair against the legal set, names, finals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <orders/domain/order_status.h>

/* The legal changes, written out here independently of the library's table. */
static bool expected_legal(ord_status from, ord_status to)
{
    static const struct { ord_status from, to; } legal[] = {
        {ORD_STATUS_DRAFT, ORD_STATUS_PENDING_CHECK},
        {ORD_STATUS_DRAFT, ORD_STATUS_CANCELLED},
        {ORD_STATUS_PENDING_CHECK, ORD_STATUS_CONFIRMED},
        {ORD_STATUS_PENDING_CHECK, ORD_STATUS_CANCELLED},
        {ORD_STATUS_CONFIRMED, ORD_STATUS_SHIPPED},
        {ORD_STATUS_CONFIRMED, ORD_STATUS_CANCELLED},
        {ORD_STATUS_SHIPPED, ORD_STATUS_DELIVERED},
    };
    for (size_t i = 0; i < sizeof legal / sizeof legal[0]; i++) {
        if (legal[i].from == from && legal[i].to == to)
            return true;
    }
    return false;
}

static void test_every_status_pair_matches_the_legal_set(void **state)
{
    (void)state;
    int allowed = 0;
    for (int from = 0; from < ORD_STATUS_COUNT; from++) {
        for (int to = 0; to < ORD_STATUS_COUNT; to++) {
            const char *why = NULL;
            ord_error err = ord_status_check_transition((ord_status)from, (ord_status)to, &why);
            if (expected_legal((ord_status)from, (ord_status)to)) {
                assert_int_equal(err, ORD_OK);
                allowed++;
            } else {
                assert_int_equal(err, ORD_ETRANSITION);
                assert_non_null(why);
                assert_true(strlen(why) > 0);
            }
        }
    }
    assert_int_equal(allowed, 7);
}

static void test_refusal_reason_is_optional(void **state)
{
    (void)state;
    assert_int_equal(ord_status_check_transition(ORD_STATUS_SHIPPED, ORD_STATUS_CANCELLED, NULL),
                     ORD_ETRANSITION);
}

static void test_refusal_reasons_name_the_cause(void **state)
{
    (void)state;
    const char *why = NULL;
    ord_status_check_transition(ORD_STATUS_SHIPPED, ORD_STATUS_CANCELLED, &why);
    assert_non_null(strstr(why, "shipped"));
    ord_status_check_transition(ORD_STATUS_CANCELLED, ORD_STATUS_CONFIRMED, &why);
    assert_non_null(strstr(why, "cancelled"));
    ord_status_check_transition(ORD_STATUS_CONFIRMED, ORD_STATUS_CONFIRMED, &why);
    assert_non_null(strstr(why, "already"));
}

static void test_values_outside_the_enum_are_invalid(void **state)
{
    (void)state;
    const char *why = NULL;
    assert_int_equal(ord_status_check_transition((ord_status)6, ORD_STATUS_DRAFT, &why),
                     ORD_EINVALID);
    assert_non_null(why);
    assert_int_equal(ord_status_check_transition(ORD_STATUS_DRAFT, (ord_status)-1, NULL),
                     ORD_EINVALID);
    assert_string_equal(ord_status_name((ord_status)99), "UNKNOWN");
    assert_string_equal(ord_status_name((ord_status)-1), "UNKNOWN");
    assert_false(ord_status_is_final((ord_status)42));
}

static void test_only_delivered_and_cancelled_are_final(void **state)
{
    (void)state;
    for (int s = 0; s < ORD_STATUS_COUNT; s++) {
        bool final = s == ORD_STATUS_DELIVERED || s == ORD_STATUS_CANCELLED;
        assert_int_equal(ord_status_is_final((ord_status)s), final);
    }
}

static void test_names_round_trip_through_parse(void **state)
{
    (void)state;
    const char *names[ORD_STATUS_COUNT] = {"DRAFT",   "PENDING_CHECK", "CONFIRMED",
                                           "SHIPPED", "DELIVERED",     "CANCELLED"};
    for (int s = 0; s < ORD_STATUS_COUNT; s++) {
        ord_status parsed = ORD_STATUS_CANCELLED;
        assert_string_equal(ord_status_name((ord_status)s), names[s]);
        assert_true(ord_status_parse(&parsed, names[s]));
        assert_int_equal(parsed, s);
    }
}

static void test_parse_is_case_sensitive_and_exact(void **state)
{
    (void)state;
    const char *bad[] = {"draft", "Confirmed", "SHIPPED ", "", "PENDING", "UNKNOWN"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ord_status out = ORD_STATUS_SHIPPED;
        assert_false(ord_status_parse(&out, bad[i]));
        assert_int_equal(out, ORD_STATUS_SHIPPED);
    }
    assert_false(ord_status_parse(NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_status_pair_matches_the_legal_set),
        cmocka_unit_test(test_refusal_reason_is_optional),
        cmocka_unit_test(test_refusal_reasons_name_the_cause),
        cmocka_unit_test(test_values_outside_the_enum_are_invalid),
        cmocka_unit_test(test_only_delivered_and_cancelled_are_final),
        cmocka_unit_test(test_names_round_trip_through_parse),
        cmocka_unit_test(test_parse_is_case_sensitive_and_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
