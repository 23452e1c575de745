/* The one JSON writer: escapes, UTF-8 repair, integers, members, and what a
 * failed or empty writer hands over. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <orders/support/json_writer.h>

static void assert_string_written(const char *text, const char *want)
{
    ord_json_writer w = {0};
    ord_json_string(&w, text);
    char *got = ord_json_take(&w, NULL);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

static void test_string_escapes_quotes_backslashes_and_controls(void **state)
{
    (void)state;
    assert_string_written("a\"b\\c", "\"a\\\"b\\\\c\"");
    assert_string_written("\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"");
    assert_string_written("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
    assert_string_written("/ ~", "\"/ ~\"");
    assert_string_written("", "\"\"");
    assert_string_written(NULL, "null");
}

static void test_string_passes_utf8_and_repairs_what_is_not(void **state)
{
    (void)state;
    assert_string_written("Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x93\xa6", "\"Zo\xc3\xab \xe2\x82\xac \xf0\x9f\x93\xa6\"");
    /* A lone continuation byte, an overlong '/', a surrogate, beyond
     * U+10FFFF, a sequence cut short by the end. */
    assert_string_written("a\x80" "b\xc0\xaf" "c\xed\xa0\x80" "d\xf4\x90\x80\x80" "e\xe2\x82",
                          "\"a\\ufffdb\\ufffd\\ufffdc\\ufffd\\ufffd\\ufffdd\\ufffd\\ufffd\\ufffd\\ufffde"
                          "\\ufffd\\ufffd\"");
}

static void test_members_integers_and_raw_text_make_an_object(void **state)
{
    (void)state;
    ord_json_writer w = {0};
    ord_json_raw(&w, "{");
    ord_json_key(&w, "id", true);
    ord_json_int(&w, INT64_MIN);
    ord_json_key(&w, "n\"ame", false);
    ord_json_string(&w, "x");
    ord_json_key(&w, "list", false);
    ord_json_printf(&w, "[%d,%s]", 1, "true");
    ord_json_append(&w, "}", 1);
    size_t len = 0;
    char *got = ord_json_take(&w, &len);
    assert_string_equal(got, "{\"id\":-9223372036854775808,\"n\\\"ame\":\"x\",\"list\":[1,true]}");
    assert_int_equal(len, strlen(got));
    free(got);
    /* The writer is empty and usable again. */
    assert_null(w.data);
    ord_json_raw(&w, "1");
    got = ord_json_take(&w, NULL);
    assert_string_equal(got, "1");
    free(got);
}

static void test_an_empty_writer_hands_over_empty_text(void **state)
{
    (void)state;
    ord_json_writer w = {0};
    size_t len = 7;
    char *got = ord_json_take(&w, &len);
    assert_non_null(got);
    assert_string_equal(got, "");
    assert_int_equal(len, 0);
    free(got);
}

static void test_a_failed_writer_stays_failed_and_hands_over_nothing(void **state)
{
    (void)state;
    ord_json_writer w = {0};
    ord_json_raw(&w, "partial");
    w.failed = true; /* as after a failed allocation */
    ord_json_raw(&w, " more");
    assert_int_equal(w.len, strlen("partial"));
    assert_null(ord_json_take(&w, NULL));
    assert_null(w.data);
    assert_false(w.failed);
    ord_json_writer_free(&w);
    ord_json_writer_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_string_escapes_quotes_backslashes_and_controls),
        cmocka_unit_test(test_string_passes_utf8_and_repairs_what_is_not),
        cmocka_unit_test(test_members_integers_and_raw_text_make_an_object),
        cmocka_unit_test(test_an_empty_writer_hands_over_empty_text),
        cmocka_unit_test(test_a_failed_writer_stays_failed_and_hands_over_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
