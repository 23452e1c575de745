/* Leases on orders that need background work, so that several workers (or
 * server instances) never work one order at once. */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

static bool needs_work(const ord_order *o, ord_work_kind kind)
{
    switch (kind) {
    case ORD_WORK_STALE_PENDING:
        return o->status == ORD_STATUS_PENDING_CHECK;
    case ORD_WORK_MISSING_TRACKING:
        return (o->status == ORD_STATUS_CONFIRMED || o->status == ORD_STATUS_SHIPPED ||
                o->status == ORD_STATUS_DELIVERED) &&
               (o->tracking_number == NULL || o->tracking_number[0] == '\0');
    case ORD_WORK_INVENTORY:
        return o->pending_inventory != ORD_INVENTORY_NONE;
    }
    return false;
}

static bool claimable(const ord_mem_order *row, const void *ctx)
{
    const ord_work_claim *c = ctx;
    if (!needs_work(&row->order, c->kind) || row->order.updated_at_ms > c->stale_before_ms)
        return false;
    /* A lease holds against its own owner too: defer() uses it as backoff. */
    return row->lease_owner[0] == '\0' || !ord_mem_held(row->lease_until_ms, c->now_ms);
}

/* Oldest first: least recently updated, then lower id. */
static int oldest_first(const void *a, const void *b)
{
    const ord_order *x = &(*(ord_mem_order *const *)a)->order;
    const ord_order *y = &(*(ord_mem_order *const *)b)->order;
    if (x->updated_at_ms != y->updated_at_ms)
        return x->updated_at_ms < y->updated_at_ms ? -1 : 1;
    return x->id < y->id ? -1 : (x->id > y->id ? 1 : 0);
}

static ord_error claim_locked(ord_memory_store *store, const ord_work_claim *c, int64_t *ids,
                              size_t *count)
{
    ord_mem_order **matches;
    size_t found;
    if (ord_mem_select_orders(store, claimable, c, oldest_first, &matches, &found) != ORD_OK)
        return ORD_ENOMEM;
    size_t take = found > c->max ? c->max : found;
    for (size_t i = 0; i < take; i++) {
        ord_mem_owner_copy(matches[i]->lease_owner, c->owner);
        matches[i]->lease_until_ms = c->lease_until_ms;
        ids[i] = matches[i]->order.id;
    }
    *count = take;
    free(matches);
    return ORD_OK;
}

typedef struct claim_args {
    const ord_work_claim *claim;
    bool valid;
    char owner[ORD_OWNER_SIZE];
    int64_t *ids;
    size_t *count;
} claim_args;

static ord_error claim_op(ord_memory_store *store, void *ctx)
{
    claim_args *a = ctx;
    return a->valid ? claim_locked(store, a->claim, a->ids, a->count) : ORD_EINVALID;
}

ord_error ord_mem_orders_claim(void *self, const ord_work_claim *claim, int64_t *ids,
                               size_t *count)
{
    if (count == NULL)
        return ORD_EINVALID;
    *count = 0;
    claim_args a = {.claim = claim, .ids = ids, .count = count};
    a.valid = claim != NULL && (ids != NULL || claim->max == 0) &&
              (unsigned)claim->kind <= ORD_WORK_INVENTORY && ord_mem_owner_copy(a.owner, claim->owner);
    /* A fault after: leased, but the caller never heard which. */
    ord_error rc = ord_mem_store_call(self, ORD_MEM_ORDER_CLAIM, claim_op, &a);
    if (rc != ORD_OK)
        *count = 0;
    return rc;
}

typedef struct defer_args {
    int64_t order_id;
    bool valid;
    char owner[ORD_OWNER_SIZE];
    int64_t until_ms;
} defer_args;

static ord_error defer_locked(ord_memory_store *store, void *ctx)
{
    defer_args *a = ctx;
    if (!a->valid)
        return ORD_EINVALID;
    ord_mem_order *row = ord_mem_store_order(store, a->order_id);
    if (row == NULL)
        return ORD_ENOTFOUND;
    if (strcmp(row->lease_owner, a->owner) != 0)
        return ORD_ECONFLICT;
    row->lease_until_ms = a->until_ms;
    return ORD_OK;
}

ord_error ord_mem_orders_defer(void *self, int64_t order_id, const char *owner, int64_t until_ms)
{
    defer_args a = {.order_id = order_id, .until_ms = until_ms};
    a.valid = ord_mem_owner_copy(a.owner, owner);
    return ord_mem_store_call(self, ORD_MEM_ORDER_DEFER, defer_locked, &a);
}
