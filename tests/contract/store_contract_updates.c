/* Storage contract, part 2: the optimistic update — version check, field
 * mask, and the history entry and outbox event written with it or not at all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "store_contract.h"

/* A CONFIRMED update of @p order (as read) with its history entry and event. */
typedef struct confirm_update {
    ord_order_update update;
    ord_status_change change;
    ord_outbox_event event;
} confirm_update;

static void prepare_confirm(confirm_update *c, ord_order *order, int64_t at_ms)
{
    memset(c, 0, sizeof *c);
    assert_int_equal(ord_order_transition(order, ORD_STATUS_CONFIRMED, at_ms, "stock_reserved",
                                          &c->change),
                     ORD_OK);
    sc_next_uuid(c->event.event_id);
    c->event.type = ORD_EVENT_ORDER_PLACED;
    c->event.order_id = order->id;
    c->event.customer_id = order->customer_id;
    c->event.sequence = order->version + 1;
    c->event.occurred_at_ms = at_ms;
    c->event.payload = "{\"type\":\"OrderPlaced\"}";
    c->update.order = order;
    c->update.fields = ORD_UPDATE_STATUS;
    c->update.change = &c->change;
    c->update.event = &c->event;
}

static void test_update_with_stale_version_conflicts_and_writes_nothing(void **state)
{
    ord_store_fixture *f = *state;
    int64_t id = sc_create_order(f, 10, SC_T0);
    ord_order stale;
    sc_load(f, id, &stale);
    sc_move(f, id, ORD_STATUS_CANCELLED, SC_T0 + 10); /* someone else wins */
    sc_assert_outbox_counts(f, 1, 0);

    confirm_update c;
    prepare_confirm(&c, &stale, SC_T0 + 20);
    int64_t version = -1;
    assert_int_equal(f->orders.ops->update(f->orders.self, &c.update, &version), ORD_ECONFLICT);

    ord_order got;
    sc_load(f, id, &got);
    assert_int_equal(got.version, 2);
    assert_int_equal(got.status, ORD_STATUS_CANCELLED);
    assert_int_equal(got.history_count, 2);
    assert_int_equal(got.history[1].to, ORD_STATUS_CANCELLED);
    assert_int_equal(got.updated_at_ms, SC_T0 + 10);
    sc_assert_outbox_counts(f, 1, 0);
    ord_order_free(&got);
    ord_order_free(&stale);
}

static void test_update_twice_from_one_read_lets_only_the_first_win(void **state)
{
    ord_store_fixture *f = *state;
    int64_t id = sc_create_order(f, 10, SC_T0);
    ord_order a;
    ord_order b;
    sc_load(f, id, &a);
    sc_load(f, id, &b);
    confirm_update ca;
    confirm_update cb;
    prepare_confirm(&ca, &a, SC_T0 + 1);
    prepare_confirm(&cb, &b, SC_T0 + 2);
    int64_t version = 0;
    assert_int_equal(f->orders.ops->update(f->orders.self, &ca.update, &version), ORD_OK);
    assert_int_equal(version, 2);
    assert_int_equal(f->orders.ops->update(f->orders.self, &cb.update, &version), ORD_ECONFLICT);
    ord_order got;
    sc_load(f, id, &got);
    assert_int_equal(got.version, 2);
    assert_int_equal(got.history_count, 2);
    assert_int_equal(got.updated_at_ms, SC_T0 + 1);
    sc_assert_outbox_counts(f, 1, 0);
    ord_order_free(&got);
    ord_order_free(&a);
    ord_order_free(&b);
}

static void test_update_appends_history_enqueues_event_and_bumps_version(void **state)
{
    ord_store_fixture *f = *state;
    int64_t id = sc_create_order(f, 11, SC_T0);
    ord_order o;
    sc_load(f, id, &o);
    confirm_update c;
    prepare_confirm(&c, &o, SC_T0 + 50);
    int64_t version = 0;
    assert_int_equal(f->orders.ops->update(f->orders.self, &c.update, &version), ORD_OK);
    assert_int_equal(version, 2);

    ord_order got;
    sc_load(f, id, &got);
    assert_int_equal(got.version, 2);
    assert_int_equal(got.status, ORD_STATUS_CONFIRMED);
    assert_int_equal(got.updated_at_ms, SC_T0 + 50);
    assert_int_equal(got.history_count, 2);
    assert_false(got.history[0].has_from);
    assert_int_equal(got.history[0].to, ORD_STATUS_PENDING_CHECK);
    assert_true(got.history[1].has_from);
    assert_int_equal(got.history[1].from, ORD_STATUS_PENDING_CHECK);
    assert_int_equal(got.history[1].to, ORD_STATUS_CONFIRMED);
    assert_int_equal(got.history[1].at_ms, SC_T0 + 50);
    assert_string_equal(got.history[1].reason, "stock_reserved");
    ord_order_free(&got);

    sc_assert_outbox_counts(f, 1, 0);
    ord_outbox_batch batch = {0};
    assert_int_equal(f->outbox.ops->claim(f->outbox.self, SC_T0 + 60, SC_T0 + 1060, "relay", 10,
                                          &batch),
                     ORD_OK);
    assert_int_equal(batch.count, 1);
    assert_true(batch.events[0].id > 0);
    assert_string_equal(batch.events[0].event_id, c.event.event_id);
    assert_int_equal(batch.events[0].type, ORD_EVENT_ORDER_PLACED);
    assert_int_equal(batch.events[0].order_id, id);
    assert_int_equal(batch.events[0].customer_id, 11);
    assert_int_equal(batch.events[0].sequence, 2);
    assert_int_equal(batch.events[0].occurred_at_ms, SC_T0 + 50);
    assert_int_equal(batch.events[0].attempts, 0);
    assert_string_equal(batch.events[0].payload, "{\"type\":\"OrderPlaced\"}");
    ord_outbox_batch_free(&batch);

    /* The next update starts from the new version. */
    assert_int_equal(sc_move(f, id, ORD_STATUS_SHIPPED, SC_T0 + 70), 3);
    ord_order_free(&o);
}

/* Copies one field group of the mask from @p src into @p dst. */
static void copy_group(ord_order *dst, const ord_order *src, unsigned group)
{
    if (group & ORD_UPDATE_STATUS)
        dst->status = src->status;
    if (group & ORD_UPDATE_ITEMS) {
        assert_int_equal(ord_order_set_items(dst, src->items, src->item_count), ORD_OK);
        dst->total = src->total;
    }
    if (group & ORD_UPDATE_DELIVERY) {
        assert_int_equal(ord_order_set_text(&dst->customer_name, src->customer_name), ORD_OK);
        assert_int_equal(ord_order_set_text(&dst->delivery_address, src->delivery_address), ORD_OK);
        assert_int_equal(ord_order_set_text(&dst->carrier, src->carrier), ORD_OK);
    }
    if (group & ORD_UPDATE_TRACKING)
        assert_int_equal(ord_order_set_text(&dst->tracking_number, src->tracking_number), ORD_OK);
    if (group & ORD_UPDATE_INVENTORY)
        dst->pending_inventory = src->pending_inventory;
}

static void test_update_writes_only_the_fields_in_the_mask(void **state)
{
    ord_store_fixture *f = *state;
    const unsigned groups[5] = {ORD_UPDATE_STATUS, ORD_UPDATE_ITEMS, ORD_UPDATE_DELIVERY,
                                ORD_UPDATE_TRACKING, ORD_UPDATE_INVENTORY};
    for (int g = 0; g < 5; g++) {
        ord_order created;
        sc_build_full_order(&created);
        assert_int_equal(f->orders.ops->create(f->orders.self, &created), ORD_OK);
        int64_t id = created.id;
        ord_order_free(&created);
        ord_order before;
        ord_order o;
        sc_load(f, id, &before);
        sc_load(f, id, &o);

        /* Change every group in memory, but ask for one only. */
        o.status = ORD_STATUS_SHIPPED;
        ord_order_item item = {.product_id = 8, .quantity = 4, .has_price = true};
        assert_int_equal(ord_money_make(&item.unit_price, 250, "USD"), ORD_OK);
        assert_int_equal(ord_order_set_items(&o, &item, 1), ORD_OK);
        o.total.minor = 1000;
        assert_int_equal(ord_order_set_text(&o.customer_name, "someone else"), ORD_OK);
        assert_int_equal(ord_order_set_text(&o.delivery_address, "elsewhere"), ORD_OK);
        assert_int_equal(ord_order_set_text(&o.carrier, "FedEx"), ORD_OK);
        assert_int_equal(ord_order_set_text(&o.tracking_number, "TRK-NEW"), ORD_OK);
        o.pending_inventory = ORD_INVENTORY_COMMIT;
        o.updated_at_ms = SC_T0 + 99;
        ord_order_update u = {.order = &o, .fields = groups[g]};
        int64_t version = 0;
        assert_int_equal(f->orders.ops->update(f->orders.self, &u, &version), ORD_OK);
        assert_int_equal(version, 2);

        ord_order got;
        sc_load(f, id, &got);
        copy_group(&before, &o, groups[g]);
        before.version = 2;
        before.updated_at_ms = SC_T0 + 99;
        sc_assert_orders_equal(&before, &got);
        ord_order_free(&got);
        ord_order_free(&o);
        ord_order_free(&before);
    }
    sc_assert_outbox_counts(f, 0, 0);
}

static void test_update_writes_each_field_group(void **state)
{
    ord_store_fixture *f = *state;
    int64_t id = sc_create_order(f, 13, SC_T0);
    ord_order o;
    sc_load(f, id, &o);
    ord_order_item items[1] = {{.product_id = 3, .quantity = 7, .has_price = true}};
    assert_int_equal(ord_money_make(&items[0].unit_price, 20, "USD"), ORD_OK);
    assert_int_equal(ord_order_set_items(&o, items, 1), ORD_OK);
    assert_int_equal(ord_order_compute_total(&o, &o.total, "USD"), ORD_OK);
    assert_int_equal(ord_order_set_text(&o.customer_name, NULL), ORD_OK);
    assert_int_equal(ord_order_set_text(&o.delivery_address, "2 Side St"), ORD_OK);
    assert_int_equal(ord_order_set_text(&o.carrier, "UPS"), ORD_OK);
    o.pending_inventory = ORD_INVENTORY_RELEASE;
    o.status = ORD_STATUS_CANCELLED;
    o.updated_at_ms = SC_T0 + 5;
    ord_order_update u = {
        .order = &o,
        .fields = ORD_UPDATE_STATUS | ORD_UPDATE_ITEMS | ORD_UPDATE_DELIVERY |
                  ORD_UPDATE_INVENTORY,
    };
    int64_t version = 0;
    assert_int_equal(f->orders.ops->update(f->orders.self, &u, &version), ORD_OK);

    ord_order got;
    sc_load(f, id, &got);
    o.version = version;
    sc_assert_orders_equal(&o, &got);
    assert_int_equal(got.item_count, 1);
    assert_int_equal(got.total.minor, 140);
    assert_null(got.customer_name);
    ord_order_free(&got);
    ord_order_free(&o);
}

static void test_update_of_missing_order_is_not_found(void **state)
{
    ord_store_fixture *f = *state;
    int64_t id = sc_create_order(f, 14, SC_T0);
    ord_order o;
    sc_load(f, id, &o);
    o.id = id + 1000;
    ord_order_update u = {.order = &o, .fields = ORD_UPDATE_STATUS};
    int64_t version = 0;
    assert_int_equal(f->orders.ops->update(f->orders.self, &u, &version), ORD_ENOTFOUND);
    ord_order_free(&o);
}

static void test_update_refuses_zero_quantity_and_writes_nothing(void **state)
{
    ord_store_fixture *f = *state;
    int64_t id = sc_create_order(f, 15, SC_T0);
    ord_order before;
    sc_load(f, id, &before);
    ord_order o;
    sc_load(f, id, &o);
    o.items[0].quantity = 0;
    confirm_update c;
    prepare_confirm(&c, &o, SC_T0 + 3);
    c.update.fields |= ORD_UPDATE_ITEMS;
    int64_t version = 0;
    assert_int_equal(f->orders.ops->update(f->orders.self, &c.update, &version), ORD_EINVALID);
    ord_order got;
    sc_load(f, id, &got);
    sc_assert_orders_equal(&before, &got);
    sc_assert_outbox_counts(f, 0, 0);
    ord_order_free(&got);
    ord_order_free(&o);
    ord_order_free(&before);
}

static void test_update_without_history_or_event_bumps_only_version(void **state)
{
    ord_store_fixture *f = *state;
    int64_t id = sc_create_order(f, 16, SC_T0);
    ord_order o;
    sc_load(f, id, &o);
    o.updated_at_ms = SC_T0 + 8;
    ord_order_update u = {.order = &o, .fields = 0};
    int64_t version = 0;
    assert_int_equal(f->orders.ops->update(f->orders.self, &u, &version), ORD_OK);
    assert_int_equal(version, 2);
    ord_order got;
    sc_load(f, id, &got);
    o.version = 2;
    sc_assert_orders_equal(&o, &got);
    sc_assert_outbox_counts(f, 0, 0);
    ord_order_free(&got);
    ord_order_free(&o);
}

int sc_run_updates(void)
{
    const struct CMUnitTest store_contract_updates[] = {
        SC_TEST(test_update_with_stale_version_conflicts_and_writes_nothing),
        SC_TEST(test_update_twice_from_one_read_lets_only_the_first_win),
        SC_TEST(test_update_appends_history_enqueues_event_and_bumps_version),
        SC_TEST(test_update_writes_only_the_fields_in_the_mask),
        SC_TEST(test_update_writes_each_field_group),
        SC_TEST(test_update_of_missing_order_is_not_found),
        SC_TEST(test_update_refuses_zero_quantity_and_writes_nothing),
        SC_TEST(test_update_without_history_or_event_bumps_only_version),
    };
    return cmocka_run_group_tests(store_contract_updates, NULL, NULL);
}
