/* Base64: RFC 4648's test vectors in both alphabets, every second spelling
 * refused, the size limit, and round trips of every byte value. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <orders/support/base64.h>

static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
static const char *const standard[] = {"",         "Zg==",     "Zm8=",    "Zm9v",
                                       "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
static const char *const url[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy"};

static void assert_decodes(const char *text, ord_base64_alphabet alphabet, const char *expected)
{
    unsigned char *out = NULL;
    size_t n = 0;
    assert_int_equal(ord_base64_decode(text, strlen(text), alphabet, 1024, &out, &n),
                     ORD_BASE64_OK);
    assert_int_equal(n, strlen(expected));
    assert_memory_equal(out, expected, n);
    assert_int_equal(out[n], '\0');
    free(out);
}

static void assert_refused(const char *text, ord_base64_alphabet alphabet)
{
    unsigned char *out = (unsigned char *)1;
    size_t n = 99;
    assert_int_equal(ord_base64_decode(text, strlen(text), alphabet, 1024, &out, &n),
                     ORD_BASE64_INVALID);
    assert_null(out);
    assert_int_equal(n, 0);
}

static void test_rfc4648_vectors_both_ways(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
        assert_decodes(standard[i], ORD_BASE64_STANDARD, plain[i]);
        assert_decodes(url[i], ORD_BASE64_URL, plain[i]);
        char *s = ord_base64_encode(plain[i], strlen(plain[i]), ORD_BASE64_STANDARD);
        char *u = ord_base64_encode(plain[i], strlen(plain[i]), ORD_BASE64_URL);
        assert_string_equal(s, standard[i]);
        assert_string_equal(u, url[i]);
        free(s);
        free(u);
    }
}

static void test_the_alphabets_differ_in_two_characters(void **state)
{
    (void)state;
    const unsigned char bytes[] = {0xfb, 0xff, 0xbf};
    char *s = ord_base64_encode(bytes, sizeof bytes, ORD_BASE64_STANDARD);
    char *u = ord_base64_encode(bytes, sizeof bytes, ORD_BASE64_URL);
    assert_string_equal(s, "+/+/");
    assert_string_equal(u, "-_-_");
    free(s);
    free(u);
    assert_refused("-_-_", ORD_BASE64_STANDARD);
    assert_refused("+/+/", ORD_BASE64_URL);
}

static void test_second_spellings_are_refused(void **state)
{
    (void)state;
    const char *standard_bad[] = {
        "Zg",        /* padding missing */
        "Zg=",       /* padding short */
        "Zh==",      /* unused bits set */
        "Zm9=",      /* unused bits set */
        "Z===",      /* one character of data */
        "====",      /* padding only */
        "Zg==Zg==",  /* padding inside */
        "Zm 9",      /* a blank */
        "Zm9v\nZm9",  /* a line break */
        "Zm9v!A==",  /* outside the alphabet */
        "@@@@",      /* outside the alphabet */
        "Zg=a",      /* padding before data */
        "=Zm9",      /* padding first */
    };
    for (size_t i = 0; i < sizeof standard_bad / sizeof standard_bad[0]; i++)
        assert_refused(standard_bad[i], ORD_BASE64_STANDARD);
    const char *url_bad[] = {"Zg==", "Zh", "Zm9", "Z", "Zm9vY", "Zm 9", "Zm9v="};
    for (size_t i = 0; i < sizeof url_bad / sizeof url_bad[0]; i++)
        assert_refused(url_bad[i], ORD_BASE64_URL);
}

static void test_a_value_over_the_limit_is_refused(void **state)
{
    (void)state;
    unsigned char *out = (unsigned char *)1;
    size_t n = 99;
    assert_int_equal(ord_base64_decode("Zm9vYmFy", 8, ORD_BASE64_URL, 5, &out, &n),
                     ORD_BASE64_INVALID);
    assert_null(out);
    assert_int_equal(ord_base64_decode("Zm9vYmFy", 8, ORD_BASE64_URL, 6, &out, &n), ORD_BASE64_OK);
    assert_int_equal(n, 6);
    free(out);
}

static void test_every_byte_value_round_trips(void **state)
{
    (void)state;
    unsigned char bytes[256];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)i;
    for (int a = ORD_BASE64_STANDARD; a <= ORD_BASE64_URL; a++) {
        for (size_t len = 0; len <= sizeof bytes; len += 37) {
            char *text = ord_base64_encode(bytes, len, (ord_base64_alphabet)a);
            assert_non_null(text);
            unsigned char *back = NULL;
            size_t n = 0;
            assert_int_equal(ord_base64_decode(text, strlen(text), (ord_base64_alphabet)a, len,
                                               &back, &n),
                             ORD_BASE64_OK);
            assert_int_equal(n, len);
            assert_memory_equal(back, bytes, len);
            free(back);
            free(text);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc4648_vectors_both_ways),
        cmocka_unit_test(test_the_alphabets_differ_in_two_characters),
        cmocka_unit_test(test_second_spellings_are_refused),
        cmocka_unit_test(test_a_value_over_the_limit_is_refused),
        cmocka_unit_test(test_every_byte_value_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
