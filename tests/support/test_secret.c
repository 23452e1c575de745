/* The constant-time compare of secrets: equal only when equal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>

#include <cmocka.h>

#include <orders/support/secret.h>

static void test_secret_compare_matches_only_equal_strings(void **state)
{
    (void)state;
    assert_true(ord_text_equal_secret("abc", "abc"));
    assert_true(ord_text_equal_secret("", ""));
    assert_false(ord_text_equal_secret("abc", "abd"));
    assert_false(ord_text_equal_secret("abc", "ab"));
    assert_false(ord_text_equal_secret("ab", "abc"));
    assert_false(ord_text_equal_secret("", "a"));
    assert_false(ord_text_equal_secret(NULL, "a"));
    assert_false(ord_text_equal_secret(NULL, NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_compare_matches_only_equal_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
