/**
 * @file uuid.h
 * @brief UUIDs as text: the 8-4-4-4-12 lower-case hex spelling of 16 bytes,
 *        and the marks that make 16 random bytes a version 4 UUID.
 */
#ifndef ORDERS_SUPPORT_UUID_H
#define ORDERS_SUPPORT_UUID_H

#ifdef __cplusplus
extern "C" {
#endif

/** Bytes of a UUID's text with its terminating NUL. */
#define ORD_UUID_TEXT_SIZE 37

/**
 * @brief Mark 16 random bytes, in place, as a version 4 UUID of the RFC 4122
 *        variant (6 of their 128 bits are then fixed).
 * @param bytes the caller's 16 bytes.
 */
void ord_uuid_mark_v4(unsigned char bytes[16]);

/**
 * @brief Spell 16 bytes as a UUID: 36 lower-case characters and a NUL.
 * @param bytes borrowed, read only.
 * @param[out] out the caller's buffer of ORD_UUID_TEXT_SIZE bytes.
 */
void ord_uuid_format(const unsigned char bytes[16], char out[ORD_UUID_TEXT_SIZE]);

#ifdef __cplusplus
}
#endif

#endif
