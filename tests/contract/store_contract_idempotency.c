/* Storage contract, part 5: idempotency keys through every state of
 * idempotency_store.h, scoped per caller, with expiry, and (version 2) bound
 * to an order number before the order exists, (version 3) from begin() on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store_contract.h"

#define SCOPE "customer:12345"
#define KEY "key-1"
#define PRINT_A "a3f1c2d4e5b6a7980123456789abcdef0123456789abcdef0123456789abcdef"
#define PRINT_B "b3f1c2d4e5b6a7980123456789abcdef0123456789abcdef0123456789abcdef"
#define NUMBER_A "ORD-0a0a0a0a-0000-4000-8000-00000000000a"
#define NUMBER_B "ORD-0b0b0b0b-0000-4000-8000-00000000000b"
#define NUMBER_C "ORD-0c0c0c0c-0000-4000-8000-00000000000c"
#define LOCK_MS 30000
#define TTL_MS 86400000

/* begin() at @p now_ms with a lock of LOCK_MS and a life of TTL_MS. */
static ord_idem_state begin_at(const ord_store_fixture *f, const char *scope, const char *key,
                               const char *fingerprint, int64_t now_ms, ord_idem_record *out)
{
    ord_idem_begin args = {
        .scope = scope,
        .key = key,
        .fingerprint = fingerprint,
        .now_ms = now_ms,
        .lock_until_ms = now_ms + LOCK_MS,
        .expires_at_ms = now_ms + TTL_MS,
    };
    memset(out, 0, sizeof *out);
    assert_int_equal(f->idempotency.ops->begin(f->idempotency.self, &args, out), ORD_OK);
    return out->state;
}

/* begin() whose record holds nothing worth keeping. */
static ord_idem_state begin_state(const ord_store_fixture *f, const char *scope, const char *key,
                                  const char *fingerprint, int64_t now_ms)
{
    ord_idem_record r;
    ord_idem_state s = begin_at(f, scope, key, fingerprint, now_ms, &r);
    if (s != ORD_IDEM_COMPLETED)
        assert_null(r.response_body);
    ord_idem_record_free(&r);
    return s;
}

static void test_begin_of_a_new_key_is_started(void **state)
{
    ord_store_fixture *f = *state;
    ord_idem_record r;
    assert_int_equal(begin_at(f, SCOPE, KEY, PRINT_A, SC_T0, &r), ORD_IDEM_STARTED);
    assert_int_equal(r.order_id, 0);
    assert_null(r.response_body);
    assert_string_equal(r.order_number, "");
    ord_idem_record_free(&r);
}

static void test_begin_of_a_held_key_is_in_progress(void **state)
{
    ord_store_fixture *f = *state;
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(f->idempotency.ops->bind(f->idempotency.self, SCOPE, KEY, 77), ORD_OK);
    ord_idem_record r;
    assert_int_equal(begin_at(f, SCOPE, KEY, PRINT_A, SC_T0 + 1000, &r), ORD_IDEM_IN_PROGRESS);
    assert_null(r.response_body);
    ord_idem_record_free(&r);
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0 + LOCK_MS - 1),
                     ORD_IDEM_IN_PROGRESS);
}

static void test_begin_with_another_request_is_a_mismatch(void **state)
{
    ord_store_fixture *f = *state;
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_B, SC_T0 + 1), ORD_IDEM_MISMATCH);
    assert_int_equal(f->idempotency.ops->complete(f->idempotency.self, SCOPE, KEY, 5, 201, "{}"),
                     ORD_OK);
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_B, SC_T0 + 2), ORD_IDEM_MISMATCH);
    /* The first request's answer is untouched by the mismatches. */
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0 + 3), ORD_IDEM_COMPLETED);
}

static void test_completed_key_returns_the_stored_response(void **state)
{
    ord_store_fixture *f = *state;
    const char *body = "{\"orderId\":42,\"note\":\"Zoë's \\\"order\\\" 李; DROP TABLE x; --\"}";
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(f->idempotency.ops->bind(f->idempotency.self, SCOPE, KEY, 42), ORD_OK);
    assert_int_equal(f->idempotency.ops->complete(f->idempotency.self, SCOPE, KEY, 42, 201, body),
                     ORD_OK);
    for (int i = 0; i < 2; i++) {
        ord_idem_record r;
        assert_int_equal(begin_at(f, SCOPE, KEY, PRINT_A, SC_T0 + 10 + i, &r), ORD_IDEM_COMPLETED);
        assert_int_equal(r.order_id, 42);
        assert_int_equal(r.response_status, 201);
        assert_non_null(r.response_body);
        assert_string_equal(r.response_body, body);
        ord_idem_record_free(&r);
    }
    /* Still completed long after the holder's lock would have run out. */
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0 + LOCK_MS * 10),
                     ORD_IDEM_COMPLETED);
}

static void test_released_key_is_resumable_with_its_order(void **state)
{
    ord_store_fixture *f = *state;
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(f->idempotency.ops->release(f->idempotency.self, SCOPE, KEY, 99), ORD_OK);
    ord_idem_record r;
    assert_int_equal(begin_at(f, SCOPE, KEY, PRINT_A, SC_T0 + 5, &r), ORD_IDEM_RESUMABLE);
    assert_int_equal(r.order_id, 99);
    assert_null(r.response_body);
    ord_idem_record_free(&r);
    /* The resumer holds the key now. */
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0 + 6), ORD_IDEM_IN_PROGRESS);
}

/* A request whose lock ran out may release the key after the request that
 * took it over stored the final answer: the answer stays. */
static void test_late_release_keeps_the_completed_answer(void **state)
{
    ord_store_fixture *f = *state;
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(f->idempotency.ops->complete(f->idempotency.self, SCOPE, KEY, 42, 201,
                                                  "{\"orderId\":42}"),
                     ORD_OK);
    assert_int_equal(f->idempotency.ops->release(f->idempotency.self, SCOPE, KEY, 7), ORD_OK);
    ord_idem_record r;
    assert_int_equal(begin_at(f, SCOPE, KEY, PRINT_A, SC_T0 + 1, &r), ORD_IDEM_COMPLETED);
    assert_int_equal(r.order_id, 42);
    assert_int_equal(r.response_status, 201);
    assert_string_equal(r.response_body, "{\"orderId\":42}");
    ord_idem_record_free(&r);
}

static void test_key_whose_lock_ran_out_is_resumable(void **state)
{
    ord_store_fixture *f = *state;
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(f->idempotency.ops->bind(f->idempotency.self, SCOPE, KEY, 123), ORD_OK);
    ord_idem_record r;
    int64_t later = SC_T0 + LOCK_MS + 1;
    assert_int_equal(begin_at(f, SCOPE, KEY, PRINT_A, later, &r), ORD_IDEM_RESUMABLE);
    assert_int_equal(r.order_id, 123);
    ord_idem_record_free(&r);
    /* Taken over with a new lock. */
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, later + 1), ORD_IDEM_IN_PROGRESS);
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, later + LOCK_MS + 1), ORD_IDEM_RESUMABLE);
}

static void test_forget_makes_the_key_new_again(void **state)
{
    ord_store_fixture *f = *state;
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(f->idempotency.ops->forget(f->idempotency.self, SCOPE, KEY), ORD_OK);
    /* Even with another fingerprint: the key was never used. */
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_B, SC_T0 + 1), ORD_IDEM_STARTED);
    assert_int_equal(f->idempotency.ops->forget(f->idempotency.self, SCOPE, "absent"), ORD_OK);
}

static void test_expired_key_counts_as_absent(void **state)
{
    ord_store_fixture *f = *state;
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(f->idempotency.ops->complete(f->idempotency.self, SCOPE, KEY, 1, 201, "{}"),
                     ORD_OK);
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_B, SC_T0 + TTL_MS - 1), ORD_IDEM_MISMATCH);
    ord_idem_record r;
    assert_int_equal(begin_at(f, SCOPE, KEY, PRINT_B, SC_T0 + TTL_MS + 1, &r), ORD_IDEM_STARTED);
    assert_int_equal(r.order_id, 0);
    ord_idem_record_free(&r);
}

static void test_purge_deletes_only_expired_keys(void **state)
{
    ord_store_fixture *f = *state;
    assert_int_equal(begin_state(f, SCOPE, "old-1", PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(begin_state(f, SCOPE, "old-2", PRINT_A, SC_T0 + 10), ORD_IDEM_STARTED);
    assert_int_equal(f->idempotency.ops->complete(f->idempotency.self, SCOPE, "old-2", 3, 200, "{}"),
                     ORD_OK);
    assert_int_equal(begin_state(f, SCOPE, "young", PRINT_A, SC_T0 + 1000000), ORD_IDEM_STARTED);
    int64_t count = -1;
    assert_int_equal(f->idempotency.ops->purge(f->idempotency.self, SC_T0 + TTL_MS + 100, &count),
                     ORD_OK);
    assert_int_equal(count, 2);
    /* Purged means deleted: even a begin dated before the expiry finds the key new. */
    assert_int_equal(begin_state(f, SCOPE, "old-2", PRINT_B, SC_T0 + 20), ORD_IDEM_STARTED);
    assert_int_equal(begin_state(f, SCOPE, "young", PRINT_B, SC_T0 + 1000001), ORD_IDEM_MISMATCH);
    assert_int_equal(f->idempotency.ops->purge(f->idempotency.self, SC_T0, &count), ORD_OK);
    assert_int_equal(count, 0);
}

static void test_scopes_isolate_keys(void **state)
{
    ord_store_fixture *f = *state;
    assert_int_equal(begin_state(f, "customer:1", KEY, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(begin_state(f, "customer:2", KEY, PRINT_B, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(f->idempotency.ops->complete(f->idempotency.self, "customer:1", KEY, 8, 201,
                                                  "{\"orderId\":8}"),
                     ORD_OK);
    assert_int_equal(begin_state(f, "customer:2", KEY, PRINT_B, SC_T0 + 1), ORD_IDEM_IN_PROGRESS);
    ord_idem_record r;
    assert_int_equal(begin_at(f, "customer:1", KEY, PRINT_A, SC_T0 + 1, &r), ORD_IDEM_COMPLETED);
    assert_string_equal(r.response_body, "{\"orderId\":8}");
    ord_idem_record_free(&r);
    /* A scope that is a prefix of the other is still another scope. */
    assert_int_equal(begin_state(f, "customer:", "1" KEY, PRINT_A, SC_T0 + 2), ORD_IDEM_STARTED);
    assert_int_equal(f->idempotency.ops->forget(f->idempotency.self, "customer:2", KEY), ORD_OK);
    assert_int_equal(begin_state(f, "customer:1", KEY, PRINT_A, SC_T0 + 3), ORD_IDEM_COMPLETED);
}

static void test_writes_to_an_unknown_key_are_not_found(void **state)
{
    ord_store_fixture *f = *state;
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(f->idempotency.ops->bind(f->idempotency.self, SCOPE, "other", 1),
                     ORD_ENOTFOUND);
    assert_int_equal(f->idempotency.ops->complete(f->idempotency.self, SCOPE, "other", 1, 201, "{}"),
                     ORD_ENOTFOUND);
    assert_int_equal(f->idempotency.ops->release(f->idempotency.self, "customer:9", KEY, 1),
                     ORD_ENOTFOUND);
    assert_int_equal(begin_state(f, SCOPE, "other", PRINT_A, SC_T0), ORD_IDEM_STARTED);
}

static void test_keys_with_quotes_and_sql_are_kept_verbatim(void **state)
{
    ord_store_fixture *f = *state;
    const char *key = "'; DROP TABLE orders; --";
    const char *quoted = "k\"\\'%_*";
    const char *scope = "customer:'1' OR 1=1 -- 李";
    assert_int_equal(begin_state(f, scope, key, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(begin_state(f, scope, quoted, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(f->idempotency.ops->complete(f->idempotency.self, scope, key, 4, 201,
                                                  "\\\"'\n€"),
                     ORD_OK);
    ord_idem_record r;
    assert_int_equal(begin_at(f, scope, key, PRINT_A, SC_T0 + 1, &r), ORD_IDEM_COMPLETED);
    assert_string_equal(r.response_body, "\\\"'\n€");
    ord_idem_record_free(&r);
    /* LIKE wildcards in a key match nothing else. */
    assert_int_equal(begin_state(f, scope, "k\"\\'a_b", PRINT_B, SC_T0 + 1), ORD_IDEM_STARTED);
    assert_int_equal(begin_state(f, scope, quoted, PRINT_A, SC_T0 + 1), ORD_IDEM_IN_PROGRESS);
}

/* ---- Version 2: bind_number(). ---- */

/* Skips the test for a store built against version 1. */
static void need_numbers(const ord_store_fixture *f)
{
    if (f->idempotency.ops->version < 2)
        skip();
}

static ord_error bind_number(const ord_store_fixture *f, const char *key, const char *replaces,
                             const char *number, char bound[ORD_ORDER_NUMBER_SIZE])
{
    memset(bound, 'x', ORD_ORDER_NUMBER_SIZE);
    return f->idempotency.ops->bind_number(f->idempotency.self, SCOPE, key, replaces, number,
                                           bound);
}

static void test_number_bound_before_the_order_is_resumable(void **state)
{
    ord_store_fixture *f = *state;
    need_numbers(f);
    char bound[ORD_ORDER_NUMBER_SIZE];
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(bind_number(f, KEY, NULL, NUMBER_A, bound), ORD_OK);
    assert_string_equal(bound, NUMBER_A);

    ord_idem_record r;
    assert_int_equal(begin_at(f, SCOPE, KEY, PRINT_A, SC_T0 + 1, &r), ORD_IDEM_IN_PROGRESS);
    ord_idem_record_free(&r);
    /* The holder died: whoever takes over learns the number, and no id. */
    assert_int_equal(begin_at(f, SCOPE, KEY, PRINT_A, SC_T0 + LOCK_MS + 1, &r),
                     ORD_IDEM_RESUMABLE);
    assert_int_equal(r.order_id, 0);
    assert_string_equal(r.order_number, NUMBER_A);
    assert_null(r.response_body);
    ord_idem_record_free(&r);
    assert_string_equal(r.order_number, "");
}

static void test_first_number_bound_wins(void **state)
{
    ord_store_fixture *f = *state;
    need_numbers(f);
    char bound[ORD_ORDER_NUMBER_SIZE];
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(bind_number(f, KEY, NULL, NUMBER_A, bound), ORD_OK);
    /* A second holder (the first one's lock ran out) is told the first number. */
    assert_int_equal(bind_number(f, KEY, NULL, NUMBER_B, bound), ORD_OK);
    assert_string_equal(bound, NUMBER_A);
    /* So is one that names a number the key does not hold. */
    assert_int_equal(bind_number(f, KEY, NUMBER_C, NUMBER_B, bound), ORD_OK);
    assert_string_equal(bound, NUMBER_A);
    assert_int_equal(f->idempotency.ops->release(f->idempotency.self, SCOPE, KEY, 0), ORD_OK);
    ord_idem_record r;
    assert_int_equal(begin_at(f, SCOPE, KEY, PRINT_A, SC_T0 + 1, &r), ORD_IDEM_RESUMABLE);
    assert_string_equal(r.order_number, NUMBER_A);
    ord_idem_record_free(&r);
}

/* A number that turned out to be an unrelated order's is replaced, once:
 * of two holders replacing it, the second is told the first's. */
static void test_number_named_as_replaced_is_replaced(void **state)
{
    ord_store_fixture *f = *state;
    need_numbers(f);
    char bound[ORD_ORDER_NUMBER_SIZE];
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(bind_number(f, KEY, NULL, NUMBER_A, bound), ORD_OK);
    assert_int_equal(bind_number(f, KEY, NUMBER_A, NUMBER_B, bound), ORD_OK);
    assert_string_equal(bound, NUMBER_B);
    assert_int_equal(bind_number(f, KEY, NUMBER_A, NUMBER_C, bound), ORD_OK);
    assert_string_equal(bound, NUMBER_B);
    ord_idem_record r;
    assert_int_equal(begin_at(f, SCOPE, KEY, PRINT_A, SC_T0 + LOCK_MS + 1, &r),
                     ORD_IDEM_RESUMABLE);
    assert_string_equal(r.order_number, NUMBER_B);
    ord_idem_record_free(&r);
}

static void test_bind_complete_and_release_keep_the_number(void **state)
{
    ord_store_fixture *f = *state;
    need_numbers(f);
    char bound[ORD_ORDER_NUMBER_SIZE];
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(bind_number(f, KEY, NULL, NUMBER_A, bound), ORD_OK);
    assert_int_equal(f->idempotency.ops->bind(f->idempotency.self, SCOPE, KEY, 31), ORD_OK);
    assert_int_equal(f->idempotency.ops->release(f->idempotency.self, SCOPE, KEY, 31), ORD_OK);
    ord_idem_record r;
    assert_int_equal(begin_at(f, SCOPE, KEY, PRINT_A, SC_T0 + 1, &r), ORD_IDEM_RESUMABLE);
    assert_int_equal(r.order_id, 31);
    assert_string_equal(r.order_number, NUMBER_A);
    ord_idem_record_free(&r);
    assert_int_equal(f->idempotency.ops->complete(f->idempotency.self, SCOPE, KEY, 31, 201, "{}"),
                     ORD_OK);
    assert_int_equal(begin_at(f, SCOPE, KEY, PRINT_A, SC_T0 + 2, &r), ORD_IDEM_COMPLETED);
    assert_int_equal(r.order_id, 31);
    assert_string_equal(r.order_number, NUMBER_A);
    ord_idem_record_free(&r);
}

static void test_expired_or_forgotten_key_starts_without_a_number(void **state)
{
    ord_store_fixture *f = *state;
    need_numbers(f);
    char bound[ORD_ORDER_NUMBER_SIZE];
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(bind_number(f, KEY, NULL, NUMBER_A, bound), ORD_OK);
    ord_idem_record r;
    assert_int_equal(begin_at(f, SCOPE, KEY, PRINT_A, SC_T0 + TTL_MS + 1, &r), ORD_IDEM_STARTED);
    assert_string_equal(r.order_number, "");
    ord_idem_record_free(&r);
    /* The restarted key takes a new number as a new key does. */
    assert_int_equal(bind_number(f, KEY, NULL, NUMBER_B, bound), ORD_OK);
    assert_string_equal(bound, NUMBER_B);

    assert_int_equal(f->idempotency.ops->forget(f->idempotency.self, SCOPE, KEY), ORD_OK);
    assert_int_equal(begin_at(f, SCOPE, KEY, PRINT_A, SC_T0 + TTL_MS + 2, &r), ORD_IDEM_STARTED);
    assert_string_equal(r.order_number, "");
    ord_idem_record_free(&r);
}

static void test_bind_number_checks_its_arguments(void **state)
{
    ord_store_fixture *f = *state;
    need_numbers(f);
    char bound[ORD_ORDER_NUMBER_SIZE];
    char too_long[ORD_ORDER_NUMBER_SIZE + 1];
    memset(too_long, '7', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    assert_int_equal(begin_state(f, SCOPE, KEY, PRINT_A, SC_T0), ORD_IDEM_STARTED);
    assert_int_equal(bind_number(f, "other", NULL, NUMBER_A, bound), ORD_ENOTFOUND);
    assert_string_equal(bound, "");
    assert_int_equal(bind_number(f, KEY, NULL, "", bound), ORD_EINVALID);
    assert_string_equal(bound, "");
    assert_int_equal(bind_number(f, KEY, NULL, NULL, bound), ORD_EINVALID);
    assert_int_equal(bind_number(f, KEY, NULL, too_long, bound), ORD_EINVALID);
    assert_int_equal(bind_number(f, KEY, too_long, NUMBER_A, bound), ORD_EINVALID);
    assert_int_equal(f->idempotency.ops->bind_number(f->idempotency.self, NULL, KEY, NULL,
                                                     NUMBER_A, bound),
                     ORD_EINVALID);
    assert_int_equal(f->idempotency.ops->bind_number(f->idempotency.self, SCOPE, KEY, NULL,
                                                     NUMBER_A, NULL),
                     ORD_EINVALID);
    /* Refused calls bound nothing. */
    ord_idem_record r;
    assert_int_equal(begin_at(f, SCOPE, KEY, PRINT_A, SC_T0 + LOCK_MS + 1, &r), ORD_IDEM_RESUMABLE);
    assert_string_equal(r.order_number, "");
    ord_idem_record_free(&r);
    /* The largest number fits. */
    too_long[ORD_ORDER_NUMBER_SIZE - 1] = '\0';
    assert_int_equal(bind_number(f, KEY, NULL, too_long, bound), ORD_OK);
    assert_string_equal(bound, too_long);
}

/* ---- Version 3: begin() binds a new key to a proposed number. ---- */

static void need_begin_numbers(const ord_store_fixture *f)
{
    if (f->idempotency.ops->version < 3)
        skip();
}

/* begin() at @p now_ms proposing @p number; returns what the store says. */
static ord_error begin_proposing(const ord_store_fixture *f, const char *number, int64_t now_ms,
                                 ord_idem_record *out)
{
    ord_idem_begin args = {
        .scope = SCOPE,
        .key = KEY,
        .fingerprint = PRINT_A,
        .now_ms = now_ms,
        .lock_until_ms = now_ms + LOCK_MS,
        .expires_at_ms = now_ms + TTL_MS,
        .order_number = number,
    };
    memset(out, 0, sizeof *out);
    return f->idempotency.ops->begin(f->idempotency.self, &args, out);
}

static void test_begin_binds_a_new_key_to_the_number_proposed(void **state)
{
    ord_store_fixture *f = *state;
    need_begin_numbers(f);
    ord_idem_record r;
    assert_int_equal(begin_proposing(f, NUMBER_A, SC_T0, &r), ORD_OK);
    assert_int_equal(r.state, ORD_IDEM_STARTED);
    assert_string_equal(r.order_number, NUMBER_A);
    ord_idem_record_free(&r);
    /* Bound as by bind_number(): the first number stays. */
    char bound[ORD_ORDER_NUMBER_SIZE];
    assert_int_equal(bind_number(f, KEY, NULL, NUMBER_B, bound), ORD_OK);
    assert_string_equal(bound, NUMBER_A);
    /* Whoever takes over learns it; a number it proposes changes nothing. */
    assert_int_equal(begin_proposing(f, NUMBER_C, SC_T0 + LOCK_MS + 1, &r), ORD_OK);
    assert_int_equal(r.state, ORD_IDEM_RESUMABLE);
    assert_int_equal(r.order_id, 0);
    assert_string_equal(r.order_number, NUMBER_A);
    ord_idem_record_free(&r);
    assert_int_equal(f->idempotency.ops->complete(f->idempotency.self, SCOPE, KEY, 7, 201, "{}"),
                     ORD_OK);
    assert_int_equal(begin_proposing(f, NUMBER_C, SC_T0 + LOCK_MS + 2, &r), ORD_OK);
    assert_int_equal(r.state, ORD_IDEM_COMPLETED);
    assert_string_equal(r.order_number, NUMBER_A);
    ord_idem_record_free(&r);
}

static void test_expired_key_begun_again_takes_the_new_number(void **state)
{
    ord_store_fixture *f = *state;
    need_begin_numbers(f);
    ord_idem_record r;
    assert_int_equal(begin_proposing(f, NUMBER_A, SC_T0, &r), ORD_OK);
    ord_idem_record_free(&r);
    assert_int_equal(begin_proposing(f, NUMBER_B, SC_T0 + TTL_MS + 1, &r), ORD_OK);
    assert_int_equal(r.state, ORD_IDEM_STARTED);
    assert_string_equal(r.order_number, NUMBER_B);
    ord_idem_record_free(&r);
    /* Without a proposal a new key has no number, as in version 2. */
    assert_int_equal(f->idempotency.ops->forget(f->idempotency.self, SCOPE, KEY), ORD_OK);
    assert_int_equal(begin_proposing(f, NULL, SC_T0 + TTL_MS + 2, &r), ORD_OK);
    assert_int_equal(r.state, ORD_IDEM_STARTED);
    assert_string_equal(r.order_number, "");
    ord_idem_record_free(&r);
}

static void test_begin_refuses_a_malformed_proposed_number(void **state)
{
    ord_store_fixture *f = *state;
    need_begin_numbers(f);
    char too_long[ORD_ORDER_NUMBER_SIZE + 1];
    memset(too_long, '7', sizeof too_long - 1);
    too_long[sizeof too_long - 1] = '\0';
    ord_idem_record r;
    assert_int_equal(begin_proposing(f, "", SC_T0, &r), ORD_EINVALID);
    assert_int_equal(begin_proposing(f, too_long, SC_T0, &r), ORD_EINVALID);
    /* Nothing was taken: the key is still new. */
    assert_int_equal(begin_proposing(f, NUMBER_A, SC_T0, &r), ORD_OK);
    assert_int_equal(r.state, ORD_IDEM_STARTED);
    ord_idem_record_free(&r);
}

int sc_run_idempotency(void)
{
    const struct CMUnitTest store_contract_idempotency[] = {
        SC_TEST(test_begin_of_a_new_key_is_started),
        SC_TEST(test_begin_of_a_held_key_is_in_progress),
        SC_TEST(test_begin_with_another_request_is_a_mismatch),
        SC_TEST(test_completed_key_returns_the_stored_response),
        SC_TEST(test_released_key_is_resumable_with_its_order),
        SC_TEST(test_late_release_keeps_the_completed_answer),
        SC_TEST(test_key_whose_lock_ran_out_is_resumable),
        SC_TEST(test_forget_makes_the_key_new_again),
        SC_TEST(test_expired_key_counts_as_absent),
        SC_TEST(test_purge_deletes_only_expired_keys),
        SC_TEST(test_scopes_isolate_keys),
        SC_TEST(test_writes_to_an_unknown_key_are_not_found),
        SC_TEST(test_keys_with_quotes_and_sql_are_kept_verbatim),
        SC_TEST(test_number_bound_before_the_order_is_resumable),
        SC_TEST(test_first_number_bound_wins),
        SC_TEST(test_number_named_as_replaced_is_replaced),
        SC_TEST(test_bind_complete_and_release_keep_the_number),
        SC_TEST(test_expired_or_forgotten_key_starts_without_a_number),
        SC_TEST(test_bind_number_checks_its_arguments),
        SC_TEST(test_begin_binds_a_new_key_to_the_number_proposed),
        SC_TEST(test_expired_key_begun_again_takes_the_new_number),
        SC_TEST(test_begin_refuses_a_malformed_proposed_number),
    };
    return cmocka_run_group_tests(store_contract_idempotency, NULL, NULL);
}
