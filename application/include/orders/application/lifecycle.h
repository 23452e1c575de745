/**
 * @file lifecycle.h
 * @brief Changing a placed order: cancel, ship, deliver.
 *
 * Each one is a single optimistic update, so of two racing changes exactly
 * one wins and the other sees the new status. Stock is released (cancel) or
 * committed (ship) after the change is stored; when the inventory service
 * cannot be reached the debt is kept on the order and paid by
 * ord_recover_inventory_actions().
 */
#ifndef ORDERS_APPLICATION_LIFECYCLE_H
#define ORDERS_APPLICATION_LIFECYCLE_H

#include <stdint.h>

#include <orders/application/service.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Cancel an order (DRAFT, PENDING_CHECK or CONFIRMED), releasing stock.
 *        An order already CANCELLED is left alone and succeeds.
 * @param ref an order reference (ord_order_ref_parse()).
 * @param if_match the version the caller last saw, or 0 for no precondition.
 * @return ORD_OK; ORD_ENOTFOUND (absent, malformed, not the caller's);
 *         ORD_ETRANSITION (SHIPPED, DELIVERED); ORD_ECONFLICT when
 *         @p if_match is stale (or the order keeps changing under us);
 *         ORD_EUNAVAILABLE; ORD_EINVALID for a NULL service or caller.
 */
ord_error ord_cancel_order(ord_service *svc, const ord_principal *who, const ord_call_context *ctx,
                           const char *ref, int64_t if_match);

/**
 * @brief Ship a CONFIRMED order and commit its stock. Admin only. Shipping a
 *        SHIPPED order again succeeds and does nothing.
 * @return as ord_cancel_order(), plus ORD_EFORBIDDEN for a customer.
 */
ord_error ord_ship_order(ord_service *svc, const ord_principal *who, const ord_call_context *ctx,
                         const char *ref, int64_t if_match);

/**
 * @brief Mark a SHIPPED order DELIVERED. Admin only. Repeats succeed.
 * @return as ord_ship_order().
 */
ord_error ord_deliver_order(ord_service *svc, const ord_principal *who, const ord_call_context *ctx,
                            const char *ref, int64_t if_match);

#ifdef __cplusplus
}
#endif
#endif
