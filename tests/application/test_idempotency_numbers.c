/* Same key, at most one order: the key is bound to the order's number before
 * the order is stored, so a create whose reply was lost, or a crash right
 * after it, is resumed by a retry instead of placed twice. */
#include "fixture.h"

#include <stdio.h>
#include <string.h>

#define KEY "key-0001"
#define BODY_A "POST /api/v1/orders {\"customerId\":12345,\"items\":[[1,2]]}"
#define BODY_B "POST /api/v1/orders {\"customerId\":12345,\"items\":[[1,1]]}"

static void place_keyed(fx *f, const fx_request *r, const char *fingerprint, ord_place_result *out)
{
    ord_principal admin = fx_admin();
    ord_idempotency idem = {.key = KEY, .fingerprint = fingerprint};
    memset(out, 0, sizeof *out);
    assert_int_equal(ord_place_order(f->svc, &admin, NULL, &r->req, &idem, out), ORD_OK);
}

static ord_error finish(fx *f, const char *fingerprint, const ord_place_result *res, int status)
{
    ord_idempotency idem = {.key = KEY, .fingerprint = fingerprint};
    return ord_place_finish(f->svc, &idem, res, status, "{}");
}

/* Two of product 1 for FX_CUSTOMER. */
static void request_two(fx_request *r)
{
    fx_request_init(r, FX_CUSTOMER, 1, 1, 2);
}

/* The single order in the store, and every sign that it was placed once. */
static void assert_placed_once(fx *f, const ord_place_result *res)
{
    assert_int_equal(res->outcome, ORD_PLACED);
    assert_int_equal(res->order.status, ORD_STATUS_CONFIRMED);
    assert_int_equal(ord_memory_store_order_count(f->store), 1);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_RESERVE), 1);
    assert_int_equal(fx_stock(f, 1).reserved, 2);
    assert_int_equal(ord_memory_downstream_reservation(f->ds, res->order.id),
                     ORD_MEM_RESERVATION_RESERVED);
}

static void test_retry_after_a_lost_create_reply_resumes_the_stored_order(void **state)
{
    fx *f = *state;
    /* The store commits the order, then the reply is lost. */
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_CREATE, ORD_FAULT_AFTER, ORD_EUNAVAILABLE, 0, 1);
    fx_request r;
    request_two(&r);
    ord_place_result first;
    place_keyed(f, &r, BODY_A, &first);
    assert_int_equal(first.outcome, ORD_PLACE_STORE_UNAVAILABLE);
    assert_int_equal(first.cause, ORD_EUNAVAILABLE);
    assert_int_equal(first.order.id, 0);
    assert_true(ord_order_number_is_valid(first.order.number));
    assert_int_equal(ord_memory_store_order_count(f->store), 1);
    assert_int_equal(finish(f, BODY_A, &first, 503), ORD_OK);

    ord_place_result retry;
    place_keyed(f, &r, BODY_A, &retry);
    assert_placed_once(f, &retry);
    assert_string_equal(retry.order.number, first.order.number);
    assert_int_equal(finish(f, BODY_A, &retry, 201), ORD_OK);

    ord_place_result replay;
    place_keyed(f, &r, BODY_A, &replay);
    assert_int_equal(replay.outcome, ORD_PLACE_REPLAYED);
    assert_int_equal(ord_memory_store_order_count(f->store), 1);
    ord_place_result_free(&first);
    ord_place_result_free(&retry);
    ord_place_result_free(&replay);
}

/* Observer: from the moment the order is stored, the key store is out of
 * reach for good, as for a process that died right there. */
static void key_store_dies_on_create(void *ctx, const ord_order *order)
{
    fx *f = ctx;
    (void)order;
    fx_fail(f, FX_STORE, ORD_MEM_IDEM_WRITE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1);
}

static void test_retry_after_a_crash_right_after_the_create_resumes_the_stored_order(void **state)
{
    fx *f = *state;
    f->config.observer = (ord_service_observer){.ctx = f,
                                                .order_created = key_store_dies_on_create};
    fx_rebuild(f);
    fx_request r;
    request_two(&r);
    ord_place_result first;
    place_keyed(f, &r, BODY_A, &first);
    assert_int_equal(first.outcome, ORD_PLACED);
    /* Nothing after the create reached the key: it is still held. */
    assert_int_equal(finish(f, BODY_A, &first, 201), ORD_EUNAVAILABLE);
    fx_heal(f, FX_STORE, ORD_MEM_IDEM_WRITE);
    f->config.observer = (ord_service_observer){0};
    fx_rebuild(f);

    ord_place_result busy;
    place_keyed(f, &r, BODY_A, &busy);
    assert_int_equal(busy.outcome, ORD_PLACE_KEY_IN_PROGRESS);
    ord_manual_clock_advance(f->clock, f->config.idempotency_lock_ms + 1);
    ord_place_result retry;
    place_keyed(f, &r, BODY_A, &retry);
    assert_placed_once(f, &retry);
    assert_int_equal(retry.order.id, first.order.id);
    ord_place_result_free(&first);
    ord_place_result_free(&busy);
    ord_place_result_free(&retry);
}

/* The earlier attempt's create lands between the retry's look-up (which
 * missed it) and the retry's own create of the same number: the retry's
 * create conflicts, and it resumes the winner's order. */
static void test_racing_creates_of_one_number_resume_the_winner(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_CREATE, ORD_FAULT_AFTER, ORD_EUNAVAILABLE, 0, 1);
    fx_request r;
    request_two(&r);
    ord_place_result first;
    place_keyed(f, &r, BODY_A, &first); /* never finished: its lock runs out */
    assert_int_equal(first.outcome, ORD_PLACE_STORE_UNAVAILABLE);
    ord_manual_clock_advance(f->clock, f->config.idempotency_lock_ms + 1);

    fx_fail(f, FX_STORE, ORD_MEM_ORDER_GET, ORD_FAULT_BEFORE, ORD_ENOTFOUND, 0, 1);
    size_t creates = ord_memory_store_calls(f->store, ORD_MEM_ORDER_CREATE);
    ord_place_result retry;
    place_keyed(f, &r, BODY_A, &retry);
    assert_int_equal(ord_memory_store_calls(f->store, ORD_MEM_ORDER_CREATE), creates + 1);
    assert_placed_once(f, &retry);
    assert_string_equal(retry.order.number, first.order.number);
    ord_place_result_free(&first);
    ord_place_result_free(&retry);
}

static void test_retry_whose_lookup_fails_keeps_the_key_on_the_number(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_CREATE, ORD_FAULT_AFTER, ORD_EUNAVAILABLE, 0, 1);
    fx_request r;
    request_two(&r);
    ord_place_result first;
    place_keyed(f, &r, BODY_A, &first);
    assert_int_equal(finish(f, BODY_A, &first, 503), ORD_OK);

    fx_fail(f, FX_STORE, ORD_MEM_ORDER_GET, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    ord_place_result down;
    place_keyed(f, &r, BODY_A, &down);
    assert_int_equal(down.outcome, ORD_PLACE_STORE_UNAVAILABLE);
    assert_string_equal(down.order.number, first.order.number);
    assert_int_equal(finish(f, BODY_A, &down, 503), ORD_OK);

    /* The key was kept: another body is refused, the same one resumes. */
    fx_request other;
    fx_request_init(&other, FX_CUSTOMER, 1, 1, 1);
    ord_place_result mismatch;
    place_keyed(f, &other, BODY_B, &mismatch);
    assert_int_equal(mismatch.outcome, ORD_PLACE_KEY_MISMATCH);
    ord_place_result retry;
    place_keyed(f, &r, BODY_A, &retry);
    assert_placed_once(f, &retry);
    ord_place_result_free(&first);
    ord_place_result_free(&down);
    ord_place_result_free(&mismatch);
    ord_place_result_free(&retry);
}

/* A create that failed before storing anything is retried under the same
 * number; prechecks down on that retry keep the key too, for the store could
 * not say whether the first create landed. */
static void test_unstored_number_is_reused_and_kept_through_prechecks_down(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_CREATE, ORD_FAULT_BEFORE, ORD_ETIMEOUT, 0, 1);
    fx_request r;
    request_two(&r);
    ord_place_result first;
    place_keyed(f, &r, BODY_A, &first);
    assert_int_equal(first.outcome, ORD_PLACE_STORE_UNAVAILABLE);
    assert_int_equal(ord_memory_store_order_count(f->store), 0);
    assert_int_equal(finish(f, BODY_A, &first, 503), ORD_OK);

    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_CATALOG, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    ord_place_result down;
    place_keyed(f, &r, BODY_A, &down);
    assert_int_equal(down.outcome, ORD_PLACE_PRECHECK_UNAVAILABLE);
    assert_string_equal(down.order.number, first.order.number);
    assert_int_equal(finish(f, BODY_A, &down, 503), ORD_OK);

    ord_place_result retry;
    place_keyed(f, &r, BODY_A, &retry);
    assert_placed_once(f, &retry);
    assert_string_equal(retry.order.number, first.order.number);
    ord_place_result_free(&first);
    ord_place_result_free(&down);
    ord_place_result_free(&retry);
}

/* On a version 3 key store the number is bound when the key is taken: a
 * keyed create writes the key twice (taken with its number, completed),
 * where a version 2 store also binds the number in a call of its own. */
static void test_key_is_taken_with_its_number_in_one_call(void **state)
{
    fx *f = *state;
    fx_request r;
    request_two(&r);
    ord_place_result res;
    place_keyed(f, &r, BODY_A, &res);
    assert_placed_once(f, &res);
    assert_int_equal(ord_memory_store_calls(f->store, ORD_MEM_IDEM_BEGIN), 1);
    assert_int_equal(ord_memory_store_calls(f->store, ORD_MEM_IDEM_WRITE), 0);
    assert_int_equal(finish(f, BODY_A, &res, 201), ORD_OK);
    assert_int_equal(ord_memory_store_calls(f->store, ORD_MEM_IDEM_WRITE), 1);

    /* The retry of a lost reply finds the order by that number. */
    ord_place_result replay;
    place_keyed(f, &r, BODY_A, &replay);
    assert_int_equal(replay.outcome, ORD_PLACE_REPLAYED);
    assert_int_equal(replay.order.id, res.order.id);
    ord_place_result_free(&res);
    ord_place_result_free(&replay);
}

/* A version 2 key store binds the number after the prechecks, before the
 * create: when that fails nothing is stored and the key is forgotten. */
static void test_key_store_down_before_the_create_stores_nothing(void **state)
{
    fx *f = *state;
    ord_idempotency_store_ops v2 = *f->ports.idempotency.ops;
    v2.version = 2;
    f->ports.idempotency.ops = &v2;
    fx_rebuild(f);
    fx_fail(f, FX_STORE, ORD_MEM_IDEM_WRITE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    fx_request r;
    request_two(&r);
    ord_place_result first;
    place_keyed(f, &r, BODY_A, &first);
    assert_int_equal(first.outcome, ORD_PLACE_STORE_UNAVAILABLE);
    assert_string_equal(first.order.number, "");
    assert_int_equal(ord_memory_store_calls(f->store, ORD_MEM_ORDER_CREATE), 0);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_RESERVE), 0);
    assert_int_equal(finish(f, BODY_A, &first, 503), ORD_OK);

    /* Forgotten: even another body is placed afresh. */
    fx_request other;
    fx_request_init(&other, FX_CUSTOMER, 1, 1, 2);
    ord_place_result retry;
    place_keyed(f, &other, BODY_B, &retry);
    assert_placed_once(f, &retry);
    ord_place_result_free(&first);
    ord_place_result_free(&retry);
}

/* Counting ids, except that the next UUID may be forced once. */
typedef struct forced_ids {
    ord_id_source next;
    const char *forced;
} forced_ids;

static ord_error forced_uuid(void *self, char out[ORD_UUID_SIZE])
{
    forced_ids *ids = self;
    if (ids->forced == NULL)
        return ids->next.ops->uuid_v4(ids->next.self, out);
    snprintf(out, ORD_UUID_SIZE, "%s", ids->forced);
    ids->forced = NULL;
    return ORD_OK;
}

static const ord_id_source_ops forced_ops = {.version = ORD_ID_SOURCE_VERSION,
                                             .uuid_v4 = forced_uuid};

/* A number another customer's order has is not ours to resume: the key
 * gets a new one, and keeps it for a retry. */
static void test_number_of_an_unrelated_order_gets_the_key_a_new_one(void **state)
{
    fx *f = *state;
    static const char uuid[] = "0f0f0f0f-0000-4000-8000-000000000042";
    forced_ids ids = {.next = f->ports.ids, .forced = uuid};
    f->ports.ids = (ord_id_source){.ops = &forced_ops, .self = &ids};
    fx_rebuild(f);
    fx_request theirs;
    fx_request_init(&theirs, FX_OTHER_CUSTOMER, 1, 2, 1);
    ord_place_result other;
    fx_place(f, &theirs, &other);
    assert_int_equal(other.outcome, ORD_PLACED);
    assert_string_equal(other.order.number, "ORD-0f0f0f0f-0000-4000-8000-000000000042");

    ids.forced = uuid;
    fx_request r;
    request_two(&r);
    ord_place_result mine;
    place_keyed(f, &r, BODY_A, &mine); /* never finished: its lock runs out */
    assert_int_equal(mine.outcome, ORD_PLACED);
    assert_int_equal(mine.order.customer_id, FX_CUSTOMER);
    assert_string_not_equal(mine.order.number, other.order.number);
    assert_int_equal(ord_memory_store_order_count(f->store), 2);

    ord_manual_clock_advance(f->clock, f->config.idempotency_lock_ms + 1);
    ord_place_result retry;
    place_keyed(f, &r, BODY_A, &retry);
    assert_int_equal(retry.outcome, ORD_PLACED);
    assert_int_equal(retry.order.id, mine.order.id);
    assert_int_equal(ord_memory_store_order_count(f->store), 2);
    assert_int_equal(fx_stock(f, 1).reserved, 2);
    ord_order theirs_now;
    ord_order_init(&theirs_now);
    fx_load(f, other.order.id, &theirs_now);
    assert_int_equal(theirs_now.customer_id, FX_OTHER_CUSTOMER);
    assert_int_equal(theirs_now.version, other.order.version);
    ord_order_free(&theirs_now);
    ord_place_result_free(&other);
    ord_place_result_free(&mine);
    ord_place_result_free(&retry);
}

/* A key store built against version 1 (no bind_number) still works: the key
 * is bound to the stored order, as before. */
static void test_version_1_key_store_binds_the_stored_order(void **state)
{
    fx *f = *state;
    ord_idempotency_store_ops v1 = *f->ports.idempotency.ops;
    v1.version = 1;
    v1.bind_number = NULL;
    f->ports.idempotency.ops = &v1;
    fx_rebuild(f);
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_RESERVE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    fx_request r;
    request_two(&r);
    ord_place_result first;
    place_keyed(f, &r, BODY_A, &first);
    assert_int_equal(first.outcome, ORD_PLACE_INVENTORY_UNAVAILABLE);
    assert_int_equal(finish(f, BODY_A, &first, 503), ORD_OK);
    ord_place_result retry;
    place_keyed(f, &r, BODY_A, &retry);
    assert_int_equal(retry.outcome, ORD_PLACED);
    assert_int_equal(retry.order.id, first.order.id);
    assert_int_equal(ord_memory_store_order_count(f->store), 1);
    assert_int_equal(fx_stock(f, 1).reserved, 2);
    ord_service_free(f->svc); /* before v1 goes out of scope */
    f->svc = NULL;
    ord_place_result_free(&first);
    ord_place_result_free(&retry);
}

static void test_version_2_key_store_without_bind_number_is_refused(void **state)
{
    fx *f = *state;
    ord_idempotency_store_ops broken = *f->ports.idempotency.ops;
    broken.bind_number = NULL;
    ord_ports ports = f->ports;
    ports.idempotency.ops = &broken;
    ord_service *svc = NULL;
    assert_int_equal(ord_service_new(&svc, &ports, &f->config), ORD_EINVALID);
    assert_null(svc);
}

/* Checkout's key is bound to the draft, whose id exists before the checkout
 * changes anything: a crash right after its update is resumed too. */
static void key_store_dies_on_checkout(void *ctx, const ord_order *order, ord_status from,
                                       ord_status to)
{
    fx *f = ctx;
    (void)order;
    if (from == ORD_STATUS_DRAFT && to == ORD_STATUS_PENDING_CHECK)
        fx_fail(f, FX_STORE, ORD_MEM_IDEM_WRITE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1);
}

static void test_checkout_retry_after_a_crash_resumes_the_draft(void **state)
{
    fx *f = *state;
    f->config.observer = (ord_service_observer){.ctx = f,
                                                .status_changed = key_store_dies_on_checkout};
    fx_rebuild(f);
    ord_principal admin = fx_admin();
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    ord_item_request items[] = {{.product_id = 1, .quantity = 2}};
    ord_order draft;
    ord_order_init(&draft);
    assert_int_equal(ord_create_draft(f->svc, &admin, &owner, items, 1, NULL, NULL, &draft), ORD_OK);
    char ref[24];
    ord_checkout_request req = {.owner = owner, .delivery_address = FX_ADDRESS};
    ord_idempotency idem = {.key = KEY, .fingerprint = "checkout"};
    ord_place_result first = {0};
    assert_int_equal(ord_checkout_draft(f->svc, &admin, NULL, fx_ref(draft.id, ref), &req, &idem,
                                        &first),
                     ORD_OK);
    assert_int_equal(first.outcome, ORD_PLACED);
    assert_int_equal(ord_place_finish(f->svc, &idem, &first, 201, "{}"), ORD_EUNAVAILABLE);
    fx_heal(f, FX_STORE, ORD_MEM_IDEM_WRITE);

    ord_manual_clock_advance(f->clock, f->config.idempotency_lock_ms + 1);
    ord_place_result retry = {0};
    assert_int_equal(ord_checkout_draft(f->svc, &admin, NULL, fx_ref(draft.id, ref), &req, &idem,
                                        &retry),
                     ORD_OK);
    assert_placed_once(f, &retry);
    assert_int_equal(retry.order.id, draft.id);
    ord_order_free(&draft);
    ord_place_result_free(&first);
    ord_place_result_free(&retry);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_retry_after_a_lost_create_reply_resumes_the_stored_order),
        T(test_retry_after_a_crash_right_after_the_create_resumes_the_stored_order),
        T(test_racing_creates_of_one_number_resume_the_winner),
        T(test_retry_whose_lookup_fails_keeps_the_key_on_the_number),
        T(test_unstored_number_is_reused_and_kept_through_prechecks_down),
        T(test_key_is_taken_with_its_number_in_one_call),
        T(test_key_store_down_before_the_create_stores_nothing),
        T(test_number_of_an_unrelated_order_gets_the_key_a_new_one),
        T(test_version_1_key_store_binds_the_stored_order),
        T(test_version_2_key_store_without_bind_number_is_refused),
        T(test_checkout_retry_after_a_crash_resumes_the_draft),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
