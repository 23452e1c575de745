/**
 * @file retention.h
 * @brief Retention: the background steps that delete what is kept only for
 *        a while (expired idempotency keys, long-delivered outbox events).
 */
#ifndef ORDERS_APPLICATION_RETENTION_H
#define ORDERS_APPLICATION_RETENTION_H

#include <stddef.h>
#include <stdint.h>

#include <orders/application/service.h>

#ifdef __cplusplus
extern "C" {
#endif

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
