/* UUID text: the spelling of known bytes, and the version 4 marks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <orders/support/uuid.h>

static void test_bytes_are_spelled_8_4_4_4_12_in_lower_case(void **state)
{
    (void)state;
    const unsigned char bytes[16] = {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
                                     0xfe, 0xdc, 0xba, 0x98, 0x76, 0x54, 0x32, 0x10};
    char text[ORD_UUID_TEXT_SIZE];
    memset(text, 'x', sizeof text);
    ord_uuid_format(bytes, text);
    assert_string_equal(text, "01234567-89ab-cdef-fedc-ba9876543210");

    const unsigned char zero[16] = {0};
    ord_uuid_format(zero, text);
    assert_string_equal(text, "00000000-0000-0000-0000-000000000000");
}

static void test_version_4_marks_fix_six_bits_and_keep_the_rest(void **state)
{
    (void)state;
    unsigned char ones[16], zeros[16] = {0};
    memset(ones, 0xff, sizeof ones);
    ord_uuid_mark_v4(ones);
    ord_uuid_mark_v4(zeros);
    char text[ORD_UUID_TEXT_SIZE];
    ord_uuid_format(ones, text);
    assert_string_equal(text, "ffffffff-ffff-4fff-bfff-ffffffffffff");
    ord_uuid_format(zeros, text);
    assert_string_equal(text, "00000000-0000-4000-8000-000000000000");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bytes_are_spelled_8_4_4_4_12_in_lower_case),
        cmocka_unit_test(test_version_4_marks_fix_six_bits_and_keep_the_rest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
