/* Keyset pages of one customer's orders, newest first by (created_at_ms, id). */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

/* Newest first: larger created_at_ms, then larger id. */
static int newest_first(const void *a, const void *b)
{
    const ord_order *x = &(*(ord_mem_order *const *)a)->order;
    const ord_order *y = &(*(ord_mem_order *const *)b)->order;
    if (x->created_at_ms != y->created_at_ms)
        return x->created_at_ms > y->created_at_ms ? -1 : 1;
    return x->id > y->id ? -1 : (x->id < y->id ? 1 : 0);
}

static bool in_page(const ord_mem_order *row, const void *ctx)
{
    const ord_order *o = &row->order;
    const ord_order_query *q = ctx;
    if (o->customer_id != q->customer_id)
        return false;
    if (q->has_status && o->status != q->status)
        return false;
    if (!q->has_after)
        return true;
    return o->created_at_ms < q->after_created_at_ms ||
           (o->created_at_ms == q->after_created_at_ms && o->id < q->after_id);
}

/* A copy without items and history, as a page carries them. */
static ord_error copy_summary(ord_order *dst, const ord_order *src)
{
    ord_order head = *src;
    head.items = NULL;
    head.item_count = 0;
    head.history = NULL;
    head.history_count = 0;
    ord_order_init(dst);
    return ord_order_copy(dst, &head);
}

static ord_error list_locked(ord_memory_store *store, const ord_order_query *q, ord_order_page *out)
{
    ord_mem_order **matches;
    size_t found;
    if (ord_mem_select_orders(store, in_page, q, newest_first, &matches, &found) != ORD_OK)
        return ORD_ENOMEM;
    if (found == 0)
        return ORD_OK;
    size_t take = found > q->limit ? q->limit : found;
    out->orders = calloc(take, sizeof *out->orders);
    ord_error rc = out->orders != NULL ? ORD_OK : ORD_ENOMEM;
    for (size_t i = 0; rc == ORD_OK && i < take; i++) {
        rc = copy_summary(&out->orders[i], &matches[i]->order);
        if (rc == ORD_OK)
            out->count++;
    }
    out->has_more = found > take;
    free(matches);
    return rc;
}

typedef struct list_args {
    const ord_order_query *query;
    bool valid;
    ord_order_page *out;
} list_args;

static ord_error list_op(ord_memory_store *store, void *ctx)
{
    list_args *a = ctx;
    return a->valid ? list_locked(store, a->query, a->out) : ORD_EINVALID;
}

ord_error ord_mem_orders_list(void *self, const ord_order_query *query, ord_order_page *out)
{
    if (out == NULL)
        return ORD_EINVALID;
    memset(out, 0, sizeof *out);
    list_args a = {.query = query, .out = out};
    a.valid = query != NULL && query->limit >= 1 && query->limit <= 100 &&
              (!query->has_status || (unsigned)query->status < ORD_STATUS_COUNT);
    ord_error rc = ord_mem_store_call(self, ORD_MEM_ORDER_LIST, list_op, &a);
    if (rc != ORD_OK)
        ord_order_page_free(out);
    return rc;
}
