/**
 * @file inventory.h
 * @brief Port: the inventory service (reserve, release, commit stock).
 *
 * Every call is keyed by order id and safe to repeat: a repeated reserve
 * returns the first outcome and never reserves twice; release and commit of
 * an order with nothing (left) to release or commit succeed and do nothing.
 */
#ifndef ORDERS_PORTS_INVENTORY_H
#define ORDERS_PORTS_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/domain/error.h>
#include <orders/domain/order.h>
#include <orders/ports/call_context.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_inventory_ops this header describes. */
#define ORD_INVENTORY_VERSION 1

/** @brief Outcome of a reservation. */
typedef struct ord_reserve_result {
    bool reserved;                            /**< true: every line is reserved. */
    int64_t unavailable[ORD_MAX_ITEMS];       /**< Products short of stock when !reserved. */
    size_t unavailable_count;                 /**< Entries in unavailable. */
} ord_reserve_result;

/** @brief Operations of an inventory adapter. A static const table per adapter. */
typedef struct ord_inventory_ops {
    int version; /**< ORD_INVENTORY_VERSION the adapter was built against. */

    /**
     * @brief Reserve every line of an order, all or nothing.
     * @param ctx tracing data, may be NULL.
     * @param items the lines (product and quantity are read), borrowed.
     * @param[out] result reserved, or the products short of stock.
     * @return ORD_OK (see result), ORD_EUNAVAILABLE, ORD_ETIMEOUT, ORD_ECONTRACT.
     */
    ord_error (*reserve)(void *self, const ord_call_context *ctx, int64_t order_id,
                         const ord_order_item *items, size_t count, ord_reserve_result *result);

    /** @brief Give back an order's reserved stock. @return ORD_OK, ORD_EUNAVAILABLE, ORD_ETIMEOUT, ORD_ECONTRACT. */
    ord_error (*release)(void *self, const ord_call_context *ctx, int64_t order_id);

    /** @brief Consume an order's reserved stock (it ships). @return as release. */
    ord_error (*commit)(void *self, const ord_call_context *ctx, int64_t order_id);
} ord_inventory_ops;

/** @brief An inventory adapter: its operations and their state. */
typedef struct ord_inventory {
    const ord_inventory_ops *ops; /**< Method table. */
    void *self;                   /**< Passed back to every method. */
} ord_inventory;

#ifdef __cplusplus
}
#endif
#endif
