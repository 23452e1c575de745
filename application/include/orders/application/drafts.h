/**
 * @file drafts.h
 * @brief Drafts (a cart): create, set a line, check out into a placed order.
 *
 * A draft belongs to a customer or to a guest token; only its hash is stored
 * (compared in constant time). A customer principal reaches only its own
 * drafts; anyone else proves the owner on every change with the same field
 * the draft was created with. A guest never reaches a customer's draft, nor
 * a customer a guest's.
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

/** Bytes of a guest token the server issues, with NUL ("gt_" + 64 hex digits). */
#define ORD_GUEST_TOKEN_SIZE 68

/**
 * @brief Create a DRAFT order, optionally with lines (prices are not fixed).
 * @param svc the service.
 * @param who the caller: a customer creates only its own drafts and never a
 *        guest's; a guest (nobody signed in) only a guest's.
 * @param owner the customer or guest. A guest token chosen by the client
 *        must be a random secret of at least 128 bits (by its alphabet:
 *        22 base64url characters, 32 hex digits); only its SHA-256 is stored.
 * @param items optional lines (quantity 1..ORD_MAX_QUANTITY).
 * @param item_count entries in @p items.
 * @param[out] errors receives every broken rule on ORD_EINVALID.
 * @param[out] issued_token NULL, or ORD_GUEST_TOKEN_SIZE bytes: when @p owner
 *        names nobody and the caller is not a customer, the server chooses a
 *        guest token (244 random bits), stores its hash and writes the token
 *        here, for the caller to hand to the guest once; else "".
 * @param[out] out an initialised order; the stored draft (ord_order_free()).
 * @return ORD_OK; ORD_EINVALID (no owner and @p issued_token NULL: field
 *         "customerId"; both a customer and a guest token, or a weak guest
 *         token: field "guestToken"; bad lines); ORD_EFORBIDDEN (a customer
 *         naming another customer or a guest token); ORD_EUNAUTHORIZED (a
 *         guest naming a customer); ORD_EUNAVAILABLE.
 */
ord_error ord_create_draft(ord_service *svc, const ord_principal *who, const ord_draft_owner *owner,
                           const ord_item_request *items, size_t item_count,
                           ord_field_errors *errors, char *issued_token, ord_order *out);

/**
 * @brief Set one line of a draft (quantity 0 removes it).
 * @param ref an order reference.
 * @param owner the proof of ownership (for a customer: itself).
 * @param[out] errors receives every broken rule on ORD_EINVALID.
 * @param[out] out an initialised order; the updated draft.
 * @return ORD_OK; ORD_EINVALID; ORD_ENOTFOUND (also a customer's request for
 *         a draft that is not its own: no existence leak); ORD_EFORBIDDEN
 *         when a customer names another customer or a guest token (403);
 *         ORD_EUNAUTHORIZED when the owner proof does not match, or a guest
 *         names a customer (401: docs/api.md, Drafts and checkout); ORD_ETRANSITION when the order is not a
 *         DRAFT; ORD_ECONFLICT when concurrent changes keep winning;
 *         ORD_EUNAVAILABLE.
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
 *        itself); a guest's draft has no customer and takes none. A
 *        customer's checkout of a draft that is not its own is
 *        ORD_PLACE_DRAFT_NOT_FOUND; a customer naming another customer or a
 *        guest token is ORD_PLACE_FORBIDDEN; a failed owner proof, or a guest
 *        naming a customer, is ORD_PLACE_NOT_OWNER.
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
