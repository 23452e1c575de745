/* The storage contract's runner and shared helpers: every test gets a fresh,
 * empty store from the factory and talks to it only through the ports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "store_contract.h"

/* cmocka's setup and teardown take no argument: the runner parks the
 * factory here for the length of one run. */
static const ord_store_factory *factory;

/* Numbers and event ids only need to differ within one run. */
static unsigned long long last_serial;

int sc_setup(void **state)
{
    ord_store_fixture *f = calloc(1, sizeof *f);
    if (f == NULL)
        return -1;
    if (factory->setup(f) != 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

int sc_teardown(void **state)
{
    ord_store_fixture *f = *state;
    if (f != NULL) {
        factory->teardown(f);
        free(f);
    }
    *state = NULL;
    return 0;
}

/* A version 1 repository has no lock fields at all: look only at version 2. */
static bool has_lock(const ord_order_repository *repo)
{
    return repo->ops->version >= 2 && repo->ops->lock_customer != NULL &&
           repo->ops->unlock_customer != NULL;
}

ord_order_repository sc_second_connection(ord_store_fixture *f)
{
    ord_order_repository second = {0};
    if (factory->second_connection == NULL || !has_lock(&f->orders)) {
        skip();
        return second;
    }
    assert_int_equal(factory->second_connection(f, &second), 0);
    assert_non_null(second.ops);
    assert_true(has_lock(&second));
    return second;
}

void sc_deliver_at(ord_store_fixture *f, int64_t id, int64_t at_ms)
{
    if (factory->deliver_at == NULL) {
        skip();
        return;
    }
    assert_int_equal(factory->deliver_at(f, id, at_ms), 0);
}

void sc_next_uuid(char out[ORD_UUID_SIZE])
{
    snprintf(out, ORD_UUID_SIZE, "5c0e1d2a-7b3f-4c6d-8e9f-%012llx", ++last_serial);
}

void sc_next_number(char out[ORD_ORDER_NUMBER_SIZE])
{
    char uuid[ORD_UUID_SIZE];
    sc_next_uuid(uuid);
    snprintf(out, ORD_ORDER_NUMBER_SIZE, "ORD-%s", uuid);
}

void sc_build_order(ord_order *order, int64_t customer_id, int64_t at_ms)
{
    ord_order_init(order);
    sc_next_number(order->number);
    order->customer_id = customer_id;
    ord_order_item items[2] = {
        {.product_id = 1, .quantity = 2, .has_price = true},
        {.product_id = 2, .quantity = 1, .has_price = true},
    };
    assert_int_equal(ord_money_make(&items[0].unit_price, 9999, "USD"), ORD_OK);
    assert_int_equal(ord_money_make(&items[1].unit_price, 10, "USD"), ORD_OK);
    assert_int_equal(ord_order_set_items(order, items, 2), ORD_OK);
    assert_int_equal(ord_order_compute_total(order, &order->total, "USD"), ORD_OK);
    assert_int_equal(ord_order_set_text(&order->delivery_address, "1 Main St, Springfield"), ORD_OK);
    assert_int_equal(ord_order_set_text(&order->carrier, "DHL"), ORD_OK);
    assert_int_equal(ord_order_start(order, ORD_STATUS_PENDING_CHECK, at_ms, "created"), ORD_OK);
}

void sc_build_full_order(ord_order *o)
{
    sc_build_order(o, 4242, SC_T0);
    ord_order_item items[3] = {
        {.product_id = 1, .quantity = 3, .has_price = true},
        {.product_id = 7, .quantity = 10000, .has_price = true},
        {.product_id = 9, .quantity = 1, .has_price = true},
    };
    assert_int_equal(ord_money_make(&items[0].unit_price, 9999, "USD"), ORD_OK);
    assert_int_equal(ord_money_make(&items[1].unit_price, 1, "USD"), ORD_OK);
    assert_int_equal(ord_money_make(&items[2].unit_price, 0, "USD"), ORD_OK);
    assert_int_equal(ord_order_set_items(o, items, 3), ORD_OK);
    assert_int_equal(ord_order_compute_total(o, &o->total, "USD"), ORD_OK);
    assert_int_equal(ord_order_set_text(&o->customer_name, "Ada Lovelace"), ORD_OK);
    assert_int_equal(ord_order_set_text(&o->carrier, "UPS"), ORD_OK);
    assert_int_equal(ord_order_set_text(&o->tracking_number, "1Z999AA10123456784"), ORD_OK);
    strcpy(o->guest_token_hash, "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08");
    o->pending_inventory = ORD_INVENTORY_RELEASE;
    o->updated_at_ms = SC_T0 + 1234;
}

int64_t sc_create_order(const ord_store_fixture *f, int64_t customer_id, int64_t at_ms)
{
    ord_order order;
    sc_build_order(&order, customer_id, at_ms);
    assert_int_equal(f->orders.ops->create(f->orders.self, &order), ORD_OK);
    int64_t id = order.id;
    assert_true(id > 0);
    ord_order_free(&order);
    return id;
}

void sc_load(const ord_store_fixture *f, int64_t id, ord_order *out)
{
    ord_order_init(out);
    assert_int_equal(f->orders.ops->get_by_id(f->orders.self, id, out), ORD_OK);
}

int64_t sc_move(const ord_store_fixture *f, int64_t id, ord_status to, int64_t at_ms)
{
    ord_order order;
    sc_load(f, id, &order);
    ord_status_change change;
    assert_int_equal(ord_order_transition(&order, to, at_ms, "moved", &change), ORD_OK);

    char payload[96];
    ord_outbox_event event = {0};
    ord_event_type type;
    bool raises = ord_event_type_for_status(&type, to);
    if (raises) {
        sc_next_uuid(event.event_id);
        event.type = type;
        event.order_id = id;
        event.customer_id = order.customer_id;
        event.sequence = order.version + 1;
        event.occurred_at_ms = at_ms;
        snprintf(payload, sizeof payload, "{\"orderId\":%lld,\"version\":%lld}", (long long)id,
                 (long long)(order.version + 1));
        event.payload = payload;
    }
    ord_order_update update = {
        .order = &order,
        .fields = ORD_UPDATE_STATUS,
        .change = &change,
        .event = raises ? &event : NULL,
    };
    int64_t version = 0;
    assert_int_equal(f->orders.ops->update(f->orders.self, &update, &version), ORD_OK);
    assert_int_equal(version, order.version + 1);
    ord_order_free(&order);
    return version;
}

void sc_set_pending_inventory(const ord_store_fixture *f, int64_t id, ord_inventory_action action,
                              int64_t at_ms)
{
    ord_order order;
    sc_load(f, id, &order);
    order.pending_inventory = action;
    order.updated_at_ms = at_ms;
    ord_order_update update = {.order = &order, .fields = ORD_UPDATE_INVENTORY};
    int64_t version = 0;
    assert_int_equal(f->orders.ops->update(f->orders.self, &update, &version), ORD_OK);
    ord_order_free(&order);
}

static void assert_text_equal(const char *expected, const char *actual)
{
    if (expected == NULL)
        assert_null(actual);
    else
        assert_string_equal(expected, actual);
}

void sc_assert_orders_equal(const ord_order *e, const ord_order *a)
{
    assert_int_equal(e->id, a->id);
    assert_string_equal(e->number, a->number);
    assert_int_equal(e->customer_id, a->customer_id);
    assert_string_equal(e->guest_token_hash, a->guest_token_hash);
    assert_text_equal(e->customer_name, a->customer_name);
    assert_text_equal(e->delivery_address, a->delivery_address);
    assert_text_equal(e->carrier, a->carrier);
    assert_text_equal(e->tracking_number, a->tracking_number);
    assert_int_equal(e->status, a->status);
    assert_int_equal(e->total.minor, a->total.minor);
    assert_string_equal(e->total.currency, a->total.currency);
    assert_int_equal(e->version, a->version);
    assert_int_equal(e->created_at_ms, a->created_at_ms);
    assert_int_equal(e->updated_at_ms, a->updated_at_ms);
    assert_int_equal(e->pending_inventory, a->pending_inventory);
    assert_int_equal(e->item_count, a->item_count);
    for (size_t i = 0; i < e->item_count; i++) {
        assert_int_equal(e->items[i].product_id, a->items[i].product_id);
        assert_int_equal(e->items[i].quantity, a->items[i].quantity);
        assert_int_equal(e->items[i].has_price, a->items[i].has_price);
        if (e->items[i].has_price) {
            assert_int_equal(e->items[i].unit_price.minor, a->items[i].unit_price.minor);
            assert_string_equal(e->items[i].unit_price.currency, a->items[i].unit_price.currency);
        }
    }
    assert_int_equal(e->history_count, a->history_count);
    for (size_t i = 0; i < e->history_count; i++) {
        assert_int_equal(e->history[i].has_from, a->history[i].has_from);
        if (e->history[i].has_from)
            assert_int_equal(e->history[i].from, a->history[i].from);
        assert_int_equal(e->history[i].to, a->history[i].to);
        assert_int_equal(e->history[i].at_ms, a->history[i].at_ms);
        assert_string_equal(e->history[i].reason, a->history[i].reason);
    }
}

void sc_assert_order_zeroed(const ord_order *o)
{
    assert_int_equal(o->id, 0);
    assert_string_equal(o->number, "");
    assert_int_equal(o->customer_id, 0);
    assert_int_equal(o->version, 0);
    assert_null(o->customer_name);
    assert_null(o->delivery_address);
    assert_null(o->carrier);
    assert_null(o->tracking_number);
    assert_null(o->items);
    assert_int_equal(o->item_count, 0);
    assert_null(o->history);
    assert_int_equal(o->history_count, 0);
    assert_int_equal(o->created_at_ms, 0);
    assert_int_equal(o->updated_at_ms, 0);
    assert_int_equal(o->total.minor, 0);
}

void sc_assert_outbox_counts(const ord_store_fixture *f, int64_t pending, int64_t parked)
{
    int64_t p = -1;
    int64_t d = -1;
    assert_int_equal(f->outbox.ops->count(f->outbox.self, &p, &d), ORD_OK);
    assert_int_equal(p, pending);
    assert_int_equal(d, parked);
}

int ord_run_store_contract(const ord_store_factory *store_factory)
{
    factory = store_factory;
    print_message("storage contract against %s\n", factory->name);
    int failed = sc_run_orders();
    failed += sc_run_updates();
    failed += sc_run_claims();
    failed += sc_run_outbox();
    failed += sc_run_idempotency();
    failed += sc_run_locks();
    factory = NULL;
    return failed;
}
