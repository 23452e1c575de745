/* A minimal JSON writer for the order and event bodies: the application may
 * not link a JSON library, and these bodies only ever need objects, arrays,
 * strings, integers and exact money. */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <orders/domain/money.h>
#include <orders/domain/text.h>

static bool json_reserve(app_json *j, size_t more)
{
    if (j->err != ORD_OK)
        return false;
    if (more > SIZE_MAX / 2 - j->len) {
        j->err = ORD_ENOMEM;
        return false;
    }
    size_t need = j->len + more + 1;
    if (need <= j->cap)
        return true;
    size_t cap = j->cap ? j->cap : 256;
    while (cap < need)
        cap *= 2;
    char *buf = realloc(j->buf, cap);
    if (buf == NULL) {
        j->err = ORD_ENOMEM;
        return false;
    }
    j->buf = buf;
    j->cap = cap;
    return true;
}

static void json_bytes(app_json *j, const char *bytes, size_t n)
{
    if (!json_reserve(j, n))
        return;
    memcpy(j->buf + j->len, bytes, n);
    j->len += n;
    j->buf[j->len] = '\0';
}

void ord_app_json_raw(app_json *j, const char *text)
{
    json_bytes(j, text, strlen(text));
}

/* Length of the well-formed UTF-8 sequence at s (1..4), or 0 when the bytes
 * there are not one (overlong, surrogate, beyond U+10FFFF, cut short). */
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

/* Quotes, backslashes and control characters are escaped; valid UTF-8 goes
 * through as is; a byte that starts no valid sequence becomes U+FFFD, so the
 * output is always valid JSON whatever a store handed us. */
void ord_app_json_string(app_json *j, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    json_bytes(j, "\"", 1);
    while (*s != '\0' && j->err == ORD_OK) {
        const unsigned char *run = s;
        while (*s >= 0x20 && *s < 0x80 && *s != '"' && *s != '\\')
            s++;
        json_bytes(j, (const char *)run, (size_t)(s - run));
        if (*s == '\0')
            break;
        if (*s == '"' || *s == '\\') {
            char esc[2] = {'\\', (char)*s};
            json_bytes(j, esc, 2);
            s++;
        } else if (*s < 0x20) {
            char esc[8];
            switch (*s) {
            case '\b':
                strcpy(esc, "\\b");
                break;
            case '\f':
                strcpy(esc, "\\f");
                break;
            case '\n':
                strcpy(esc, "\\n");
                break;
            case '\r':
                strcpy(esc, "\\r");
                break;
            case '\t':
                strcpy(esc, "\\t");
                break;
            default:
                snprintf(esc, sizeof esc, "\\u%04x", (unsigned)*s);
                break;
            }
            ord_app_json_raw(j, esc);
            s++;
        } else {
            size_t n = utf8_sequence(s);
            if (n == 0) {
                ord_app_json_raw(j, "\\ufffd");
                s++;
            } else {
                json_bytes(j, (const char *)s, n);
                s += n;
            }
        }
    }
    json_bytes(j, "\"", 1);
}

void ord_app_json_string_or_null(app_json *j, const char *text)
{
    if (text == NULL)
        ord_app_json_raw(j, "null");
    else
        ord_app_json_string(j, text);
}

void ord_app_json_int(app_json *j, int64_t value)
{
    char num[24];
    snprintf(num, sizeof num, "%" PRId64, value);
    ord_app_json_raw(j, num);
}

void ord_app_json_key(app_json *j, const char *key, bool first)
{
    if (!first)
        json_bytes(j, ",", 1);
    ord_app_json_string(j, key);
    json_bytes(j, ":", 1);
}

void ord_app_json_money(app_json *j, ord_money value)
{
    char text[ORD_MONEY_TEXT_SIZE];
    if (j->err != ORD_OK)
        return;
    if (ord_money_format(text, sizeof text, value) != ORD_OK) {
        j->err = ORD_EINVALID;
        return;
    }
    ord_app_json_raw(j, text);
}

void ord_app_json_time(app_json *j, int64_t unix_ms)
{
    char text[ORD_TIME_TEXT_SIZE];
    if (j->err != ORD_OK)
        return;
    if (ord_time_format(text, unix_ms) != ORD_OK) {
        j->err = ORD_EINVALID;
        return;
    }
    ord_app_json_string(j, text);
}

ord_error ord_app_json_finish(app_json *j, char **out)
{
    *out = NULL;
    if (j->err == ORD_OK && j->buf == NULL)
        json_bytes(j, "", 0);
    if (j->err != ORD_OK) {
        free(j->buf);
        j->buf = NULL;
        return j->err;
    }
    *out = j->buf;
    j->buf = NULL;
    return ORD_OK;
}
