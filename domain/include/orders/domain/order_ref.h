/**
 * @file order_ref.h
 * @brief An order reference: the text that names one order, by its orderId
 *        or by its order number.
 */
#ifndef ORDERS_DOMAIN_ORDER_REF_H
#define ORDERS_DOMAIN_ORDER_REF_H

#include <stdbool.h>
#include <stdint.h>

#include <orders/domain/order.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Parse an order reference: a decimal orderId or an "ORD-<uuid>" number.
 *
 * Only the canonical forms count: digits without sign, spaces or leading
 * zeros that fit in int64 and are > 0, or "ORD-" and a UUID in either case
 * (UUIDs ignore case; @p number receives the stored, lower-case form).
 * @param ref NUL-terminated text.
 * @param[out] id receives the id when numeric, else 0; may be NULL.
 * @param[out] number ORD_ORDER_NUMBER_SIZE bytes; receives the number, else "";
 *             may be NULL.
 * @return true when @p ref is one of the two forms.
 */
bool ord_order_ref_parse(const char *ref, int64_t *id, char number[ORD_ORDER_NUMBER_SIZE]);

#ifdef __cplusplus
}
#endif
#endif
