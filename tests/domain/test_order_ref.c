/* Order references: the canonical orderId and order number forms only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <orders/domain/order_ref.h>

static void test_order_reference_forms(void **state)
{
    (void)state;
    int64_t id = -1;
    char number[ORD_ORDER_NUMBER_SIZE];
    assert_true(ord_order_ref_parse("1", &id, number));
    assert_int_equal(id, 1);
    assert_string_equal(number, "");
    assert_true(ord_order_ref_parse("9223372036854775807", &id, number));
    assert_int_equal(id, INT64_MAX);
    assert_true(ord_order_ref_parse("ORD-550e8400-e29b-41d4-a716-446655440000", &id, number));
    assert_int_equal(id, 0);
    assert_string_equal(number, "ORD-550e8400-e29b-41d4-a716-446655440000");
    /* A UUID ignores case: the upper-case copy names the same, stored order. */
    assert_true(ord_order_ref_parse("ORD-550E8400-E29B-41D4-A716-446655440000", &id, number));
    assert_string_equal(number, "ORD-550e8400-e29b-41d4-a716-446655440000");

    const char *bad[] = {"", "0", "-1", "+1", " 1", "1 ", "01", "1a", "0x10",
                         "9223372036854775808", "99999999999999999999", "ORD-", "ORD-xyz",
                         "ord-550e8400-e29b-41d4-a716-446655440000",
                         "ORD-550e8400-e29b-41d4-a716-44665544000g",
                         "ORD-550e8400-e29b-41d4-a716-4466554400000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        id = -1;
        strcpy(number, "junk");
        if (ord_order_ref_parse(bad[i], &id, number))
            fail_msg("\"%s\" was accepted", bad[i]);
        assert_int_equal(id, 0);
        assert_string_equal(number, "");
    }
    assert_false(ord_order_ref_parse(NULL, &id, number));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_reference_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
