/* Tracing headers passed on to downstream calls: W3C traceparent (the
 * caller's trace, a new span per call) and a checked X-Request-Id. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

static bool lower_hex(const char *s, size_t n, bool *all_zero)
{
    *all_zero = true;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
        if (c != '0')
            *all_zero = false;
    }
    return true;
}

/* version "-" trace-id(32) "-" parent-id(16) "-" flags(2), as W3C defines;
 * a version after 00 may add fields after another "-", which are ignored. */
static bool traceparent_valid(const char *tp)
{
    bool zero;
    size_t n = tp != NULL ? strlen(tp) : 0;
    if (n < 55 || tp[2] != '-' || tp[35] != '-' || tp[52] != '-')
        return false;
    if (!lower_hex(tp, 2, &zero) || strncmp(tp, "ff", 2) == 0)
        return false;
    if (strncmp(tp, "00", 2) == 0 ? n != 55 : n > 55 && tp[55] != '-')
        return false;
    if (!lower_hex(tp + 3, 32, &zero) || zero)
        return false;
    if (!lower_hex(tp + 36, 16, &zero) || zero)
        return false;
    return lower_hex(tp + 53, 2, &zero);
}

static void random_hex(ord_http_client *client, char *out, size_t digits)
{
    static const char hex[] = "0123456789abcdef";
    uint64_t bits = 0;
    bool all_zero = true;
    for (size_t i = 0; i < digits; i++) {
        if (i % 16 == 0)
            bits = ord_http_random(client);
        out[i] = hex[bits & 0xf];
        all_zero = all_zero && (bits & 0xf) == 0;
        bits >>= 4;
    }
    if (all_zero)
        out[digits - 1] = '1'; /* W3C: an all-zero id is invalid */
}

void ord_http_traceparent(ord_http_client *client, const char *incoming,
                          char out[HTTP_TRACEPARENT_SIZE])
{
    char trace_id[33], span_id[17];
    bool sampled = true;
    if (traceparent_valid(incoming)) {
        memcpy(trace_id, incoming + 3, 32);
        /* Version 00 defines only the sampled bit; the others go out as 0. */
        char last = incoming[54];
        sampled = ((last >= 'a' ? last - 'a' + 10 : last - '0') & 1) != 0;
    } else {
        random_hex(client, trace_id, 32);
    }
    trace_id[32] = '\0';
    random_hex(client, span_id, 16);
    span_id[16] = '\0';
    snprintf(out, HTTP_TRACEPARENT_SIZE, "00-%s-%s-%s", trace_id, span_id, sampled ? "01" : "00");
}

bool ord_http_request_id_ok(const char *request_id)
{
    if (request_id == NULL || request_id[0] == '\0')
        return false;
    size_t n = 0;
    for (const char *p = request_id; *p != '\0'; p++, n++)
        if (*p < 0x21 || *p > 0x7e || n >= 200)
            return false;
    return true;
}
