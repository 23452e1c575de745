/**
 * @file tracking.h
 * @brief Port: the tracking service, which creates shipments.
 *
 * Keyed by order id: asking again for the same order returns the same number.
 */
#ifndef ORDERS_PORTS_TRACKING_H
#define ORDERS_PORTS_TRACKING_H

#include <stddef.h>
#include <stdint.h>

#include <orders/domain/error.h>
#include <orders/ports/call_context.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_tracking_ops this header describes. */
#define ORD_TRACKING_VERSION 1
/** Bytes of a tracking number with NUL (longer answers are a contract error). */
#define ORD_TRACKING_NUMBER_SIZE 128

/** @brief What a shipment needs. All borrowed. */
typedef struct ord_shipment_request {
    int64_t order_id;             /**< The key. */
    const char *customer_name;    /**< May be NULL. */
    const char *delivery_address; /**< Not NULL. */
    const char *carrier;          /**< Not NULL. */
} ord_shipment_request;

/** @brief Operations of a tracking adapter. A static const table per adapter. */
typedef struct ord_tracking_ops {
    int version; /**< ORD_TRACKING_VERSION the adapter was built against. */

    /**
     * @brief Create (or find) the shipment of an order.
     * @param ctx tracing data, may be NULL.
     * @param[out] tracking_number ORD_TRACKING_NUMBER_SIZE bytes, receives the
     *        NUL-terminated number; empty string on failure.
     * @return ORD_OK, ORD_EUNAVAILABLE, ORD_ETIMEOUT, ORD_ECONTRACT.
     */
    ord_error (*create_shipment)(void *self, const ord_call_context *ctx,
                                 const ord_shipment_request *request,
                                 char tracking_number[ORD_TRACKING_NUMBER_SIZE]);
} ord_tracking_ops;

/** @brief A tracking adapter: its operations and their state. */
typedef struct ord_tracking {
    const ord_tracking_ops *ops; /**< Method table. */
    void *self;                  /**< Passed back to every method. */
} ord_tracking;

#ifdef __cplusplus
}
#endif
#endif
