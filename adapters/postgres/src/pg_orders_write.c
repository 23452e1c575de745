/* Writing orders: create (order, items, first history entry) and the
 * version-checked update (fields, history entry, outbox event), each one
 * statement and so one transaction. */
#include <string.h>

#include <orders/domain/order_ref.h>
#include <orders/domain/text.h>

#include "pg_internal.h"

static bool status_ok(ord_status status)
{
    return (unsigned)status < ORD_STATUS_COUNT;
}

static bool terminated(const char *buf, size_t size)
{
    return memchr(buf, '\0', size) != NULL;
}

/* The domain's rules that the tables no longer repeat (0009): checked here,
 * in the server, instead of by CHECK constraints on every row written. */
static bool items_ok(const ord_order_item *items, size_t count)
{
    if (count > ORD_MAX_ITEMS || (count > 0 && items == NULL))
        return false;
    for (size_t i = 0; i < count; i++) {
        if (items[i].product_id <= 0)
            return false;
        if (items[i].has_price &&
            !terminated(items[i].unit_price.currency, sizeof items[i].unit_price.currency))
            return false;
    }
    return true;
}

/* "ORD-" and a lower-case UUID, as the order numbers are made. */
static bool number_ok(const char *number)
{
    int64_t id = 0;
    char canonical[ORD_ORDER_NUMBER_SIZE];
    return ord_order_ref_parse(number, &id, canonical) && id == 0 &&
           strcmp(canonical, number) == 0;
}

/* "" or 64 lower-case hex digits. */
static bool hash_ok(const char *hash)
{
    size_t len = strlen(hash);
    if (len != 0 && len != ORD_GUEST_TOKEN_HASH_SIZE - 1)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((hash[i] >= '0' && hash[i] <= '9') || (hash[i] >= 'a' && hash[i] <= 'f')))
            return false;
    return true;
}

/* NULL, or well-formed UTF-8 of at most @p max characters. */
static bool text_ok(const char *text, size_t max)
{
    size_t chars = 0;
    return text == NULL || (ord_utf8_count(text, strlen(text), &chars) && chars <= max);
}

static bool delivery_ok(const ord_order *o)
{
    return text_ok(o->customer_name, ORD_MAX_NAME_CHARS) &&
           text_ok(o->delivery_address, ORD_MAX_ADDRESS_CHARS) &&
           text_ok(o->carrier, ORD_MAX_CARRIER_CHARS);
}

static bool change_ok(const ord_status_change *c)
{
    return status_ok(c->to) && (!c->has_from || status_ok(c->from)) &&
           terminated(c->reason, sizeof c->reason);
}

static bool inventory_ok(ord_inventory_action action)
{
    return (unsigned)action <= ORD_INVENTORY_COMMIT;
}

/* Everything a row must satisfy except what guards money and stock (the
 * total, prices, currencies, quantities, the status and owed stock), which
 * the table constraints check as well. */
static bool new_order_ok(const ord_order *o)
{
    return terminated(o->number, sizeof o->number) && number_ok(o->number) &&
           o->customer_id >= 0 && terminated(o->guest_token_hash, sizeof o->guest_token_hash) &&
           hash_ok(o->guest_token_hash) && delivery_ok(o) &&
           terminated(o->total.currency, sizeof o->total.currency) && status_ok(o->status) &&
           inventory_ok(o->pending_inventory) && items_ok(o->items, o->item_count) &&
           o->history_count == 1 && o->history != NULL && change_ok(&o->history[0]);
}

static void param_change(pg_params *p, const ord_status_change *c)
{
    if (c == NULL) {
        for (int i = 0; i < 4; i++)
            ord_pg_param_text(p, NULL);
        return;
    }
    ord_pg_param_text(p, c->has_from ? ord_status_name(c->from) : NULL);
    ord_pg_param_text(p, ord_status_name(c->to));
    ord_pg_param_i64(p, c->at_ms);
    ord_pg_param_text(p, c->reason);
}

static ord_error orders_create(void *self, ord_order *order)
{
    ord_pg_store *store = self;
    if (store == NULL || order == NULL || !new_order_ok(order))
        return ORD_EINVALID;

    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_text(&p, order->number);
    ord_pg_param_i64(&p, order->customer_id);
    ord_pg_param_text(&p, order->guest_token_hash);
    ord_pg_param_text(&p, order->customer_name);
    ord_pg_param_text(&p, order->delivery_address);
    ord_pg_param_text(&p, order->carrier);
    ord_pg_param_text(&p, order->tracking_number);
    ord_pg_param_text(&p, ord_status_name(order->status));
    ord_pg_param_i64(&p, order->total.minor);
    ord_pg_param_text(&p, order->total.currency);
    ord_pg_param_i64(&p, order->created_at_ms);
    ord_pg_param_i64(&p, order->updated_at_ms);
    ord_pg_param_i64(&p, order->pending_inventory);
    ord_pg_param_items(&p, order->items, order->item_count);
    param_change(&p, &order->history[0]);

    ord_error rc = ORD_ENOMEM;
    PGresult *r = NULL;
    if (!p.failed)
        rc = ord_pg_run(store, PG_ORDER_CREATE, p.values, p.count, &r);
    ord_pg_params_free(&p);
    if (rc != ORD_OK)
        return rc;
    if (PQntuples(r) != 1 || ord_pg_is_null(r, 0, 0)) {
        PQclear(r);
        return ORD_EINTERNAL;
    }
    order->id = ord_pg_get_int(r, 0, 0);
    order->version = 1;
    PQclear(r);
    return ORD_OK;
}

#define UPDATE_KNOWN_FIELDS                                                                     \
    (ORD_UPDATE_STATUS | ORD_UPDATE_ITEMS | ORD_UPDATE_DELIVERY | ORD_UPDATE_TRACKING |         \
     ORD_UPDATE_INVENTORY)

static bool event_ok(const ord_outbox_event *e, int64_t order_id)
{
    return e->order_id == order_id && e->payload != NULL && e->sequence >= 1 &&
           terminated(e->event_id, sizeof e->event_id) && e->event_id[0] != '\0' &&
           e->type >= ORD_EVENT_ORDER_PLACED && e->type <= ORD_EVENT_ORDER_DELIVERED;
}

static bool update_ok(const ord_order_update *u)
{
    const ord_order *o = u->order;
    if (o == NULL || (u->fields & ~(unsigned)UPDATE_KNOWN_FIELDS) != 0)
        return false;
    if ((u->fields & ORD_UPDATE_STATUS) && !status_ok(o->status))
        return false;
    if ((u->fields & ORD_UPDATE_ITEMS) &&
        (!items_ok(o->items, o->item_count) ||
         !terminated(o->total.currency, sizeof o->total.currency)))
        return false;
    if ((u->fields & ORD_UPDATE_INVENTORY) && !inventory_ok(o->pending_inventory))
        return false;
    if ((u->fields & ORD_UPDATE_DELIVERY) && !delivery_ok(o))
        return false;
    if (u->change != NULL && !change_ok(u->change))
        return false;
    return u->event == NULL || event_ok(u->event, o->id);
}

static void update_params(pg_params *p, const ord_order_update *u)
{
    const ord_order *o = u->order;
    /* Fields not named by the mask are sent as NULL and ignored by the SQL. */
    unsigned f = u->fields;
    ord_pg_param_i64(p, o->id);
    ord_pg_param_i64(p, o->version);
    ord_pg_param_i64(p, (int64_t)f);
    ord_pg_param_text(p, (f & ORD_UPDATE_STATUS) ? ord_status_name(o->status) : NULL);
    if (f & ORD_UPDATE_ITEMS) {
        ord_pg_param_i64(p, o->total.minor);
        ord_pg_param_text(p, o->total.currency);
    } else {
        ord_pg_param_text(p, NULL);
        ord_pg_param_text(p, NULL);
    }
    ord_pg_param_text(p, o->customer_name);
    ord_pg_param_text(p, o->delivery_address);
    ord_pg_param_text(p, o->carrier);
    ord_pg_param_text(p, o->tracking_number);
    ord_pg_param_i64(p, o->pending_inventory);
    ord_pg_param_i64(p, o->updated_at_ms);
    ord_pg_param_bool(p, u->release_lease);
    if (f & ORD_UPDATE_ITEMS)
        ord_pg_param_items(p, o->items, o->item_count);
    else
        ord_pg_param_items(p, NULL, 0);
    param_change(p, u->change);
    const ord_outbox_event *e = u->event;
    if (e != NULL) {
        ord_pg_param_text(p, e->event_id);
        ord_pg_param_i64(p, e->type);
        ord_pg_param_i64(p, e->sequence);
        ord_pg_param_i64(p, e->occurred_at_ms);
        ord_pg_param_text(p, e->payload);
    } else {
        for (int i = 0; i < 5; i++)
            ord_pg_param_text(p, NULL);
    }
}

static ord_error orders_update(void *self, const ord_order_update *u, int64_t *new_version)
{
    ord_pg_store *store = self;
    if (store == NULL || u == NULL || !update_ok(u))
        return ORD_EINVALID;

    pg_params p;
    ord_pg_params_init(&p);
    update_params(&p, u);
    ord_error rc = ORD_ENOMEM;
    PGresult *r = NULL;
    if (!p.failed)
        rc = ord_pg_run(store,
                        (u->fields & ORD_UPDATE_ITEMS) ? PG_ORDER_UPDATE : PG_ORDER_UPDATE_KEEP_LINES,
                        p.values, p.count, &r);
    ord_pg_params_free(&p);
    if (rc != ORD_OK)
        return rc;
    if (PQntuples(r) != 1)
        rc = ORD_EINTERNAL;
    else if (!ord_pg_is_null(r, 0, 0) && new_version != NULL)
        *new_version = ord_pg_get_int(r, 0, 0);
    else if (ord_pg_is_null(r, 0, 0))
        rc = ord_pg_get_bool(r, 0, 1) ? ORD_ECONFLICT : ORD_ENOTFOUND;
    PQclear(r);
    return rc;
}

static const ord_order_repository_ops pg_repository_ops = {
    .version = ORD_ORDER_REPOSITORY_VERSION,
    .create = orders_create,
    .get_by_id = ord_pg_orders_get_by_id,
    .get_by_number = ord_pg_orders_get_by_number,
    .list_by_customer = ord_pg_orders_list,
    .update = orders_update,
    .claim = ord_pg_orders_claim,
    .defer = ord_pg_orders_defer,
    .lock_customer = ord_pg_orders_lock_customer,
    .unlock_customer = ord_pg_orders_unlock_customer,
};

ord_order_repository ord_pg_store_orders(ord_pg_store *store)
{
    return (ord_order_repository){.ops = &pg_repository_ops, .self = store};
}
