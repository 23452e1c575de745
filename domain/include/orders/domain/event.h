/**
 * @file event.h
 * @brief Domain events, named for consumers.
 *
 * A status change raises an event when consumers can act on it: CONFIRMED
 * (OrderPlaced), CANCELLED, SHIPPED, DELIVERED. Entering DRAFT or
 * PENDING_CHECK raises none: such an order is not placed yet, and it always
 * leaves PENDING_CHECK by one of the changes above.
 */
#ifndef ORDERS_DOMAIN_EVENT_H
#define ORDERS_DOMAIN_EVENT_H

#include <stdbool.h>

#include <orders/domain/order_status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief What happened to an order. Values are stable (stored). */
typedef enum ord_event_type {
    ORD_EVENT_ORDER_PLACED = 1,    /**< CONFIRMED: stock reserved. */
    ORD_EVENT_ORDER_CANCELLED = 2, /**< CANCELLED. */
    ORD_EVENT_ORDER_SHIPPED = 3,   /**< SHIPPED. */
    ORD_EVENT_ORDER_DELIVERED = 4  /**< DELIVERED. */
} ord_event_type;

/**
 * @brief The event a change into @p to raises.
 * @param[out] out receives the type.
 * @param to the new status.
 * @return false for DRAFT and PENDING_CHECK (they raise no events) and values
 *         outside the enum.
 */
bool ord_event_type_for_status(ord_event_type *out, ord_status to);

/** @brief Wire name ("OrderPlaced"); "Unknown" outside the enum. Static text. */
const char *ord_event_type_name(ord_event_type type);

#ifdef __cplusplus
}
#endif
#endif
