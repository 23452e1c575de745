/* Per-customer locks of the in-memory store and the sessions that hold them
 * in their own name: a session's repository port is the store's, with the
 * session as the lock holder, as a connection is to a database. */
#include <stdlib.h>

#include "store_internal.h"

struct ord_memory_store_session {
    ord_memory_store *store;
};

ord_error ord_mem_lock_customer(ord_memory_store *store, const void *holder, int64_t customer_id)
{
    if (customer_id <= 0)
        return ORD_EINVALID;
    const char *key = (const char *)&customer_id;
    pthread_mutex_lock(&store->lock);
    ord_error injected = ORD_OK;
    ord_fault_mode when = ord_fault_slot_next(&store->faults[ORD_MEM_ORDER_LOCK], &injected);
    ord_error rc = ORD_OK;
    if (when == ORD_FAULT_BEFORE) {
        rc = injected;
    } else {
        const void *owner = ord_mem_map_find(&store->customer_locks, key, sizeof customer_id);
        if (owner == NULL)
            rc = ord_mem_map_put(&store->customer_locks, key, sizeof customer_id, (void *)holder);
        else if (owner != holder)
            rc = ORD_ECONFLICT;
        /* Taken, but the caller never hears of it: the lost reply. */
        if (rc == ORD_OK && when == ORD_FAULT_AFTER)
            rc = injected;
    }
    pthread_mutex_unlock(&store->lock);
    return rc;
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

/* ---- Sessions: the store's methods, the session's name on the locks. ---- */

static ord_order_repository base(void *self)
{
    ord_memory_store_session *session = self;
    return ord_memory_store_orders(session->store);
}

static ord_error session_create(void *self, ord_order *order)
{
    ord_order_repository r = base(self);
    return r.ops->create(r.self, order);
}

static ord_error session_get_by_id(void *self, int64_t id, ord_order *out)
{
    ord_order_repository r = base(self);
    return r.ops->get_by_id(r.self, id, out);
}

static ord_error session_get_by_number(void *self, const char *number, ord_order *out)
{
    ord_order_repository r = base(self);
    return r.ops->get_by_number(r.self, number, out);
}

static ord_error session_list(void *self, const ord_order_query *query, ord_order_page *out)
{
    ord_order_repository r = base(self);
    return r.ops->list_by_customer(r.self, query, out);
}

static ord_error session_update(void *self, const ord_order_update *update, int64_t *new_version)
{
    ord_order_repository r = base(self);
    return r.ops->update(r.self, update, new_version);
}

static ord_error session_claim(void *self, const ord_work_claim *claim, int64_t *ids,
                               size_t *count)
{
    ord_order_repository r = base(self);
    return r.ops->claim(r.self, claim, ids, count);
}

static ord_error session_defer(void *self, int64_t order_id, const char *owner, int64_t until_ms)
{
    ord_order_repository r = base(self);
    return r.ops->defer(r.self, order_id, owner, until_ms);
}

static ord_error session_lock_customer(void *self, int64_t customer_id)
{
    ord_memory_store_session *session = self;
    return ord_mem_lock_customer(session->store, session, customer_id);
}

static ord_error session_unlock_customer(void *self, int64_t customer_id)
{
    ord_memory_store_session *session = self;
    return ord_mem_unlock_customer(session->store, session, customer_id);
}

static const ord_order_repository_ops session_repository_ops = {
    .version = ORD_ORDER_REPOSITORY_VERSION,
    .create = session_create,
    .get_by_id = session_get_by_id,
    .get_by_number = session_get_by_number,
    .list_by_customer = session_list,
    .update = session_update,
    .claim = session_claim,
    .defer = session_defer,
    .lock_customer = session_lock_customer,
    .unlock_customer = session_unlock_customer,
};

ord_error ord_memory_store_session_new(ord_memory_store *store, ord_memory_store_session **out)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    if (store == NULL)
        return ORD_EINVALID;
    ord_memory_store_session *session = calloc(1, sizeof *session);
    if (session == NULL)
        return ORD_ENOMEM;
    session->store = store;
    *out = session;
    return ORD_OK;
}

static bool held_by(void *value, void *ctx)
{
    return value == ctx;
}

void ord_memory_store_session_free(ord_memory_store_session *session)
{
    if (session == NULL)
        return;
    ord_memory_store *store = session->store;
    pthread_mutex_lock(&store->lock);
    (void)ord_mem_map_remove_if(&store->customer_locks, held_by, session);
    pthread_mutex_unlock(&store->lock);
    free(session);
}

ord_order_repository ord_memory_store_session_orders(ord_memory_store_session *session)
{
    return (ord_order_repository){.ops = &session_repository_ops, .self = session};
}
