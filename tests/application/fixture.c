/* The shared world of the application tests (see fixture.h). */
#include "fixture.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_created(void *ctx, const ord_order *order)
{
    fx_observed *seen = ctx;
    (void)order;
    seen->created++;
}

static void on_status(void *ctx, const ord_order *order, ord_status from, ord_status to)
{
    fx_observed *seen = ctx;
    assert_int_equal(order->status, to);
    assert_int_not_equal(from, to);
    seen->status_changes++;
}

static void on_background(void *ctx, const char *what, int64_t order_id, ord_error result)
{
    fx_observed *seen = ctx;
    seen->background++;
    seen->last_background_order = order_id;
    seen->last_background_result = result;
    snprintf(seen->last_background_what, sizeof seen->last_background_what, "%s", what);
}

static ord_money usd(int64_t minor)
{
    ord_money m;
    assert_int_equal(ord_money_make(&m, minor, "USD"), ORD_OK);
    return m;
}

void fx_rebuild(fx *f)
{
    ord_service_free(f->svc);
    f->svc = NULL;
    assert_int_equal(ord_service_new(&f->svc, &f->ports, &f->config), ORD_OK);
}

int fx_setup(void **state)
{
    fx *f = calloc(1, sizeof *f);
    assert_non_null(f);
    assert_int_equal(ord_memory_store_new(&f->store), ORD_OK);
    assert_int_equal(ord_memory_downstream_new(&f->ds), ORD_OK);
    assert_int_equal(ord_manual_clock_new(&f->clock, FX_START_MS), ORD_OK);
    assert_int_equal(ord_counting_ids_new(&f->ids), ORD_OK);

    assert_int_equal(ord_memory_downstream_set_product(f->ds, 1, usd(9999), 10), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_product(f->ds, 2, usd(10), 100), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_product(f->ds, 3, usd(20), 100), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_product(f->ds, 4, usd(14999), 0), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_product(f->ds, 5, usd(14999), 10), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_restricted(f->ds, FX_RESTRICTED, true), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_ineligible(f->ds, FX_INELIGIBLE, true), ORD_OK);

    f->ports.orders = ord_memory_store_orders(f->store);
    f->ports.outbox = ord_memory_store_outbox(f->store);
    f->ports.idempotency = ord_memory_store_idempotency(f->store);
    f->ports.precheck = ord_memory_downstream_precheck(f->ds);
    f->ports.inventory = ord_memory_downstream_inventory(f->ds);
    f->ports.tracking = ord_memory_downstream_tracking(f->ds);
    f->ports.events = ord_memory_downstream_events(f->ds);
    f->ports.clock = ord_manual_clock_port(f->clock);
    f->ports.ids = ord_counting_ids_port(f->ids);

    ord_service_config config = ORD_SERVICE_CONFIG_INIT;
    config.worker_id = "test-worker";
    config.observer = (ord_service_observer){
        .ctx = &f->seen,
        .order_created = on_created,
        .status_changed = on_status,
        .background_action = on_background,
    };
    f->config = config;
    fx_rebuild(f);
    *state = f;
    return 0;
}

int fx_teardown(void **state)
{
    fx *f = *state;
    ord_service_free(f->svc);
    ord_memory_store_free(f->store);
    ord_memory_downstream_free(f->ds);
    ord_manual_clock_free(f->clock);
    ord_counting_ids_free(f->ids);
    free(f);
    return 0;
}

ord_principal fx_admin(void)
{
    return (ord_principal){.kind = ORD_PRINCIPAL_ADMIN, .customer_id = 0, .subject = "ops"};
}

ord_principal fx_customer(int64_t customer_id)
{
    return (ord_principal){.kind = ORD_PRINCIPAL_CUSTOMER, .customer_id = customer_id,
                           .subject = NULL};
}

void fx_request_init(fx_request *r, int64_t customer_id, size_t count, ...)
{
    memset(r, 0, sizeof *r);
    va_list ap;
    va_start(ap, count);
    for (size_t i = 0; i < count; i++) {
        r->items[i].product_id = va_arg(ap, int);
        r->items[i].quantity = va_arg(ap, int);
    }
    va_end(ap);
    r->req.customer_id = customer_id;
    r->req.customer_name = "Ada Lovelace";
    r->req.delivery_address = FX_ADDRESS;
    r->req.carrier = NULL;
    r->req.items = r->items;
    r->req.item_count = count;
}

void fx_place(fx *f, const fx_request *r, ord_place_result *out)
{
    ord_principal admin = fx_admin();
    assert_int_equal(ord_place_order(f->svc, &admin, NULL, &r->req, NULL, out), ORD_OK);
}

int64_t fx_place_confirmed(fx *f)
{
    fx_request r;
    fx_request_init(&r, FX_CUSTOMER, 2, 1, 2, 5, 1);
    ord_place_result res = {0};
    fx_place(f, &r, &res);
    assert_int_equal(res.outcome, ORD_PLACED);
    assert_int_equal(res.order.status, ORD_STATUS_CONFIRMED);
    int64_t id = res.order.id;
    ord_place_result_free(&res);
    return id;
}

ord_memory_stock fx_stock(fx *f, int64_t product_id)
{
    ord_memory_stock s;
    assert_int_equal(ord_memory_downstream_stock(f->ds, product_id, &s), ORD_OK);
    return s;
}

void fx_load(fx *f, int64_t id, ord_order *out)
{
    char ref[24];
    ord_principal admin = fx_admin();
    assert_int_equal(ord_get_order(f->svc, &admin, fx_ref(id, ref), out), ORD_OK);
}

const char *fx_ref(int64_t id, char buf[24])
{
    snprintf(buf, 24, "%" PRId64, id);
    return buf;
}

void fx_fail(fx *f, int op_is_store, int op, ord_fault_mode mode, ord_error error, int skip,
             int times)
{
    ord_fault fault = {.mode = mode, .error = error, .skip = skip, .times = times};
    if (op_is_store)
        ord_memory_store_inject(f->store, (ord_memory_store_op)op, &fault);
    else
        ord_memory_downstream_inject(f->ds, (ord_memory_downstream_op)op, &fault);
}

void fx_heal(fx *f, int op_is_store, int op)
{
    ord_fault none = {0};
    if (op_is_store)
        ord_memory_store_inject(f->store, (ord_memory_store_op)op, &none);
    else
        ord_memory_downstream_inject(f->ds, (ord_memory_downstream_op)op, &none);
}

void fx_relay_all(fx *f)
{
    for (int round = 0; round < 1000; round++) {
        ord_work_report report;
        assert_int_equal(ord_relay_events(f->svc, 100, &report), ORD_OK);
        if (report.claimed == 0)
            return;
    }
    fail_msg("the relay never ran dry");
}
