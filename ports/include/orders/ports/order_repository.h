/**
 * @file order_repository.h
 * @brief Port: durable storage of orders, their items and status history.
 *
 * Every write is atomic: an order with its items and first history entry; an
 * update with its history entry and outbox event. Updates use optimistic
 * locking on ord_order::version. Work for background steps is claimed with a
 * lease so that several server instances never work one order at once.
 *
 * Version 2 appended the optional per-customer lock (lock_customer,
 * unlock_customer), with which the application serialises the creates of
 * one customer across threads and server instances when asked to.
 */
#ifndef ORDERS_PORTS_ORDER_REPOSITORY_H
#define ORDERS_PORTS_ORDER_REPOSITORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <orders/domain/error.h>
#include <orders/domain/order.h>
#include <orders/ports/outbox.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_order_repository_ops this header describes: 1 without the
 *  per-customer lock, 2 with it (an adapter built against version 1 has no
 *  lock_customer and unlock_customer fields at all, and the application
 *  never reads them from it). */
#define ORD_ORDER_REPOSITORY_VERSION 2
/** Bytes of a lease owner name with NUL. */
#define ORD_OWNER_SIZE 64

/** @brief A page request for one customer's orders, newest first. */
typedef struct ord_order_query {
    int64_t customer_id;     /**< Whose orders. */
    bool has_status;         /**< Filter on status when true. */
    ord_status status;       /**< The status to keep. */
    size_t limit;            /**< 1..100 orders per page. */
    bool has_after;          /**< Keyset: continue after this position when true. */
    int64_t after_created_at_ms; /**< created_at_ms of the last order seen. */
    int64_t after_id;        /**< id of the last order seen. */
} ord_order_query;

/** @brief A page of orders, ordered by (created_at_ms, id) descending. */
typedef struct ord_order_page {
    ord_order *orders; /**< Owned array; items and history are left empty. */
    size_t count;      /**< Orders in the array. */
    bool has_more;     /**< More orders follow the last one. */
} ord_order_page;

/** @brief Free a page's orders and zero it. Accepts NULL. */
static inline void ord_order_page_free(ord_order_page *page)
{
    if (page == NULL)
        return;
    for (size_t i = 0; i < page->count; i++)
        ord_order_free(&page->orders[i]);
    free(page->orders);
    page->orders = NULL;
    page->count = 0;
    page->has_more = false;
}

/** Which fields an update writes (bit set). */
enum ord_update_field {
    ORD_UPDATE_STATUS = 1u << 0,    /**< status */
    ORD_UPDATE_ITEMS = 1u << 1,     /**< items and total (replaces every line) */
    ORD_UPDATE_DELIVERY = 1u << 2,  /**< customer_name, delivery_address, carrier */
    ORD_UPDATE_TRACKING = 1u << 3,  /**< tracking_number */
    ORD_UPDATE_INVENTORY = 1u << 4  /**< pending_inventory */
};

/** @brief One optimistic update of an order. All pointers borrowed. */
typedef struct ord_order_update {
    const ord_order *order;          /**< New state; order->id names the row and
                                          order->version is the version it was read at. */
    unsigned fields;                 /**< ord_update_field bits to write; updated_at_ms always. */
    const ord_status_change *change; /**< History entry to append, or NULL. */
    const ord_outbox_event *event;   /**< Event to enqueue in the same transaction, or NULL. */
    bool release_lease;              /**< Clear any work lease on the row. */
} ord_order_update;

/** @brief Kinds of background work a worker can claim. */
typedef enum ord_work_kind {
    ORD_WORK_STALE_PENDING = 0,    /**< PENDING_CHECK, untouched since stale_before_ms. */
    ORD_WORK_MISSING_TRACKING = 1, /**< CONFIRMED, SHIPPED or DELIVERED (moved on
                                        before tracking answered) without tracking
                                        number, untouched since stale_before_ms. */
    ORD_WORK_INVENTORY = 2         /**< pending_inventory != NONE, untouched since stale_before_ms. */
} ord_work_kind;

/** @brief A claim of background work. */
typedef struct ord_work_claim {
    ord_work_kind kind;         /**< What to look for. */
    int64_t now_ms;             /**< Leases that end before this are free. */
    int64_t stale_before_ms;    /**< Only orders with updated_at_ms <= this. */
    int64_t lease_until_ms;     /**< The claimed rows are leased until then. */
    const char *owner;          /**< Who holds the lease (at most ORD_OWNER_SIZE-1 bytes). */
    size_t max;                 /**< At most this many orders. */
} ord_work_claim;

/** @brief Operations of an order repository. A static const table per adapter. */
typedef struct ord_order_repository_ops {
    int version; /**< ORD_ORDER_REPOSITORY_VERSION the adapter was built against. */

    /**
     * @brief Store a new order with its items and first history entry.
     * @param self adapter state.
     * @param[in,out] order number, customer, items, total, status and exactly
     *        one history entry set by the caller; on success the adapter sets
     *        id and version (1). Ownership stays with the caller.
     * @return ORD_OK; ORD_ECONFLICT when the order number exists (an
     *         adapter that refuses a create for a concurrent one answers
     *         ORD_ECONFLICT too: the application retries under another
     *         number only when get_by_number() finds the number taken);
     *         ORD_EINVALID when a stored rule is broken; ORD_EUNAVAILABLE.
     *         On failure nothing is stored and @p order is unchanged.
     */
    ord_error (*create)(void *self, ord_order *order);

    /**
     * @brief Load an order with items and history.
     * @param[out] out an initialised order, filled with owned data the caller
     *        frees with ord_order_free(); left zeroed on failure.
     * @return ORD_OK, ORD_ENOTFOUND, ORD_EUNAVAILABLE.
     */
    ord_error (*get_by_id)(void *self, int64_t id, ord_order *out);

    /** @brief As get_by_id, by order number ("ORD-..."). */
    ord_error (*get_by_number)(void *self, const char *number, ord_order *out);

    /**
     * @brief One page of a customer's orders, newest first (keyset).
     * @param[out] out a zeroed page, filled with owned orders the caller frees
     *        with ord_order_page_free(); zeroed on failure.
     * @return ORD_OK (also for no orders), ORD_EINVALID, ORD_EUNAVAILABLE.
     */
    ord_error (*list_by_customer)(void *self, const ord_order_query *query, ord_order_page *out);

    /**
     * @brief Write the named fields, append the history entry and enqueue the
     *        event, atomically, if the stored version is still
     *        update->order->version.
     * @param[out] new_version receives the stored version (old + 1).
     * @return ORD_OK; ORD_ECONFLICT when the version moved on (nothing
     *         written); ORD_ENOTFOUND; ORD_EINVALID; ORD_EUNAVAILABLE.
     */
    ord_error (*update)(void *self, const ord_order_update *update, int64_t *new_version);

    /**
     * @brief Lease up to claim->max orders needing work, oldest first; a row
     *        whose lease has not ended is not returned, not even to the
     *        owner of that lease (defer() relies on it for backoff).
     * @param[out] ids caller array of at least claim->max entries.
     * @param[out] count receives how many were claimed.
     * @return ORD_OK (also when none), ORD_EUNAVAILABLE.
     */
    ord_error (*claim)(void *self, const ord_work_claim *claim, int64_t *ids, size_t *count);

    /**
     * @brief Keep a claimed order leased until @p until_ms (backoff after a
     *        failed attempt). A lease held by another owner is not touched.
     * @return ORD_OK, ORD_ECONFLICT when @p owner does not hold the lease,
     *         ORD_ENOTFOUND, ORD_EUNAVAILABLE.
     */
    ord_error (*defer)(void *self, int64_t order_id, const char *owner, int64_t until_ms);

    /* ---- Version 2. Optional: both NULL, or both set. ---- */

    /**
     * @brief Try, without waiting, to take the exclusive lock of one
     *        customer, held by this repository instance (for a database,
     *        its connection) until unlock_customer() or until the instance
     *        is freed or loses its connection, whichever comes first.
     *
     * Taking a lock the same instance already holds succeeds and does not
     * stack: one unlock_customer() releases it. Nothing else (reads, writes,
     * claims) waits for or checks the lock: it only excludes other
     * lock_customer() calls. An instance that loses held locks with its
     * connection fails its other calls (ORD_EUNAVAILABLE) until they are
     * unlocked, so that its caller never works in the belief of holding a
     * lock that another instance may hold by now.
     * @param self adapter state.
     * @param customer_id the customer (> 0).
     * @return ORD_OK when this instance holds the lock now; ORD_ECONFLICT when
     *         another instance holds it (nothing taken); ORD_EINVALID for
     *         customer_id <= 0; ORD_EUNAVAILABLE (nothing taken, or whatever
     *         was taken is released with the lost connection); ORD_ENOMEM.
     */
    ord_error (*lock_customer)(void *self, int64_t customer_id);

    /**
     * @brief Release a lock taken with lock_customer() by this instance.
     *        A lock held by another instance is never touched.
     * @param self adapter state.
     * @param customer_id the customer.
     * @return ORD_OK, also when this instance does not hold the lock (never
     *         took it, or lost it with its connection); ORD_EINVALID for
     *         customer_id <= 0. After any return this instance does not hold
     *         the lock.
     */
    ord_error (*unlock_customer)(void *self, int64_t customer_id);
} ord_order_repository_ops;

/** @brief An order repository: its operations and their state. */
typedef struct ord_order_repository {
    const ord_order_repository_ops *ops; /**< Method table. */
    void *self;                          /**< Passed back to every method. */
} ord_order_repository;

#ifdef __cplusplus
}
#endif
#endif
