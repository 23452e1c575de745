/* Text helpers: UTF-8 validation and counting, RFC 3339 times, UUID and
 * order-number syntax. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <orders/domain/text.h>

static size_t count_ok(const char *text, size_t len)
{
    size_t chars = 12345;
    assert_true(ord_utf8_count(text, len, &chars));
    return chars;
}

static void assert_utf8_bad(const char *text, size_t len)
{
    size_t chars = 12345;
    assert_false(ord_utf8_count(text, len, &chars));
    assert_int_equal(chars, 12345); /* untouched */
}

static void test_utf8_counts_code_points(void **state)
{
    (void)state;
    assert_int_equal(count_ok("", 0), 0);
    assert_int_equal(count_ok(NULL, 0), 0);
    assert_int_equal(count_ok("hello", 5), 5);
    assert_int_equal(count_ok("\xC3\xA9", 2), 1);             /* é U+00E9 */
    assert_int_equal(count_ok("\xE2\x82\xAC", 3), 1);         /* € U+20AC */
    assert_int_equal(count_ok("\xF0\x9F\x98\x80", 4), 1);     /* U+1F600 */
    assert_int_equal(count_ok("a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80z", 11), 5);
}

static void test_utf8_accepts_the_boundary_code_points(void **state)
{
    (void)state;
    assert_int_equal(count_ok("\x7F", 1), 1);                 /* U+007F */
    assert_int_equal(count_ok("\xC2\x80", 2), 1);             /* U+0080 */
    assert_int_equal(count_ok("\xDF\xBF", 2), 1);             /* U+07FF */
    assert_int_equal(count_ok("\xE0\xA0\x80", 3), 1);         /* U+0800 */
    assert_int_equal(count_ok("\xED\x9F\xBF", 3), 1);         /* U+D7FF */
    assert_int_equal(count_ok("\xEE\x80\x80", 3), 1);         /* U+E000 */
    assert_int_equal(count_ok("\xEF\xBF\xBF", 3), 1);         /* U+FFFF */
    assert_int_equal(count_ok("\xF0\x90\x80\x80", 4), 1);     /* U+10000 */
    assert_int_equal(count_ok("\xF4\x8F\xBF\xBF", 4), 1);     /* U+10FFFF */
}

static void test_utf8_rejects_overlongs(void **state)
{
    (void)state;
    assert_utf8_bad("\xC0\x80", 2);
    assert_utf8_bad("\xC1\xBF", 2);
    assert_utf8_bad("\xE0\x80\x80", 3);
    assert_utf8_bad("\xE0\x9F\xBF", 3);
    assert_utf8_bad("\xF0\x80\x80\x80", 4);
    assert_utf8_bad("\xF0\x8F\xBF\xBF", 4);
}

static void test_utf8_rejects_surrogates_and_beyond_unicode(void **state)
{
    (void)state;
    assert_utf8_bad("\xED\xA0\x80", 3);       /* U+D800 */
    assert_utf8_bad("\xED\xBF\xBF", 3);       /* U+DFFF */
    assert_utf8_bad("\xF4\x90\x80\x80", 4);   /* U+110000 */
    assert_utf8_bad("\xF5\x80\x80\x80", 4);
    assert_utf8_bad("\xFE", 1);
    assert_utf8_bad("\xFF", 1);
}

static void test_utf8_rejects_broken_sequences_and_nul(void **state)
{
    (void)state;
    assert_utf8_bad("\x80", 1);               /* stray continuation */
    assert_utf8_bad("a\xBF" "b", 3);
    assert_utf8_bad("\xE2\x82", 2);           /* truncated */
    assert_utf8_bad("\xE2\x82\xAC", 2);       /* truncated by len */
    assert_utf8_bad("\xF0\x9F\x98", 3);
    assert_utf8_bad("\xC3" "a", 2);           /* lead without continuation */
    assert_utf8_bad("\xE2\x28\xA1", 3);
    assert_utf8_bad("a\0b", 3);               /* NUL */
    assert_false(ord_utf8_count(NULL, 1, NULL));
    assert_true(ord_utf8_count("ok", 2, NULL));
}

static void assert_time_text(int64_t unix_ms, const char *expected)
{
    char buf[ORD_TIME_TEXT_SIZE];
    assert_int_equal(ord_time_format(buf, unix_ms), ORD_OK);
    assert_string_equal(buf, expected);
}

static int64_t parse_ok(const char *text)
{
    int64_t ms = -42;
    assert_int_equal(ord_time_parse(&ms, text), ORD_OK);
    return ms;
}

static void test_time_formats_known_instants(void **state)
{
    (void)state;
    assert_time_text(0, "1970-01-01T00:00:00Z");
    assert_time_text(999, "1970-01-01T00:00:00Z");
    assert_time_text(-1, "1969-12-31T23:59:59Z");
    assert_time_text(1709164800000LL, "2024-02-29T00:00:00Z");
    assert_time_text(1772980200000LL, "2026-03-08T14:30:00Z");
    assert_time_text(951868799000LL, "2000-02-29T23:59:59Z");
    assert_time_text(-2203891200000LL, "1900-03-01T00:00:00Z");
    assert_time_text(253402300799999LL, "9999-12-31T23:59:59Z");
    assert_time_text(-62167219200000LL, "0000-01-01T00:00:00Z");
}

static void test_time_format_refuses_years_outside_0000_to_9999(void **state)
{
    (void)state;
    char buf[ORD_TIME_TEXT_SIZE];
    assert_int_equal(ord_time_format(buf, 253402300800000LL), ORD_EINVALID);
    assert_int_equal(ord_time_format(buf, -62167219200001LL), ORD_EINVALID);
    assert_int_equal(ord_time_format(buf, INT64_MAX), ORD_EINVALID);
    assert_int_equal(ord_time_format(buf, INT64_MIN), ORD_EINVALID);
}

static void test_time_parses_known_instants(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("2024-02-29T00:00:00Z"), 1709164800000LL);
    assert_int_equal(parse_ok("2026-03-08T14:30:00Z"), 1772980200000LL);
    assert_int_equal(parse_ok("2000-02-29T23:59:59Z"), 951868799000LL); /* 400-year rule */
    assert_int_equal(parse_ok("9999-12-31T23:59:59Z"), 253402300799000LL);
    assert_int_equal(parse_ok("9999-12-31T23:59:59.999Z"), 253402300799999LL);
    assert_int_equal(parse_ok("0000-01-01T00:00:00Z"), -62167219200000LL);
    assert_int_equal(parse_ok("1969-12-31T23:59:59.5Z"), -500);
    assert_int_equal(parse_ok("2024-02-29T00:00:00.123456Z"), 1709164800123LL);
    assert_int_equal(parse_ok("2024-02-29t00:00:00z"), 1709164800000LL);
}

static void test_time_parse_rejects_bad_text(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "2024-02-29",
        "2024-02-29T00:00:00",          /* no zone */
        "2024-02-29T00:00:00+01:00",    /* only UTC */
        "2024-02-29 00:00:00Z",
        "2024-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",         /* not a leap year */
        "1900-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-00-10T00:00:00Z",
        "2024-01-00T00:00:00Z",
        "2024-04-31T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T23:60:00Z",
        "2024-01-01T23:59:60Z",
        "2024-1-01T00:00:00Z",
        "2024-01-01T00:00:00.Z",
        "2024-01-01T00:00:00.1234567890Z",
        "2024-01-01T00:00:00Zjunk",
        "+2024-01-01T00:00:00Z",
        "20240101T000000Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms = -42;
        assert_int_equal(ord_time_parse(&ms, bad[i]), ORD_EINVALID);
        assert_int_equal(ms, -42);
    }
    int64_t ms;
    assert_int_equal(ord_time_parse(&ms, NULL), ORD_EINVALID);
}

static void test_time_round_trips_across_the_calendar(void **state)
{
    (void)state;
    /* A step that is not a whole number of days visits every time of day
     * and, over the range, every day of the year and both leap rules. */
    const int64_t step = 86400000LL * 97 + 3661001;
    for (int64_t ms = -62167219200000LL; ms <= 253402300799999LL; ms += step) {
        char buf[ORD_TIME_TEXT_SIZE];
        assert_int_equal(ord_time_format(buf, ms), ORD_OK);
        int64_t whole = ms - (((ms % 1000) + 1000) % 1000);
        assert_int_equal(parse_ok(buf), whole);
    }
}

static void test_uuid_syntax_is_canonical_lower_case(void **state)
{
    (void)state;
    assert_true(ord_uuid_is_valid("550e8400-e29b-41d4-a716-446655440000"));
    assert_true(ord_uuid_is_valid("00000000-0000-0000-0000-000000000000"));
    assert_false(ord_uuid_is_valid("550E8400-E29B-41D4-A716-446655440000"));
    assert_false(ord_uuid_is_valid("550e8400e29b41d4a716446655440000"));
    assert_false(ord_uuid_is_valid("550e8400-e29b-41d4-a716-44665544000"));
    assert_false(ord_uuid_is_valid("550e8400-e29b-41d4-a716-4466554400000"));
    assert_false(ord_uuid_is_valid("550e8400-e29b-41d4-a716_446655440000"));
    assert_false(ord_uuid_is_valid("g50e8400-e29b-41d4-a716-446655440000"));
    assert_false(ord_uuid_is_valid("{550e8400-e29b-41d4-a716-446655440000}"));
    assert_false(ord_uuid_is_valid(""));
    assert_false(ord_uuid_is_valid(NULL));
}

static void test_order_number_is_ord_prefix_and_uuid(void **state)
{
    (void)state;
    assert_true(ord_order_number_is_valid("ORD-550e8400-e29b-41d4-a716-446655440000"));
    assert_false(ord_order_number_is_valid("ord-550e8400-e29b-41d4-a716-446655440000"));
    assert_false(ord_order_number_is_valid("ORD550e8400-e29b-41d4-a716-446655440000"));
    assert_false(ord_order_number_is_valid("ORD-550E8400-E29B-41D4-A716-446655440000"));
    assert_false(ord_order_number_is_valid("ORD-550e8400-e29b-41d4-a716-446655440000x"));
    assert_false(ord_order_number_is_valid("550e8400-e29b-41d4-a716-446655440000"));
    assert_false(ord_order_number_is_valid("ORD-"));
    assert_false(ord_order_number_is_valid("789"));
    assert_false(ord_order_number_is_valid(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_counts_code_points),
        cmocka_unit_test(test_utf8_accepts_the_boundary_code_points),
        cmocka_unit_test(test_utf8_rejects_overlongs),
        cmocka_unit_test(test_utf8_rejects_surrogates_and_beyond_unicode),
        cmocka_unit_test(test_utf8_rejects_broken_sequences_and_nul),
        cmocka_unit_test(test_time_formats_known_instants),
        cmocka_unit_test(test_time_format_refuses_years_outside_0000_to_9999),
        cmocka_unit_test(test_time_parses_known_instants),
        cmocka_unit_test(test_time_parse_rejects_bad_text),
        cmocka_unit_test(test_time_round_trips_across_the_calendar),
        cmocka_unit_test(test_uuid_syntax_is_canonical_lower_case),
        cmocka_unit_test(test_order_number_is_ord_prefix_and_uuid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
