/**
 * @file money.h
 * @brief Exact money: integer minor units plus an ISO 4217 currency code.
 *
 * Never floating point. Parsing and formatting are exact decimal text
 * ("349.97"), arithmetic reports overflow instead of wrapping.
 */
#ifndef ORDERS_DOMAIN_MONEY_H
#define ORDERS_DOMAIN_MONEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/domain/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes for a currency code: three letters and a NUL. */
#define ORD_CURRENCY_SIZE 4
/** Bytes that always hold ord_money_format() output, sign and NUL included. */
#define ORD_MONEY_TEXT_SIZE 32

/** @brief An amount of money; a plain value, copy it freely. */
typedef struct ord_money {
    int64_t minor;                      /**< Amount in the currency's minor units (cents). */
    char currency[ORD_CURRENCY_SIZE];   /**< Upper-case ISO 4217 code, NUL-terminated. */
} ord_money;

/**
 * @brief Number of decimals of a currency's minor unit (2 for USD, 0 for JPY,
 *        3 for KWD...).
 * @param currency a three-letter code; unknown codes get 2.
 * @return 0..3, or -1 when @p currency is not three upper-case letters.
 */
int ord_currency_decimals(const char *currency);

/**
 * @brief Build a money value from minor units.
 * @param[out] out receives the value; untouched on failure.
 * @param minor amount in minor units.
 * @param currency three upper-case letters.
 * @return ORD_OK, or ORD_EINVALID for a malformed currency.
 */
ord_error ord_money_make(ord_money *out, int64_t minor, const char *currency);

/**
 * @brief Parse exact decimal text ("349.97", "-0.5", "100") into minor units.
 *
 * No exponent, no leading '+', at most the currency's decimals (extra
 * trailing zeros are accepted: "1.50" in JPY is refused, "1.500" in USD is 150).
 * @param[out] out receives the value; untouched on failure.
 * @param text the digits; need not be NUL-terminated.
 * @param len bytes of @p text to read.
 * @param currency three upper-case letters.
 * @return ORD_OK, ORD_EINVALID for malformed text or currency, ORD_EOVERFLOW
 *         when the amount does not fit.
 */
ord_error ord_money_parse(ord_money *out, const char *text, size_t len, const char *currency);

/**
 * @brief Format as exact decimal text with the currency's decimals ("0.30").
 * @param[out] buf receives NUL-terminated text; at least ORD_MONEY_TEXT_SIZE bytes
 *             always suffice.
 * @param cap size of @p buf.
 * @param value the amount.
 * @return ORD_OK, or ORD_EINVALID when @p buf is too small or the currency malformed
 *         (then @p buf holds an empty string if @p cap > 0).
 */
ord_error ord_money_format(char *buf, size_t cap, ord_money value);

/**
 * @brief a + b, same currency only.
 * @param[out] out receives the sum; untouched on failure.
 * @return ORD_OK, ORD_EINVALID for different currencies, ORD_EOVERFLOW.
 */
ord_error ord_money_add(ord_money *out, ord_money a, ord_money b);

/**
 * @brief value × factor (a unit price times a quantity).
 * @param[out] out receives the product; untouched on failure.
 * @return ORD_OK, ORD_EOVERFLOW, or ORD_EINVALID when @p out is NULL.
 */
ord_error ord_money_multiply(ord_money *out, ord_money value, int64_t factor);

/** @brief Whether two values have the same currency and amount. */
bool ord_money_equal(ord_money a, ord_money b);

#ifdef __cplusplus
}
#endif
#endif
