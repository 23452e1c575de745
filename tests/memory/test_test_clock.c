/* The manual clock and the counting id source that tests use in place of
 * the system clock and random UUIDs. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <orders/adapters/memory/test_clock.h>
#include <orders/domain/text.h>

#define THREADS 8
#define PER_THREAD 500

static void test_clock_shows_its_start_time(void **state)
{
    (void)state;
    ord_manual_clock *clock;
    assert_int_equal(ord_manual_clock_new(&clock, 1772980200000), ORD_OK);
    ord_clock port = ord_manual_clock_port(clock);
    assert_int_equal(port.ops->version, ORD_CLOCK_VERSION);
    assert_int_equal(port.ops->now_ms(port.self), 1772980200000);
    assert_int_equal(port.ops->now_ms(port.self), 1772980200000);
    ord_manual_clock_free(clock);
}

static void test_clock_moves_only_when_advanced(void **state)
{
    (void)state;
    ord_manual_clock *clock;
    assert_int_equal(ord_manual_clock_new(&clock, 1000), ORD_OK);
    ord_clock port = ord_manual_clock_port(clock);
    ord_manual_clock_advance(clock, 1500);
    assert_int_equal(port.ops->now_ms(port.self), 2500);
    ord_manual_clock_advance(clock, -2000);
    assert_int_equal(port.ops->now_ms(port.self), 500);
    ord_manual_clock_advance(clock, 0);
    assert_int_equal(port.ops->now_ms(port.self), 500);
    ord_manual_clock_free(clock);
}

static void test_clock_refuses_null_output_and_frees_null(void **state)
{
    (void)state;
    assert_int_equal(ord_manual_clock_new(NULL, 0), ORD_EINVALID);
    assert_int_equal(ord_counting_ids_new(NULL), ORD_EINVALID);
    ord_manual_clock_free(NULL);
    ord_counting_ids_free(NULL);
    ord_manual_clock_advance(NULL, 5);
}

static void *advance_many(void *arg)
{
    ord_manual_clock *clock = arg;
    for (int i = 0; i < PER_THREAD; i++)
        ord_manual_clock_advance(clock, 3);
    return NULL;
}

static void test_concurrent_advances_all_count(void **state)
{
    (void)state;
    ord_manual_clock *clock;
    assert_int_equal(ord_manual_clock_new(&clock, 0), ORD_OK);
    pthread_t threads[THREADS];
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, advance_many, clock), 0);
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    ord_clock port = ord_manual_clock_port(clock);
    assert_int_equal(port.ops->now_ms(port.self), THREADS * PER_THREAD * 3);
    ord_manual_clock_free(clock);
}

static void test_ids_count_up_from_one(void **state)
{
    (void)state;
    ord_counting_ids *ids;
    assert_int_equal(ord_counting_ids_new(&ids), ORD_OK);
    ord_id_source port = ord_counting_ids_port(ids);
    assert_int_equal(port.ops->version, ORD_ID_SOURCE_VERSION);
    char uuid[ORD_UUID_SIZE];
    assert_int_equal(port.ops->uuid_v4(port.self, uuid), ORD_OK);
    assert_string_equal(uuid, "00000000-0000-4000-8000-000000000001");
    assert_int_equal(port.ops->uuid_v4(port.self, uuid), ORD_OK);
    assert_string_equal(uuid, "00000000-0000-4000-8000-000000000002");
    for (int i = 3; i <= 16; i++)
        assert_int_equal(port.ops->uuid_v4(port.self, uuid), ORD_OK);
    assert_string_equal(uuid, "00000000-0000-4000-8000-000000000010");
    ord_counting_ids_free(ids);
}

static void test_ids_are_well_formed_version_4_uuids(void **state)
{
    (void)state;
    ord_counting_ids *ids;
    assert_int_equal(ord_counting_ids_new(&ids), ORD_OK);
    ord_id_source port = ord_counting_ids_port(ids);
    for (int i = 0; i < 300; i++) {
        char uuid[ORD_UUID_SIZE];
        assert_int_equal(port.ops->uuid_v4(port.self, uuid), ORD_OK);
        assert_int_equal(strlen(uuid), 36);
        assert_true(ord_uuid_is_valid(uuid));
        assert_int_equal(uuid[14], '4');                 /* version */
        assert_non_null(strchr("89ab", uuid[19]));       /* RFC 4122 variant */
    }
    ord_counting_ids_free(ids);
}

static void test_separate_id_sources_count_separately(void **state)
{
    (void)state;
    ord_counting_ids *a;
    ord_counting_ids *b;
    assert_int_equal(ord_counting_ids_new(&a), ORD_OK);
    assert_int_equal(ord_counting_ids_new(&b), ORD_OK);
    ord_id_source pa = ord_counting_ids_port(a);
    ord_id_source pb = ord_counting_ids_port(b);
    char ua[ORD_UUID_SIZE];
    char ub[ORD_UUID_SIZE];
    assert_int_equal(pa.ops->uuid_v4(pa.self, ua), ORD_OK);
    assert_int_equal(pa.ops->uuid_v4(pa.self, ua), ORD_OK);
    assert_int_equal(pb.ops->uuid_v4(pb.self, ub), ORD_OK);
    assert_string_equal(ua, "00000000-0000-4000-8000-000000000002");
    assert_string_equal(ub, "00000000-0000-4000-8000-000000000001");
    ord_counting_ids_free(a);
    ord_counting_ids_free(b);
}

typedef struct id_worker {
    pthread_t thread;
    ord_id_source port;
    char uuids[PER_THREAD][ORD_UUID_SIZE];
} id_worker;

static void *take_ids(void *arg)
{
    id_worker *w = arg;
    for (int i = 0; i < PER_THREAD; i++)
        w->port.ops->uuid_v4(w->port.self, w->uuids[i]);
    return NULL;
}

static int compare_uuid(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void test_concurrent_ids_are_unique_and_none_is_skipped(void **state)
{
    (void)state;
    ord_counting_ids *ids;
    assert_int_equal(ord_counting_ids_new(&ids), ORD_OK);
    id_worker *workers = calloc(THREADS, sizeof *workers);
    assert_non_null(workers);
    for (int i = 0; i < THREADS; i++) {
        workers[i].port = ord_counting_ids_port(ids);
        assert_int_equal(pthread_create(&workers[i].thread, NULL, take_ids, &workers[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(workers[i].thread, NULL), 0);

    /* The ids are fixed-width hex, so text order is issue order. */
    char(*all)[ORD_UUID_SIZE] = calloc(THREADS * PER_THREAD, sizeof *all);
    assert_non_null(all);
    for (int i = 0; i < THREADS; i++)
        memcpy(all[i * PER_THREAD], workers[i].uuids, sizeof workers[i].uuids);
    qsort(all, THREADS * PER_THREAD, sizeof *all, compare_uuid);
    for (int i = 1; i < THREADS * PER_THREAD; i++)
        assert_true(strcmp(all[i - 1], all[i]) < 0);
    assert_string_equal(all[0], "00000000-0000-4000-8000-000000000001");
    assert_string_equal(all[THREADS * PER_THREAD - 1], "00000000-0000-4000-8000-000000000fa0");
    free(all);
    free(workers);
    ord_counting_ids_free(ids);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clock_shows_its_start_time),
        cmocka_unit_test(test_clock_moves_only_when_advanced),
        cmocka_unit_test(test_clock_refuses_null_output_and_frees_null),
        cmocka_unit_test(test_concurrent_advances_all_count),
        cmocka_unit_test(test_ids_count_up_from_one),
        cmocka_unit_test(test_ids_are_well_formed_version_4_uuids),
        cmocka_unit_test(test_separate_id_sources_count_separately),
        cmocka_unit_test(test_concurrent_ids_are_unique_and_none_is_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
