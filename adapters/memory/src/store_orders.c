/* The order repository over the in-memory store: create, get and the
 * optimistic update (fields, history entry and outbox event in one step). */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

ord_mem_order *ord_mem_store_order(ord_memory_store *store, int64_t id)
{
    if (id <= 0 || (uint64_t)id > store->order_count)
        return NULL;
    return store->orders[id - 1];
}

ord_error ord_mem_select_orders(ord_memory_store *store,
                                bool (*keep)(const ord_mem_order *row, const void *ctx),
                                const void *ctx, int (*compare)(const void *, const void *),
                                ord_mem_order ***out, size_t *found)
{
    ord_mem_order **matches = NULL;
    size_t n = 0;
    for (size_t i = 0; i < store->order_count; i++) {
        if (!keep(store->orders[i], ctx))
            continue;
        if (matches == NULL) {
            matches = malloc((store->order_count - i) * sizeof *matches);
            if (matches == NULL)
                return ORD_ENOMEM;
        }
        matches[n++] = store->orders[i];
    }
    if (n > 0)
        qsort(matches, n, sizeof *matches, compare);
    *out = matches;
    *found = n;
    return ORD_OK;
}

static bool status_ok(ord_status status)
{
    return (unsigned)status < ORD_STATUS_COUNT;
}

bool ord_mem_items_ok(const ord_order_item *items, size_t count)
{
    if (count > 0 && items == NULL)
        return false;
    for (size_t i = 0; i < count; i++) {
        if (items[i].quantity <= 0)
            return false;
        if (items[i].has_price && items[i].unit_price.minor < 0)
            return false;
    }
    return true;
}

bool ord_mem_change_ok(const ord_status_change *change)
{
    return status_ok(change->to) && (!change->has_from || status_ok(change->from)) &&
           memchr(change->reason, '\0', sizeof change->reason) != NULL;
}

/* What the orders table's constraints would refuse. */
static bool order_row_ok(const ord_order *o)
{
    if (memchr(o->number, '\0', sizeof o->number) == NULL || o->number[0] == '\0')
        return false;
    if (memchr(o->guest_token_hash, '\0', sizeof o->guest_token_hash) == NULL)
        return false;
    if (o->customer_id < 0 || !status_ok(o->status))
        return false;
    if ((unsigned)o->pending_inventory > ORD_INVENTORY_COMMIT)
        return false;
    if (!ord_mem_items_ok(o->items, o->item_count))
        return false;
    /* The port takes exactly the first history entry with a new order. */
    return o->history_count == 1 && o->history != NULL && ord_mem_change_ok(&o->history[0]);
}

typedef struct create_args {
    const ord_order *order;
    bool valid;
    ord_mem_order *row; /* taken by the store on success */
    int64_t id;
} create_args;

static ord_error create_locked(ord_memory_store *store, void *ctx)
{
    create_args *a = ctx;
    if (!a->valid)
        return ORD_EINVALID;
    size_t number_len = strlen(a->order->number);
    if (ord_mem_map_find(&store->by_number, a->order->number, number_len) != NULL)
        return ORD_ECONFLICT;
    if (store->order_count == store->order_capacity) {
        size_t cap = store->order_capacity == 0 ? 64 : store->order_capacity * 2;
        ord_mem_order **grown = realloc(store->orders, cap * sizeof *grown);
        if (grown == NULL)
            return ORD_ENOMEM;
        store->orders = grown;
        store->order_capacity = cap;
    }
    ord_error rc = ord_mem_map_put(&store->by_number, a->order->number, number_len, a->row);
    if (rc != ORD_OK)
        return rc;
    a->id = (int64_t)store->order_count + 1;
    a->row->order.id = a->id;
    a->row->order.version = 1;
    store->orders[store->order_count++] = a->row;
    a->row = NULL;
    return ORD_OK;
}

static ord_error orders_create(void *self, ord_order *order)
{
    if (order == NULL)
        return ORD_EINVALID;
    create_args a = {.order = order, .valid = order_row_ok(order), .row = NULL, .id = 0};
    if (a.valid) {
        a.row = calloc(1, sizeof *a.row);
        if (a.row == NULL)
            return ORD_ENOMEM;
        ord_order_init(&a.row->order);
        if (ord_order_copy(&a.row->order, order) != ORD_OK) {
            free(a.row);
            return ORD_ENOMEM;
        }
    }
    /* A fault after: stored, but the caller never hears of it. */
    ord_error rc = ord_mem_store_call(self, ORD_MEM_ORDER_CREATE, create_locked, &a);
    if (a.row != NULL) {
        ord_order_free(&a.row->order);
        free(a.row);
    }
    if (rc == ORD_OK) {
        order->id = a.id;
        order->version = 1;
    }
    return rc;
}

typedef struct get_args {
    int64_t id;
    const char *number; /* NULL: by id */
    ord_order *out;
} get_args;

static ord_error get_locked(ord_memory_store *store, void *ctx)
{
    get_args *a = ctx;
    ord_mem_order *row = a->number != NULL
                             ? ord_mem_map_find(&store->by_number, a->number, strlen(a->number))
                             : ord_mem_store_order(store, a->id);
    return row != NULL ? ord_order_copy(a->out, &row->order) : ORD_ENOTFOUND;
}

/* Copies the row out under the lock; @p out is freed (zeroed) first. */
static ord_error orders_get(ord_memory_store *store, int64_t id, const char *number,
                            ord_order *out)
{
    get_args a = {.id = id, .number = number, .out = out};
    ord_error rc = ord_mem_store_call(store, ORD_MEM_ORDER_GET, get_locked, &a);
    if (rc != ORD_OK)
        ord_order_free(out);
    return rc;
}

static ord_error orders_get_by_id(void *self, int64_t id, ord_order *out)
{
    if (out == NULL)
        return ORD_EINVALID;
    ord_order_free(out);
    return orders_get(self, id, NULL, out);
}

static ord_error orders_get_by_number(void *self, const char *number, ord_order *out)
{
    if (out == NULL)
        return ORD_EINVALID;
    ord_order_free(out);
    if (number == NULL)
        return ORD_EINVALID;
    return orders_get(self, 0, number, out);
}

#define UPDATE_KNOWN_FIELDS                                                                     \
    (ORD_UPDATE_STATUS | ORD_UPDATE_ITEMS | ORD_UPDATE_DELIVERY | ORD_UPDATE_TRACKING |         \
     ORD_UPDATE_INVENTORY)

/* The new values of an update, copied before the lock is taken so that the
 * step under the lock cannot fail half-way. */
typedef struct update_values {
    ord_order fields;     /* only the owned fields named by the mask are set */
    ord_mem_event *event; /* prepared event or NULL */
} update_values;

static void update_values_free(update_values *v)
{
    ord_order_free(&v->fields);
    ord_mem_event_free(v->event);
    v->event = NULL;
}

static ord_error update_check(const ord_order_update *u)
{
    const ord_order *o = u->order;
    if (o == NULL || (u->fields & ~(unsigned)UPDATE_KNOWN_FIELDS) != 0)
        return ORD_EINVALID;
    if ((u->fields & ORD_UPDATE_STATUS) && !status_ok(o->status))
        return ORD_EINVALID;
    if ((u->fields & ORD_UPDATE_ITEMS) && !ord_mem_items_ok(o->items, o->item_count))
        return ORD_EINVALID;
    if ((u->fields & ORD_UPDATE_INVENTORY) &&
        (unsigned)o->pending_inventory > ORD_INVENTORY_COMMIT)
        return ORD_EINVALID;
    if (u->change != NULL && !ord_mem_change_ok(u->change))
        return ORD_EINVALID;
    if (u->event != NULL && (u->event->order_id != o->id || !ord_mem_event_ok(u->event)))
        return ORD_EINVALID;
    return ORD_OK;
}

static ord_error update_prepare(const ord_order_update *u, update_values *v)
{
    const ord_order *o = u->order;
    ord_order_init(&v->fields);
    v->event = NULL;
    ord_error rc = ORD_OK;
    if (u->fields & ORD_UPDATE_ITEMS)
        rc = ord_order_set_items(&v->fields, o->items, o->item_count);
    if (rc == ORD_OK && (u->fields & ORD_UPDATE_DELIVERY)) {
        rc = ord_order_set_text(&v->fields.customer_name, o->customer_name);
        if (rc == ORD_OK)
            rc = ord_order_set_text(&v->fields.delivery_address, o->delivery_address);
        if (rc == ORD_OK)
            rc = ord_order_set_text(&v->fields.carrier, o->carrier);
    }
    if (rc == ORD_OK && (u->fields & ORD_UPDATE_TRACKING))
        rc = ord_order_set_text(&v->fields.tracking_number, o->tracking_number);
    if (rc == ORD_OK && u->event != NULL)
        rc = ord_mem_event_prepare(u->event, &v->event);
    if (rc != ORD_OK)
        update_values_free(v);
    return rc;
}

static void swap_text(char **a, char **b)
{
    char *t = *a;
    *a = *b;
    *b = t;
}

/* Writes the prepared values into the row; the old values move into @p v
 * to be freed after the lock is released. Cannot fail. */
static void update_apply(ord_mem_order *row, const ord_order_update *u, update_values *v)
{
    ord_order *dst = &row->order;
    const ord_order *src = u->order;
    if (u->fields & ORD_UPDATE_STATUS)
        dst->status = src->status;
    if (u->fields & ORD_UPDATE_ITEMS) {
        ord_order_item *items = dst->items;
        size_t count = dst->item_count;
        dst->items = v->fields.items;
        dst->item_count = v->fields.item_count;
        v->fields.items = items;
        v->fields.item_count = count;
        dst->total = src->total;
    }
    if (u->fields & ORD_UPDATE_DELIVERY) {
        swap_text(&dst->customer_name, &v->fields.customer_name);
        swap_text(&dst->delivery_address, &v->fields.delivery_address);
        swap_text(&dst->carrier, &v->fields.carrier);
    }
    if (u->fields & ORD_UPDATE_TRACKING)
        swap_text(&dst->tracking_number, &v->fields.tracking_number);
    if (u->fields & ORD_UPDATE_INVENTORY)
        dst->pending_inventory = src->pending_inventory;
    dst->updated_at_ms = src->updated_at_ms;
    if (u->change != NULL)
        dst->history[dst->history_count++] = *u->change;
    if (u->release_lease) {
        row->lease_owner[0] = '\0';
        row->lease_until_ms = 0;
    }
    dst->version++;
}

typedef struct update_args {
    const ord_order_update *u;
    update_values *v;
    ord_error refused; /* the update's own check, made before the lock */
    int64_t version;
} update_args;

static ord_error update_locked(ord_memory_store *store, void *ctx)
{
    update_args *a = ctx;
    const ord_order_update *u = a->u;
    if (a->refused != ORD_OK)
        return a->refused;
    ord_mem_order *row = ord_mem_store_order(store, u->order->id);
    if (row == NULL)
        return ORD_ENOTFOUND;
    if (row->order.version != u->order->version)
        return ORD_ECONFLICT;
    if (u->change != NULL) {
        ord_status_change *grown = realloc(row->order.history,
                                           (row->order.history_count + 1) * sizeof *grown);
        if (grown == NULL)
            return ORD_ENOMEM;
        row->order.history = grown;
    }
    if (a->v->event != NULL) {
        ord_error rc = ord_mem_store_reserve_event(store);
        if (rc != ORD_OK)
            return rc;
    }
    update_apply(row, u, a->v);
    if (a->v->event != NULL) {
        ord_mem_store_append_event(store, a->v->event);
        a->v->event = NULL;
    }
    a->version = row->order.version;
    return ORD_OK;
}

static ord_error orders_update(void *self, const ord_order_update *u, int64_t *new_version)
{
    if (u == NULL)
        return ORD_EINVALID;
    update_values v = {0};
    update_args a = {.u = u, .v = &v, .refused = update_check(u), .version = 0};
    if (a.refused == ORD_OK) {
        a.refused = update_prepare(u, &v);
        if (a.refused == ORD_ENOMEM)
            return ORD_ENOMEM;
    }
    ord_error rc = ord_mem_store_call(self, ORD_MEM_ORDER_UPDATE, update_locked, &a);
    update_values_free(&v);
    if (rc == ORD_OK && new_version != NULL)
        *new_version = a.version;
    return rc;
}

static const ord_order_repository_ops memory_repository_ops = {
    .version = ORD_ORDER_REPOSITORY_VERSION,
    .create = orders_create,
    .get_by_id = orders_get_by_id,
    .get_by_number = orders_get_by_number,
    .list_by_customer = ord_mem_orders_list,
    .update = orders_update,
    .claim = ord_mem_orders_claim,
    .defer = ord_mem_orders_defer,
    .lock_customer = ord_mem_orders_lock_customer,
    .unlock_customer = ord_mem_orders_unlock_customer,
};

ord_order_repository ord_memory_store_orders(ord_memory_store *store)
{
    return (ord_order_repository){.ops = &memory_repository_ops, .self = store};
}
