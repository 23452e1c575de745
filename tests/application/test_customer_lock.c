/* Serialised creates (ord_service_config::serialize_customer_creates): the
 * customer's lock is taken after validation and the key's begin, held
 * through prechecks and saga, released on every way out; a busy customer is
 * ORD_PLACE_CUSTOMER_BUSY with nothing stored. Also: a conflict of create
 * is retried under a new number only when the number is indeed taken. */
#include "fixture.h"

#include <stdio.h>
#include <string.h>

#define KEY "lock-key-1"
#define BODY_A "POST /api/v1/orders\n{\"a\":1}"
#define BODY_B "POST /api/v1/orders\n{\"b\":2}"

static void serialise(fx *f)
{
    f->config.serialize_customer_creates = true;
    fx_rebuild(f);
}

static ord_memory_store_connection *hold_customer(fx *f, int64_t customer)
{
    ord_memory_store_connection *s = NULL;
    assert_int_equal(ord_memory_store_connection_new(f->store, &s), ORD_OK);
    ord_order_repository r = ord_memory_store_connection_orders(s);
    assert_int_equal(r.ops->lock_customer(r.self, customer), ORD_OK);
    return s;
}

static size_t lock_calls(fx *f)
{
    return ord_memory_store_calls(f->store, ORD_MEM_ORDER_LOCK);
}

static void place_keyed(fx *f, const fx_request *r, const char *body, ord_place_result *out)
{
    ord_principal admin = fx_admin();
    ord_idempotency idem = {.key = KEY, .fingerprint = body};
    assert_int_equal(ord_place_order(f->svc, &admin, NULL, &r->req, &idem, out), ORD_OK);
}

static void finish(fx *f, const char *body, const ord_place_result *res, int status)
{
    ord_idempotency idem = {.key = KEY, .fingerprint = body};
    assert_int_equal(ord_place_finish(f->svc, &idem, res, status, "{}"), ORD_OK);
}

static void test_busy_customer_is_customer_busy_and_nothing_is_stored(void **state)
{
    fx *f = *state;
    serialise(f);
    ord_memory_store_connection *other = hold_customer(f, FX_CUSTOMER);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 2, 1, 2, 5, 1);
    ord_place_result res = {0};
    place_keyed(f, &r, BODY_A, &res);
    assert_int_equal(res.outcome, ORD_PLACE_CUSTOMER_BUSY);
    assert_int_equal(res.order.id, 0);
    finish(f, BODY_A, &res, 409);

    assert_int_equal(ord_memory_store_order_count(f->store), 0);
    assert_int_equal(ord_memory_store_event_count(f->store), 0);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_CATALOG), 0);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_RESERVE), 0);
    assert_int_equal(fx_stock(f, 1).reserved, 0);
    assert_int_equal(fx_stock(f, 1).available, 10);
    assert_int_equal(f->seen.created, 0);
    /* The other holder still has it: the refused request took nothing. */
    assert_int_equal(ord_memory_store_locked_customers(f->store), 1);

    /* Another customer is not held up. */
    ord_place_result free_customer = {0};
    fx_request other_r;
    fx_request_init(&other_r, FX_OTHER_CUSTOMER, 1, 2, 1);
    fx_place(f, &other_r, &free_customer);
    assert_int_equal(free_customer.outcome, ORD_PLACED);

    /* The key was forgotten, not kept: even another body may use it now
     * (a kept key would answer KEY_MISMATCH). */
    ord_memory_store_connection_free(other);
    ord_place_result retry = {0};
    place_keyed(f, &r, BODY_B, &retry);
    assert_int_equal(retry.outcome, ORD_PLACED);
    assert_int_equal(ord_memory_store_locked_customers(f->store), 0);
    ord_place_result_free(&res);
    ord_place_result_free(&free_customer);
    ord_place_result_free(&retry);
}

/* Downstream ports that look at the store's locks whenever they are called. */
typedef struct spy {
    fx *f;
    ord_precheck precheck;
    ord_inventory inventory;
    ord_tracking tracking;
    size_t calls;
    size_t calls_without_lock;
} spy;

static void spy_look(spy *s)
{
    s->calls++;
    if (ord_memory_store_locked_customers(s->f->store) != 1)
        s->calls_without_lock++;
}

static ord_error spy_check(void *self, const ord_call_context *ctx, int64_t customer_id,
                          ord_product_price *prices, size_t count, ord_precheck_result *result)
{
    spy *s = self;
    spy_look(s);
    return s->precheck.ops->check(s->precheck.self, ctx, customer_id, prices, count, result);
}

static ord_error spy_reserve(void *self, const ord_call_context *ctx, int64_t order_id,
                            const ord_order_item *items, size_t count, ord_reserve_result *result)
{
    spy *s = self;
    spy_look(s);
    return s->inventory.ops->reserve(s->inventory.self, ctx, order_id, items, count, result);
}

static ord_error spy_release(void *self, const ord_call_context *ctx, int64_t order_id)
{
    spy *s = self;
    return s->inventory.ops->release(s->inventory.self, ctx, order_id);
}

static ord_error spy_commit(void *self, const ord_call_context *ctx, int64_t order_id)
{
    spy *s = self;
    return s->inventory.ops->commit(s->inventory.self, ctx, order_id);
}

static ord_error spy_ship(void *self, const ord_call_context *ctx,
                         const ord_shipment_request *request,
                         char tracking_number[ORD_TRACKING_NUMBER_SIZE])
{
    spy *s = self;
    spy_look(s);
    return s->tracking.ops->create_shipment(s->tracking.self, ctx, request, tracking_number);
}

static const ord_precheck_ops spy_precheck_ops = {.version = ORD_PRECHECK_VERSION,
                                                  .check = spy_check};
static const ord_inventory_ops spy_inventory_ops = {.version = ORD_INVENTORY_VERSION,
                                                    .reserve = spy_reserve,
                                                    .release = spy_release,
                                                    .commit = spy_commit};
static const ord_tracking_ops spy_tracking_ops = {.version = ORD_TRACKING_VERSION,
                                                  .create_shipment = spy_ship};

static void install_spy(fx *f, spy *s)
{
    memset(s, 0, sizeof *s);
    s->f = f;
    s->precheck = f->ports.precheck;
    s->inventory = f->ports.inventory;
    s->tracking = f->ports.tracking;
    f->ports.precheck = (ord_precheck){.ops = &spy_precheck_ops, .self = s};
    f->ports.inventory = (ord_inventory){.ops = &spy_inventory_ops, .self = s};
    f->ports.tracking = (ord_tracking){.ops = &spy_tracking_ops, .self = s};
    serialise(f);
}

static void test_customer_lock_is_held_from_prechecks_to_shipment(void **state)
{
    fx *f = *state;
    spy s;
    install_spy(f, &s);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACED);
    assert_false(res.tracking_pending);
    /* Precheck, reserve and shipment all ran under the lock... */
    assert_int_equal(s.calls, 3);
    assert_int_equal(s.calls_without_lock, 0);
    /* ...which is gone once the order is placed. */
    assert_int_equal(lock_calls(f), 1);
    assert_int_equal(ord_memory_store_locked_customers(f->store), 0);
    ord_place_result_free(&res);
}

/* Places one request and asserts its outcome and that the lock was taken
 * (lock_calls went up by one) and let go. */
static void expect_released(fx *f, int64_t customer, int product, int quantity,
                            ord_place_outcome outcome)
{
    size_t before = lock_calls(f);
    fx_request r;
    fx_request_init(&r, customer, 1, product, quantity);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, outcome);
    assert_int_equal(lock_calls(f), before + 1);
    assert_int_equal(ord_memory_store_locked_customers(f->store), 0);
    ord_place_result_free(&res);
}

static void test_customer_lock_is_released_after_every_outcome(void **state)
{
    fx *f = *state;
    serialise(f);
    expect_released(f, FX_CUSTOMER, 1, 1, ORD_PLACED);
    expect_released(f, FX_CUSTOMER, FX_UNKNOWN_PRODUCT, 1, ORD_PLACE_UNKNOWN_PRODUCT);
    expect_released(f, FX_RESTRICTED, 1, 1, ORD_PLACE_RESTRICTED);
    expect_released(f, FX_INELIGIBLE, 1, 1, ORD_PLACE_INELIGIBLE);
    expect_released(f, FX_CUSTOMER, 4, 1, ORD_PLACE_INSUFFICIENT_STOCK);

    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_CATALOG, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    expect_released(f, FX_CUSTOMER, 1, 1, ORD_PLACE_PRECHECK_UNAVAILABLE);
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_RESERVE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    expect_released(f, FX_CUSTOMER, 1, 1, ORD_PLACE_INVENTORY_UNAVAILABLE);
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_CREATE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    expect_released(f, FX_CUSTOMER, 1, 1, ORD_PLACE_STORE_UNAVAILABLE);
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_UPDATE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    expect_released(f, FX_CUSTOMER, 1, 1, ORD_PLACE_STORE_UNAVAILABLE);
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_SHIPMENT, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    expect_released(f, FX_CUSTOMER, 1, 1, ORD_PLACED);
}

static void test_requests_refused_before_the_key_take_no_lock(void **state)
{
    fx *f = *state;
    serialise(f);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 0); /* quantity 0: invalid */
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACE_INVALID);
    ord_place_result_free(&res);

    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_principal stranger = fx_customer(FX_OTHER_CUSTOMER);
    assert_int_equal(ord_place_order(f->svc, &stranger, NULL, &r.req, NULL, &res), ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_FORBIDDEN);
    ord_place_result_free(&res);

    /* A replay is answered from the key alone. */
    place_keyed(f, &r, BODY_A, &res);
    assert_int_equal(res.outcome, ORD_PLACED);
    finish(f, BODY_A, &res, 201);
    ord_place_result_free(&res);
    size_t before = lock_calls(f);
    ord_memory_store_connection *other = hold_customer(f, FX_CUSTOMER);
    place_keyed(f, &r, BODY_A, &res);
    assert_int_equal(res.outcome, ORD_PLACE_REPLAYED);
    assert_int_equal(lock_calls(f), before + 1); /* the other holder's only */
    ord_place_result_free(&res);
    ord_memory_store_connection_free(other);
}

static void test_unavailable_lock_is_store_unavailable_and_leaves_no_lock(void **state)
{
    fx *f = *state;
    serialise(f);
    /* The lock was taken but its answer got lost. */
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_LOCK, ORD_FAULT_AFTER, ORD_EUNAVAILABLE, 0, 1);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_place_result res = {0};
    place_keyed(f, &r, BODY_A, &res);
    assert_int_equal(res.outcome, ORD_PLACE_STORE_UNAVAILABLE);
    assert_int_equal(res.cause, ORD_EUNAVAILABLE);
    finish(f, BODY_A, &res, 503);
    assert_int_equal(ord_memory_store_locked_customers(f->store), 0);
    assert_int_equal(ord_memory_store_order_count(f->store), 0);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_CATALOG), 0);

    ord_place_result retry = {0};
    place_keyed(f, &r, BODY_B, &retry);
    assert_int_equal(retry.outcome, ORD_PLACED);
    ord_place_result_free(&res);
    ord_place_result_free(&retry);
}

static void test_busy_retry_of_a_stored_order_keeps_the_key_bound(void **state)
{
    fx *f = *state;
    serialise(f);
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_RESERVE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 2);
    ord_place_result first = {0};
    place_keyed(f, &r, BODY_A, &first);
    assert_int_equal(first.outcome, ORD_PLACE_INVENTORY_UNAVAILABLE);
    finish(f, BODY_A, &first, 503);

    ord_memory_store_connection *other = hold_customer(f, FX_CUSTOMER);
    ord_place_result busy = {0};
    place_keyed(f, &r, BODY_A, &busy);
    assert_int_equal(busy.outcome, ORD_PLACE_CUSTOMER_BUSY);
    finish(f, BODY_A, &busy, 409);
    ord_memory_store_connection_free(other);

    /* The retry resumes the stored order instead of placing a second one. */
    ord_place_result retry = {0};
    place_keyed(f, &r, BODY_A, &retry);
    assert_int_equal(retry.outcome, ORD_PLACED);
    assert_int_equal(retry.order.id, first.order.id);
    assert_int_equal(ord_memory_store_order_count(f->store), 1);
    assert_int_equal(ord_memory_store_locked_customers(f->store), 0);
    ord_place_result_free(&first);
    ord_place_result_free(&busy);
    ord_place_result_free(&retry);
}

static void test_creates_are_not_serialised_by_default(void **state)
{
    fx *f = *state;
    ord_memory_store_connection *other = hold_customer(f, FX_CUSTOMER);
    size_t before = lock_calls(f);
    fx_place_confirmed(f);
    assert_int_equal(lock_calls(f), before);
    ord_memory_store_connection_free(other);
}

/* ---- Building the service. ---- */

static void expect_refused(fx *f, const ord_order_repository_ops *ops, bool serialize)
{
    ord_ports ports = f->ports;
    ports.orders.ops = ops;
    ord_service_config c = f->config;
    c.serialize_customer_creates = serialize;
    ord_service *svc = (ord_service *)&svc;
    assert_int_equal(ord_service_new(&svc, &ports, &c), ORD_EINVALID);
    assert_null(svc);
}

static void expect_built(fx *f, const ord_order_repository_ops *ops, bool serialize)
{
    ord_ports ports = f->ports;
    ports.orders.ops = ops;
    ord_service_config c = f->config;
    c.serialize_customer_creates = serialize;
    ord_service *svc = NULL;
    assert_int_equal(ord_service_new(&svc, &ports, &c), ORD_OK);
    ord_service_free(svc);
}

static void test_service_refuses_serialising_without_the_lock(void **state)
{
    fx *f = *state;
    ord_order_repository_ops v1 = *f->ports.orders.ops;
    v1.version = 1; /* a version 1 table has no lock, whatever follows it */
    expect_built(f, &v1, false);
    expect_refused(f, &v1, true);

    ord_order_repository_ops none = *f->ports.orders.ops;
    none.lock_customer = NULL;
    none.unlock_customer = NULL;
    expect_built(f, &none, false);
    expect_refused(f, &none, true);

    /* Half a lock is a broken adapter, asked for or not. */
    ord_order_repository_ops half = *f->ports.orders.ops;
    half.unlock_customer = NULL;
    expect_refused(f, &half, false);
    half = *f->ports.orders.ops;
    half.lock_customer = NULL;
    expect_refused(f, &half, false);

    expect_built(f, f->ports.orders.ops, true);
}

static void test_version_1_config_is_accepted_without_serialising(void **state)
{
    fx *f = *state;
    /* Built against the first header: the struct ends before the flag, so
     * whatever lies there is not read. */
    ord_service_config old = f->config;
    old.version = 1;
    old.serialize_customer_creates = true;
    ord_order_repository_ops v1 = *f->ports.orders.ops;
    v1.version = 1;
    ord_ports ports = f->ports;
    ports.orders.ops = &v1;
    ord_service *svc = NULL;
    assert_int_equal(ord_service_new(&svc, &ports, &old), ORD_OK);
    ord_service_free(svc);

    ord_service_free(f->svc);
    f->svc = NULL;
    assert_int_equal(ord_service_new(&f->svc, &f->ports, &old), ORD_OK);
    ord_memory_store_connection *other = hold_customer(f, FX_CUSTOMER);
    fx_place_confirmed(f);
    ord_memory_store_connection_free(other);
}

/* ---- Conflicts of create. ---- */

/* Counting ids, except that the next UUID may be set (once, or for good). */
typedef struct forced_ids {
    ord_id_source next;
    const char *forced;
    bool repeat;
} forced_ids;

static ord_error forced_uuid(void *self, char out[ORD_UUID_SIZE])
{
    forced_ids *ids = self;
    if (ids->forced == NULL)
        return ids->next.ops->uuid_v4(ids->next.self, out);
    snprintf(out, ORD_UUID_SIZE, "%s", ids->forced);
    if (!ids->repeat)
        ids->forced = NULL;
    return ORD_OK;
}

static const ord_id_source_ops forced_ops = {.version = ORD_ID_SOURCE_VERSION,
                                             .uuid_v4 = forced_uuid};

static void test_create_conflict_is_retried_only_for_a_taken_number(void **state)
{
    fx *f = *state;
    static const char uuid[] = "0f0f0f0f-0000-4000-8000-000000000042";
    forced_ids ids = {.next = f->ports.ids, .forced = uuid};
    f->ports.ids = (ord_id_source){.ops = &forced_ops, .self = &ids};
    fx_rebuild(f);
    int64_t first = fx_place_confirmed(f);

    /* The same number again: taken, so the order gets another one. */
    ids.forced = uuid;
    size_t creates = ord_memory_store_calls(f->store, ORD_MEM_ORDER_CREATE);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 2, 1);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACED);
    assert_true(res.order.id != first);
    assert_string_not_equal(res.order.number, "ORD-0f0f0f0f-0000-4000-8000-000000000042");
    assert_int_equal(ord_memory_store_calls(f->store, ORD_MEM_ORDER_CREATE), creates + 2);
    ord_place_result_free(&res);

    /* A conflict whose number is free is no clash: not retried, and the
     * customer is told to come back (nothing stored, no stock held). */
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_CREATE, ORD_FAULT_BEFORE, ORD_ECONFLICT, 0, 1);
    creates = ord_memory_store_calls(f->store, ORD_MEM_ORDER_CREATE);
    size_t orders = ord_memory_store_order_count(f->store);
    int64_t reserved = fx_stock(f, 2).reserved;
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACE_CUSTOMER_BUSY);
    assert_int_equal(ord_memory_store_calls(f->store, ORD_MEM_ORDER_CREATE), creates + 1);
    assert_int_equal(ord_memory_store_order_count(f->store), orders);
    assert_int_equal(fx_stock(f, 2).reserved, reserved);
    ord_place_result_free(&res);

    /* A number source that repeats itself is a fault, after a few tries. */
    ids.forced = uuid;
    ids.repeat = true;
    creates = ord_memory_store_calls(f->store, ORD_MEM_ORDER_CREATE);
    ord_principal admin = fx_admin();
    assert_int_equal(ord_place_order(f->svc, &admin, NULL, &r.req, NULL, &res), ORD_EINTERNAL);
    assert_int_equal(ord_memory_store_calls(f->store, ORD_MEM_ORDER_CREATE), creates + 3);
    assert_int_equal(ord_memory_store_order_count(f->store), orders);
    ord_place_result_free(&res);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_busy_customer_is_customer_busy_and_nothing_is_stored),
        T(test_customer_lock_is_held_from_prechecks_to_shipment),
        T(test_customer_lock_is_released_after_every_outcome),
        T(test_requests_refused_before_the_key_take_no_lock),
        T(test_unavailable_lock_is_store_unavailable_and_leaves_no_lock),
        T(test_busy_retry_of_a_stored_order_keeps_the_key_bound),
        T(test_creates_are_not_serialised_by_default),
        T(test_service_refuses_serialising_without_the_lock),
        T(test_version_1_config_is_accepted_without_serialising),
        T(test_create_conflict_is_retried_only_for_a_taken_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
