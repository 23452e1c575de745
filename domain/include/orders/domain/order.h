/**
 * @file order.h
 * @brief Order and OrderItem: the aggregate every layer passes around.
 *
 * ord_order is transparent on purpose: storage adapters write every field and
 * the REST adapter renders every field, so accessors would only add noise.
 * It owns its strings and arrays; release them with ord_order_free().
 * Time comes in as arguments (Unix milliseconds); the domain reads no clock.
 */
#ifndef ORDERS_DOMAIN_ORDER_H
#define ORDERS_DOMAIN_ORDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/domain/error.h>
#include <orders/domain/money.h>
#include <orders/domain/order_status.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of an order number: "ORD-" + 36-character UUID + NUL. */
#define ORD_ORDER_NUMBER_SIZE 41
/** Bytes of a textual UUID with NUL. */
#define ORD_UUID_SIZE 37
/** Bytes of a guest token's hash with NUL: hex SHA-256, which the
 *  application computes (the domain only keeps it). */
#define ORD_GUEST_TOKEN_HASH_SIZE 65
/** Bytes of a history reason with NUL (longer reasons are cut). */
#define ORD_REASON_SIZE 64
/** Most lines in one order. */
#define ORD_MAX_ITEMS 100
/** Largest quantity of one line. */
#define ORD_MAX_QUANTITY 10000
/** Longest delivery address, in characters (Unicode code points). */
#define ORD_MAX_ADDRESS_CHARS 500
/** Longest carrier name, in characters. */
#define ORD_MAX_CARRIER_CHARS 50
/** Longest customer name, in characters. */
#define ORD_MAX_NAME_CHARS 200
/** Carrier used when a request names none. */
#define ORD_DEFAULT_CARRIER "DHL"

/** @brief One line of an order. */
typedef struct ord_order_item {
    int64_t product_id;   /**< > 0. */
    int32_t quantity;     /**< 1 .. ORD_MAX_QUANTITY. */
    bool has_price;       /**< false on drafts: prices are fixed at checkout. */
    ord_money unit_price; /**< Price snapshot at purchase; valid when has_price. */
} ord_order_item;

/** @brief One recorded status change. */
typedef struct ord_status_change {
    bool has_from;               /**< false for the first entry (from null). */
    ord_status from;             /**< Previous status when has_from. */
    ord_status to;               /**< New status. */
    int64_t at_ms;               /**< When, Unix milliseconds. */
    char reason[ORD_REASON_SIZE]; /**< Short machine-readable reason ("created", "cancelled"). */
} ord_status_change;

/**
 * @brief A stock operation that was decided but not yet confirmed by the
 *        inventory service; a recovery step repeats it until it succeeds.
 */
typedef enum ord_inventory_action {
    ORD_INVENTORY_NONE = 0,    /**< Nothing owed to inventory. */
    ORD_INVENTORY_RELEASE = 1, /**< Release the reservation (after cancel). */
    ORD_INVENTORY_COMMIT = 2   /**< Commit the reservation (after ship). */
} ord_inventory_action;

/** @brief The order aggregate. Zero-initialise (or ord_order_init) before use. */
typedef struct ord_order {
    int64_t id;                          /**< Storage id (> 0 once stored). */
    char number[ORD_ORDER_NUMBER_SIZE];  /**< "ORD-<uuid v4>". */
    int64_t customer_id;                 /**< Owner; 0 for a guest draft. */
    char guest_token_hash[ORD_GUEST_TOKEN_HASH_SIZE]; /**< Hex SHA-256 of the guest token, or "". */
    char *customer_name;                 /**< Owned; NULL when not given. */
    char *delivery_address;              /**< Owned; NULL on drafts. */
    char *carrier;                       /**< Owned; NULL on drafts. */
    char *tracking_number;               /**< Owned; NULL while pending. */
    ord_status status;                   /**< Current status. */
    ord_money total;                     /**< Σ unit_price × quantity; 0 on drafts. */
    int64_t version;                     /**< Optimistic-lock version; 1 when created. */
    int64_t created_at_ms;               /**< The order date. */
    int64_t updated_at_ms;               /**< Last change of any field. */
    ord_inventory_action pending_inventory; /**< Stock operation still owed. */
    ord_order_item *items;               /**< Owned array of item_count lines. */
    size_t item_count;                   /**< Lines in items. */
    ord_status_change *history;          /**< Owned array, oldest first. */
    size_t history_count;                /**< Entries in history. */
} ord_order;

/** @brief Set every field to zero / NULL. Owns nothing afterwards. */
void ord_order_init(ord_order *order);

/**
 * @brief Free what the order owns and zero it. Accepts NULL and zeroed orders.
 * @param order the order; the struct itself is not freed (it is usually on the stack).
 */
void ord_order_free(ord_order *order);

/**
 * @brief Deep copy.
 * @param[out] dst an initialised order; its previous content is freed first.
 *             On ORD_ENOMEM it is left zeroed (untouched on ORD_EINVALID).
 * @param src the order to copy.
 * @return ORD_OK, ORD_EINVALID (NULL argument) or ORD_ENOMEM.
 */
ord_error ord_order_copy(ord_order *dst, const ord_order *src);

/**
 * @brief Replace an owned string field with a copy of @p value.
 * @param[in,out] field one of the order's char * fields.
 * @param value text to copy, or NULL to clear.
 * @return ORD_OK or ORD_ENOMEM (the field is unchanged then).
 */
ord_error ord_order_set_text(char **field, const char *value);

/**
 * @brief Replace the items with a copy of @p items.
 * @return ORD_OK, ORD_EINVALID when @p count > ORD_MAX_ITEMS, or ORD_ENOMEM
 *         (items unchanged then).
 */
ord_error ord_order_set_items(ord_order *order, const ord_order_item *items, size_t count);

/**
 * @brief Set the quantity of one product's line, as a cart does: 0 removes
 *        the line, a new product appends one. Prices are not touched.
 * @return ORD_OK, ORD_EINVALID for a bad product id or quantity or when the
 *         order would exceed ORD_MAX_ITEMS lines, ORD_ENOMEM.
 */
ord_error ord_order_set_line(ord_order *order, int64_t product_id, int64_t quantity);

/**
 * @brief Sum unit_price × quantity over the items.
 * @param order every item must have a price, all in one currency.
 * @param[out] total receives the sum (0 in @p currency for no items).
 * @param currency currency of an order without items.
 * @return ORD_OK, ORD_EINVALID when an item lacks a price or currencies differ,
 *         ORD_EOVERFLOW.
 */
ord_error ord_order_compute_total(const ord_order *order, ord_money *total, const char *currency);

/**
 * @brief Record the first status of a new order (history "from null").
 * @param order an order with no history yet.
 * @param status its initial status (DRAFT or PENDING_CHECK).
 * @param at_ms creation time; also sets created_at_ms and updated_at_ms.
 * @param reason short reason ("created").
 * @return ORD_OK, ORD_EINVALID when the order already has history or
 *         @p status cannot start an order, ORD_ENOMEM.
 */
ord_error ord_order_start(ord_order *order, ord_status status, int64_t at_ms, const char *reason);

/**
 * @brief Move the order to @p to if the status machine allows it, appending
 *        the history entry.
 * @param order the order; unchanged on failure.
 * @param to the new status.
 * @param at_ms when; sets updated_at_ms.
 * @param reason short reason.
 * @param[out] change when not NULL, receives a copy of the new history entry.
 * @return ORD_OK, ORD_ETRANSITION when refused, ORD_ENOMEM, ORD_EINVALID
 *         (NULL order, or a status outside the enum).
 */
ord_error ord_order_transition(ord_order *order, ord_status to, int64_t at_ms,
                               const char *reason, ord_status_change *change);

/**
 * @brief Find the line of a product.
 * @return the line (borrowed, lives as long as the order's items), or NULL.
 */
const ord_order_item *ord_order_find_item(const ord_order *order, int64_t product_id);

#ifdef __cplusplus
}
#endif
#endif
