/* A compare whose time does not depend on where two secrets differ. */
#include <orders/support/secret.h>

#include <stddef.h>
#include <string.h>

bool ord_text_equal_secret(const char *a, const char *b)
{
    if (!a || !b)
        return false;
    size_t la = strlen(a), lb = strlen(b);
    size_t n = la > lb ? la : lb;
    /* Touch every byte of both, whatever they hold; no early exit. */
    volatile unsigned char diff = (unsigned char)(la != lb);
    for (size_t i = 0; i < n; i++) {
        unsigned char ca = i < la ? (unsigned char)a[i] : 0u;
        unsigned char cb = i < lb ? (unsigned char)b[i] : 0u;
        diff |= (unsigned char)(ca ^ cb);
    }
    return diff == 0;
}
