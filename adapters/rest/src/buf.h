/* A growable text buffer for response bodies and headers; after a failed
 * allocation it stays failed, so callers check once at the end. */
#ifndef ORDERS_REST_BUF_H
#define ORDERS_REST_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct rest_buf {
    char *data;  /* NUL-terminated when len > 0 */
    size_t len;
    size_t cap;
    bool failed; /* an allocation failed: the content is incomplete */
} rest_buf;

void rest_buf_append(rest_buf *b, const char *text, size_t len);
void rest_buf_puts(rest_buf *b, const char *text);
void rest_buf_printf(rest_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal with quotes; NULL becomes null. */
void rest_buf_json_string(rest_buf *b, const char *text);
void rest_buf_json_int(rest_buf *b, int64_t value);
/* Hand the text over (malloc'd, NUL-terminated, "" when empty); NULL when
 * the buffer failed. The buffer is empty afterwards. */
char *rest_buf_take(rest_buf *b, size_t *len);
void rest_buf_free(rest_buf *b);

#endif
