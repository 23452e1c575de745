/* Serialised creates and checkout: a customer's draft takes the customer's
 * lock once its owner proved itself and lets go on every way out; a busy
 * customer leaves the draft as it was; a guest's draft takes no lock. */
#include "fixture.h"

#include <string.h>

#define KEY "checkout-key"
#define BODY_A "POST /api/v1/orders/1/checkout\n{\"a\":1}"
#define BODY_B "POST /api/v1/orders/1/checkout\n{\"b\":2}"

static ord_principal admin;

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

static int64_t new_draft(fx *f, const ord_draft_owner *owner, size_t count, int64_t product)
{
    ord_item_request items[] = {{.product_id = product, .quantity = 1}};
    ord_order draft;
    ord_order_init(&draft);
    assert_int_equal(ord_create_draft(f->svc, &admin, owner, items, count, NULL, NULL, &draft), ORD_OK);
    int64_t id = draft.id;
    ord_order_free(&draft);
    return id;
}

static void checkout(fx *f, int64_t id, const ord_draft_owner *owner, const char *body,
                     ord_place_result *out)
{
    char ref[24];
    ord_checkout_request req = {.owner = *owner, .delivery_address = FX_ADDRESS};
    ord_idempotency idem = {.key = KEY, .fingerprint = body};
    assert_int_equal(ord_checkout_draft(f->svc, &admin, NULL, fx_ref(id, ref), &req,
                                        body != NULL ? &idem : NULL, out),
                     ORD_OK);
}

static void finish(fx *f, const char *body, const ord_place_result *res, int status)
{
    ord_idempotency idem = {.key = KEY, .fingerprint = body};
    assert_int_equal(ord_place_finish(f->svc, &idem, res, status, "{}"), ORD_OK);
}

static void test_checkout_of_a_busy_customers_draft_is_busy_and_changes_nothing(void **state)
{
    fx *f = *state;
    serialise(f);
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    int64_t id = new_draft(f, &owner, 1, 1);
    ord_memory_store_connection *other = hold_customer(f, FX_CUSTOMER);

    ord_place_result res = {0};
    checkout(f, id, &owner, BODY_A, &res);
    assert_int_equal(res.outcome, ORD_PLACE_CUSTOMER_BUSY);
    finish(f, BODY_A, &res, 409);
    ord_order d;
    ord_order_init(&d);
    fx_load(f, id, &d);
    assert_int_equal(d.status, ORD_STATUS_DRAFT);
    assert_int_equal(d.version, 1);
    assert_false(d.items[0].has_price);
    ord_order_free(&d);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_CATALOG), 0);
    assert_int_equal(fx_stock(f, 1).reserved, 0);

    /* The key was forgotten: once the customer is free, any body may use it. */
    ord_memory_store_connection_free(other);
    ord_place_result retry = {0};
    checkout(f, id, &owner, BODY_B, &retry);
    assert_int_equal(retry.outcome, ORD_PLACED);
    assert_int_equal(retry.order.id, id);
    assert_int_equal(ord_memory_store_locked_customers(f->store), 0);
    ord_place_result_free(&res);
    ord_place_result_free(&retry);
}

static void test_checkout_releases_the_customer_lock_after_every_outcome(void **state)
{
    fx *f = *state;
    serialise(f);
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    struct {
        size_t lines;
        int64_t product;
        ord_place_outcome outcome;
    } cases[] = {
        {1, 1, ORD_PLACED},
        {0, 0, ORD_PLACE_EMPTY_DRAFT},
        {1, FX_UNKNOWN_PRODUCT, ORD_PLACE_UNKNOWN_PRODUCT},
        {1, 4, ORD_PLACE_INSUFFICIENT_STOCK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t id = new_draft(f, &owner, cases[i].lines, cases[i].product);
        size_t before = lock_calls(f);
        ord_place_result res = {0};
        checkout(f, id, &owner, NULL, &res);
        assert_int_equal(res.outcome, cases[i].outcome);
        assert_int_equal(lock_calls(f), before + 1);
        assert_int_equal(ord_memory_store_locked_customers(f->store), 0);
        ord_place_result_free(&res);
        if (i == 0) {
            /* Checked out already: not a draft any more. */
            checkout(f, id, &owner, NULL, &res);
            assert_int_equal(res.outcome, ORD_PLACE_NOT_DRAFT);
            assert_int_equal(lock_calls(f), before + 2);
            assert_int_equal(ord_memory_store_locked_customers(f->store), 0);
            ord_place_result_free(&res);
        }
    }
    int64_t id = new_draft(f, &owner, 1, 2);
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_ELIGIBILITY, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    ord_place_result res = {0};
    checkout(f, id, &owner, NULL, &res);
    assert_int_equal(res.outcome, ORD_PLACE_PRECHECK_UNAVAILABLE);
    assert_int_equal(ord_memory_store_locked_customers(f->store), 0);
    ord_place_result_free(&res);
}

static void test_checkout_takes_no_lock_before_the_owner_proved_itself(void **state)
{
    fx *f = *state;
    serialise(f);
    ord_draft_owner owner = {.customer_id = FX_CUSTOMER};
    int64_t id = new_draft(f, &owner, 1, 1);
    ord_memory_store_connection *other = hold_customer(f, FX_CUSTOMER);
    size_t before = lock_calls(f);
    ord_draft_owner impostor = {.customer_id = FX_OTHER_CUSTOMER};
    ord_place_result res = {0};
    checkout(f, id, &impostor, NULL, &res);
    assert_int_equal(res.outcome, ORD_PLACE_NOT_OWNER);
    assert_int_equal(lock_calls(f), before);
    ord_place_result_free(&res);
    ord_memory_store_connection_free(other);
}

static void test_guest_draft_checkout_takes_no_lock(void **state)
{
    fx *f = *state;
    serialise(f);
    ord_draft_owner guest = {.guest_token = "gUeSt5eCr3tT0k3nF0rL0ck9"};
    int64_t id = new_draft(f, &guest, 1, 1);
    size_t before = lock_calls(f);
    ord_place_result res = {0};
    checkout(f, id, &guest, NULL, &res);
    assert_int_equal(res.outcome, ORD_PLACED);
    assert_int_equal(lock_calls(f), before);
    ord_place_result_free(&res);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_checkout_of_a_busy_customers_draft_is_busy_and_changes_nothing),
        T(test_checkout_releases_the_customer_lock_after_every_outcome),
        T(test_checkout_takes_no_lock_before_the_owner_proved_itself),
        T(test_guest_draft_checkout_takes_no_lock),
    };
    admin = fx_admin();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
