/* The inventory port of the fakes: all-or-nothing reservations keyed by
 * order id, with stock counted as available, reserved and committed. */
#include "downstream_internal.h"

#include <stdlib.h>
#include <string.h>

static void reservation_free(ds_reservation *r)
{
    free(r->lines);
    free(r->unavailable);
}

void ord_mem_ds_reservations_clear(ord_memory_downstream *ds)
{
    for (size_t i = 0; i < ds->reservations.count; i++)
        reservation_free(ord_mem_ds_vec_at(&ds->reservations, sizeof(ds_reservation), i));
    free(ds->reservations.items);
    memset(&ds->reservations, 0, sizeof ds->reservations);
}

/* Sum the quantities per product (an order may name a product twice),
 * keeping the order of first appearance. Returns the number of lines. */
static size_t merge_lines(ds_line *lines, const ord_order_item *items, size_t count)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++) {
        size_t j = 0;
        while (j < n && lines[j].product_id != items[i].product_id)
            j++;
        if (j == n)
            lines[n++] = (ds_line){.product_id = items[i].product_id, .quantity = 0};
        lines[j].quantity += items[i].quantity;
    }
    return n;
}

static void answer(const ds_reservation *r, ord_reserve_result *result)
{
    memset(result, 0, sizeof *result);
    result->reserved = r->state != ORD_MEM_RESERVATION_REJECTED;
    if (!result->reserved) {
        memcpy(result->unavailable, r->unavailable, r->unavailable_count * sizeof(int64_t));
        result->unavailable_count = r->unavailable_count;
    }
}

/* Decide and record the first outcome for an order. Nothing changes on ORD_ENOMEM. */
static ord_error reserve_new(ord_memory_downstream *ds, size_t at, int64_t order_id,
                             const ord_order_item *items, size_t count)
{
    ds_reservation r = {.order_id = order_id};
    r.lines = malloc(count * sizeof *r.lines);
    r.unavailable = malloc(count * sizeof *r.unavailable);
    if (r.lines == NULL || r.unavailable == NULL) {
        reservation_free(&r);
        return ORD_ENOMEM;
    }
    r.line_count = merge_lines(r.lines, items, count);
    for (size_t i = 0; i < r.line_count; i++) {
        const ds_product *p = ord_mem_ds_vec_find(&ds->products, sizeof *p, r.lines[i].product_id);
        if (p == NULL || p->available < r.lines[i].quantity)
            r.unavailable[r.unavailable_count++] = r.lines[i].product_id;
    }
    r.state = r.unavailable_count == 0 ? ORD_MEM_RESERVATION_RESERVED : ORD_MEM_RESERVATION_REJECTED;
    if (ord_mem_ds_vec_insert(&ds->reservations, sizeof r, at, &r) != ORD_OK) {
        reservation_free(&r);
        return ORD_ENOMEM;
    }
    if (r.state == ORD_MEM_RESERVATION_RESERVED) {
        for (size_t i = 0; i < r.line_count; i++) {
            ds_product *p = ord_mem_ds_vec_find(&ds->products, sizeof *p, r.lines[i].product_id);
            p->available -= r.lines[i].quantity;
            p->reserved += r.lines[i].quantity;
        }
    }
    return ORD_OK;
}

static bool items_valid(const ord_order_item *items, size_t count)
{
    if (items == NULL || count == 0 || count > ORD_MAX_ITEMS)
        return false;
    for (size_t i = 0; i < count; i++) {
        if (items[i].product_id <= 0 || items[i].quantity <= 0 ||
            items[i].quantity > ORD_MAX_QUANTITY)
            return false;
    }
    return true;
}

static ord_error memory_reserve(void *self, const ord_call_context *ctx, int64_t order_id,
                                const ord_order_item *items, size_t count, ord_reserve_result *result)
{
    (void)ctx;
    ord_memory_downstream *ds = self;
    if (result != NULL)
        memset(result, 0, sizeof *result);
    if (ds == NULL || result == NULL || order_id <= 0 || !items_valid(items, count))
        return ORD_EINVALID;

    ord_mem_ds_lock(ds);
    ord_error fault_error;
    ord_fault_mode mode = ord_mem_ds_enter(ds, ORD_MEM_RESERVE, &fault_error);
    ord_error err = ORD_OK;
    if (mode == ORD_FAULT_BEFORE) {
        err = fault_error;
        goto done;
    }
    bool found;
    size_t at = ord_mem_ds_vec_search(&ds->reservations, sizeof(ds_reservation), order_id, &found);
    if (!found)
        err = reserve_new(ds, at, order_id, items, count);
    if (err != ORD_OK)
        goto done;
    if (mode == ORD_FAULT_AFTER) {
        err = fault_error; /* held, but the caller never hears of it */
        goto done;
    }
    answer(ord_mem_ds_vec_at(&ds->reservations, sizeof(ds_reservation), at), result);
done:
    ord_mem_ds_unlock(ds);
    return err;
}

/* Release or commit: act on a RESERVED order; anything else is a repeat or
 * comes too late, and succeeds doing nothing. */
static ord_error settle(void *self, int64_t order_id, ord_memory_downstream_op op)
{
    ord_memory_downstream *ds = self;
    if (ds == NULL || order_id <= 0)
        return ORD_EINVALID;
    ord_mem_ds_lock(ds);
    ord_error fault_error;
    ord_fault_mode mode = ord_mem_ds_enter(ds, op, &fault_error);
    ord_error err = ORD_OK;
    if (mode == ORD_FAULT_BEFORE) {
        err = fault_error;
        goto done;
    }
    ds_reservation *r = ord_mem_ds_vec_find(&ds->reservations, sizeof *r, order_id);
    if (r != NULL && r->state == ORD_MEM_RESERVATION_RESERVED) {
        for (size_t i = 0; i < r->line_count; i++) {
            ds_product *p = ord_mem_ds_vec_find(&ds->products, sizeof *p, r->lines[i].product_id);
            if (p == NULL)
                continue; /* cannot happen: products are never removed */
            p->reserved -= r->lines[i].quantity;
            if (op == ORD_MEM_COMMIT)
                p->committed += r->lines[i].quantity;
            else
                p->available += r->lines[i].quantity;
        }
        r->state = op == ORD_MEM_COMMIT ? ORD_MEM_RESERVATION_COMMITTED : ORD_MEM_RESERVATION_RELEASED;
    }
    if (mode == ORD_FAULT_AFTER)
        err = fault_error;
done:
    ord_mem_ds_unlock(ds);
    return err;
}

static ord_error memory_release(void *self, const ord_call_context *ctx, int64_t order_id)
{
    (void)ctx;
    return settle(self, order_id, ORD_MEM_RELEASE);
}

static ord_error memory_commit(void *self, const ord_call_context *ctx, int64_t order_id)
{
    (void)ctx;
    return settle(self, order_id, ORD_MEM_COMMIT);
}

const ord_inventory_ops ord_memory_inventory_ops = {
    .version = ORD_INVENTORY_VERSION,
    .reserve = memory_reserve,
    .release = memory_release,
    .commit = memory_commit,
};
