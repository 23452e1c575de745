/* Idempotency-Key semantics of placing an order: replay, mismatch, in
 * progress, resumption of an unfinished order, and nothing kept for a
 * request refused before any work. */
#include "fixture.h"

#include <string.h>

#define KEY "key-0001"
#define BODY_A "POST /api/v1/orders {\"customerId\":12345,\"items\":[1]}"
#define BODY_B "POST /api/v1/orders {\"customerId\":12345,\"items\":[2]}"

static void place_keyed(fx *f, const fx_request *r, const char *key, const char *fingerprint,
                        ord_place_result *out)
{
    /* The customer itself: its keys are scoped to it ("customer:N"). */
    ord_principal self = fx_customer(r->req.customer_id);
    ord_idempotency idem = {.key = key, .fingerprint = fingerprint};
    assert_int_equal(ord_place_order(f->svc, &self, NULL, &r->req, &idem, out), ORD_OK);
}

static void finish(fx *f, const char *key, const char *fingerprint, const ord_place_result *res,
                   int status, const char *body)
{
    ord_idempotency idem = {.key = key, .fingerprint = fingerprint};
    assert_int_equal(ord_place_finish(f->svc, &idem, res, status, body), ORD_OK);
}

static void test_replay_returns_stored_answer_without_second_order(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 2);
    ord_place_result first = {0};
    place_keyed(f, &r, KEY, BODY_A, &first);
    assert_int_equal(first.outcome, ORD_PLACED);
    assert_string_equal(first.idempotency_scope, "customer:12345");
    finish(f, KEY, BODY_A, &first, 201, "{\"orderId\":1}");

    ord_place_result again = {0};
    place_keyed(f, &r, KEY, BODY_A, &again);
    assert_int_equal(again.outcome, ORD_PLACE_REPLAYED);
    assert_int_equal(again.replay_status, 201);
    assert_string_equal(again.replay_body, "{\"orderId\":1}");
    /* Finishing a replay changes nothing. */
    finish(f, KEY, BODY_A, &again, 201, "{\"other\":true}");

    assert_int_equal(ord_memory_store_order_count(f->store), 1);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_RESERVE), 1);
    assert_int_equal(fx_stock(f, 1).reserved, 2);

    ord_place_result third = {0};
    place_keyed(f, &r, KEY, BODY_A, &third);
    assert_int_equal(third.outcome, ORD_PLACE_REPLAYED);
    assert_string_equal(third.replay_body, "{\"orderId\":1}");
    ord_place_result_free(&first);
    ord_place_result_free(&again);
    ord_place_result_free(&third);
}

static void test_same_key_with_different_request_is_a_mismatch(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_place_result first = {0};
    place_keyed(f, &r, KEY, BODY_A, &first);
    finish(f, KEY, BODY_A, &first, 201, "{}");

    fx_request other;
    fx_request_init(&other, FX_CUSTOMER, 1, 2, 1);
    ord_place_result res = {0};
    place_keyed(f, &other, KEY, BODY_B, &res);
    assert_int_equal(res.outcome, ORD_PLACE_KEY_MISMATCH);
    finish(f, KEY, BODY_B, &res, 422, "{}");
    assert_int_equal(ord_memory_store_order_count(f->store), 1);

    /* The mismatch left the original answer alone. */
    ord_place_result again = {0};
    place_keyed(f, &r, KEY, BODY_A, &again);
    assert_int_equal(again.outcome, ORD_PLACE_REPLAYED);
    ord_place_result_free(&first);
    ord_place_result_free(&res);
    ord_place_result_free(&again);
}

static void test_key_in_flight_is_in_progress_until_its_lock_runs_out(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    /* The first request did its work but never finished (it died). */
    ord_place_result first = {0};
    place_keyed(f, &r, KEY, BODY_A, &first);
    assert_int_equal(first.outcome, ORD_PLACED);

    ord_place_result busy = {0};
    place_keyed(f, &r, KEY, BODY_A, &busy);
    assert_int_equal(busy.outcome, ORD_PLACE_KEY_IN_PROGRESS);
    finish(f, KEY, BODY_A, &busy, 409, "{}");

    /* After its lock, the key is taken over and the same order answered. */
    ord_manual_clock_advance(f->clock, f->config.idempotency_lock_ms + 1);
    ord_place_result later = {0};
    place_keyed(f, &r, KEY, BODY_A, &later);
    assert_int_equal(later.outcome, ORD_PLACED);
    assert_int_equal(later.order.id, first.order.id);
    assert_int_equal(ord_memory_store_order_count(f->store), 1);
    assert_int_equal(fx_stock(f, 1).reserved, 1);
    ord_place_result_free(&first);
    ord_place_result_free(&busy);
    ord_place_result_free(&later);
}

static void test_retry_after_inventory_down_resumes_the_same_order(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_RESERVE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 3);
    ord_place_result first = {0};
    place_keyed(f, &r, KEY, BODY_A, &first);
    assert_int_equal(first.outcome, ORD_PLACE_INVENTORY_UNAVAILABLE);
    finish(f, KEY, BODY_A, &first, 503, "{\"error\":\"Inventory service unavailable\"}");

    ord_place_result retry = {0};
    place_keyed(f, &r, KEY, BODY_A, &retry);
    assert_int_equal(retry.outcome, ORD_PLACED);
    assert_int_equal(retry.order.id, first.order.id);
    assert_int_equal(retry.order.status, ORD_STATUS_CONFIRMED);
    finish(f, KEY, BODY_A, &retry, 201, "{\"placed\":true}");

    assert_int_equal(ord_memory_store_order_count(f->store), 1);
    assert_int_equal(ord_memory_downstream_reservation(f->ds, first.order.id),
                     ORD_MEM_RESERVATION_RESERVED);
    ord_memory_stock s = fx_stock(f, 1);
    assert_int_equal(s.reserved, 3);
    assert_int_equal(s.available, 7);

    ord_place_result replay = {0};
    place_keyed(f, &r, KEY, BODY_A, &replay);
    assert_int_equal(replay.outcome, ORD_PLACE_REPLAYED);
    assert_string_equal(replay.replay_body, "{\"placed\":true}");
    ord_place_result_free(&first);
    ord_place_result_free(&retry);
    ord_place_result_free(&replay);
}

static void test_retry_after_store_down_mid_saga_resumes_the_same_order(void **state)
{
    fx *f = *state;
    /* The confirm update is the first update of the saga. */
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_UPDATE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_place_result first = {0};
    place_keyed(f, &r, KEY, BODY_A, &first);
    assert_int_equal(first.outcome, ORD_PLACE_STORE_UNAVAILABLE);
    assert_true(first.order.id > 0);
    finish(f, KEY, BODY_A, &first, 503, "{}");

    ord_place_result retry = {0};
    place_keyed(f, &r, KEY, BODY_A, &retry);
    assert_int_equal(retry.outcome, ORD_PLACED);
    assert_int_equal(retry.order.id, first.order.id);
    assert_int_equal(ord_memory_store_order_count(f->store), 1);
    assert_int_equal(fx_stock(f, 1).reserved, 1);
    ord_place_result_free(&first);
    ord_place_result_free(&retry);
}

static void test_invalid_request_leaves_no_key_behind(void **state)
{
    fx *f = *state;
    fx_request bad;
    fx_request_init(&bad, FX_CUSTOMER, 1, 1, 0);
    ord_place_result res = {0};
    place_keyed(f, &bad, KEY, BODY_A, &res);
    assert_int_equal(res.outcome, ORD_PLACE_INVALID);
    finish(f, KEY, BODY_A, &res, 400, "{\"error\":\"Validation failed\"}");
    ord_place_result_free(&res);

    /* Fixed request, same key, different body: allowed, and placed. */
    fx_request good;
    fx_request_init(&good, FX_CUSTOMER, 1, 1, 1);
    place_keyed(f, &good, KEY, BODY_B, &res);
    assert_int_equal(res.outcome, ORD_PLACED);
    ord_place_result_free(&res);
}

static void test_forbidden_and_unavailable_prechecks_leave_no_key_behind(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_idempotency idem = {.key = KEY, .fingerprint = BODY_A};

    ord_principal other = fx_customer(FX_OTHER_CUSTOMER);
    ord_place_result res = {0};
    assert_int_equal(ord_place_order(f->svc, &other, NULL, &r.req, &idem, &res), ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_FORBIDDEN);
    assert_int_equal(ord_place_finish(f->svc, &idem, &res, 403, "{}"), ORD_OK);
    ord_place_result_free(&res);

    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_CATALOG, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    place_keyed(f, &r, KEY, BODY_A, &res);
    assert_int_equal(res.outcome, ORD_PLACE_PRECHECK_UNAVAILABLE);
    finish(f, KEY, BODY_A, &res, 503, "{}");
    ord_place_result_free(&res);

    /* A different body with the same key is not a mismatch: nothing was kept. */
    place_keyed(f, &r, KEY, BODY_B, &res);
    assert_int_equal(res.outcome, ORD_PLACED);
    ord_place_result_free(&res);
}

static void test_insufficient_stock_answer_is_replayed(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 4, 1);
    ord_place_result res = {0};
    place_keyed(f, &r, KEY, BODY_A, &res);
    assert_int_equal(res.outcome, ORD_PLACE_INSUFFICIENT_STOCK);
    finish(f, KEY, BODY_A, &res, 400, "{\"error\":\"Insufficient stock\"}");
    ord_place_result_free(&res);

    place_keyed(f, &r, KEY, BODY_A, &res);
    assert_int_equal(res.outcome, ORD_PLACE_REPLAYED);
    assert_int_equal(res.replay_status, 400);
    assert_int_equal(ord_memory_store_order_count(f->store), 1);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_RESERVE), 1);
    ord_place_result_free(&res);
}

static void test_keys_are_scoped_per_customer(void **state)
{
    fx *f = *state;
    fx_request mine, theirs;
    fx_request_init(&mine, FX_CUSTOMER, 1, 1, 1);
    fx_request_init(&theirs, FX_OTHER_CUSTOMER, 1, 1, 1);
    ord_place_result a = {0}, b = {0};
    place_keyed(f, &mine, KEY, BODY_A, &a);
    finish(f, KEY, BODY_A, &a, 201, "{}");
    place_keyed(f, &theirs, KEY, BODY_A, &b);
    assert_int_equal(b.outcome, ORD_PLACED);
    assert_string_equal(b.idempotency_scope, "customer:4242");
    assert_int_not_equal(a.order.id, b.order.id);
    ord_place_result_free(&a);
    ord_place_result_free(&b);
}

static void test_malformed_key_is_a_validation_error(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_place_result res = {0};
    place_keyed(f, &r, "", BODY_A, &res);
    assert_int_equal(res.outcome, ORD_PLACE_INVALID);
    assert_true(ord_field_errors_has(&res.fields, "Idempotency-Key"));
    ord_place_result_free(&res);
    place_keyed(f, &r, "caf\xc3\xa9", BODY_A, &res);
    assert_int_equal(res.outcome, ORD_PLACE_INVALID);
    ord_place_result_free(&res);
    assert_int_equal(ord_memory_store_order_count(f->store), 0);
}

static void test_key_store_down_places_nothing(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_STORE, ORD_MEM_IDEM_BEGIN, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_place_result res = {0};
    place_keyed(f, &r, KEY, BODY_A, &res);
    assert_int_equal(res.outcome, ORD_PLACE_STORE_UNAVAILABLE);
    assert_int_equal(ord_memory_store_order_count(f->store), 0);
    finish(f, KEY, BODY_A, &res, 503, "{}");
    ord_place_result_free(&res);

    place_keyed(f, &r, KEY, BODY_A, &res);
    assert_int_equal(res.outcome, ORD_PLACED);
    ord_place_result_free(&res);
}

/* A retry whose begin() could not reach the key store never held the key:
 * finishing it must not delete the first request's stored answer, or the
 * next retry would place a second order. */
static void test_key_store_down_on_a_retry_keeps_the_stored_answer(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 2);
    ord_place_result first = {0};
    place_keyed(f, &r, KEY, BODY_A, &first);
    assert_int_equal(first.outcome, ORD_PLACED);
    finish(f, KEY, BODY_A, &first, 201, "{\"orderId\":1}");

    fx_fail(f, FX_STORE, ORD_MEM_IDEM_BEGIN, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    ord_place_result down = {0};
    place_keyed(f, &r, KEY, BODY_A, &down);
    assert_int_equal(down.outcome, ORD_PLACE_STORE_UNAVAILABLE);
    finish(f, KEY, BODY_A, &down, 503, "{}");

    ord_place_result again = {0};
    place_keyed(f, &r, KEY, BODY_A, &again);
    assert_int_equal(again.outcome, ORD_PLACE_REPLAYED);
    assert_string_equal(again.replay_body, "{\"orderId\":1}");
    assert_int_equal(ord_memory_store_order_count(f->store), 1);
    assert_int_equal(fx_stock(f, 1).reserved, 2);
    ord_place_result_free(&first);
    ord_place_result_free(&down);
    ord_place_result_free(&again);
}

/* The same for a key held by a request still in flight: a retry that could
 * not reach the store must not free the key for a third request. */
static void test_key_store_down_on_a_retry_keeps_a_key_in_flight(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 2);
    ord_place_result first = {0};
    place_keyed(f, &r, KEY, BODY_A, &first); /* not finished: still in flight */
    assert_int_equal(first.outcome, ORD_PLACED);

    fx_fail(f, FX_STORE, ORD_MEM_IDEM_BEGIN, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    ord_place_result down = {0};
    place_keyed(f, &r, KEY, BODY_A, &down);
    assert_int_equal(down.outcome, ORD_PLACE_STORE_UNAVAILABLE);
    finish(f, KEY, BODY_A, &down, 503, "{}");

    ord_place_result busy = {0};
    place_keyed(f, &r, KEY, BODY_A, &busy);
    assert_int_equal(busy.outcome, ORD_PLACE_KEY_IN_PROGRESS);
    assert_int_equal(ord_memory_store_order_count(f->store), 1);
    ord_place_result_free(&first);
    ord_place_result_free(&down);
    ord_place_result_free(&busy);
}

static void test_purge_forgets_expired_keys(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_place_result res = {0};
    place_keyed(f, &r, KEY, BODY_A, &res);
    finish(f, KEY, BODY_A, &res, 201, "{}");
    int64_t first_id = res.order.id;
    ord_place_result_free(&res);

    int64_t purged = -1;
    assert_int_equal(ord_purge_idempotency_keys(f->svc, &purged), ORD_OK);
    assert_int_equal(purged, 0);
    ord_manual_clock_advance(f->clock, f->config.idempotency_ttl_ms + 1);
    assert_int_equal(ord_purge_idempotency_keys(f->svc, &purged), ORD_OK);
    assert_int_equal(purged, 1);

    place_keyed(f, &r, KEY, BODY_A, &res);
    assert_int_equal(res.outcome, ORD_PLACED);
    assert_int_not_equal(res.order.id, first_id);
    ord_place_result_free(&res);
}

/* A replayed 201 names the order the key is bound to, as it is now, so a
 * transport sets Location and ETag without reading the stored body. */
static void test_replay_of_a_created_order_carries_the_bound_order(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_place_result first = {0};
    place_keyed(f, &r, KEY, BODY_A, &first);
    assert_int_equal(first.outcome, ORD_PLACED);
    finish(f, KEY, BODY_A, &first, 201, "not read");

    ord_place_result again = {0};
    place_keyed(f, &r, KEY, BODY_A, &again);
    assert_int_equal(again.outcome, ORD_PLACE_REPLAYED);
    assert_int_equal(again.order.id, first.order.id);
    assert_int_equal(again.order.version, first.order.version);
    assert_string_equal(again.order.number, first.order.number);

    /* Unreadable now: the id still names it; no version is made up. */
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_GET, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    ord_place_result down = {0};
    place_keyed(f, &r, KEY, BODY_A, &down);
    assert_int_equal(down.outcome, ORD_PLACE_REPLAYED);
    assert_int_equal(down.order.id, first.order.id);
    assert_int_equal(down.order.version, 0);
    ord_place_result_free(&first);
    ord_place_result_free(&again);
    ord_place_result_free(&down);
}

static void test_request_text_is_method_path_and_body(void **state)
{
    (void)state;
    char text[64];
    size_t n = ord_idempotency_request_text(text, sizeof text, "POST", "/api/v1/orders",
                                            "{\"a\":1}", 7);
    assert_string_equal(text, "POST /api/v1/orders\n{\"a\":1}");
    assert_int_equal(n, strlen(text));
    /* Cut to fit, with the whole length told, as snprintf. */
    char small[8];
    assert_int_equal(ord_idempotency_request_text(small, sizeof small, "POST", "/x", "body", 4),
                     strlen("POST /x\nbody"));
    assert_string_equal(small, "POST /x");
    assert_int_equal(ord_idempotency_request_text(NULL, 0, "GET", "/", NULL, 0), 6);
}

static void test_admins_keys_are_their_own(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_place_result mine = {0}, ops = {0}, other_ops = {0}, again = {0};
    place_keyed(f, &r, KEY, BODY_A, &mine);
    finish(f, KEY, BODY_A, &mine, 201, "{}");

    /* An operator placing for the customer with the same key: another
     * request, another order, in a scope that names neither in clear. */
    ord_principal admin = fx_admin();
    ord_idempotency idem = {.key = KEY, .fingerprint = BODY_A};
    assert_int_equal(ord_place_order(f->svc, &admin, NULL, &r.req, &idem, &ops), ORD_OK);
    assert_int_equal(ops.outcome, ORD_PLACED);
    assert_int_equal(strncmp(ops.idempotency_scope, "admin:", 6), 0);
    assert_int_equal(strlen(ops.idempotency_scope), 6 + 32);
    assert_int_not_equal(ops.order.id, mine.order.id);
    assert_int_equal(ord_place_finish(f->svc, &idem, &ops, 201, "{}"), ORD_OK);

    /* Another operator: yet another scope. The first operator again: replay. */
    ord_principal second = {.kind = ORD_PRINCIPAL_ADMIN, .subject = "ops-2"};
    assert_int_equal(ord_place_order(f->svc, &second, NULL, &r.req, &idem, &other_ops), ORD_OK);
    assert_int_equal(other_ops.outcome, ORD_PLACED);
    assert_string_not_equal(other_ops.idempotency_scope, ops.idempotency_scope);
    assert_int_equal(ord_place_order(f->svc, &admin, NULL, &r.req, &idem, &again), ORD_OK);
    assert_int_equal(again.outcome, ORD_PLACE_REPLAYED);
    assert_int_equal(ord_memory_store_order_count(f->store), 3);
    ord_place_result_free(&mine);
    ord_place_result_free(&ops);
    ord_place_result_free(&other_ops);
    ord_place_result_free(&again);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_replay_returns_stored_answer_without_second_order),
        T(test_same_key_with_different_request_is_a_mismatch),
        T(test_key_in_flight_is_in_progress_until_its_lock_runs_out),
        T(test_retry_after_inventory_down_resumes_the_same_order),
        T(test_retry_after_store_down_mid_saga_resumes_the_same_order),
        T(test_invalid_request_leaves_no_key_behind),
        T(test_forbidden_and_unavailable_prechecks_leave_no_key_behind),
        T(test_insufficient_stock_answer_is_replayed),
        T(test_keys_are_scoped_per_customer),
        T(test_malformed_key_is_a_validation_error),
        T(test_key_store_down_places_nothing),
        T(test_key_store_down_on_a_retry_keeps_the_stored_answer),
        T(test_key_store_down_on_a_retry_keeps_a_key_in_flight),
        T(test_purge_forgets_expired_keys),
        T(test_replay_of_a_created_order_carries_the_bound_order),
        cmocka_unit_test(test_request_text_is_method_path_and_body),
        T(test_admins_keys_are_their_own),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
