/* Base64 codec: strict on input (every character checked, padding only at
 * the end), since the text comes from an event. */
#include "base64.h"

#include <stdint.h>
#include <stdlib.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int value_of(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '+')
        return 62;
    if (ch == '/')
        return 63;
    return -1;
}

bool lam_base64_decode(const char *text, size_t len, char **out, size_t *out_len, bool *oom)
{
    *out = NULL;
    *out_len = 0;
    *oom = false;
    if (len % 4 != 0)
        return false;
    size_t pad = 0;
    if (len > 0 && text[len - 1] == '=')
        pad = len > 1 && text[len - 2] == '=' ? 2 : 1;
    char *buf = malloc(len / 4 * 3 + 1);
    if (buf == NULL) {
        *oom = true;
        return false;
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i += 4) {
        bool last = i + 4 == len;
        size_t chars = last ? 4 - pad : 4;
        uint32_t group = 0;
        for (size_t k = 0; k < 4; k++) {
            int v = k < chars ? value_of((unsigned char)text[i + k]) : 0;
            if (v < 0) {
                free(buf);
                return false;
            }
            group = group << 6 | (uint32_t)v;
        }
        /* Bits below the last whole byte must be zero (one spelling per value). */
        if ((chars == 2 && (group & 0xffff) != 0) || (chars == 3 && (group & 0xff) != 0)) {
            free(buf);
            return false;
        }
        buf[n++] = (char)(group >> 16);
        if (chars > 2)
            buf[n++] = (char)(group >> 8 & 0xff);
        if (chars > 3)
            buf[n++] = (char)(group & 0xff);
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    return true;
}

char *lam_base64_encode(const char *data, size_t len)
{
    if (len > (SIZE_MAX - 1) / 4 * 3 - 2)
        return NULL;
    char *out = malloc((len + 2) / 3 * 4 + 1);
    if (out == NULL)
        return NULL;
    const unsigned char *p = (const unsigned char *)data;
    size_t n = 0;
    for (size_t i = 0; i < len; i += 3) {
        size_t left = len - i;
        uint32_t group = (uint32_t)p[i] << 16;
        if (left > 1)
            group |= (uint32_t)p[i + 1] << 8;
        if (left > 2)
            group |= p[i + 2];
        out[n++] = alphabet[group >> 18];
        out[n++] = alphabet[group >> 12 & 63];
        out[n++] = left > 1 ? alphabet[group >> 6 & 63] : '=';
        out[n++] = left > 2 ? alphabet[group & 63] : '=';
    }
    out[n] = '\0';
    return out;
}
