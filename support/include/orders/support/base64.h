/**
 * @file base64.h
 * @brief Base64 of RFC 4648, strict: one spelling per value, so that text
 *        from the network (tokens, keys, event bodies) is either exactly
 *        right or refused.
 */
#ifndef ORDERS_SUPPORT_BASE64_H
#define ORDERS_SUPPORT_BASE64_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The two alphabets of RFC 4648. */
typedef enum ord_base64_alphabet {
    /** Section 4: `+` and `/`, padded with `=` to a multiple of four. */
    ORD_BASE64_STANDARD,
    /** Section 5: `-` and `_`, without padding (as JOSE writes it). */
    ORD_BASE64_URL,
} ord_base64_alphabet;

/** @brief What ord_base64_decode() made of its text. */
typedef enum ord_base64_result {
    ORD_BASE64_OK,       /**< decoded */
    ORD_BASE64_INVALID,  /**< not base64 of this alphabet, or longer than allowed */
    ORD_BASE64_NO_MEMORY /**< the output could not be allocated */
} ord_base64_result;

/**
 * @brief Decode base64 text, refusing every second spelling: characters
 *        outside the alphabet, blanks, padding where the alphabet has none
 *        (or missing where it has), and non-zero unused bits in the last
 *        character.
 * @param text the text (need not be NUL-terminated).
 * @param len its length in bytes.
 * @param alphabet which alphabet and padding rule applies.
 * @param max the most bytes the decoded value may have; a longer one is
 *        ORD_BASE64_INVALID, refused before any allocation.
 * @param[out] out on success a new buffer of *out_len bytes followed by a NUL
 *        (so text decodes to a C string), owned by the caller (free());
 *        NULL otherwise.
 * @param[out] out_len the decoded length; 0 unless ORD_BASE64_OK.
 * @return ORD_BASE64_OK, ORD_BASE64_INVALID or ORD_BASE64_NO_MEMORY.
 */
ord_base64_result ord_base64_decode(const char *text, size_t len, ord_base64_alphabet alphabet,
                                    size_t max, unsigned char **out, size_t *out_len);

/**
 * @brief Encode bytes as base64 text of an alphabet (padded for the
 *        standard one, unpadded for the URL one).
 * @param data the bytes (may be NULL when @p len is 0).
 * @param len how many.
 * @param alphabet the alphabet.
 * @return a new NUL-terminated string owned by the caller (free()), or NULL
 *         when memory ran out or @p len is too large to encode.
 */
char *ord_base64_encode(const void *data, size_t len, ord_base64_alphabet alphabet);

#ifdef __cplusplus
}
#endif
#endif
