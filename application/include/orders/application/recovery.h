/**
 * @file recovery.h
 * @brief The steps background workers call: each claims a batch of work with
 *        a lease (so several instances share it safely) and works it.
 *
 * Call them on a timer; each returns quickly when there is nothing to do.
 */
#ifndef ORDERS_APPLICATION_RECOVERY_H
#define ORDERS_APPLICATION_RECOVERY_H

#include <stddef.h>

#include <orders/application/service.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief What one step did. */
typedef struct ord_work_report {
    size_t claimed;   /**< Orders or events claimed. */
    size_t completed; /**< Finished for good. */
    size_t failed;    /**< Left for a later attempt (or parked). */
} ord_work_report;

/**
 * @brief Resume stale PENDING_CHECK orders: reserve, confirm, ship as the
 *        saga would; cancel (and release) those placed (created, or checked
 *        out from a draft) longer than pending_deadline_ms ago; cancel those
 *        short of stock.
 * @param max most orders this call.
 * @param[out] report zeroed and filled.
 * @return ORD_OK (failures of single orders are counted, not returned);
 *         ORD_EUNAVAILABLE when the store cannot be reached.
 */
ord_error ord_recover_pending_orders(ord_service *svc, size_t max, ord_work_report *report);

/**
 * @brief Obtain missing tracking numbers, backing off per order from
 *        tracking_backoff_min_ms up to tracking_backoff_max_ms. Orders that
 *        were shipped or even delivered before the tracking service answered
 *        are owed their number too: it is the customer's reference, and the
 *        tracking service must know of every shipment.
 * @return as ord_recover_pending_orders().
 */
ord_error ord_recover_tracking_numbers(ord_service *svc, size_t max, ord_work_report *report);

/**
 * @brief Repeat the release or commit owed to inventory after cancel or ship,
 *        backing off per order on the tracking schedule
 *        (tracking_backoff_min_ms .. tracking_backoff_max_ms).
 * @return as ord_recover_pending_orders().
 */
ord_error ord_recover_inventory_actions(ord_service *svc, size_t max, ord_work_report *report);

/**
 * @brief Deliver due outbox events to the event sink, in order per order,
 *        backing off after failures and parking an event after
 *        outbox_max_attempts.
 * @return as ord_recover_pending_orders(); ORD_EINVALID when the service was
 *         built without an event sink.
 */
ord_error ord_relay_events(ord_service *svc, size_t max, ord_work_report *report);

/**
 * @brief Delete idempotency keys past their expiry.
 * @param[out] count receives how many were deleted.
 * @return ORD_OK, ORD_EUNAVAILABLE.
 */
ord_error ord_purge_idempotency_keys(ord_service *svc, int64_t *count);

/** Most events one ord_purge_delivered_events() call deletes: a caller that
 *  got this many may call again at once, as more are probably waiting. */
#define ORD_PURGE_EVENTS_MAX 10000

/**
 * @brief Delete outbox events delivered more than outbox_retention_ms ago
 *        (by the outbox's clock of deliveries), batch after batch while
 *        batches come back full, up to ORD_PURGE_EVENTS_MAX. Undelivered
 *        and parked events are never deleted.
 *
 * Does nothing (ORD_OK, 0) when outbox_retention_ms is 0 or the outbox
 * cannot purge (a version 1 table, or purge_delivered NULL).
 * @param[out] count receives how many were deleted, also those deleted
 *             before a failure; may be NULL.
 * @return ORD_OK, ORD_EINVALID (@p svc is NULL), ORD_EUNAVAILABLE, or the
 *         outbox's other failures.
 */
ord_error ord_purge_delivered_events(ord_service *svc, int64_t *count);

#ifdef __cplusplus
}
#endif
#endif
