/* Reading orders: one order with items and history (one statement, one
 * snapshot), and keyset pages of a customer's orders. */
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

/* Column positions of ORDER_COLUMNS and the child arrays (pg_statements.c). */
enum {
    COL_ID, COL_NUMBER, COL_CUSTOMER, COL_GUEST, COL_NAME, COL_ADDRESS, COL_CARRIER,
    COL_TRACKING, COL_STATUS, COL_TOTAL, COL_CURRENCY, COL_VERSION, COL_CREATED,
    COL_UPDATED, COL_INVENTORY,
    COL_PRODUCTS, COL_QUANTITIES, COL_PRICES, COL_CURRENCIES,
    COL_FROMS, COL_TOS, COL_ATS, COL_REASONS
};

static bool parse_status(const unsigned char *data, size_t len, ord_status *out)
{
    char name[32];
    if (data == NULL || len >= sizeof name)
        return false;
    memcpy(name, data, len);
    name[len] = '\0';
    return ord_status_parse(out, name);
}

/* The order's own columns; a value that does not fit the struct is a
 * broken row, reported as internal. */
ord_error ord_pg_decode_order_head(const PGresult *r, int row, ord_order *o)
{
    char status[32];
    o->id = ord_pg_get_int(r, row, COL_ID);
    o->customer_id = ord_pg_get_int(r, row, COL_CUSTOMER);
    o->total.minor = ord_pg_get_int(r, row, COL_TOTAL);
    o->version = ord_pg_get_int(r, row, COL_VERSION);
    o->created_at_ms = ord_pg_get_int(r, row, COL_CREATED);
    o->updated_at_ms = ord_pg_get_int(r, row, COL_UPDATED);
    o->pending_inventory = (ord_inventory_action)ord_pg_get_int(r, row, COL_INVENTORY);
    if (!ord_pg_get_text_into(r, row, COL_NUMBER, o->number, sizeof o->number) ||
        !ord_pg_get_text_into(r, row, COL_GUEST, o->guest_token_hash, sizeof o->guest_token_hash) ||
        !ord_pg_get_text_into(r, row, COL_CURRENCY, o->total.currency, sizeof o->total.currency) ||
        !ord_pg_get_text_into(r, row, COL_STATUS, status, sizeof status) ||
        !ord_status_parse(&o->status, status))
        return ORD_EINTERNAL;
    if (ord_pg_get_text(r, row, COL_NAME, &o->customer_name) != ORD_OK ||
        ord_pg_get_text(r, row, COL_ADDRESS, &o->delivery_address) != ORD_OK ||
        ord_pg_get_text(r, row, COL_CARRIER, &o->carrier) != ORD_OK ||
        ord_pg_get_text(r, row, COL_TRACKING, &o->tracking_number) != ORD_OK)
        return ORD_ENOMEM;
    return ORD_OK;
}

static ord_error decode_items(const PGresult *r, ord_order *o)
{
    pg_array products, quantities, prices, currencies;
    if (!ord_pg_array_open(r, 0, COL_PRODUCTS, &products) ||
        !ord_pg_array_open(r, 0, COL_QUANTITIES, &quantities) ||
        !ord_pg_array_open(r, 0, COL_PRICES, &prices) ||
        !ord_pg_array_open(r, 0, COL_CURRENCIES, &currencies))
        return ORD_EINTERNAL;
    size_t n = products.count;
    if (quantities.count != n || prices.count != n || currencies.count != n)
        return ORD_EINTERNAL;
    if (n == 0)
        return ORD_OK;
    o->items = calloc(n, sizeof *o->items);
    if (o->items == NULL)
        return ORD_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *d[4];
        size_t len[4];
        if (!ord_pg_array_next(&products, &d[0], &len[0]) ||
            !ord_pg_array_next(&quantities, &d[1], &len[1]) ||
            !ord_pg_array_next(&prices, &d[2], &len[2]) ||
            !ord_pg_array_next(&currencies, &d[3], &len[3]) || d[0] == NULL || d[1] == NULL)
            return ORD_EINTERNAL;
        ord_order_item *it = &o->items[i];
        o->item_count = i + 1;
        it->product_id = ord_pg_decode_int(d[0], len[0]);
        it->quantity = (int32_t)ord_pg_decode_int(d[1], len[1]);
        it->has_price = d[2] != NULL;
        if (it->has_price) {
            if (d[3] == NULL || len[3] >= sizeof it->unit_price.currency)
                return ORD_EINTERNAL;
            it->unit_price.minor = ord_pg_decode_int(d[2], len[2]);
            memcpy(it->unit_price.currency, d[3], len[3]);
            it->unit_price.currency[len[3]] = '\0';
        }
    }
    return ORD_OK;
}

static ord_error decode_history(const PGresult *r, ord_order *o)
{
    pg_array froms, tos, ats, reasons;
    if (!ord_pg_array_open(r, 0, COL_FROMS, &froms) || !ord_pg_array_open(r, 0, COL_TOS, &tos) ||
        !ord_pg_array_open(r, 0, COL_ATS, &ats) || !ord_pg_array_open(r, 0, COL_REASONS, &reasons))
        return ORD_EINTERNAL;
    size_t n = tos.count;
    if (froms.count != n || ats.count != n || reasons.count != n)
        return ORD_EINTERNAL;
    if (n == 0)
        return ORD_OK;
    o->history = calloc(n, sizeof *o->history);
    if (o->history == NULL)
        return ORD_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        const unsigned char *d[4];
        size_t len[4];
        if (!ord_pg_array_next(&froms, &d[0], &len[0]) || !ord_pg_array_next(&tos, &d[1], &len[1]) ||
            !ord_pg_array_next(&ats, &d[2], &len[2]) || !ord_pg_array_next(&reasons, &d[3], &len[3]))
            return ORD_EINTERNAL;
        ord_status_change *c = &o->history[i];
        o->history_count = i + 1;
        c->has_from = d[0] != NULL;
        if ((c->has_from && !parse_status(d[0], len[0], &c->from)) ||
            !parse_status(d[1], len[1], &c->to) || d[2] == NULL || d[3] == NULL ||
            len[3] >= sizeof c->reason)
            return ORD_EINTERNAL;
        c->at_ms = ord_pg_decode_int(d[2], len[2]);
        memcpy(c->reason, d[3], len[3]);
        c->reason[len[3]] = '\0';
    }
    return ORD_OK;
}

ord_error ord_pg_decode_order(const PGresult *r, ord_order *out)
{
    ord_error rc = PQntuples(r) == 0 ? ORD_ENOTFOUND : ord_pg_decode_order_head(r, 0, out);
    if (rc == ORD_OK)
        rc = decode_items(r, out);
    if (rc == ORD_OK)
        rc = decode_history(r, out);
    if (rc != ORD_OK)
        ord_order_free(out);
    return rc;
}

static ord_error orders_get(ord_pg_store *store, pg_stmt id, const char *key, ord_order *out)
{
    PGresult *r = NULL;
    const char *values[1] = {key};
    ord_error rc = ord_pg_run(store, id, values, 1, &r);
    if (rc != ORD_OK)
        return rc;
    rc = ord_pg_decode_order(r, out);
    PQclear(r);
    return rc;
}

ord_error ord_pg_orders_get_by_id(void *self, int64_t id, ord_order *out)
{
    if (out == NULL)
        return ORD_EINVALID;
    ord_order_free(out);
    if (self == NULL)
        return ORD_EINVALID;
    if (id <= 0)
        return ORD_ENOTFOUND;
    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_i64(&p, id);
    return orders_get(self, PG_ORDER_GET_BY_ID, p.values[0], out);
}

ord_error ord_pg_orders_get_by_number(void *self, const char *number, ord_order *out)
{
    if (out == NULL)
        return ORD_EINVALID;
    ord_order_free(out);
    if (self == NULL || number == NULL)
        return ORD_EINVALID;
    return orders_get(self, PG_ORDER_GET_BY_NUMBER, number, out);
}

static bool query_ok(const ord_order_query *q)
{
    return q != NULL && q->limit >= 1 && q->limit <= 100 &&
           (!q->has_status || (unsigned)q->status < ORD_STATUS_COUNT);
}

ord_error ord_pg_orders_list(void *self, const ord_order_query *query, ord_order_page *out)
{
    if (out == NULL)
        return ORD_EINVALID;
    memset(out, 0, sizeof *out);
    if (self == NULL || !query_ok(query))
        return ORD_EINVALID;

    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_i64(&p, query->customer_id);
    ord_pg_param_text(&p, query->has_status ? ord_status_name(query->status) : NULL);
    /* Without a position, start above every (created_at_ms, id). */
    ord_pg_param_i64(&p, query->has_after ? query->after_created_at_ms : INT64_MAX);
    ord_pg_param_i64(&p, query->has_after ? query->after_id : INT64_MAX);
    ord_pg_param_i64(&p, (int64_t)query->limit + 1); /* one more tells whether more follow */
    PGresult *r = NULL;
    ord_error rc = ord_pg_run(self, PG_ORDER_LIST, p.values, p.count, &r);
    if (rc != ORD_OK)
        return rc;

    size_t rows = (size_t)PQntuples(r);
    size_t take = rows > query->limit ? query->limit : rows;
    if (take > 0) {
        out->orders = calloc(take, sizeof *out->orders);
        if (out->orders == NULL)
            rc = ORD_ENOMEM;
    }
    for (size_t i = 0; rc == ORD_OK && i < take; i++) {
        out->count = i + 1;
        rc = ord_pg_decode_order_head(r, (int)i, &out->orders[i]);
    }
    out->has_more = rows > take;
    PQclear(r);
    if (rc != ORD_OK)
        ord_order_page_free(out);
    return rc;
}
