/* Order references: the syntax of the {id} in a request path. */
#include <orders/domain/order_ref.h>

#include <ctype.h>
#include <string.h>

#include <orders/domain/text.h>

/* Only the canonical decimal form is an id: digits, no sign, no leading
 * zero, no spaces, within int64. Anything else is no order at all. */
static bool parse_id(const char *ref, int64_t *id)
{
    if (ref[0] < '1' || ref[0] > '9')
        return false;
    int64_t value = 0;
    for (const char *p = ref; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return false;
        int digit = *p - '0';
        if (value > (INT64_MAX - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    *id = value;
    return true;
}

bool ord_order_ref_parse(const char *ref, int64_t *id, char number[ORD_ORDER_NUMBER_SIZE])
{
    int64_t parsed = 0;
    if (id)
        *id = 0;
    if (number)
        number[0] = '\0';
    if (ref == NULL)
        return false;
    if (parse_id(ref, &parsed)) {
        if (id)
            *id = parsed;
        return true;
    }
    /* UUIDs compare without regard to case (RFC 9562); stored numbers are
     * lower case, so an upper-case copy of one names the same order. */
    char canonical[ORD_ORDER_NUMBER_SIZE];
    size_t len = strlen(ref);
    if (len != ORD_ORDER_NUMBER_SIZE - 1)
        return false;
    memcpy(canonical, ref, sizeof canonical);
    for (size_t i = 4; i < len; i++)
        canonical[i] = (char)tolower((unsigned char)canonical[i]);
    if (!ord_order_number_is_valid(canonical))
        return false;
    if (number)
        memcpy(number, canonical, ORD_ORDER_NUMBER_SIZE);
    return true;
}
