/**
 * @file queries.h
 * @brief Reading orders: one by id or number, a customer's orders by page.
 */
#ifndef ORDERS_APPLICATION_QUERIES_H
#define ORDERS_APPLICATION_QUERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/application/service.h>
#include <orders/domain/order.h>
#include <orders/domain/order_ref.h>
#include <orders/ports/order_repository.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of a page cursor with NUL. */
#define ORD_CURSOR_SIZE 64
/** Page size when none is asked for. */
#define ORD_DEFAULT_PAGE_SIZE 20
/** Largest page size. */
#define ORD_MAX_PAGE_SIZE 100

/**
 * @brief Load one order with items and history.
 * @param ref an order reference (see ord_order_ref_parse()).
 * @param[out] out an initialised order; filled with owned data (ord_order_free()).
 * @return ORD_OK; ORD_ENOTFOUND when absent, malformed, or not the caller's;
 *         ORD_EUNAVAILABLE.
 */
ord_error ord_get_order(ord_service *svc, const ord_principal *who, const char *ref, ord_order *out);

/** @brief What to list. Borrowed pointers. */
typedef struct ord_list_request {
    int64_t customer_id;  /**< Whose orders. */
    size_t limit;         /**< 1..ORD_MAX_PAGE_SIZE; 0 means the default. */
    const char *cursor;   /**< From the previous page's next_cursor, or NULL. */
    const char *status;   /**< Status name to keep, or NULL for all. */
} ord_list_request;

/** @brief One page and where the next one starts. */
typedef struct ord_list_result {
    ord_order_page page;                 /**< Orders, newest first (no items, no history). */
    bool has_next;                       /**< next_cursor is valid. */
    char next_cursor[ORD_CURSOR_SIZE];   /**< Opaque; pass back as ord_list_request::cursor
                                              with the same customer (a cursor is checked
                                              and bound to its customer's list). */
} ord_list_result;

/**
 * @brief One page of a customer's orders, newest first.
 * @param[out] out zeroed; filled; free with ord_order_page_free(&out->page).
 * @return ORD_OK (an unknown customer has an empty page); ORD_EINVALID for a
 *         bad limit, cursor or status; ORD_EFORBIDDEN when a customer asks for
 *         another customer's orders; ORD_EUNAVAILABLE.
 */
ord_error ord_list_orders(ord_service *svc, const ord_principal *who, const ord_list_request *request,
                          ord_list_result *out);

#ifdef __cplusplus
}
#endif
#endif
