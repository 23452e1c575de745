/* The repository's per-customer lock: a session-level advisory lock on the
 * store's own connection (store.h documents its key), and the list of the
 * customers the caller holds. When the connection ends they are lost, and
 * the store serves nothing else until the caller has unlocked them. */
#include <stdio.h>
#include <stdlib.h>

#include "pg_internal.h"

/* The second key of the lock: the id itself up to 2^31 - 1, otherwise the
 * high half folded onto the low one, as a signed 32-bit value. */
static int64_t lock_key(int64_t customer_id)
{
    uint64_t v = (uint64_t)customer_id;
    int64_t folded = (int64_t)(uint32_t)(v ^ (v >> 32));
    return folded > INT32_MAX ? folded - ((int64_t)1 << 32) : folded;
}

static bool find_held(const ord_pg_store *store, int64_t customer_id, size_t *at)
{
    for (size_t i = 0; i < store->locked_count; i++) {
        if (store->locked[i] == customer_id) {
            *at = i;
            return true;
        }
    }
    return false;
}

static void forget_held(ord_pg_store *store, size_t at)
{
    store->locked[at] = store->locked[--store->locked_count];
    if (store->locked_count == 0)
        store->locks_lost = false;
}

/* Room for one more entry, made before asking the server so that a lock it
 * grants is always recorded. */
static bool reserve_held(ord_pg_store *store)
{
    if (store->locked_count < store->locked_cap)
        return true;
    size_t cap = store->locked_cap == 0 ? 4 : store->locked_cap * 2;
    int64_t *grown = realloc(store->locked, cap * sizeof *grown);
    if (grown == NULL)
        return false;
    store->locked = grown;
    store->locked_cap = cap;
    return true;
}

static ord_error run_with_key(ord_pg_store *store, pg_stmt id, int64_t customer_id,
                              PGresult **out)
{
    pg_params p;
    ord_pg_params_init(&p);
    ord_pg_param_i64(&p, lock_key(customer_id));
    ord_error rc = ORD_ENOMEM;
    if (!p.failed)
        rc = ord_pg_run(store, id, p.values, p.count, out);
    ord_pg_params_free(&p);
    return rc;
}

static ord_error lock_on_link(ord_pg_store *store, int64_t customer_id)
{
    /* Connect first: a connection the server closed meanwhile is replaced
     * here, and the locks it held are marked lost before we look at them. */
    ord_error rc = ord_pg_connect(store);
    size_t at = 0;
    bool held = find_held(store, customer_id, &at);
    if (store->locks_lost) {
        /* Asked again for a lock it lost: forget it, and start afresh
         * unless other lost locks are still believed held. */
        if (held)
            forget_held(store, at);
        if (store->locks_lost) {
            snprintf(store->last_error, sizeof store->last_error, "%s",
                     "the connection holding customer locks was lost; unlock them first");
            return ORD_EUNAVAILABLE;
        }
        held = false;
    }
    if (rc != ORD_OK)
        return rc;
    if (held)
        return ORD_OK; /* held already: the lock does not stack */
    if (!reserve_held(store))
        return ORD_ENOMEM;
    /* Listed before asking, so that a pooled store keeps the connection the
     * lock is taken on; taken off again when it is not granted. */
    store->locked[store->locked_count++] = customer_id;
    PGresult *r = NULL;
    rc = run_with_key(store, PG_ORDER_LOCK_CUSTOMER, customer_id, &r);
    bool taken = rc == ORD_OK && PQntuples(r) == 1 && ord_pg_get_bool(r, 0, 0);
    PQclear(r);
    if (taken)
        return ORD_OK;
    forget_held(store, store->locked_count - 1);
    return rc != ORD_OK ? rc : ORD_ECONFLICT;
}

/* A pooled store keeps its connection while it holds any lock: the lock
 * lives on that connection's session. */
ord_error ord_pg_orders_lock_customer(void *self, int64_t customer_id)
{
    ord_pg_store *store = self;
    if (store == NULL || customer_id <= 0)
        return ORD_EINVALID;
    ord_error rc = lock_on_link(store, customer_id);
    ord_pg_let_go(store);
    return rc;
}

ord_error ord_pg_orders_unlock_customer(void *self, int64_t customer_id)
{
    ord_pg_store *store = self;
    if (store == NULL || customer_id <= 0)
        return ORD_EINVALID;
    size_t at = 0;
    if (!find_held(store, customer_id, &at))
        return ORD_OK; /* never taken */
    bool lost = store->locks_lost;
    forget_held(store, at);
    if (lost) {
        ord_pg_let_go(store);
        return ORD_OK; /* gone with its connection */
    }
    PGresult *r = NULL;
    ord_error rc = run_with_key(store, PG_ORDER_UNLOCK_CUSTOMER, customer_id, &r);
    if (rc == ORD_OK) {
        PQclear(r);
        return ORD_OK;
    }
    /* The server may still count the lock as ours: closing the connection is
     * the one sure way to let it go (with any other lock of this store). */
    ord_pg_disconnect(store);
    ord_pg_let_go(store);
    return ORD_OK;
}
