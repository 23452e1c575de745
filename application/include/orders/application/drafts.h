/**
 * @file drafts.h
 * @brief Drafts (a cart): create, set a line, check out into a placed order.
 *
 * A draft belongs to a customer or to a guest token; only its hash is stored.
 * The owner proves itself on every change with the same field it created the
 * draft with.
 */
#ifndef ORDERS_APPLICATION_DRAFTS_H
#define ORDERS_APPLICATION_DRAFTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/application/place_order.h>
#include <orders/application/service.h>
#include <orders/domain/validation.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Who a draft belongs to: exactly one of the two. Borrowed. */
typedef struct ord_draft_owner {
    int64_t customer_id;    /**< > 0 for a customer's draft, else 0. */
    const char *guest_token; /**< The guest's secret, or NULL. */
} ord_draft_owner;

/**
 * @brief Whether an owner names anyone: a customer id, or a guest token that
 *        is not blank.
 * @param owner may be NULL (then false).
 */
bool ord_draft_owner_present(const ord_draft_owner *owner);

/**
 * @brief Create a DRAFT order, optionally with lines (prices are not fixed).
 * @param owner the customer or guest; a customer principal may only create
 *        its own drafts.
 * @param items optional lines (quantity 1..ORD_MAX_QUANTITY).
 * @param[out] errors receives every broken rule on ORD_EINVALID.
 * @param[out] out an initialised order; the stored draft (ord_order_free()).
 * @return ORD_OK; ORD_EINVALID (no owner: field "customerId"; both a
 *         customer and a guest token: field "guestToken"; bad lines);
 *         ORD_EFORBIDDEN; ORD_EUNAVAILABLE.
 */
ord_error ord_create_draft(ord_service *svc, const ord_principal *who, const ord_draft_owner *owner,
                           const ord_item_request *items, size_t item_count,
                           ord_field_errors *errors, ord_order *out);

/**
 * @brief Set one line of a draft (quantity 0 removes it).
 * @param ref an order reference.
 * @param owner the proof of ownership.
 * @param[out] errors receives every broken rule on ORD_EINVALID.
 * @param[out] out an initialised order; the updated draft.
 * @return ORD_OK; ORD_EINVALID; ORD_ENOTFOUND; ORD_EFORBIDDEN when the owner
 *         proof does not match (401: docs/api.md, Drafts and checkout); ORD_ETRANSITION when the
 *         order is not a DRAFT; ORD_ECONFLICT when concurrent changes keep
 *         winning; ORD_EUNAVAILABLE.
 */
ord_error ord_set_draft_line(ord_service *svc, const ord_principal *who, const char *ref,
                             const ord_draft_owner *owner, int64_t product_id, int64_t quantity,
                             ord_field_errors *errors, ord_order *out);

/** @brief What checkout needs. Borrowed. */
typedef struct ord_checkout_request {
    ord_draft_owner owner;        /**< Proof of ownership. */
    const char *customer_name;    /**< Optional. */
    const char *delivery_address; /**< Required. */
    const char *carrier;          /**< Optional (default DHL). */
} ord_checkout_request;

/**
 * @brief Check a draft out: fix prices now and run the rest of the saga as
 *        ord_place_order() does. Of two concurrent checkouts one proceeds,
 *        the other gets ORD_PLACE_CONFLICT. A customer's draft takes the
 *        customer's lock as ord_place_order() does (once the owner proved
 *        itself); a guest's draft has no customer and takes none.
 * @param ref an order reference.
 * @param idem as for ord_place_order().
 * @param[out] out a zeroed result, filled; the caller frees it.
 * @return ORD_OK when out->outcome is set; ORD_EINVALID for a NULL argument;
 *         ORD_ENOMEM, ORD_EINTERNAL.
 */
ord_error ord_checkout_draft(ord_service *svc, const ord_principal *who, const ord_call_context *ctx,
                             const char *ref, const ord_checkout_request *request,
                             const ord_idempotency *idem, ord_place_result *out);

#ifdef __cplusplus
}
#endif
#endif
