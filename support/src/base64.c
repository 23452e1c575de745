/* Base64 both ways. Decoding works on whole groups of four characters (the
 * last one shorter without padding), so every rule of one spelling per value
 * is checked in one place. */
#include <orders/support/base64.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

static const char standard_chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char url_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int value_of(unsigned char ch, ord_base64_alphabet alphabet)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    bool url = alphabet == ORD_BASE64_URL;
    if (ch == (url ? '-' : '+'))
        return 62;
    if (ch == (url ? '_' : '/'))
        return 63;
    return -1;
}

/* How many characters carry data: all of them in the URL alphabet, all but
 * the padding in the standard one. SIZE_MAX when the length cannot be right. */
static size_t data_chars(const char *text, size_t len, ord_base64_alphabet alphabet)
{
    if (alphabet == ORD_BASE64_URL)
        return len % 4 == 1 ? SIZE_MAX : len;
    if (len % 4 != 0)
        return SIZE_MAX;
    size_t pad = 0;
    while (pad < 2 && pad < len && text[len - 1 - pad] == '=')
        pad++;
    return len - pad;
}

ord_base64_result ord_base64_decode(const char *text, size_t len, ord_base64_alphabet alphabet,
                                    size_t max, unsigned char **out, size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    size_t chars = data_chars(text, len, alphabet);
    if (chars == SIZE_MAX || chars % 4 == 1)
        return ORD_BASE64_INVALID;
    size_t n = chars / 4 * 3 + (chars % 4 == 0 ? 0 : chars % 4 - 1);
    if (n > max)
        return ORD_BASE64_INVALID;
    unsigned char *buf = malloc(n + 1);
    if (buf == NULL)
        return ORD_BASE64_NO_MEMORY;
    size_t w = 0;
    for (size_t i = 0; i < chars; i += 4) {
        size_t group_chars = chars - i < 4 ? chars - i : 4;
        uint32_t group = 0;
        for (size_t k = 0; k < 4; k++) {
            int v = k < group_chars ? value_of((unsigned char)text[i + k], alphabet) : 0;
            if (v < 0) {
                free(buf);
                return ORD_BASE64_INVALID;
            }
            group = group << 6 | (uint32_t)v;
        }
        /* Bits below the last whole byte must be zero: one spelling per value. */
        if ((group_chars == 2 && (group & 0xffff) != 0) ||
            (group_chars == 3 && (group & 0xff) != 0)) {
            free(buf);
            return ORD_BASE64_INVALID;
        }
        buf[w++] = (unsigned char)(group >> 16);
        if (group_chars > 2)
            buf[w++] = (unsigned char)(group >> 8 & 0xff);
        if (group_chars > 3)
            buf[w++] = (unsigned char)(group & 0xff);
    }
    buf[w] = '\0';
    *out = buf;
    *out_len = w;
    return ORD_BASE64_OK;
}

char *ord_base64_encode(const void *data, size_t len, ord_base64_alphabet alphabet)
{
    if (len > (SIZE_MAX - 1) / 4 * 3 - 2)
        return NULL;
    char *out = malloc((len + 2) / 3 * 4 + 1);
    if (out == NULL)
        return NULL;
    const char *chars = alphabet == ORD_BASE64_URL ? url_chars : standard_chars;
    bool pad = alphabet == ORD_BASE64_STANDARD;
    const unsigned char *p = data;
    size_t n = 0;
    for (size_t i = 0; i < len; i += 3) {
        size_t left = len - i;
        uint32_t group = (uint32_t)p[i] << 16;
        if (left > 1)
            group |= (uint32_t)p[i + 1] << 8;
        if (left > 2)
            group |= p[i + 2];
        out[n++] = chars[group >> 18];
        out[n++] = chars[group >> 12 & 63];
        if (left > 1)
            out[n++] = chars[group >> 6 & 63];
        else if (pad)
            out[n++] = '=';
        if (left > 2)
            out[n++] = chars[group & 63];
        else if (pad)
            out[n++] = '=';
    }
    out[n] = '\0';
    return out;
}
