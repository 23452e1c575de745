/* Per-customer locks of the in-memory store, and its connections: the
 * store's repository under another lock holder, as a second connection to
 * one database is. */
#include <stdlib.h>

#include "store_internal.h"

struct ord_memory_store_connection {
    ord_memory_store *store;
};

typedef struct lock_args {
    const void *holder;
    int64_t customer_id;
} lock_args;

static ord_error lock_locked(ord_memory_store *store, void *ctx)
{
    lock_args *a = ctx;
    const char *key = (const char *)&a->customer_id;
    const void *owner = ord_mem_map_find(&store->customer_locks, key, sizeof a->customer_id);
    if (owner == NULL)
        return ord_mem_map_put(&store->customer_locks, key, sizeof a->customer_id,
                               (void *)a->holder);
    return owner == a->holder ? ORD_OK : ORD_ECONFLICT;
}

ord_error ord_mem_lock_customer(ord_memory_store *store, const void *holder, int64_t customer_id)
{
    if (customer_id <= 0)
        return ORD_EINVALID;
    lock_args a = {.holder = holder, .customer_id = customer_id};
    /* A fault after: taken, but the caller never hears of it (the lost reply). */
    return ord_mem_store_call(store, ORD_MEM_ORDER_LOCK, lock_locked, &a);
}

ord_error ord_mem_unlock_customer(ord_memory_store *store, const void *holder,
                                  int64_t customer_id)
{
    if (customer_id <= 0)
        return ORD_EINVALID;
    const char *key = (const char *)&customer_id;
    pthread_mutex_lock(&store->lock);
    /* Another holder's lock is left alone. */
    if (ord_mem_map_find(&store->customer_locks, key, sizeof customer_id) == holder)
        (void)ord_mem_map_remove(&store->customer_locks, key, sizeof customer_id);
    pthread_mutex_unlock(&store->lock);
    return ORD_OK;
}

ord_error ord_mem_orders_lock_customer(void *self, int64_t customer_id)
{
    return ord_mem_lock_customer(self, self, customer_id);
}

ord_error ord_mem_orders_unlock_customer(void *self, int64_t customer_id)
{
    return ord_mem_unlock_customer(self, self, customer_id);
}

/* ---- Connections: the store's methods, the connection's name on the locks. ---- */

static ord_order_repository base(void *self)
{
    ord_memory_store_connection *connection = self;
    return ord_memory_store_orders(connection->store);
}

static ord_error connection_create(void *self, ord_order *order)
{
    ord_order_repository r = base(self);
    return r.ops->create(r.self, order);
}

static ord_error connection_get_by_id(void *self, int64_t id, ord_order *out)
{
    ord_order_repository r = base(self);
    return r.ops->get_by_id(r.self, id, out);
}

static ord_error connection_get_by_number(void *self, const char *number, ord_order *out)
{
    ord_order_repository r = base(self);
    return r.ops->get_by_number(r.self, number, out);
}

static ord_error connection_list(void *self, const ord_order_query *query,
                                 ord_order_page *out)
{
    ord_order_repository r = base(self);
    return r.ops->list_by_customer(r.self, query, out);
}

static ord_error connection_update(void *self, const ord_order_update *update,
                                   int64_t *new_version)
{
    ord_order_repository r = base(self);
    return r.ops->update(r.self, update, new_version);
}

static ord_error connection_claim(void *self, const ord_work_claim *claim, int64_t *ids,
                                  size_t *count)
{
    ord_order_repository r = base(self);
    return r.ops->claim(r.self, claim, ids, count);
}

static ord_error connection_defer(void *self, int64_t order_id, const char *owner,
                                  int64_t until_ms)
{
    ord_order_repository r = base(self);
    return r.ops->defer(r.self, order_id, owner, until_ms);
}

static ord_error connection_lock_customer(void *self, int64_t customer_id)
{
    ord_memory_store_connection *connection = self;
    return ord_mem_lock_customer(connection->store, connection, customer_id);
}

static ord_error connection_unlock_customer(void *self, int64_t customer_id)
{
    ord_memory_store_connection *connection = self;
    return ord_mem_unlock_customer(connection->store, connection, customer_id);
}

static const ord_order_repository_ops connection_repository_ops = {
    .version = ORD_ORDER_REPOSITORY_VERSION,
    .create = connection_create,
    .get_by_id = connection_get_by_id,
    .get_by_number = connection_get_by_number,
    .list_by_customer = connection_list,
    .update = connection_update,
    .claim = connection_claim,
    .defer = connection_defer,
    .lock_customer = connection_lock_customer,
    .unlock_customer = connection_unlock_customer,
};

ord_error ord_memory_store_connection_new(ord_memory_store *store,
                                          ord_memory_store_connection **out)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    if (store == NULL)
        return ORD_EINVALID;
    ord_memory_store_connection *connection = calloc(1, sizeof *connection);
    if (connection == NULL)
        return ORD_ENOMEM;
    connection->store = store;
    *out = connection;
    return ORD_OK;
}

static bool held_by(void *value, void *ctx)
{
    return value == ctx;
}

void ord_memory_store_connection_free(ord_memory_store_connection *connection)
{
    if (connection == NULL)
        return;
    ord_memory_store *store = connection->store;
    pthread_mutex_lock(&store->lock);
    (void)ord_mem_map_remove_if(&store->customer_locks, held_by, connection);
    pthread_mutex_unlock(&store->lock);
    free(connection);
}

ord_order_repository ord_memory_store_connection_orders(ord_memory_store_connection *connection)
{
    return (ord_order_repository){.ops = &connection_repository_ops, .self = connection};
}
