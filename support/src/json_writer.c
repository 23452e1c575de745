/* The one JSON writer: text that grows by doubling, and strings escaped so
 * that the output is valid JSON whatever bytes they held. */
#include <orders/support/json_writer.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool reserve(ord_json_writer *w, size_t extra)
{
    if (w->failed)
        return false;
    if (extra > SIZE_MAX / 2 - w->len) {
        w->failed = true;
        return false;
    }
    size_t need = w->len + extra + 1;
    if (need <= w->cap)
        return true;
    size_t cap = w->cap > 0 ? w->cap : 256;
    while (cap < need)
        cap *= 2;
    char *grown = realloc(w->data, cap);
    if (grown == NULL) {
        w->failed = true;
        return false;
    }
    w->data = grown;
    w->cap = cap;
    return true;
}

void ord_json_append(ord_json_writer *w, const char *bytes, size_t len)
{
    if (!reserve(w, len))
        return;
    if (len > 0)
        memcpy(w->data + w->len, bytes, len);
    w->len += len;
    w->data[w->len] = '\0';
}

void ord_json_raw(ord_json_writer *w, const char *text)
{
    ord_json_append(w, text, strlen(text));
}

void ord_json_printf(ord_json_writer *w, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        w->failed = true;
        return;
    }
    if (!reserve(w, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(w->data + w->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    w->len += (size_t)n;
}

/* Length of the well-formed UTF-8 sequence at s (2..4), or 0 when the bytes
 * there are not one (overlong, surrogate, beyond U+10FFFF, cut short). The
 * checks stop at the first byte that is not a continuation, so a NUL ends
 * them in time. */
static size_t utf8_sequence(const unsigned char *s)
{
    unsigned char c = s[0];
    if (c >= 0xc2 && c <= 0xdf)
        return (s[1] & 0xc0) == 0x80 ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
        if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
            return 0;
        if (c == 0xe0 && s[1] < 0xa0)
            return 0; /* overlong */
        if (c == 0xed && s[1] >= 0xa0)
            return 0; /* UTF-16 surrogate */
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
            return 0;
        if (c == 0xf0 && s[1] < 0x90)
            return 0; /* overlong */
        if (c == 0xf4 && s[1] >= 0x90)
            return 0; /* beyond U+10FFFF */
        return 4;
    }
    return 0;
}

/* The escape of an ASCII byte that cannot stand in a JSON string as it is
 * (NULL: it can); @p hex has room for "\u00XX". */
static const char *ascii_escape(unsigned char c, char hex[8])
{
    switch (c) {
    case '"':
        return "\\\"";
    case '\\':
        return "\\\\";
    case '\b':
        return "\\b";
    case '\f':
        return "\\f";
    case '\n':
        return "\\n";
    case '\r':
        return "\\r";
    case '\t':
        return "\\t";
    default:
        break;
    }
    if (c >= 0x20 && c != 0x7f)
        return NULL;
    snprintf(hex, 8, "\\u%04x", (unsigned)c);
    return hex;
}

void ord_json_string(ord_json_writer *w, const char *text)
{
    if (text == NULL) {
        ord_json_raw(w, "null");
        return;
    }
    const unsigned char *s = (const unsigned char *)text;
    ord_json_append(w, "\"", 1);
    while (*s != '\0' && !w->failed) {
        const unsigned char *run = s;
        char hex[8];
        while (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\')
            s++;
        ord_json_append(w, (const char *)run, (size_t)(s - run));
        if (*s == '\0')
            break;
        if (*s < 0x80) {
            ord_json_raw(w, ascii_escape(*s, hex));
            s++;
            continue;
        }
        size_t n = utf8_sequence(s);
        if (n == 0) {
            ord_json_raw(w, "\\ufffd");
            s++;
        } else {
            ord_json_append(w, (const char *)s, n);
            s += n;
        }
    }
    ord_json_append(w, "\"", 1);
}

void ord_json_int(ord_json_writer *w, int64_t value)
{
    ord_json_printf(w, "%" PRId64, value);
}

void ord_json_key(ord_json_writer *w, const char *key, bool first)
{
    if (!first)
        ord_json_append(w, ",", 1);
    ord_json_string(w, key);
    ord_json_append(w, ":", 1);
}

char *ord_json_take(ord_json_writer *w, size_t *len)
{
    if (w->failed) {
        ord_json_writer_free(w);
        return NULL;
    }
    if (w->data == NULL && !reserve(w, 0))
        return NULL;
    w->data[w->len] = '\0';
    char *out = w->data;
    if (len != NULL)
        *len = w->len;
    w->data = NULL;
    w->len = 0;
    w->cap = 0;
    return out;
}

void ord_json_writer_free(ord_json_writer *w)
{
    if (w == NULL)
        return;
    free(w->data);
    w->data = NULL;
    w->len = 0;
    w->cap = 0;
    w->failed = false;
}
