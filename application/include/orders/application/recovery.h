/**
 * @file recovery.h
 * @brief Recovery, the background steps that finish what requests left
 *        undone: each claims a batch of orders with a lease (so several
 *        instances share the work safely) and works it.
 *
 * Call them on a timer; each returns quickly when there is nothing to do.
 * The outbox relay is in relay.h, the purges of old data in retention.h.
 */
#ifndef ORDERS_APPLICATION_RECOVERY_H
#define ORDERS_APPLICATION_RECOVERY_H

#include <stddef.h>

#include <orders/application/service.h>
#include <orders/application/work_report.h>

#ifdef __cplusplus
extern "C" {
#endif

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

#ifdef __cplusplus
}
#endif
#endif
