/**
 * @file outbox.h
 * @brief Port: the transactional outbox of domain events and its relay side.
 *
 * Events are enqueued by ord_order_repository_ops::update in the same
 * transaction as the status change. The relay claims them here, delivers them
 * through the event sink, and marks each one delivered or failed. Delivery is
 * at least once and in order per order: a claim returns only the oldest
 * undelivered event of each order, so a failing or parked event holds back
 * the later events of its own order and of no other.
 */
#ifndef ORDERS_PORTS_OUTBOX_H
#define ORDERS_PORTS_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <orders/domain/error.h>
#include <orders/domain/event.h>
#include <orders/domain/order.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_outbox_ops this header describes. Version 2 appended the
 *  optional purge_delivered, version 3 the optional mark_delivered_many; an
 *  older table ends before them, so the application reads each only from a
 *  table of its version or newer (and treats it as absent otherwise). */
#define ORD_OUTBOX_VERSION 3

/** Most ids one mark_delivered_many call takes. */
#define ORD_OUTBOX_MARK_MAX 1000

/** @brief One event. */
typedef struct ord_outbox_event {
    int64_t id;                      /**< Storage id (> 0 once stored; 0 when enqueuing). */
    char event_id[ORD_UUID_SIZE];    /**< Unique id consumers de-duplicate on. */
    ord_event_type type;             /**< What happened. */
    int64_t order_id;                /**< The order. */
    int64_t customer_id;             /**< Its owner (0 for guests). */
    int64_t sequence;                /**< Grows per order (the order version it describes). */
    int64_t occurred_at_ms;          /**< When, Unix milliseconds. */
    char *payload;                   /**< The JSON body to deliver, as is. Owned when
                                          returned by claim; borrowed when enqueuing. */
    int attempts;                    /**< Failed deliveries so far. */
} ord_outbox_event;

/** @brief Events returned by a claim. */
typedef struct ord_outbox_batch {
    ord_outbox_event *events; /**< Owned array; each payload owned too. */
    size_t count;             /**< Events in the array. */
} ord_outbox_batch;

/** @brief Free a batch (payloads included) and zero it. Accepts NULL. */
static inline void ord_outbox_batch_free(ord_outbox_batch *batch)
{
    if (batch == NULL)
        return;
    for (size_t i = 0; i < batch->count; i++)
        free(batch->events[i].payload);
    free(batch->events);
    batch->events = NULL;
    batch->count = 0;
}

/** @brief Operations of an outbox. A static const table per adapter. */
typedef struct ord_outbox_ops {
    int version; /**< ORD_OUTBOX_VERSION the adapter was built against. */

    /**
     * @brief Lease up to @p max due events: for each order, its oldest event
     *        not yet delivered, if that event is not parked, is due
     *        (next attempt <= @p now_ms) and is not leased by someone else.
     * @param owner lease holder name.
     * @param[out] out a zeroed batch, filled with owned events (free with
     *        ord_outbox_batch_free()); zeroed on failure. Oldest first.
     * @return ORD_OK (also when none), ORD_EUNAVAILABLE.
     */
    ord_error (*claim)(void *self, int64_t now_ms, int64_t lease_until_ms, const char *owner,
                       size_t max, ord_outbox_batch *out);

    /**
     * @brief Record a delivery, and when it happened (the store's own clock,
     *        Unix milliseconds) for purge_delivered. Repeating it is harmless
     *        (the first delivery time stays).
     * @return ORD_OK, ORD_ENOTFOUND, ORD_EUNAVAILABLE.
     */
    ord_error (*mark_delivered)(void *self, int64_t id);

    /**
     * @brief Record a failed delivery: one more attempt, next try at
     *        @p retry_at_ms, or parked (dead) when @p park.
     * @return ORD_OK, ORD_ENOTFOUND, ORD_EUNAVAILABLE.
     */
    ord_error (*mark_failed)(void *self, int64_t id, int64_t retry_at_ms, bool park);

    /**
     * @brief Count events not yet delivered.
     * @param[out] pending undelivered and not parked.
     * @param[out] parked parked events.
     * @return ORD_OK, ORD_EUNAVAILABLE.
     */
    ord_error (*count)(void *self, int64_t *pending, int64_t *parked);

    /**
     * @brief Put parked events back in the queue, due at once, attempts reset.
     * @param id one event's storage id, or 0 for every parked event.
     * @param[out] count receives how many were re-driven.
     * @return ORD_OK, ORD_ENOTFOUND (an @p id that is not parked), ORD_EUNAVAILABLE.
     */
    ord_error (*redrive)(void *self, int64_t id, int64_t *count);

    /**
     * @brief Version 2, optional (NULL: delivered events are kept forever).
     *        Delete at most @p max events delivered before
     *        @p delivered_before_ms (recorded by mark_delivered); never an
     *        undelivered or parked event. Which of the eligible events go
     *        first is up to the store; the claim order of the events that
     *        remain does not change. A purged event is gone: marking it
     *        returns ORD_ENOTFOUND.
     * @param delivered_before_ms exclusive bound, Unix milliseconds.
     * @param max most events to delete (0: none).
     * @param[out] count receives how many were deleted (0 on failure).
     * @return ORD_OK (also when none), ORD_EINVALID (@p count is NULL),
     *         ORD_EUNAVAILABLE.
     */
    ord_error (*purge_delivered)(void *self, int64_t delivered_before_ms, size_t max,
                                 int64_t *count);

    /**
     * @brief Version 3, optional (NULL: mark_delivered one by one). Record
     *        the delivery of several events at once, as mark_delivered does
     *        for each, in one write: all of them or, on failure, none.
     *        Events no longer stored (purged) are skipped.
     * @param ids storage ids (borrowed); @p count of them, at most 1000.
     * @param[out] marked receives how many were found and marked (0 on
     *        failure); may be NULL.
     * @return ORD_OK, ORD_EINVALID (@p ids NULL with a count, or more than
     *         1000), ORD_EUNAVAILABLE.
     */
    ord_error (*mark_delivered_many)(void *self, const int64_t *ids, size_t count,
                                     size_t *marked);
} ord_outbox_ops;

/** @brief An outbox: its operations and their state. */
typedef struct ord_outbox {
    const ord_outbox_ops *ops; /**< Method table. */
    void *self;                /**< Passed back to every method. */
} ord_outbox;

#ifdef __cplusplus
}
#endif
#endif
