/**
 * @file secret.h
 * @brief Comparing secrets (token hashes, signatures) without telling an
 *        attacker by the time taken how much of a guess was right.
 */
#ifndef ORDERS_SUPPORT_SECRET_H
#define ORDERS_SUPPORT_SECRET_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Compare two NUL-terminated strings in time that depends only on
 *        their lengths.
 * @param a one string, or NULL.
 * @param b the other, or NULL.
 * @return true when both are present and equal.
 */
bool ord_text_equal_secret(const char *a, const char *b);

#ifdef __cplusplus
}
#endif
#endif
