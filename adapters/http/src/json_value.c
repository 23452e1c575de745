/* Reading values from untrusted JSON answers: whole-body parsing, exact
 * integers, and money converted from cJSON's double without rounding. */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <orders/domain/money.h>
#include <orders/support/json_scan.h>

cJSON *ord_http_json_parse(const char *text, size_t len)
{
    if (text == NULL || len == 0 || !ord_json_depth_within(text, len, ORD_JSON_MAX_DEPTH))
        return NULL;
    /* The end pointer (never cJSON_GetErrorPtr, a racy global) tells
     * whether anything but whitespace follows the value. */
    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (json == NULL)
        return NULL;
    while (end < text + len && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
        end++;
    if (end != text + len) {
        cJSON_Delete(json);
        return NULL;
    }
    return json;
}

bool ord_http_json_int(const cJSON *item, int64_t min, int64_t max, int64_t *out)
{
    if (!cJSON_IsNumber(item))
        return false;
    double v = item->valuedouble;
    /* Beyond 2^53 a double no longer tells neighbouring integers apart. */
    if (!isfinite(v) || v != floor(v) || fabs(v) > 9007199254740992.0 || v < (double)min ||
        v > (double)max)
        return false;
    *out = (int64_t)v;
    return true;
}

ord_error ord_http_json_money(const cJSON *number, const char *currency, ord_money *out)
{
    int decimals = ord_currency_decimals(currency);
    if (decimals < 0 || !cJSON_IsNumber(number))
        return ORD_ECONTRACT;
    double v = number->valuedouble;
    /* Below 2^52 / 10^decimals neighbouring amounts are further apart than
     * a double's step, so the nearest amount is the one sent; above it
     * (9999999999999.001 KWD reads as .002) the amount is not exact. */
    double scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    if (!isfinite(v) || v < 0 || v >= 4503599627370496.0 / scale)
        return ORD_ECONTRACT;
    /* Format at the currency's precision and read it back: the nearest
     * decimal must be the very number sent, or it had more decimals. */
    char text[64];
    int n = snprintf(text, sizeof text, "%.*f", decimals, v);
    if (n <= 0 || (size_t)n >= sizeof text || strtod(text, NULL) != v)
        return ORD_ECONTRACT;
    ord_money money;
    if (ord_money_parse(&money, text, (size_t)n, currency) != ORD_OK)
        return ORD_ECONTRACT;
    *out = money;
    return ORD_OK;
}
