/* The in-memory store's life cycle, fault switches and counters; the port
 * operations live in store_orders.c, store_outbox.c and store_idempotency.c. */
#include <stdlib.h>
#include <string.h>

#include "store_internal.h"

ord_error ord_memory_store_new(ord_memory_store **out)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    ord_memory_store *store = calloc(1, sizeof *store);
    if (store == NULL)
        return ORD_ENOMEM;
    if (pthread_mutex_init(&store->lock, NULL) != 0) {
        free(store);
        return ORD_ENOMEM;
    }
    *out = store;
    return ORD_OK;
}

void ord_memory_store_free(ord_memory_store *store)
{
    if (store == NULL)
        return;
    for (size_t i = 0; i < store->order_count; i++) {
        ord_order_free(&store->orders[i]->order);
        free(store->orders[i]);
    }
    free(store->orders);
    ord_mem_map_clear(&store->by_number);
    for (size_t i = 0; i < store->event_count; i++)
        ord_mem_event_free(store->events[i]);
    free(store->events);
    ord_mem_store_free_idempotency(store);
    ord_mem_map_clear(&store->customer_locks);
    pthread_mutex_destroy(&store->lock);
    free(store);
}

void ord_memory_store_inject(ord_memory_store *store, ord_memory_store_op op, const ord_fault *fault)
{
    if (store == NULL || (unsigned)op >= ORD_MEM_STORE_OP_COUNT)
        return;
    pthread_mutex_lock(&store->lock);
    ord_fault_slot_arm(&store->faults[op], fault);
    pthread_mutex_unlock(&store->lock);
}

ord_error ord_mem_store_call(ord_memory_store *store, ord_memory_store_op op,
                             ord_mem_locked_fn body, void *ctx)
{
    pthread_mutex_lock(&store->lock);
    ord_error injected = ORD_OK;
    ord_fault_mode when = ord_fault_slot_next(&store->faults[op], &injected);
    ord_error rc = when == ORD_FAULT_BEFORE ? injected : body(store, ctx);
    if (rc == ORD_OK && when == ORD_FAULT_AFTER)
        rc = injected;
    pthread_mutex_unlock(&store->lock);
    return rc;
}

void ord_memory_store_use_clock(ord_memory_store *store, ord_clock clock)
{
    if (store == NULL)
        return;
    /* A table without now_ms would crash the next delivery: use the system's. */
    if (clock.ops != NULL && clock.ops->now_ms == NULL)
        clock = (ord_clock){NULL, NULL};
    pthread_mutex_lock(&store->lock);
    store->clock = clock;
    pthread_mutex_unlock(&store->lock);
}

size_t ord_memory_store_calls(ord_memory_store *store, ord_memory_store_op op)
{
    if (store == NULL || (unsigned)op >= ORD_MEM_STORE_OP_COUNT)
        return 0;
    pthread_mutex_lock(&store->lock);
    size_t calls = store->faults[op].calls;
    pthread_mutex_unlock(&store->lock);
    return calls;
}

size_t ord_memory_store_order_count(ord_memory_store *store)
{
    if (store == NULL)
        return 0;
    pthread_mutex_lock(&store->lock);
    size_t n = store->order_count;
    pthread_mutex_unlock(&store->lock);
    return n;
}

size_t ord_memory_store_event_count(ord_memory_store *store)
{
    if (store == NULL)
        return 0;
    pthread_mutex_lock(&store->lock);
    size_t n = store->event_count;
    pthread_mutex_unlock(&store->lock);
    return n;
}

size_t ord_memory_store_locked_customers(ord_memory_store *store)
{
    if (store == NULL)
        return 0;
    pthread_mutex_lock(&store->lock);
    size_t n = store->customer_locks.count;
    pthread_mutex_unlock(&store->lock);
    return n;
}

bool ord_mem_owner_copy(char dst[ORD_OWNER_SIZE], const char *owner)
{
    if (owner == NULL)
        return false;
    size_t len = strlen(owner);
    if (len == 0 || len >= ORD_OWNER_SIZE)
        return false;
    memcpy(dst, owner, len + 1);
    return true;
}
