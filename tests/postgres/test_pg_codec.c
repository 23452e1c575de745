/* The adapter's decoders of binary results, on results built with libpq's
 * own PGresult functions (no server): arrays whose header claims more
 * elements than their bytes can hold are refused before anything is sized
 * by that claim. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pg_internal.h"

#define ORDER_COLUMNS 23

/* A one-dimensional int8 array value (binary) claiming @p claimed elements
 * and holding @p held of them. */
static size_t int8_array(unsigned char *out, int32_t claimed, int held)
{
    size_t n = 0;
    const int32_t header[] = {1, 0, 20, claimed, 1};
    for (size_t i = 0; i < sizeof header / sizeof header[0]; i++) {
        uint32_t v = (uint32_t)header[i];
        for (int b = 3; b >= 0; b--)
            out[n++] = (unsigned char)(v >> (8 * b));
    }
    for (int e = 0; e < held; e++) {
        const unsigned char element[12] = {0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, (unsigned char)(e + 1)};
        memcpy(out + n, element, sizeof element);
        n += sizeof element;
    }
    return n;
}

static PGresult *result_of(int columns)
{
    PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
    assert_non_null(r);
    PGresAttDesc attrs[ORDER_COLUMNS];
    memset(attrs, 0, sizeof attrs);
    for (int c = 0; c < columns; c++) {
        attrs[c].name = (char *)"c";
        attrs[c].format = 1;
        attrs[c].typlen = -1;
        attrs[c].atttypmod = -1;
    }
    assert_int_not_equal(PQsetResultAttrs(r, columns, attrs), 0);
    return r;
}

static void set(PGresult *r, int col, const void *value, size_t len)
{
    assert_int_not_equal(PQsetvalue(r, 0, col, (char *)value, (int)len), 0);
}

static void test_array_of_two_elements_reads_both(void **state)
{
    (void)state;
    unsigned char value[64];
    PGresult *r = result_of(1);
    set(r, 0, value, int8_array(value, 2, 2));
    pg_array a;
    assert_true(ord_pg_array_open(r, 0, 0, &a));
    assert_int_equal(a.count, 2);
    const unsigned char *data;
    size_t len;
    for (int64_t want = 1; want <= 2; want++) {
        assert_true(ord_pg_array_next(&a, &data, &len));
        assert_int_equal(ord_pg_decode_int(data, len), want);
    }
    assert_false(ord_pg_array_next(&a, &data, &len));
    PQclear(r);
}

static void test_array_claiming_more_elements_than_its_bytes_hold_is_refused(void **state)
{
    (void)state;
    unsigned char value[64];
    PGresult *r = result_of(1);
    /* Three elements need at least 12 bytes after the header; two are there. */
    set(r, 0, value, int8_array(value, 3, 0) + 8);
    pg_array a;
    assert_false(ord_pg_array_open(r, 0, 0, &a));
    PQclear(r);

    r = result_of(1);
    set(r, 0, value, int8_array(value, INT32_MAX, 2));
    assert_false(ord_pg_array_open(r, 0, 0, &a));
    PQclear(r);
}

/* An order row whose four item arrays agree on 2^31 - 1 elements: once a
 * 64 GiB allocation, now a broken row. */
static void test_order_row_with_item_arrays_claiming_2g_elements_is_internal(void **state)
{
    (void)state;
    PGresult *r = result_of(ORDER_COLUMNS);
    set(r, 1, "ORD-00000000-0000-4000-8000-000000000001", 40);
    set(r, 8, "CONFIRMED", 9);
    set(r, 10, "USD", 3);
    unsigned char value[64];
    size_t len = int8_array(value, INT32_MAX, 1);
    for (int col = 15; col <= 18; col++)
        set(r, col, value, len);
    ord_order o;
    ord_order_init(&o);
    assert_int_equal(ord_pg_decode_order(r, &o), ORD_EINTERNAL);
    assert_null(o.items);
    ord_order_free(&o);
    PQclear(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_array_of_two_elements_reads_both),
        cmocka_unit_test(test_array_claiming_more_elements_than_its_bytes_hold_is_refused),
        cmocka_unit_test(test_order_row_with_item_arrays_claiming_2g_elements_is_internal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
