/* The scan before parsing untrusted JSON: depth outside strings, and the
 * NUL escapes and raw control characters a C string cannot carry. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <orders/support/json_scan.h>

static void test_json_depth_counts_brackets_outside_strings_only(void **state)
{
    (void)state;
    const char *flat = "{\"a\":[1,2]}";
    assert_true(ord_json_depth_within(flat, strlen(flat), 2));
    assert_false(ord_json_depth_within(flat, strlen(flat), 1));
    /* Brackets in strings, escaped quotes included, are text. */
    const char *text = "{\"a\":\"[[[\\\"[[{{\"}";
    assert_true(ord_json_depth_within(text, strlen(text), 1));
    char deep[2 * 40];
    memset(deep, '[', 40);
    memset(deep + 40, ']', 40);
    assert_true(ord_json_depth_within(deep, sizeof deep, 40));
    assert_false(ord_json_depth_within(deep, sizeof deep, 39));
    assert_true(ord_json_depth_within(NULL, 0, 1));
}

static ord_json_flaw scan(const char *text)
{
    return ord_json_scan(text, strlen(text), ORD_JSON_MAX_DEPTH, true);
}

static void test_json_scan_reports_what_strings_hold(void **state)
{
    (void)state;
    assert_int_equal(scan("{\"a\":\"b\\n\\u0041\"}"), ORD_JSON_SOUND);
    assert_int_equal(scan("{\"a\":\"x\\u0000\"}"), ORD_JSON_NUL_ESCAPE);
    assert_int_equal(scan("{\"a\":\"x\ty\"}"), ORD_JSON_RAW_CONTROL);
    /* Outside strings a control character is whitespace or the parser's business. */
    assert_int_equal(scan("{\n\"a\":1}"), ORD_JSON_SOUND);
    /* Only when asked: the depth check alone passes them. */
    const char *nul = "[\"\\u0000\"]";
    assert_int_equal(ord_json_scan(nul, strlen(nul), 1, false), ORD_JSON_SOUND);
}

static void test_json_scan_reports_the_first_flaw_in_text_order(void **state)
{
    (void)state;
    assert_int_equal(scan("[\"\x01\",[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"),
                     ORD_JSON_RAW_CONTROL);
    assert_int_equal(scan("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"\x01\"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"),
                     ORD_JSON_TOO_DEEP);
    /* A short escape at the very end does not read past the text. */
    assert_int_equal(ord_json_scan("[\"\\u00", 6, 4, true), ORD_JSON_SOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_depth_counts_brackets_outside_strings_only),
        cmocka_unit_test(test_json_scan_reports_what_strings_hold),
        cmocka_unit_test(test_json_scan_reports_the_first_flaw_in_text_order),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
