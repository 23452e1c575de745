/* The real clock and id source (adapters/system): the ports a running
 * program wires in, checked here as the fakes are. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <orders/adapters/system/system.h>
#include <orders/domain/text.h>

#define UUIDS 1000

static int by_text(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

static void test_system_ids_are_distinct_version_4_uuids(void **state)
{
    (void)state;
    ord_id_source ids = ord_system_ids();
    assert_non_null(ids.ops);
    assert_int_equal(ids.ops->version, ORD_ID_SOURCE_VERSION);
    char(*all)[ORD_UUID_SIZE] = calloc(UUIDS, sizeof *all);
    assert_non_null(all);
    for (size_t i = 0; i < UUIDS; i++) {
        assert_int_equal(ids.ops->uuid_v4(ids.self, all[i]), ORD_OK);
        assert_true(ord_uuid_is_valid(all[i]));
        assert_int_equal(all[i][14], '4');               /* version */
        assert_non_null(strchr("89ab", all[i][19]));     /* RFC 4122 variant */
    }
    qsort(all, UUIDS, sizeof *all, by_text);
    for (size_t i = 1; i < UUIDS; i++)
        assert_true(strcmp(all[i - 1], all[i]) < 0);
    free(all);
}

static void test_system_clock_reads_unix_milliseconds(void **state)
{
    (void)state;
    ord_clock clock = ord_system_clock();
    assert_non_null(clock.ops);
    assert_int_equal(clock.ops->version, ORD_CLOCK_VERSION);
    int64_t now = clock.ops->now_ms(clock.self);
    /* Milliseconds, not seconds or microseconds: between 2020 and 2200. */
    assert_true(now > 1577836800000LL);
    assert_true(now < 7258118400000LL);
    char text[ORD_TIME_TEXT_SIZE];
    assert_int_equal(ord_time_format(text, now), ORD_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_system_ids_are_distinct_version_4_uuids),
        cmocka_unit_test(test_system_clock_reads_unix_milliseconds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
