/* Growable text buffer with JSON string escaping. */
#include "buf.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(rest_buf *b, size_t extra)
{
    if (b->failed)
        return false;
    if (extra > SIZE_MAX / 2 - b->len) {
        b->failed = true;
        return false;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap > 0 ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *grown = realloc(b->data, cap);
    if (grown == NULL) {
        b->failed = true;
        return false;
    }
    b->data = grown;
    b->cap = cap;
    return true;
}

void rest_buf_append(rest_buf *b, const char *text, size_t len)
{
    if (!reserve(b, len))
        return;
    if (len > 0)
        memcpy(b->data + b->len, text, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void rest_buf_puts(rest_buf *b, const char *text)
{
    rest_buf_append(b, text, strlen(text));
}

void rest_buf_printf(rest_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if (!reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void rest_buf_json_string(rest_buf *b, const char *text)
{
    if (text == NULL) {
        rest_buf_puts(b, "null");
        return;
    }
    rest_buf_append(b, "\"", 1);
    const unsigned char *p = (const unsigned char *)text;
    const unsigned char *run = p;
    for (; *p != '\0'; p++) {
        const char *esc = NULL;
        char hex[8];
        switch (*p) {
        case '"': esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        default:
            if (*p < 0x20 || *p == 0x7f) {
                snprintf(hex, sizeof hex, "\\u%04x", (unsigned)*p);
                esc = hex;
            }
        }
        if (esc != NULL) {
            rest_buf_append(b, (const char *)run, (size_t)(p - run));
            rest_buf_puts(b, esc);
            run = p + 1;
        }
    }
    rest_buf_append(b, (const char *)run, (size_t)(p - run));
    rest_buf_append(b, "\"", 1);
}

void rest_buf_json_int(rest_buf *b, int64_t value)
{
    rest_buf_printf(b, "%" PRId64, value);
}

char *rest_buf_take(rest_buf *b, size_t *len)
{
    if (b->failed) {
        rest_buf_free(b);
        return NULL;
    }
    if (b->data == NULL && !reserve(b, 0))
        return NULL;
    b->data[b->len] = '\0';
    char *out = b->data;
    if (len != NULL)
        *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return out;
}

void rest_buf_free(rest_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = false;
}
