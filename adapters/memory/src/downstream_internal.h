/* State of the in-memory downstream services, shared by the files that
 * implement each port. One mutex guards all of it. */
#ifndef ORDERS_MEMORY_DOWNSTREAM_INTERNAL_H
#define ORDERS_MEMORY_DOWNSTREAM_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/adapters/memory/downstream.h>

#include "fault_internal.h"

/* Every table below is an array sorted by its int64 key, which comes first in
 * each element so that one search helper serves them all. */

typedef struct ds_product {
    int64_t id;
    ord_money price;
    int64_t available;
    int64_t reserved;
    int64_t committed;
} ds_product;

typedef struct ds_line {
    int64_t product_id;
    int64_t quantity; /* summed over the order's lines of this product */
} ds_line;

typedef struct ds_reservation {
    int64_t order_id;
    ord_memory_reservation state;
    ds_line *lines;     /* what is held (RESERVED) or was held; owned */
    size_t line_count;
    int64_t *unavailable; /* the first answer when REJECTED; owned */
    size_t unavailable_count;
} ds_reservation;

typedef struct ds_account {
    int64_t customer_id;
} ds_account;

typedef struct ds_shipment {
    int64_t order_id;
    char number[ORD_TRACKING_NUMBER_SIZE];
} ds_shipment;

typedef struct ds_event_key {
    char event_id[ORD_UUID_SIZE];
} ds_event_key;

/** A growable array of fixed-size elements. */
typedef struct ds_vec {
    void *items;
    size_t count;
    size_t cap;
} ds_vec;

struct ord_memory_downstream {
    pthread_mutex_t lock;
    ds_vec products;     /* ds_product by id */
    ds_vec restricted;   /* ds_account by id */
    ds_vec ineligible;   /* ds_account by id */
    ds_vec reservations; /* ds_reservation by order id */
    ds_vec shipments;    /* ds_shipment by order id */
    ds_vec events;       /* ord_outbox_event, arrival order, payload owned */
    ds_vec event_ids;    /* ds_event_key sorted by text, for de-duplication */
    size_t duplicate_events;
    uint64_t shipments_issued;
    ord_fault_slot faults[ORD_MEM_DOWNSTREAM_OP_COUNT]; /* armed faults and call counts */
};

/* Position of @p key in a vector sorted by a leading int64 key: where it is
 * (*found true) or where it would go. */
size_t ord_mem_ds_vec_search(const ds_vec *vec, size_t size, int64_t key, bool *found);

/* Element @p index of a vector of @p size -byte elements. */
void *ord_mem_ds_vec_at(const ds_vec *vec, size_t size, size_t index);

/* Insert a copy of @p elem at @p index, growing when needed.
 * ORD_ENOMEM leaves the vector unchanged. */
ord_error ord_mem_ds_vec_insert(ds_vec *vec, size_t size, size_t index, const void *elem);

/* Remove element @p index (what it owns is the caller's business). */
void ord_mem_ds_vec_remove(ds_vec *vec, size_t size, size_t index);

/* Element with @p key, or NULL. */
void *ord_mem_ds_vec_find(const ds_vec *vec, size_t size, int64_t key);

/* Count a call to @p op and say whether and when its armed fault strikes.
 * Called with the lock held. */
ord_fault_mode ord_mem_ds_enter(ord_memory_downstream *ds, ord_memory_downstream_op op, ord_error *error);

void ord_mem_ds_lock(ord_memory_downstream *ds);
void ord_mem_ds_unlock(ord_memory_downstream *ds);

/* Method tables, one file each. */
extern const ord_precheck_ops ord_memory_precheck_ops;
extern const ord_inventory_ops ord_memory_inventory_ops;
extern const ord_tracking_ops ord_memory_tracking_ops;
extern const ord_event_sink_ops ord_memory_event_sink_ops;

/* Release what the inventory tables own (used by free). */
void ord_mem_ds_reservations_clear(ord_memory_downstream *ds);
/* Release what the event log owns (used by free). */
void ord_mem_ds_events_clear(ord_memory_downstream *ds);

#endif
