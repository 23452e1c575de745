/**
 * @file relay.h
 * @brief The outbox relay: the background step that delivers the events
 *        every status change wrote, at least once and in order per order.
 */
#ifndef ORDERS_APPLICATION_RELAY_H
#define ORDERS_APPLICATION_RELAY_H

#include <stddef.h>

#include <orders/application/service.h>
#include <orders/application/work_report.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Deliver due outbox events to the event sink, in order per order,
 *        backing off after failures and parking an event after
 *        outbox_max_attempts.
 * @param svc the service.
 * @param max most events this call.
 * @param[out] report zeroed and filled.
 * @return ORD_OK (failures of single events are counted, not returned);
 *         ORD_EUNAVAILABLE when the outbox cannot be reached; ORD_EINVALID
 *         when the service was built without an event sink.
 */
ord_error ord_relay_events(ord_service *svc, size_t max, ord_work_report *report);

#ifdef __cplusplus
}
#endif
#endif
