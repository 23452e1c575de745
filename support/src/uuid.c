/* UUID text, written by hand: it is on every request's path (request ids),
 * where a 16-field snprintf showed in profiles. */
#include <orders/support/uuid.h>

void ord_uuid_mark_v4(unsigned char bytes[16])
{
    bytes[6] = (unsigned char)((bytes[6] & 0x0f) | 0x40); /* version 4 */
    bytes[8] = (unsigned char)((bytes[8] & 0x3f) | 0x80); /* RFC 4122 variant */
}

void ord_uuid_format(const unsigned char bytes[16], char out[ORD_UUID_TEXT_SIZE])
{
    static const char hex[] = "0123456789abcdef";
    int n = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[n++] = '-';
        out[n++] = hex[bytes[i] >> 4];
        out[n++] = hex[bytes[i] & 0x0f];
    }
    out[n] = '\0';
}
