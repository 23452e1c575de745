/* JSON helpers of the simulator: whole-text parsing, whole numbers, and money
 * kept as integer minor units but written as exact decimal JSON numbers. */
#include "sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sim_currency_decimals(const char *currency)
{
    if (currency == NULL || strlen(currency) != 3)
        return -1;
    for (int i = 0; i < 3; i++)
        if (currency[i] < 'A' || currency[i] > 'Z')
            return -1;
    static const char *const zero[] = {"JPY", "KRW", "CLP", "ISK", "VND", "XAF", "XOF", "UGX"};
    static const char *const three[] = {"KWD", "BHD", "JOD", "OMR", "TND", "IQD", "LYD"};
    for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
        if (strcmp(currency, zero[i]) == 0)
            return 0;
    for (size_t i = 0; i < sizeof three / sizeof three[0]; i++)
        if (strcmp(currency, three[i]) == 0)
            return 3;
    return 2;
}

int sim_money_from_json(const cJSON *number, const char *currency, int64_t *minor)
{
    int decimals = sim_currency_decimals(currency);
    if (!cJSON_IsNumber(number) || decimals < 0)
        return -1;
    double value = number->valuedouble;
    /* Below 2^52 / 10^decimals neighbouring amounts are further apart than
     * a double's step, so the nearest amount is the one sent; above it
     * (9999999999999.001 KWD reads as .002) the amount is not exact. */
    double scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    if (!isfinite(value) || value < 0 || value >= 4503599627370496.0 / scale)
        return -1;
    if (value == 0)
        value = 0; /* -0 is zero: "-0.00" would not read back as digits below */
    char text[64];
    snprintf(text, sizeof text, "%.*f", decimals, value);
    if (strtod(text, NULL) != value)
        return -1;
    int64_t whole = 0;
    for (const char *p = text; *p != '\0'; p++)
        if (*p != '.')
            whole = whole * 10 + (*p - '0');
    *minor = whole;
    return 0;
}

cJSON *sim_money_to_json(int64_t minor, const char *currency)
{
    int decimals = sim_currency_decimals(currency);
    char text[48];
    if (decimals <= 0)
        snprintf(text, sizeof text, "%lld", (long long)minor);
    else if (decimals == 3)
        snprintf(text, sizeof text, "%s%lld.%03lld", minor < 0 ? "-" : "",
                 (long long)(llabs(minor) / 1000), (long long)(llabs(minor) % 1000));
    else
        snprintf(text, sizeof text, "%s%lld.%02lld", minor < 0 ? "-" : "",
                 (long long)(llabs(minor) / 100), (long long)(llabs(minor) % 100));
    return cJSON_CreateRaw(text);
}

bool sim_json_int(const cJSON *item, int64_t min, int64_t max, int64_t *out)
{
    if (!cJSON_IsNumber(item))
        return false;
    double v = item->valuedouble;
    if (!isfinite(v) || v != floor(v) || v < (double)min || v > (double)max ||
        fabs(v) > 9007199254740992.0)
        return false;
    *out = (int64_t)v;
    return true;
}

/* cJSON recurses once per level on a civetweb thread's small stack: a few
 * KiB of "[[[[" would overflow it. The simulator stands in for other
 * teams' services, so it keeps this check of its own. */
#define SIM_JSON_MAX_DEPTH 32

static bool depth_within(const char *text, size_t len)
{
    int depth = 0;
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        if (in_string) {
            if (text[i] == '\\')
                i++;
            else if (text[i] == '"')
                in_string = false;
        } else if (text[i] == '"') {
            in_string = true;
        } else if (text[i] == '{' || text[i] == '[') {
            if (++depth > SIM_JSON_MAX_DEPTH)
                return false;
        } else if (text[i] == '}' || text[i] == ']') {
            depth--;
        }
    }
    return true;
}

cJSON *sim_json_parse(const char *text, size_t len)
{
    if (text == NULL || !depth_within(text, len))
        return NULL;
    const char *end = NULL;
    cJSON *json = cJSON_ParseWithLengthOpts(text, len, &end, false);
    if (json == NULL)
        return NULL;
    while (end < text + len && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
        end++;
    if (end != text + len) {
        cJSON_Delete(json);
        return NULL;
    }
    return json;
}
