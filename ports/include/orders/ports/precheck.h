/**
 * @file precheck.h
 * @brief Port: the three checks before an order is stored (current prices,
 *        account restrictions, account eligibility).
 *
 * "Check these three, fail fast": an adapter may run them concurrently and
 * stop at the first failure (the HTTP adapter does, on one libcurl multi
 * handle); the in-memory adapter runs them in sequence. Account checks are
 * skipped when the adapter has no account service configured, and for guests
 * (customer_id 0).
 */
#ifndef ORDERS_PORTS_PRECHECK_H
#define ORDERS_PORTS_PRECHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/domain/error.h>
#include <orders/domain/money.h>
#include <orders/ports/call_context.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_precheck_ops this header describes. */
#define ORD_PRECHECK_VERSION 1

/** @brief The price of one product, as the catalog answered. */
typedef struct ord_product_price {
    int64_t product_id; /**< Asked for. */
    bool found;         /**< false: the catalog does not know the product. */
    ord_money price;    /**< Current unit price when found. A price the catalog gave
                             outside the contract for this one product (not a number,
                             too many decimals, an unknown currency) is reported as
                             found with a negative amount and an empty currency: the
                             product cannot be sold now, which is no fault of the
                             service (use ord_product_price_usable()). */
} ord_product_price;

/** @brief Whether a found product's price can price an order. */
static inline bool ord_product_price_usable(const ord_product_price *p)
{
    return p->found && p->price.minor >= 0 && ord_currency_decimals(p->price.currency) >= 0;
}

/** @brief The first check that failed, or none. */
typedef enum ord_precheck_verdict {
    ORD_PRECHECK_PASSED = 0,          /**< Every product known, account allowed. */
    ORD_PRECHECK_UNKNOWN_PRODUCTS = 1, /**< Some product has found == false. */
    ORD_PRECHECK_RESTRICTED = 2,      /**< The account has restrictions. */
    ORD_PRECHECK_INELIGIBLE = 3       /**< The account is not eligible. */
} ord_precheck_verdict;

/** @brief Which downstream service a precheck failure came from. */
typedef enum ord_precheck_service {
    ORD_PRECHECK_NONE = 0,
    ORD_PRECHECK_CATALOG = 1,
    ORD_PRECHECK_RESTRICTIONS = 2,
    ORD_PRECHECK_ELIGIBILITY = 3
} ord_precheck_service;

/** @brief Result of a precheck. */
typedef struct ord_precheck_result {
    ord_precheck_verdict verdict;  /**< Meaningful when the call returned ORD_OK. */
    ord_precheck_service failed;   /**< The service that could not answer, when the call failed. */
} ord_precheck_result;

/** @brief Operations of a precheck adapter. A static const table per adapter. */
typedef struct ord_precheck_ops {
    int version; /**< ORD_PRECHECK_VERSION the adapter was built against. */

    /**
     * @brief Run the checks for one order.
     * @param ctx tracing data, may be NULL.
     * @param customer_id the account to check; 0 skips the account checks.
     * @param[in,out] prices caller array of @p count entries with product_id
     *        set; the adapter sets found and price of each when the catalog
     *        answered (for UNKNOWN_PRODUCTS too).
     * @param count entries in @p prices (1..ORD_MAX_ITEMS).
     * @param[out] result verdict, or the failed service.
     * @return ORD_OK (see result->verdict); ORD_EUNAVAILABLE, ORD_ETIMEOUT or
     *         ORD_ECONTRACT when a service could not answer (result->failed
     *         says which; the other checks may have been cancelled).
     */
    ord_error (*check)(void *self, const ord_call_context *ctx, int64_t customer_id,
                       ord_product_price *prices, size_t count, ord_precheck_result *result);
} ord_precheck_ops;

/** @brief A precheck adapter: its operations and their state. */
typedef struct ord_precheck {
    const ord_precheck_ops *ops; /**< Method table. */
    void *self;                  /**< Passed back to every method. */
} ord_precheck;

#ifdef __cplusplus
}
#endif
#endif
