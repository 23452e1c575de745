/* Private layout of the in-memory store, shared by its store_*.c files. One
 * mutex guards everything, so each port call is one atomic step. */
#ifndef ORDERS_ADAPTERS_MEMORY_STORE_INTERNAL_H
#define ORDERS_ADAPTERS_MEMORY_STORE_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/adapters/memory/store.h>
#include <orders/ports/clock.h>

#include "fault_internal.h"

/* ---- A string-keyed hash map (keys are bytes: they may hold NUL). ---- */

typedef struct ord_mem_map_entry ord_mem_map_entry;

/** @brief Chained hash map from byte strings to borrowed pointers. Zero it to start. */
typedef struct ord_mem_map {
    ord_mem_map_entry **buckets; /**< Owned array of bucket_count chains. */
    size_t bucket_count;         /**< 0 until the first put. */
    size_t count;                /**< Entries. */
} ord_mem_map;

/** @brief The value stored under the key, or NULL. */
void *ord_mem_map_find(const ord_mem_map *map, const char *key, size_t len);

/** @brief Store @p value under a copy of the key (replacing any). @return ORD_OK or ORD_ENOMEM. */
ord_error ord_mem_map_put(ord_mem_map *map, const char *key, size_t len, void *value);

/** @brief Remove the key. @return its value, or NULL when absent. */
void *ord_mem_map_remove(ord_mem_map *map, const char *key, size_t len);

/**
 * @brief Remove every entry for which @p drop returns true, calling it once
 *        per entry; the callback frees the value it drops.
 * @return how many were removed.
 */
size_t ord_mem_map_remove_if(ord_mem_map *map, bool (*drop)(void *value, void *ctx), void *ctx);

/** @brief Free the map's own memory (not the values) and zero it. */
void ord_mem_map_clear(ord_mem_map *map);

/* ---- The store. ---- */

/** @brief A stored order and its work lease. */
typedef struct ord_mem_order {
    ord_order order;                 /**< Owned deep copy. */
    char lease_owner[ORD_OWNER_SIZE]; /**< "" when not leased. */
    int64_t lease_until_ms;          /**< The lease is held while now < this. */
} ord_mem_order;

/** @brief A stored outbox event and its delivery state. */
typedef struct ord_mem_event {
    ord_outbox_event event;          /**< payload owned. */
    bool delivered;                  /**< Done; never returned again. */
    int64_t delivered_at_ms;         /**< When it was first marked delivered (store clock). */
    bool parked;                     /**< Dead until re-driven. */
    int64_t next_attempt_ms;         /**< Due when <= now. */
    char lease_owner[ORD_OWNER_SIZE]; /**< "" when not leased. */
    int64_t lease_until_ms;          /**< The lease is held while now < this. */
} ord_mem_event;

/** @brief The store (store.h keeps it opaque). */
struct ord_memory_store {
    pthread_mutex_t lock;            /**< Guards every field below. */
    ord_mem_order **orders;          /**< orders[id - 1]; ids count up from 1, never reused. */
    size_t order_count;
    size_t order_capacity;
    ord_mem_map by_number;           /**< number -> ord_mem_order *. */
    ord_mem_event **events;          /**< In id order; ids count up from 1, never reused,
                                          with gaps where delivered events were purged. */
    size_t event_count;
    size_t event_capacity;
    int64_t last_event_id;           /**< Id of the newest event ever appended. */
    size_t first_undelivered;        /**< No event before this index is undelivered. */
    ord_clock clock;                 /**< Time of deliveries; ops NULL: the system's. */
    ord_mem_map idempotency;         /**< scope NUL key -> ord_mem_idem *. */
    ord_mem_map customer_locks;      /**< customer id (its 8 bytes) -> holder: the store
                                          or an ord_memory_store_connection (borrowed). */
    ord_fault_slot faults[ORD_MEM_STORE_OP_COUNT];
};

/** @brief The part of a port operation that runs under the store's lock. */
typedef ord_error (*ord_mem_locked_fn)(ord_memory_store *store, void *ctx);

/**
 * @brief Run a port operation as every operation of the store runs: under
 *        the lock, through the fault slot of @p op (fault.h). A fault armed
 *        to strike before fails the call with nothing done; one armed to
 *        strike after lets @p body succeed and then fails the call, so that
 *        the change happened but the caller never heard of it.
 * @param body the operation's locked part; @p ctx is handed to it.
 * @return the injected error, or what @p body returned.
 */
ord_error ord_mem_store_call(ord_memory_store *store, ord_memory_store_op op,
                             ord_mem_locked_fn body, void *ctx);

/** @brief The order with this id, or NULL. Lock held. */
ord_mem_order *ord_mem_store_order(ord_memory_store *store, int64_t id);

/**
 * @brief The orders @p keep accepts, sorted by @p compare (a qsort comparator
 *        over ord_mem_order pointers). Lock held.
 * @param[out] out owned array (free()) of *found rows; NULL when none.
 * @return ORD_OK or ORD_ENOMEM.
 */
ord_error ord_mem_select_orders(ord_memory_store *store,
                                bool (*keep)(const ord_mem_order *row, const void *ctx),
                                const void *ctx, int (*compare)(const void *, const void *),
                                ord_mem_order ***out, size_t *found);

/** @brief Whether an event to enqueue is well-formed (order, type, id text, payload). */
bool ord_mem_event_ok(const ord_outbox_event *event);

/**
 * @brief Deep-copy an event, ready to append with ord_mem_store_append_event().
 *        Lock held or not (touches no store state).
 * @param[out] out receives an owned event (free with ord_mem_event_free()).
 * @return ORD_OK, ORD_EINVALID (no order or payload), ORD_ENOMEM.
 */
ord_error ord_mem_event_prepare(const ord_outbox_event *event, ord_mem_event **out);

/** @brief Free a prepared or stored event. Accepts NULL. */
void ord_mem_event_free(ord_mem_event *event);

/** @brief Make room for one more event. Lock held. @return ORD_OK or ORD_ENOMEM. */
ord_error ord_mem_store_reserve_event(ord_memory_store *store);

/** @brief Append a prepared event after ord_mem_store_reserve_event(); cannot fail. Lock held. */
void ord_mem_store_append_event(ord_memory_store *store, ord_mem_event *event);

/** @brief Free every stored idempotency key. Lock held or store unused. */
void ord_mem_store_free_idempotency(ord_memory_store *store);

/** @brief Whether order lines pass the table's checks (quantity > 0, price >= 0). */
bool ord_mem_items_ok(const ord_order_item *items, size_t count);

/** @brief Whether a history entry holds known statuses and a terminated reason. */
bool ord_mem_change_ok(const ord_status_change *change);

/** @brief ord_order_repository_ops::list_by_customer (store_orders_list.c). */
ord_error ord_mem_orders_list(void *self, const ord_order_query *query, ord_order_page *out);

/** @brief ord_order_repository_ops::claim (store_orders_claim.c). */
ord_error ord_mem_orders_claim(void *self, const ord_work_claim *claim, int64_t *ids,
                               size_t *count);

/** @brief ord_order_repository_ops::defer (store_orders_claim.c). */
ord_error ord_mem_orders_defer(void *self, int64_t order_id, const char *owner, int64_t until_ms);

/**
 * @brief ord_order_repository_ops::lock_customer in the name of @p holder
 *        (store_locks.c); any pointer that names one holder.
 */
ord_error ord_mem_lock_customer(ord_memory_store *store, const void *holder, int64_t customer_id);

/** @brief ord_order_repository_ops::unlock_customer in the name of @p holder (store_locks.c). */
ord_error ord_mem_unlock_customer(ord_memory_store *store, const void *holder,
                                  int64_t customer_id);

/** @brief The store's own port methods of the customer lock (holder: the store). */
ord_error ord_mem_orders_lock_customer(void *self, int64_t customer_id);
ord_error ord_mem_orders_unlock_customer(void *self, int64_t customer_id);

/** @brief Whether a lease or lock ending at @p until_ms is still held at @p now_ms. */
static inline bool ord_mem_held(int64_t until_ms, int64_t now_ms)
{
    return now_ms < until_ms;
}

/** @brief Copy a lease owner name; false when NULL, empty or too long. */
bool ord_mem_owner_copy(char dst[ORD_OWNER_SIZE], const char *owner);

#endif
