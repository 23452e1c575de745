/* Money: exact decimal text in and out, currency decimals, checked arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <orders/domain/money.h>

static ord_money parse_ok(const char *text, const char *currency)
{
    ord_money m;
    assert_int_equal(ord_money_parse(&m, text, strlen(text), currency), ORD_OK);
    return m;
}

static ord_error parse_err(const char *text, const char *currency)
{
    ord_money m = {.minor = 4242, .currency = "EUR"};
    ord_error err = ord_money_parse(&m, text, strlen(text), currency);
    /* A failed parse leaves the output as it was. */
    assert_int_equal(m.minor, 4242);
    assert_string_equal(m.currency, "EUR");
    return err;
}

static void assert_formats(int64_t minor, const char *currency, const char *expected)
{
    ord_money m;
    char buf[ORD_MONEY_TEXT_SIZE];
    assert_int_equal(ord_money_make(&m, minor, currency), ORD_OK);
    assert_int_equal(ord_money_format(buf, sizeof buf, m), ORD_OK);
    assert_string_equal(buf, expected);
}

static void test_point_one_plus_point_two_is_exactly_point_three(void **state)
{
    (void)state;
    ord_money sum;
    assert_int_equal(ord_money_add(&sum, parse_ok("0.1", "USD"), parse_ok("0.2", "USD")), ORD_OK);
    assert_int_equal(sum.minor, 30);
    assert_formats(sum.minor, "USD", "0.30");
    assert_int_equal(ord_money_add(&sum, parse_ok("0.10", "USD"), parse_ok("0.20", "USD")), ORD_OK);
    assert_true(ord_money_equal(sum, parse_ok("0.30", "USD")));
}

static void test_currency_decimals_follow_iso_4217(void **state)
{
    (void)state;
    const char *two[] = {"USD", "EUR", "GBP", "CHF", "XYZ"};
    const char *zero[] = {"JPY", "KRW", "CLP", "ISK", "VND", "XAF", "XOF", "XPF"};
    const char *three[] = {"BHD", "KWD", "OMR", "JOD", "TND", "IQD", "LYD"};
    for (size_t i = 0; i < sizeof two / sizeof two[0]; i++)
        assert_int_equal(ord_currency_decimals(two[i]), 2);
    for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
        assert_int_equal(ord_currency_decimals(zero[i]), 0);
    for (size_t i = 0; i < sizeof three / sizeof three[0]; i++)
        assert_int_equal(ord_currency_decimals(three[i]), 3);
}

static void test_malformed_currency_codes_are_refused(void **state)
{
    (void)state;
    const char *bad[] = {"usd", "US", "USDX", "", "U5D", "Usd", "US "};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ord_money m = {.minor = 7, .currency = "EUR"};
        assert_int_equal(ord_currency_decimals(bad[i]), -1);
        assert_int_equal(ord_money_make(&m, 1, bad[i]), ORD_EINVALID);
        assert_int_equal(m.minor, 7);
        assert_int_equal(parse_err("1", bad[i]), ORD_EINVALID);
    }
    assert_int_equal(ord_currency_decimals(NULL), -1);
}

static void test_parse_reads_each_decimal_count(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("349.97", "USD").minor, 34997);
    assert_int_equal(parse_ok("100", "USD").minor, 10000);
    assert_int_equal(parse_ok("-0.5", "USD").minor, -50);
    assert_int_equal(parse_ok("0.05", "USD").minor, 5);
    assert_int_equal(parse_ok("1500", "JPY").minor, 1500);
    assert_int_equal(parse_ok("1.234", "KWD").minor, 1234);
    assert_int_equal(parse_ok("1.2", "KWD").minor, 1200);
    assert_int_equal(parse_ok("0", "BHD").minor, 0);
    assert_int_equal(parse_ok("-0", "USD").minor, 0);
    ord_money m = parse_ok("12.5", "EUR");
    assert_string_equal(m.currency, "EUR");
}

static void test_parse_accepts_extra_trailing_zeros_only(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1.500", "USD").minor, 150);
    assert_int_equal(parse_ok("1.0", "JPY").minor, 1);
    assert_int_equal(parse_ok("2.5000", "KWD").minor, 2500);
    assert_int_equal(parse_err("1.50", "JPY"), ORD_EINVALID);
    assert_int_equal(parse_err("1.234", "USD"), ORD_EINVALID);
    assert_int_equal(parse_err("1.2345", "KWD"), ORD_EINVALID);
    assert_int_equal(parse_err("1.001", "USD"), ORD_EINVALID);
}

static void test_parse_refuses_malformed_text(void **state)
{
    (void)state;
    const char *bad[] = {"", "1.", ".5", "1e3", "+1", " 1", "1 ", "1 .5", "-", "--1",
                         "1.2.3", "0x10", "1,5", "-.5", "abc", "1.-5", "NaN", "\t1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(parse_err(bad[i], "USD"), ORD_EINVALID);
    ord_money m;
    assert_int_equal(ord_money_parse(&m, NULL, 0, "USD"), ORD_EINVALID);
    assert_int_equal(ord_money_parse(NULL, "1", 1, "USD"), ORD_EINVALID);
}

static void test_parse_reads_only_len_bytes(void **state)
{
    (void)state;
    ord_money m;
    assert_int_equal(ord_money_parse(&m, "12.34xyz", 5, "USD"), ORD_OK);
    assert_int_equal(m.minor, 1234);
    assert_int_equal(ord_money_parse(&m, "7", 0, "USD"), ORD_EINVALID);
}

static void test_parse_reaches_int64_limits_and_no_further(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("92233720368547758.07", "USD").minor, INT64_MAX);
    assert_int_equal(parse_ok("-92233720368547758.08", "USD").minor, INT64_MIN);
    assert_int_equal(parse_ok("9223372036854775807", "JPY").minor, INT64_MAX);
    assert_int_equal(parse_ok("-9223372036854775808", "JPY").minor, INT64_MIN);
    assert_int_equal(parse_ok("-9223372036854775.808", "KWD").minor, INT64_MIN);
    assert_int_equal(parse_err("92233720368547758.08", "USD"), ORD_EOVERFLOW);
    assert_int_equal(parse_err("-92233720368547758.09", "USD"), ORD_EOVERFLOW);
    assert_int_equal(parse_err("9223372036854775808", "JPY"), ORD_EOVERFLOW);
    assert_int_equal(parse_err("-9223372036854775809", "JPY"), ORD_EOVERFLOW);
    assert_int_equal(parse_err("92233720368547759", "USD"), ORD_EOVERFLOW);
    assert_int_equal(parse_err("99999999999999999999999999999", "USD"), ORD_EOVERFLOW);
    /* Malformed wins over huge: the text is wrong whatever its size. */
    assert_int_equal(parse_err("99999999999999999999999999999x", "USD"), ORD_EINVALID);
}

static void test_format_writes_the_currency_decimals(void **state)
{
    (void)state;
    assert_formats(0, "USD", "0.00");
    assert_formats(30, "USD", "0.30");
    assert_formats(34997, "USD", "349.97");
    assert_formats(-5, "USD", "-0.05");
    assert_formats(-150, "EUR", "-1.50");
    assert_formats(1234, "JPY", "1234");
    assert_formats(-7, "JPY", "-7");
    assert_formats(1234, "KWD", "1.234");
    assert_formats(5, "BHD", "0.005");
    assert_formats(-1005, "OMR", "-1.005");
}

static void test_format_handles_int64_limits(void **state)
{
    (void)state;
    assert_formats(INT64_MIN, "USD", "-92233720368547758.08");
    assert_formats(INT64_MAX, "USD", "92233720368547758.07");
    assert_formats(INT64_MIN, "JPY", "-9223372036854775808");
    assert_formats(INT64_MIN, "KWD", "-9223372036854775.808");
    assert_formats(INT64_MAX, "KWD", "9223372036854775.807");
}

static void test_format_then_parse_round_trips(void **state)
{
    (void)state;
    const char *currencies[] = {"USD", "JPY", "KWD"};
    const int64_t values[] = {0,       1,          -1,         9,         10,       99,
                              100,     101,        -999,       1000,      123456789,
                              -987654, INT64_MAX,  INT64_MIN,  INT64_MAX - 1,
                              INT64_MIN + 1};
    for (size_t c = 0; c < 3; c++) {
        for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
            ord_money m, back;
            char buf[ORD_MONEY_TEXT_SIZE];
            assert_int_equal(ord_money_make(&m, values[i], currencies[c]), ORD_OK);
            assert_int_equal(ord_money_format(buf, sizeof buf, m), ORD_OK);
            assert_int_equal(ord_money_parse(&back, buf, strlen(buf), currencies[c]), ORD_OK);
            assert_true(ord_money_equal(m, back));
        }
    }
}

static void test_format_refuses_a_small_buffer_or_bad_currency(void **state)
{
    (void)state;
    ord_money m;
    char buf[8];
    assert_int_equal(ord_money_make(&m, 30, "USD"), ORD_OK);
    memset(buf, 'x', sizeof buf);
    assert_int_equal(ord_money_format(buf, 4, m), ORD_EINVALID);
    assert_string_equal(buf, "");
    assert_int_equal(ord_money_format(buf, 5, m), ORD_OK);
    assert_string_equal(buf, "0.30");
    assert_int_equal(ord_money_format(buf, 0, m), ORD_EINVALID);
    assert_int_equal(ord_money_format(NULL, 0, m), ORD_EINVALID);
    ord_money bad = {.minor = 1, .currency = "usd"};
    memset(buf, 'x', sizeof buf);
    assert_int_equal(ord_money_format(buf, sizeof buf, bad), ORD_EINVALID);
    assert_string_equal(buf, "");
}

static void test_add_reports_overflow_at_both_ends(void **state)
{
    (void)state;
    ord_money max, min, one, minus_one, out = {.minor = 77, .currency = "USD"};
    ord_money_make(&max, INT64_MAX, "USD");
    ord_money_make(&min, INT64_MIN, "USD");
    ord_money_make(&one, 1, "USD");
    ord_money_make(&minus_one, -1, "USD");
    assert_int_equal(ord_money_add(&out, max, one), ORD_EOVERFLOW);
    assert_int_equal(ord_money_add(&out, min, minus_one), ORD_EOVERFLOW);
    assert_int_equal(ord_money_add(&out, max, max), ORD_EOVERFLOW);
    assert_int_equal(out.minor, 77);
    assert_int_equal(ord_money_add(&out, max, min), ORD_OK);
    assert_int_equal(out.minor, -1);
    assert_int_equal(ord_money_add(&out, max, minus_one), ORD_OK);
    assert_int_equal(out.minor, INT64_MAX - 1);
}

static void test_add_refuses_different_currencies(void **state)
{
    (void)state;
    ord_money usd, eur, out = {.minor = 77, .currency = "USD"};
    ord_money_make(&usd, 100, "USD");
    ord_money_make(&eur, 100, "EUR");
    assert_int_equal(ord_money_add(&out, usd, eur), ORD_EINVALID);
    assert_int_equal(out.minor, 77);
    assert_false(ord_money_equal(usd, eur));
}

static void test_multiply_reports_overflow(void **state)
{
    (void)state;
    ord_money price, out = {.minor = 77, .currency = "USD"};
    ord_money_make(&price, INT64_MAX / 2 + 1, "USD");
    assert_int_equal(ord_money_multiply(&out, price, 2), ORD_EOVERFLOW);
    ord_money_make(&price, INT64_MIN, "USD");
    assert_int_equal(ord_money_multiply(&out, price, -1), ORD_EOVERFLOW);
    ord_money_make(&price, 4294967296LL, "USD");
    assert_int_equal(ord_money_multiply(&out, price, 4294967296LL), ORD_EOVERFLOW);
    assert_int_equal(out.minor, 77);

    ord_money_make(&price, 9999, "USD");
    assert_int_equal(ord_money_multiply(&out, price, 10000), ORD_OK);
    assert_int_equal(out.minor, 99990000);
    assert_string_equal(out.currency, "USD");
    ord_money_make(&price, INT64_MAX, "USD");
    assert_int_equal(ord_money_multiply(&out, price, -1), ORD_OK);
    assert_int_equal(out.minor, -INT64_MAX);
    assert_int_equal(ord_money_multiply(&out, price, 0), ORD_OK);
    assert_int_equal(out.minor, 0);
}

static void test_equal_compares_amount_and_currency(void **state)
{
    (void)state;
    ord_money a, b;
    ord_money_make(&a, 5, "USD");
    ord_money_make(&b, 5, "USD");
    assert_true(ord_money_equal(a, b));
    ord_money_make(&b, 6, "USD");
    assert_false(ord_money_equal(a, b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_point_one_plus_point_two_is_exactly_point_three),
        cmocka_unit_test(test_currency_decimals_follow_iso_4217),
        cmocka_unit_test(test_malformed_currency_codes_are_refused),
        cmocka_unit_test(test_parse_reads_each_decimal_count),
        cmocka_unit_test(test_parse_accepts_extra_trailing_zeros_only),
        cmocka_unit_test(test_parse_refuses_malformed_text),
        cmocka_unit_test(test_parse_reads_only_len_bytes),
        cmocka_unit_test(test_parse_reaches_int64_limits_and_no_further),
        cmocka_unit_test(test_format_writes_the_currency_decimals),
        cmocka_unit_test(test_format_handles_int64_limits),
        cmocka_unit_test(test_format_then_parse_round_trips),
        cmocka_unit_test(test_format_refuses_a_small_buffer_or_bad_currency),
        cmocka_unit_test(test_add_reports_overflow_at_both_ends),
        cmocka_unit_test(test_add_refuses_different_currencies),
        cmocka_unit_test(test_multiply_reports_overflow),
        cmocka_unit_test(test_equal_compares_amount_and_currency),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
