/**
 * @file sha256.h
 * @brief SHA-256 (FIPS 180-4) as lower-case hex, for fingerprints, token
 *        hashes and checksums; no crypto library needed.
 */
#ifndef ORDERS_SUPPORT_SHA256_H
#define ORDERS_SUPPORT_SHA256_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of a hex SHA-256 digest with NUL. */
#define ORD_SHA256_HEX_SIZE 65

/**
 * @brief SHA-256 of @p data as lower-case hex.
 * @param[out] out ORD_SHA256_HEX_SIZE bytes, NUL-terminated; nothing is
 *             written when NULL.
 * @param data the bytes; may be NULL when @p len is 0.
 * @param len their count.
 */
void ord_sha256_hex(char out[ORD_SHA256_HEX_SIZE], const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif
