/**
 * @file place_order.h
 * @brief Placing an order: create (and checkout, in drafts.h) run the saga
 *        of docs/api.md (The create saga):
 *        validate -> prechecks -> persist PENDING_CHECK -> reserve ->
 *        CONFIRMED -> shipment, with optional idempotency.
 *
 * Every step after persisting is keyed by the order id and repeatable, so a
 * crash at any point is repaired by ord_recover_pending_orders().
 */
#ifndef ORDERS_APPLICATION_PLACE_ORDER_H
#define ORDERS_APPLICATION_PLACE_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/application/idempotency.h>
#include <orders/application/service.h>
#include <orders/domain/order.h>
#include <orders/domain/validation.h>
#include <orders/ports/precheck.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief How placing an order ended. Each comment gives the HTTP status docs/api.md
 *         (Placing an order, Drafts and checkout, Idempotency) answers it with. */
typedef enum ord_place_outcome {
    ORD_PLACED = 0,                  /**< 201: CONFIRMED (see tracking_pending). */
    ORD_PLACE_INVALID,               /**< 400 Validation failed: see fields. */
    ORD_PLACE_FORBIDDEN,             /**< 403: the customer is not the caller. */
    ORD_PLACE_UNKNOWN_PRODUCT,       /**< 400: see products. Nothing stored. */
    ORD_PLACE_RESTRICTED,            /**< 403 Account has restrictions. Nothing stored. */
    ORD_PLACE_INELIGIBLE,            /**< 403 Account is not eligible. Nothing stored. */
    ORD_PLACE_PRECHECK_UNAVAILABLE,  /**< 503: see failed_service, cause. Nothing stored. */
    ORD_PLACE_INSUFFICIENT_STOCK,    /**< 400: order CANCELLED; see products. */
    ORD_PLACE_INVENTORY_UNAVAILABLE, /**< 503: order stays PENDING_CHECK. */
    ORD_PLACE_STORE_UNAVAILABLE,     /**< 503: the store could not be reached. */
    ORD_PLACE_REPLAYED,              /**< Idempotent replay: see replay_status, replay_body,
                                          and order. */
    ORD_PLACE_KEY_MISMATCH,          /**< 422: key reused with a different request. */
    ORD_PLACE_KEY_IN_PROGRESS,       /**< 409: the key's first request is still running. */
    ORD_PLACE_DRAFT_NOT_FOUND,       /**< 404 (checkout). */
    ORD_PLACE_NOT_OWNER,             /**< 401 (checkout): owner proof does not match. */
    ORD_PLACE_NOT_DRAFT,             /**< 400 (checkout): "Order is not in draft state". */
    ORD_PLACE_EMPTY_DRAFT,           /**< 400 (checkout): the draft has no lines. */
    ORD_PLACE_CONFLICT,              /**< 409: a concurrent change won (second checkout). */
    ORD_PLACE_CUSTOMER_BUSY,         /**< 409: another order of this customer is being
                                          placed (ord_service_config::
                                          serialize_customer_creates), or the store refused
                                          the create for a concurrent one. Nothing stored;
                                          a retry may succeed. */
    ORD_PLACE_UNPRICED_PRODUCT,      /**< 422: the catalog gave the products in
                                          products no usable price (precheck.h); the
                                          service is not at fault. Nothing stored. */
    ORD_PLACE_MIXED_CURRENCIES       /**< 422: the products are priced in several
                                          currencies and an order has one total;
                                          products lists those not in the first line's
                                          currency. Nothing stored. */
} ord_place_outcome;

/** @brief Everything a transport needs to answer. Zero-initialise; free with ord_place_result_free(). */
typedef struct ord_place_result {
    ord_place_outcome outcome;           /**< How it ended. */
    ord_order order;                     /**< The order when one exists (PLACED,
                                              INSUFFICIENT_STOCK, INVENTORY_UNAVAILABLE).
                                              REPLAYED: the order the key is bound to,
                                              by id (0: none), and, when the stored
                                              status is 201, as it is now (version 0
                                              when it could not be read): what a
                                              replay's Location and ETag name.
                                              With an Idempotency-Key, STORE_UNAVAILABLE,
                                              CUSTOMER_BUSY and PRECHECK_UNAVAILABLE may
                                              carry only order.number (id 0): the number
                                              the key is bound to, under which the order
                                              may be stored; ord_place_finish() keeps the
                                              key for a retry to look it up. */
    bool tracking_pending;               /**< PLACED without a tracking number yet. */
    ord_field_errors fields;             /**< INVALID: every broken rule. */
    int64_t products[ORD_MAX_ITEMS];     /**< Unknown (UNKNOWN_PRODUCT), unpriced
                                              (UNPRICED_PRODUCT), in another currency
                                              (MIXED_CURRENCIES) or short
                                              (INSUFFICIENT_STOCK) products. */
    size_t product_count;                /**< Entries in products. */
    ord_precheck_service failed_service; /**< PRECHECK_UNAVAILABLE: which service. */
    ord_error cause;                     /**< *_UNAVAILABLE: the underlying failure. */
    int replay_status;                   /**< REPLAYED: the stored status. */
    char *replay_body;                   /**< REPLAYED: the stored body (owned). */
    char idempotency_scope[ORD_IDEMPOTENCY_SCOPE_SIZE]; /**< Set by the use case for
                                              ord_place_finish(): the customer (or guest)
                                              the key belongs to; empty when this request
                                              never held the key (then finishing changes
                                              nothing). */
} ord_place_result;

/** @brief Free what a result owns and zero it. Accepts NULL. */
void ord_place_result_free(ord_place_result *result);

/**
 * @brief Create and place an order (POST /api/v1/orders).
 * @param svc the service.
 * @param who the caller; a customer may only place their own orders.
 * @param ctx tracing data for downstream calls, may be NULL.
 * @param request borrowed.
 * @param idem NULL, or the request's key: a replay returns ORD_PLACE_REPLAYED.
 *        When not NULL, call ord_place_finish() after answering. A retry whose
 *        earlier attempt left an order resumes that order; if it has been
 *        CANCELLED meanwhile the answer is ORD_PLACE_INSUFFICIENT_STOCK (when
 *        stock was short; products is then empty) or ORD_PLACE_CONFLICT.
 *        One key places at most one order: the key is bound to the order's
 *        number before the order is stored, so a create whose reply was lost,
 *        or a crash right after it, is resumed by the retry (found by that
 *        number) or stored under that same number. This needs an idempotency
 *        store of version 2; with a version 1 store the key is bound only
 *        once the order is stored, and such a retry places a second order.
 * @param[out] out a zeroed result, filled; the caller frees it.
 * @return ORD_OK when out->outcome is set; ORD_EINVALID for a NULL argument;
 *         ORD_ENOMEM or ORD_EINTERNAL otherwise (nothing half-done is left: a stored order is repaired
 *         by recovery).
 *
 * With ord_service_config::serialize_customer_creates, the customer's lock
 * is taken after validation and the key's begin, held through the prechecks
 * and the saga, and released before returning, whatever the outcome; when
 * another instance holds it the answer is ORD_PLACE_CUSTOMER_BUSY.
 */
ord_error ord_place_order(ord_service *svc, const ord_principal *who, const ord_call_context *ctx,
                          const ord_create_request *request, const ord_idempotency *idem,
                          ord_place_result *out);

/**
 * @brief Record the answer given to a request that carried an Idempotency-Key,
 *        so that a retry gets the same answer. Outcomes refused before any
 *        work (validation, forbidden, unavailable prechecks) leave no trace;
 *        INVENTORY_UNAVAILABLE keeps the key bound to its order so a retry
 *        resumes it, and so do STORE_UNAVAILABLE and CUSTOMER_BUSY once an
 *        order exists (result->order.id > 0; otherwise they forget the key,
 *        so a retry is placed afresh); REPLAYED, KEY_MISMATCH and
 *        KEY_IN_PROGRESS change nothing. An order that may exist counts as
 *        one: STORE_UNAVAILABLE, CUSTOMER_BUSY and PRECHECK_UNAVAILABLE with
 *        result->order.number set (the key's number, under which this or an
 *        earlier attempt may have stored the order) keep the key too.
 * @param svc the service.
 * @param idem the same key as given to the use case (NULL: nothing to do).
 * @param result the use case's result.
 * @param status the status answered.
 * @param body the body answered, NUL-terminated, copied.
 * @return ORD_OK; what the idempotency store answered (ORD_EUNAVAILABLE,
 *         ORD_ENOTFOUND when the key is gone, ORD_ENOMEM); ORD_EINVALID for a
 *         NULL @p svc or @p result.
 */
ord_error ord_place_finish(ord_service *svc, const ord_idempotency *idem,
                           const ord_place_result *result, int status, const char *body);

#ifdef __cplusplus
}
#endif
#endif
