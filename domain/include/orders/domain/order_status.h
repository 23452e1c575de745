/**
 * @file order_status.h
 * @brief The order status machine: one table says which changes are allowed.
 *
 * DRAFT -> PENDING_CHECK -> CONFIRMED -> SHIPPED -> DELIVERED, and
 * DRAFT, PENDING_CHECK, CONFIRMED -> CANCELLED. Nothing else.
 */
#ifndef ORDERS_DOMAIN_ORDER_STATUS_H
#define ORDERS_DOMAIN_ORDER_STATUS_H

#include <stdbool.h>

#include <orders/domain/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Where an order is in its life. Values are stable (stored). */
typedef enum ord_status {
    ORD_STATUS_DRAFT = 0,
    ORD_STATUS_PENDING_CHECK = 1,
    ORD_STATUS_CONFIRMED = 2,
    ORD_STATUS_SHIPPED = 3,
    ORD_STATUS_DELIVERED = 4,
    ORD_STATUS_CANCELLED = 5
} ord_status;

/** Number of statuses; valid values are 0 .. ORD_STATUS_COUNT - 1. */
#define ORD_STATUS_COUNT 6

/**
 * @brief The wire name ("PENDING_CHECK").
 * @return static text, or "UNKNOWN" for a value outside the enum.
 */
const char *ord_status_name(ord_status status);

/**
 * @brief Parse a wire name, case-sensitive.
 * @param[out] out receives the status; untouched on failure.
 * @param name NUL-terminated text.
 * @return true when @p name is one of the six names.
 */
bool ord_status_parse(ord_status *out, const char *name);

/**
 * @brief Whether the machine allows @p from -> @p to.
 * @param from current status.
 * @param to wanted status.
 * @param[out] why when refused and not NULL, receives static text saying why.
 * @return ORD_OK when allowed, ORD_ETRANSITION when not, ORD_EINVALID for a
 *         value outside the enum.
 */
ord_error ord_status_check_transition(ord_status from, ord_status to, const char **why);

/** @brief Whether no transition leaves @p status (DELIVERED, CANCELLED). */
bool ord_status_is_final(ord_status status);

#ifdef __cplusplus
}
#endif
#endif
