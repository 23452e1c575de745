/* Strict base64url: the alphabet of RFC 4648 section 5, no padding, no
 * blanks, and the unused bits of the last character zero, so that one
 * token has exactly one spelling. */
#include "internal.h"

#include <stdlib.h>

static int value_of(unsigned char ch)
{
    if (ch >= 'A' && ch <= 'Z')
        return ch - 'A';
    if (ch >= 'a' && ch <= 'z')
        return ch - 'a' + 26;
    if (ch >= '0' && ch <= '9')
        return ch - '0' + 52;
    if (ch == '-')
        return 62;
    if (ch == '_')
        return 63;
    return -1;
}

bool ord_jwt_b64url_decode(const char *in, size_t len, size_t max, unsigned char **out,
                           size_t *out_len)
{
    *out = NULL;
    *out_len = 0;
    if (len % 4 == 1)
        return false;
    size_t n = len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1);
    if (n > max)
        return false;
    unsigned char *buf = malloc(n + 1);
    if (buf == NULL)
        return false;
    uint32_t acc = 0;
    int bits = 0;
    size_t w = 0;
    for (size_t i = 0; i < len; i++) {
        int v = value_of((unsigned char)in[i]);
        if (v < 0) {
            free(buf);
            return false;
        }
        acc = (acc << 6) | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            buf[w++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1u;
        }
    }
    if (acc != 0) { /* non-zero leftover bits: a second spelling */
        free(buf);
        return false;
    }
    buf[w] = '\0';
    *out = buf;
    *out_len = w;
    return true;
}
