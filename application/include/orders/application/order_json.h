/**
 * @file order_json.h
 * @brief The order's JSON representation (as GET returns it), shared by the
 *        REST adapter and the event payloads so that both always agree.
 */
#ifndef ORDERS_APPLICATION_ORDER_JSON_H
#define ORDERS_APPLICATION_ORDER_JSON_H

#include <stdbool.h>

#include <orders/domain/error.h>
#include <orders/domain/order.h>
#include <orders/ports/outbox.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Which parts of an order to render. */
typedef enum ord_order_json_form {
    ORD_ORDER_JSON_FULL = 0,    /**< Every field, items and statusHistory. */
    ORD_ORDER_JSON_SUMMARY = 1  /**< orderId, orderNumber, status, totalPrice,
                                     currency, orderDate, trackingNumber. */
} ord_order_json_form;

/**
 * @brief Render an order as a JSON object (money exact, times RFC 3339).
 * @param[out] out receives a NUL-terminated string the caller frees with free();
 *             NULL on failure.
 * @return ORD_OK, ORD_EINVALID (a money or time that cannot be rendered), ORD_ENOMEM.
 */
ord_error ord_order_to_json(char **out, const ord_order *order, ord_order_json_form form);

/**
 * @brief Render the body of an outbox event: eventId, eventType, occurredAt,
 *        orderId, orderNumber, customerId, status, sequence and the order.
 * @param[out] out as ord_order_to_json().
 * @param event metadata (payload is ignored).
 * @param order the order as of the event.
 * @return as ord_order_to_json().
 */
ord_error ord_event_to_json(char **out, const ord_outbox_event *event, const ord_order *order);

#ifdef __cplusplus
}
#endif
#endif
