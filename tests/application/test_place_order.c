/* The create-order saga through the in-memory fakes: every outcome of
 * ord_place_order() and what it leaves in the store and the inventory. */
#include "fixture.h"

#include <string.h>

static void test_place_order_confirms_reserves_and_gets_tracking(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 2, 1, 2, 5, 1);
    ord_place_result res = {0};
    fx_place(f, &r, &res);

    assert_int_equal(res.outcome, ORD_PLACED);
    assert_false(res.tracking_pending);
    const ord_order *o = &res.order;
    assert_true(o->id > 0);
    assert_true(ord_order_number_is_valid(o->number));
    assert_int_equal(o->status, ORD_STATUS_CONFIRMED);
    assert_int_equal(o->total.minor, 34997);
    assert_string_equal(o->total.currency, "USD");
    assert_string_equal(o->carrier, "DHL");
    assert_string_equal(o->delivery_address, FX_ADDRESS);
    assert_int_equal(o->item_count, 2);
    assert_true(o->items[0].has_price);
    assert_int_equal(o->items[0].unit_price.minor, 9999);
    assert_int_equal(o->items[1].unit_price.minor, 14999);
    assert_int_equal(o->created_at_ms, FX_START_MS);

    char tracking[ORD_TRACKING_NUMBER_SIZE];
    assert_true(ord_memory_downstream_shipment(f->ds, o->id, tracking));
    assert_non_null(o->tracking_number);
    assert_string_equal(o->tracking_number, tracking);

    assert_int_equal(o->history_count, 2);
    assert_false(o->history[0].has_from);
    assert_int_equal(o->history[0].to, ORD_STATUS_PENDING_CHECK);
    assert_string_equal(o->history[0].reason, "created");
    assert_int_equal(o->history[1].from, ORD_STATUS_PENDING_CHECK);
    assert_int_equal(o->history[1].to, ORD_STATUS_CONFIRMED);
    assert_string_equal(o->history[1].reason, "stock_reserved");

    assert_int_equal(ord_memory_downstream_reservation(f->ds, o->id), ORD_MEM_RESERVATION_RESERVED);
    ord_memory_stock s = fx_stock(f, 1);
    assert_int_equal(s.available, 8);
    assert_int_equal(s.reserved, 2);

    /* What the caller got is what is stored. */
    ord_order stored;
    ord_order_init(&stored);
    fx_load(f, o->id, &stored);
    assert_int_equal(stored.version, o->version);
    assert_string_equal(stored.tracking_number, o->tracking_number);
    ord_order_free(&stored);

    assert_int_equal(ord_memory_store_event_count(f->store), 1);
    assert_int_equal(f->seen.created, 1);
    assert_int_equal(f->seen.status_changes, 1);
    ord_place_result_free(&res);
}

static void test_place_order_keeps_given_carrier(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 2, 3);
    r.req.carrier = "UPS";
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACED);
    assert_string_equal(res.order.carrier, "UPS");
    assert_int_equal(res.order.total.minor, 30);
    ord_place_result_free(&res);
}

static void test_place_order_unknown_product_stores_nothing(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 2, 1, 1, FX_UNKNOWN_PRODUCT, 1);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACE_UNKNOWN_PRODUCT);
    assert_int_equal(res.product_count, 1);
    assert_int_equal(res.products[0], FX_UNKNOWN_PRODUCT);
    assert_int_equal(res.order.id, 0);
    assert_int_equal(ord_memory_store_order_count(f->store), 0);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_RESERVE), 0);
    ord_place_result_free(&res);
}

static void test_place_order_restricted_account_stores_nothing(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_RESTRICTED, 1, 1, 1);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACE_RESTRICTED);
    assert_int_equal(ord_memory_store_order_count(f->store), 0);
    assert_int_equal(fx_stock(f, 1).available, 10);
    ord_place_result_free(&res);
}

static void test_place_order_ineligible_account_stores_nothing(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_INELIGIBLE, 1, 1, 1);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACE_INELIGIBLE);
    assert_int_equal(ord_memory_store_order_count(f->store), 0);
    ord_place_result_free(&res);
}

static void test_place_order_each_precheck_service_down_stores_nothing(void **state)
{
    fx *f = *state;
    const struct {
        ord_memory_downstream_op op;
        ord_precheck_service service;
        ord_error error;
    } cases[] = {
        {ORD_MEM_CATALOG, ORD_PRECHECK_CATALOG, ORD_EUNAVAILABLE},
        {ORD_MEM_RESTRICTIONS, ORD_PRECHECK_RESTRICTIONS, ORD_ETIMEOUT},
        {ORD_MEM_ELIGIBILITY, ORD_PRECHECK_ELIGIBILITY, ORD_ECONTRACT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fx_fail(f, FX_DOWNSTREAM, cases[i].op, ORD_FAULT_BEFORE, cases[i].error, 0, -1);
        fx_request r;
        fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
        ord_place_result res = {0};
        fx_place(f, &r, &res);
        assert_int_equal(res.outcome, ORD_PLACE_PRECHECK_UNAVAILABLE);
        assert_int_equal(res.failed_service, cases[i].service);
        assert_int_equal(res.cause, cases[i].error);
        assert_int_equal(ord_memory_store_order_count(f->store), 0);
        ord_place_result_free(&res);
        fx_heal(f, FX_DOWNSTREAM, cases[i].op);
    }
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_RESERVE), 0);
}

static void test_place_order_insufficient_stock_cancels_and_reserves_nothing(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 2, 1, 1, 4, 1);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACE_INSUFFICIENT_STOCK);
    assert_int_equal(res.product_count, 1);
    assert_int_equal(res.products[0], 4);
    assert_true(res.order.id > 0);
    assert_int_equal(res.order.status, ORD_STATUS_CANCELLED);

    ord_order stored;
    ord_order_init(&stored);
    fx_load(f, res.order.id, &stored);
    assert_int_equal(stored.status, ORD_STATUS_CANCELLED);
    assert_string_equal(stored.history[stored.history_count - 1].reason, "insufficient_stock");
    ord_order_free(&stored);

    assert_int_equal(ord_memory_downstream_reservation(f->ds, res.order.id),
                     ORD_MEM_RESERVATION_REJECTED);
    ord_memory_stock s = fx_stock(f, 1);
    assert_int_equal(s.available, 10);
    assert_int_equal(s.reserved, 0);
    assert_int_equal(ord_memory_store_event_count(f->store), 1); /* OrderCancelled */
    ord_place_result_free(&res);
}

static void test_place_order_inventory_down_leaves_order_pending(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_RESERVE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACE_INVENTORY_UNAVAILABLE);
    assert_int_equal(res.cause, ORD_EUNAVAILABLE);
    assert_true(res.order.id > 0);

    ord_order stored;
    ord_order_init(&stored);
    fx_load(f, res.order.id, &stored);
    assert_int_equal(stored.status, ORD_STATUS_PENDING_CHECK);
    assert_int_equal(stored.total.minor, 9999);
    ord_order_free(&stored);
    assert_int_equal(ord_memory_downstream_reservation(f->ds, res.order.id),
                     ORD_MEM_RESERVATION_NONE);
    assert_int_equal(ord_memory_store_event_count(f->store), 0);
    ord_place_result_free(&res);
}

static void test_place_order_tracking_down_confirms_with_tracking_pending(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_SHIPMENT, ORD_FAULT_BEFORE, ORD_ETIMEOUT, 0, -1);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACED);
    assert_true(res.tracking_pending);
    assert_int_equal(res.order.status, ORD_STATUS_CONFIRMED);
    assert_null(res.order.tracking_number);
    assert_int_equal(fx_stock(f, 1).reserved, 1);
    ord_place_result_free(&res);
}

static void test_place_order_store_down_answers_store_unavailable(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_CREATE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACE_STORE_UNAVAILABLE);
    assert_int_equal(res.cause, ORD_EUNAVAILABLE);
    assert_int_equal(ord_memory_store_order_count(f->store), 0);
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_RESERVE), 0);
    ord_place_result_free(&res);
}

static void test_place_order_reports_every_invalid_field(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, 0, 2, 1, 0, 1, 3);
    r.req.delivery_address = "   ";
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACE_INVALID);
    assert_true(ord_field_errors_has(&res.fields, "customerId"));
    assert_true(ord_field_errors_has(&res.fields, "items[0].quantity"));
    assert_true(ord_field_errors_has(&res.fields, "items[1].productId"));
    assert_true(ord_field_errors_has(&res.fields, "deliveryAddress"));
    assert_int_equal(ord_memory_downstream_calls(f->ds, ORD_MEM_CATALOG), 0);
    assert_int_equal(ord_memory_store_order_count(f->store), 0);
    ord_place_result_free(&res);
}

static void test_place_order_total_overflow_is_invalid_items(void **state)
{
    fx *f = *state;
    ord_money huge;
    assert_int_equal(ord_money_make(&huge, INT64_MAX / 4, "USD"), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_product(f->ds, 50, huge, 100000), ORD_OK);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 50, 10000);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACE_INVALID);
    assert_true(ord_field_errors_has(&res.fields, "items"));
    assert_int_equal(ord_memory_store_order_count(f->store), 0);
    ord_place_result_free(&res);
}

/* An order has one total: products priced in several currencies are
 * refused naming those in another currency than the first line's; retrying
 * cannot help, so it is not "unavailable". */
static void test_place_order_mixed_currencies_is_refused_naming_the_products(void **state)
{
    fx *f = *state;
    ord_money eur;
    assert_int_equal(ord_money_make(&eur, 500, "EUR"), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_product(f->ds, 60, eur, 10), ORD_OK);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 2, 1, 1, 60, 1);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACE_MIXED_CURRENCIES);
    assert_int_equal(res.product_count, 1);
    assert_int_equal(res.products[0], 60);
    assert_int_equal(ord_memory_store_order_count(f->store), 0);
    ord_place_result_free(&res);
}

/* A catalog that prices one product outside its contract: the precheck of
 * the memory adapter, with that product's price made unusable as the HTTP
 * adapter reports it. */
typedef struct unpriced_precheck {
    ord_precheck inner;
    int64_t product_id;
} unpriced_precheck;

static ord_error unpriced_check(void *self, const ord_call_context *ctx, int64_t customer_id,
                                ord_product_price *prices, size_t count,
                                ord_precheck_result *result)
{
    unpriced_precheck *p = self;
    ord_error err = p->inner.ops->check(p->inner.self, ctx, customer_id, prices, count, result);
    for (size_t i = 0; err == ORD_OK && i < count; i++)
        if (prices[i].product_id == p->product_id)
            prices[i].price = (ord_money){.minor = -1, .currency = ""};
    return err;
}

static const ord_precheck_ops unpriced_ops = {.version = ORD_PRECHECK_VERSION,
                                              .check = unpriced_check};

static void test_place_order_with_an_unpriced_product_is_refused_naming_it(void **state)
{
    fx *f = *state;
    unpriced_precheck wrapper = {.inner = f->ports.precheck, .product_id = 2};
    f->ports.precheck = (ord_precheck){&unpriced_ops, &wrapper};
    fx_rebuild(f);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 2, 1, 1, 2, 1);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACE_UNPRICED_PRODUCT);
    assert_int_equal(res.product_count, 1);
    assert_int_equal(res.products[0], 2);
    assert_int_equal(ord_memory_store_order_count(f->store), 0);
    ord_place_result_free(&res);
    f->ports.precheck = wrapper.inner;
    fx_rebuild(f);
}

static void test_place_order_customer_may_not_order_for_another(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_principal other = fx_customer(FX_OTHER_CUSTOMER);
    ord_place_result res = {0};
    assert_int_equal(ord_place_order(f->svc, &other, NULL, &r.req, NULL, &res), ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACE_FORBIDDEN);
    assert_int_equal(ord_memory_store_order_count(f->store), 0);
    ord_place_result_free(&res);

    ord_principal self = fx_customer(FX_CUSTOMER);
    assert_int_equal(ord_place_order(f->svc, &self, NULL, &r.req, NULL, &res), ORD_OK);
    assert_int_equal(res.outcome, ORD_PLACED);
    ord_place_result_free(&res);
}

/* An inventory that lets the test act in the middle of the saga: just
 * before (or after) the reservation it runs a hook. */
typedef struct hooked_inventory {
    ord_inventory inner;
    fx *f;
    void (*before_reserve)(struct hooked_inventory *h, int64_t order_id);
    void (*after_release)(struct hooked_inventory *h, int64_t order_id);
    bool short_of_nothing; /* answer "not reserved" naming no product */
    int depth;
} hooked_inventory;

static ord_error hooked_reserve(void *self, const ord_call_context *ctx, int64_t order_id,
                                const ord_order_item *items, size_t count,
                                ord_reserve_result *result)
{
    hooked_inventory *h = self;
    if (h->before_reserve && h->depth == 0) {
        h->depth++;
        h->before_reserve(h, order_id);
        h->depth--;
    }
    if (h->short_of_nothing) {
        memset(result, 0, sizeof *result);
        return ORD_OK;
    }
    return h->inner.ops->reserve(h->inner.self, ctx, order_id, items, count, result);
}

static ord_error hooked_release(void *self, const ord_call_context *ctx, int64_t order_id)
{
    hooked_inventory *h = self;
    ord_error err = h->inner.ops->release(h->inner.self, ctx, order_id);
    if (h->after_release && h->depth == 0) {
        h->depth++;
        h->after_release(h, order_id);
        h->depth--;
    }
    return err;
}

static ord_error hooked_commit(void *self, const ord_call_context *ctx, int64_t order_id)
{
    hooked_inventory *h = self;
    return h->inner.ops->commit(h->inner.self, ctx, order_id);
}

static const ord_inventory_ops hooked_ops = {
    .version = ORD_INVENTORY_VERSION,
    .reserve = hooked_reserve,
    .release = hooked_release,
    .commit = hooked_commit,
};

static void install_hook(fx *f, hooked_inventory *h,
                         void (*hook)(hooked_inventory *h, int64_t order_id))
{
    h->inner = f->ports.inventory;
    h->f = f;
    h->before_reserve = hook;
    h->after_release = NULL;
    h->short_of_nothing = false;
    h->depth = 0;
    f->ports.inventory = (ord_inventory){.ops = &hooked_ops, .self = h};
    fx_rebuild(f);
}

static void cancel_now(hooked_inventory *h, int64_t order_id)
{
    char ref[24];
    ord_principal admin = fx_admin();
    assert_int_equal(ord_cancel_order(h->f->svc, &admin, NULL, fx_ref(order_id, ref), 0), ORD_OK);
}

static void test_place_order_cancelled_during_reserve_releases_and_conflicts(void **state)
{
    fx *f = *state;
    hooked_inventory h;
    install_hook(f, &h, cancel_now);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 3);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACE_CONFLICT);
    assert_int_equal(res.order.status, ORD_STATUS_CANCELLED);
    /* The reservation that landed after the cancel's release was given back. */
    assert_int_equal(ord_memory_downstream_reservation(f->ds, res.order.id),
                     ORD_MEM_RESERVATION_RELEASED);
    ord_memory_stock s = fx_stock(f, 1);
    assert_int_equal(s.available, 10);
    assert_int_equal(s.reserved, 0);
    ord_place_result_free(&res);
}

/* The cancel wins, then inventory stops answering releases and the first
 * write of the owed release loses a version race (as against the cancel's
 * own clearing of its debt). */
static void cancel_now_then_break_release(hooked_inventory *h, int64_t order_id)
{
    cancel_now(h, order_id);
    fx_fail(h->f, FX_DOWNSTREAM, ORD_MEM_RELEASE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, -1);
    /* The first update after this is the confirm, which loses for real. */
    fx_fail(h->f, FX_STORE, ORD_MEM_ORDER_UPDATE, ORD_FAULT_BEFORE, ORD_ECONFLICT, 1, 1);
}

static void test_place_order_late_reservation_stays_owed_when_its_write_loses_a_race(void **state)
{
    fx *f = *state;
    hooked_inventory h;
    install_hook(f, &h, cancel_now_then_break_release);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 3);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACE_CONFLICT);
    int64_t id = res.order.id;
    ord_place_result_free(&res);
    assert_int_equal(fx_stock(f, 1).reserved, 3);

    ord_order o;
    ord_order_init(&o);
    fx_load(f, id, &o);
    assert_int_equal(o.status, ORD_STATUS_CANCELLED);
    assert_int_equal(o.pending_inventory, ORD_INVENTORY_RELEASE);
    ord_order_free(&o);

    fx_heal(f, FX_DOWNSTREAM, ORD_MEM_RELEASE);
    ord_manual_clock_advance(f->clock, f->config.tracking_backoff_min_ms);
    ord_work_report report;
    assert_int_equal(ord_recover_inventory_actions(f->svc, 10, &report), ORD_OK);
    assert_int_equal(report.completed, 1);
    ord_memory_stock s = fx_stock(f, 1);
    assert_int_equal(s.reserved, 0);
    assert_int_equal(s.available, 10);
}

/* What a saga that lost its race with a cancel does between the cancel's
 * release and the cancel clearing its debt: its reservation reaches
 * inventory late, and it records the release it now owes. */
static void late_reservation_recorded(hooked_inventory *h, int64_t order_id)
{
    h->after_release = NULL;
    const ord_order_repository *repo = &h->f->ports.orders;
    ord_order o;
    ord_order_init(&o);
    assert_int_equal(repo->ops->get_by_id(repo->self, order_id, &o), ORD_OK);
    ord_reserve_result rr;
    assert_int_equal(h->inner.ops->reserve(h->inner.self, NULL, order_id, o.items, o.item_count,
                                           &rr),
                     ORD_OK);
    assert_true(rr.reserved);
    o.pending_inventory = ORD_INVENTORY_RELEASE;
    ord_order_update up = {.order = &o, .fields = ORD_UPDATE_INVENTORY};
    int64_t version = 0;
    assert_int_equal(repo->ops->update(repo->self, &up, &version), ORD_OK);
    ord_order_free(&o);
}

static void test_cancel_pays_again_a_release_recorded_while_it_settled(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_DOWNSTREAM, ORD_MEM_RESERVE, ORD_FAULT_BEFORE, ORD_EUNAVAILABLE, 0, 1);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 3);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACE_INVENTORY_UNAVAILABLE);
    int64_t id = res.order.id;
    ord_place_result_free(&res);

    hooked_inventory h;
    install_hook(f, &h, NULL);
    h.after_release = late_reservation_recorded;
    char ref[24];
    ord_principal admin = fx_admin();
    assert_int_equal(ord_cancel_order(f->svc, &admin, NULL, fx_ref(id, ref), 0), ORD_OK);

    ord_memory_stock s = fx_stock(f, 1);
    assert_int_equal(s.reserved, 0);
    assert_int_equal(s.available, 10);
    assert_int_equal(ord_memory_downstream_reservation(f->ds, id), ORD_MEM_RESERVATION_RELEASED);
    ord_order o;
    ord_order_init(&o);
    fx_load(f, id, &o);
    assert_int_equal(o.status, ORD_STATUS_CANCELLED);
    assert_int_equal(o.pending_inventory, ORD_INVENTORY_NONE);
    ord_order_free(&o);
}

/* "Not reserved" that names no product short of stock is no answer to
 * cancel a customer's order on: it is outside the contract, and the order
 * waits in PENDING_CHECK as for any other inventory failure. */
static void test_place_order_shortage_naming_no_product_keeps_the_order_pending(void **state)
{
    fx *f = *state;
    hooked_inventory h;
    install_hook(f, &h, NULL);
    h.short_of_nothing = true;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACE_INVENTORY_UNAVAILABLE);
    assert_int_equal(res.cause, ORD_ECONTRACT);
    assert_int_equal(res.order.status, ORD_STATUS_PENDING_CHECK);
    int64_t id = res.order.id;
    ord_place_result_free(&res);

    /* Once inventory answers properly, recovery places it. */
    h.short_of_nothing = false;
    ord_manual_clock_advance(f->clock, f->config.pending_stale_ms);
    ord_work_report report;
    assert_int_equal(ord_recover_pending_orders(f->svc, 10, &report), ORD_OK);
    assert_int_equal(report.completed, 1);
    ord_order o;
    ord_order_init(&o);
    fx_load(f, id, &o);
    assert_int_equal(o.status, ORD_STATUS_CONFIRMED);
    ord_order_free(&o);
}

static void recover_now(hooked_inventory *h, int64_t order_id)
{
    (void)order_id;
    ord_manual_clock_advance(h->f->clock, h->f->config.pending_stale_ms);
    ord_work_report report;
    assert_int_equal(ord_recover_pending_orders(h->f->svc, 10, &report), ORD_OK);
    assert_int_equal(report.completed, 1);
}

static void test_place_order_continues_when_recovery_confirmed_first(void **state)
{
    fx *f = *state;
    hooked_inventory h;
    install_hook(f, &h, recover_now);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 2);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACED);
    assert_int_equal(res.order.status, ORD_STATUS_CONFIRMED);
    assert_non_null(res.order.tracking_number);
    ord_memory_stock s = fx_stock(f, 1);
    assert_int_equal(s.reserved, 2); /* one reservation, not two */
    assert_int_equal(s.available, 8);
    assert_int_equal(ord_memory_store_event_count(f->store), 1); /* one OrderPlaced */
    ord_place_result_free(&res);
}

static void test_place_order_retries_confirm_after_a_spurious_conflict(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_UPDATE, ORD_FAULT_BEFORE, ORD_ECONFLICT, 0, 1);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACED);
    assert_int_equal(res.order.status, ORD_STATUS_CONFIRMED);
    assert_int_equal(ord_memory_store_event_count(f->store), 1);
    ord_place_result_free(&res);
}

static void test_place_order_confirms_with_its_tracking_number_in_one_update(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACED);
    assert_false(res.tracking_pending);
    assert_non_null(res.order.tracking_number);
    /* CONFIRMED, the number, the history entry and the event: one write. */
    assert_int_equal(ord_memory_store_calls(f->store, ORD_MEM_ORDER_UPDATE), 1);
    assert_int_equal(ord_memory_store_event_count(f->store), 1);
    ord_order stored;
    ord_order_init(&stored);
    fx_load(f, res.order.id, &stored);
    assert_int_equal(stored.status, ORD_STATUS_CONFIRMED);
    assert_string_equal(stored.tracking_number, res.order.tracking_number);
    ord_order_free(&stored);
    ord_place_result_free(&res);
}

static void test_place_order_keeps_the_tracking_number_when_the_confirm_is_retried(void **state)
{
    fx *f = *state;
    fx_fail(f, FX_STORE, ORD_MEM_ORDER_UPDATE, ORD_FAULT_BEFORE, ORD_ECONFLICT, 0, 1);
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACED);
    assert_false(res.tracking_pending);
    assert_non_null(res.order.tracking_number);
    assert_int_equal(ord_memory_store_calls(f->store, ORD_MEM_ORDER_UPDATE), 2);
    ord_order stored;
    ord_order_init(&stored);
    fx_load(f, res.order.id, &stored);
    assert_string_equal(stored.tracking_number, res.order.tracking_number);
    ord_order_free(&stored);
    ord_place_result_free(&res);
}

static void test_place_order_rejects_missing_arguments(void **state)
{
    fx *f = *state;
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 1, 1, 1);
    ord_principal admin = fx_admin();
    ord_place_result res = {0};
    assert_int_equal(ord_place_order(NULL, &admin, NULL, &r.req, NULL, &res), ORD_EINVALID);
    assert_int_equal(ord_place_order(f->svc, NULL, NULL, &r.req, NULL, &res), ORD_EINVALID);
    assert_int_equal(ord_place_order(f->svc, &admin, NULL, NULL, NULL, &res), ORD_EINVALID);
    assert_int_equal(ord_place_order(f->svc, &admin, NULL, &r.req, NULL, NULL), ORD_EINVALID);
    assert_int_equal(ord_memory_store_order_count(f->store), 0);
    ord_place_result_free(&res);
    ord_place_result_free(NULL);
}

#define T(name) cmocka_unit_test_setup_teardown(name, fx_setup, fx_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_place_order_confirms_reserves_and_gets_tracking),
        T(test_place_order_keeps_given_carrier),
        T(test_place_order_unknown_product_stores_nothing),
        T(test_place_order_restricted_account_stores_nothing),
        T(test_place_order_ineligible_account_stores_nothing),
        T(test_place_order_each_precheck_service_down_stores_nothing),
        T(test_place_order_insufficient_stock_cancels_and_reserves_nothing),
        T(test_place_order_inventory_down_leaves_order_pending),
        T(test_place_order_tracking_down_confirms_with_tracking_pending),
        T(test_place_order_store_down_answers_store_unavailable),
        T(test_place_order_reports_every_invalid_field),
        T(test_place_order_total_overflow_is_invalid_items),
        T(test_place_order_mixed_currencies_is_refused_naming_the_products),
        T(test_place_order_with_an_unpriced_product_is_refused_naming_it),
        T(test_place_order_customer_may_not_order_for_another),
        T(test_place_order_cancelled_during_reserve_releases_and_conflicts),
        T(test_place_order_late_reservation_stays_owed_when_its_write_loses_a_race),
        T(test_cancel_pays_again_a_release_recorded_while_it_settled),
        T(test_place_order_shortage_naming_no_product_keeps_the_order_pending),
        T(test_place_order_continues_when_recovery_confirmed_first),
        T(test_place_order_retries_confirm_after_a_spurious_conflict),
        T(test_place_order_confirms_with_its_tracking_number_in_one_update),
        T(test_place_order_keeps_the_tracking_number_when_the_confirm_is_retried),
        T(test_place_order_rejects_missing_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
