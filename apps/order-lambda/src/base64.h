/* Base64 (RFC 4648, standard alphabet, padded) for the bodies API Gateway
 * flags isBase64Encoded, in both directions. */
#ifndef ORDER_LAMBDA_BASE64_H
#define ORDER_LAMBDA_BASE64_H

#include <stdbool.h>
#include <stddef.h>

/* Decode @p len characters of @p text into a new buffer (NUL-terminated,
 * malloc'd, *out_len bytes before the NUL). Returns false for text that is
 * not base64 (wrong alphabet, length or padding) with *out NULL, and for
 * lack of memory with *oom set. */
bool lam_base64_decode(const char *text, size_t len, char **out, size_t *out_len, bool *oom);

/* Encode @p len bytes into a new NUL-terminated string (malloc'd); NULL when
 * memory ran out. */
char *lam_base64_encode(const char *data, size_t len);

#endif
