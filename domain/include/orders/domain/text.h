/**
 * @file text.h
 * @brief Text helpers the domain needs and the C library lacks: UTF-8
 *        counting, RFC 3339 times, UUID and order-number syntax.
 */
#ifndef ORDERS_DOMAIN_TEXT_H
#define ORDERS_DOMAIN_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/domain/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of an RFC 3339 UTC time with seconds ("2026-03-08T14:30:00Z") and NUL. */
#define ORD_TIME_TEXT_SIZE 21

/**
 * @brief Count the characters (code points) of UTF-8 text.
 * @param text the bytes.
 * @param len bytes to read.
 * @param[out] chars receives the count when the text is valid.
 * @return true when @p text is well-formed UTF-8 (no overlongs, no surrogates,
 *         no NUL byte).
 */
bool ord_utf8_count(const char *text, size_t len, size_t *chars);

/**
 * @brief Format Unix milliseconds as RFC 3339 UTC, whole seconds, 'Z' suffix.
 * @param[out] buf at least ORD_TIME_TEXT_SIZE bytes.
 * @param unix_ms time; years 0000..9999 only.
 * @return ORD_OK or ORD_EINVALID for a time outside that range.
 */
ord_error ord_time_format(char buf[ORD_TIME_TEXT_SIZE], int64_t unix_ms);

/**
 * @brief Parse "YYYY-MM-DDTHH:MM:SS[.fff]Z" into Unix milliseconds.
 * @param[out] unix_ms receives the time; untouched on failure.
 * @param text NUL-terminated.
 * @return ORD_OK or ORD_EINVALID.
 */
ord_error ord_time_parse(int64_t *unix_ms, const char *text);

/** @brief Whether @p text is a canonical lower-case UUID (8-4-4-4-12 hex). */
bool ord_uuid_is_valid(const char *text);

/** @brief Whether @p text is "ORD-" followed by a canonical UUID. */
bool ord_order_number_is_valid(const char *text);

#ifdef __cplusplus
}
#endif
#endif
