/* The API's response as API Gateway's answer: every header the API set
 * (payload 1.0: headers and multiValueHeaders; 2.0: headers, with several
 * values joined by commas, and Set-Cookie as cookies), the body as text or,
 * when it is not UTF-8 text, in base64. */
#include "event.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <orders/support/base64.h>

/* Well-formed UTF-8 (no overlong forms, surrogates or values past
 * U+10FFFF) without NUL: what a JSON string can carry as it is. */
static bool utf8_text(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char b = p[i];
        if (b == 0)
            return false;
        if (b < 0x80) {
            i++;
            continue;
        }
        size_t n = b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
        if (n == 0 || len - i < n)
            return false;
        for (size_t k = 1; k < n; k++)
            if ((p[i + k] & 0xc0) != 0x80)
                return false;
        if ((b == 0xe0 && p[i + 1] < 0xa0) || (b == 0xed && p[i + 1] >= 0xa0) ||
            (b == 0xf0 && p[i + 1] < 0x90) || (b == 0xf4 && p[i + 1] >= 0x90))
            return false;
        i += n;
    }
    return true;
}

/* The first header before @p index with the same name, or -1. */
static long earlier(const ord_rest_response *r, size_t index)
{
    for (size_t i = 0; i < index; i++)
        if (strcasecmp(r->headers[i].name, r->headers[index].name) == 0)
            return (long)i;
    return -1;
}

/* Payload 1.0: "headers" keeps one value per name (the last, as API
 * Gateway would), "multiValueHeaders" all of them. */
static bool add_headers_v1(cJSON *answer, const ord_rest_response *r)
{
    cJSON *single = cJSON_AddObjectToObject(answer, "headers");
    cJSON *multi = cJSON_AddObjectToObject(answer, "multiValueHeaders");
    if (single == NULL || multi == NULL)
        return false;
    for (size_t i = 0; i < r->header_count; i++) {
        const ord_rest_header *h = &r->headers[i];
        long first = earlier(r, i);
        const char *name = first < 0 ? h->name : r->headers[first].name;
        cJSON *values = first < 0 ? cJSON_AddArrayToObject(multi, name)
                                  : cJSON_GetObjectItemCaseSensitive(multi, name);
        cJSON *value = cJSON_CreateString(h->value);
        if (values == NULL || value == NULL || !cJSON_AddItemToArray(values, value)) {
            cJSON_Delete(value);
            return false;
        }
        cJSON *copy = cJSON_CreateString(h->value);
        if (copy == NULL)
            return false;
        if (first < 0 ? !cJSON_AddItemToObject(single, name, copy)
                      : !cJSON_ReplaceItemInObjectCaseSensitive(single, name, copy)) {
            cJSON_Delete(copy);
            return false;
        }
    }
    return true;
}

/* Payload 2.0: one value per name, several joined with ", " (RFC 9110
 * allows it for every header but Set-Cookie, which goes to "cookies"). */
static bool add_headers_v2(cJSON *answer, const ord_rest_response *r)
{
    cJSON *headers = cJSON_AddObjectToObject(answer, "headers");
    cJSON *cookies = cJSON_AddArrayToObject(answer, "cookies");
    if (headers == NULL || cookies == NULL)
        return false;
    for (size_t i = 0; i < r->header_count; i++) {
        const ord_rest_header *h = &r->headers[i];
        if (strcasecmp(h->name, "Set-Cookie") == 0) {
            cJSON *c = cJSON_CreateString(h->value);
            if (c == NULL || !cJSON_AddItemToArray(cookies, c)) {
                cJSON_Delete(c);
                return false;
            }
            continue;
        }
        if (earlier(r, i) >= 0)
            continue; /* joined with the first of its name */
        size_t len = 0;
        for (size_t k = i; k < r->header_count; k++)
            if (strcasecmp(r->headers[k].name, h->name) == 0)
                len += strlen(r->headers[k].value) + 2;
        char *joined = malloc(len + 1);
        if (joined == NULL)
            return false;
        size_t n = 0;
        for (size_t k = i; k < r->header_count; k++) {
            if (strcasecmp(r->headers[k].name, h->name) != 0)
                continue;
            if (n > 0) {
                memcpy(joined + n, ", ", 2);
                n += 2;
            }
            size_t v = strlen(r->headers[k].value);
            memcpy(joined + n, r->headers[k].value, v);
            n += v;
        }
        joined[n] = '\0';
        cJSON *item = cJSON_AddStringToObject(headers, h->name, joined);
        free(joined);
        if (item == NULL)
            return false;
    }
    return true;
}

static bool add_body(cJSON *answer, const ord_rest_response *r, bool head)
{
    const char *body = r->body != NULL && !head ? r->body : "";
    size_t len = r->body != NULL && !head ? r->body_len : 0;
    if (utf8_text(body, len)) {
        return cJSON_AddStringToObject(answer, "body", body) != NULL &&
               cJSON_AddFalseToObject(answer, "isBase64Encoded") != NULL;
    }
    char *encoded = ord_base64_encode(body, len, ORD_BASE64_STANDARD);
    bool ok = encoded != NULL && cJSON_AddStringToObject(answer, "body", encoded) != NULL &&
              cJSON_AddTrueToObject(answer, "isBase64Encoded") != NULL;
    free(encoded);
    return ok;
}

char *lam_http_answer(const ord_rest_response *response, const lam_http_request *request,
                      size_t *len)
{
    cJSON *answer = cJSON_CreateObject();
    bool ok = answer != NULL &&
              cJSON_AddNumberToObject(answer, "statusCode", response->status) != NULL &&
              (request->kind == LAM_EVENT_HTTP_V2 ? add_headers_v2(answer, response)
                                                  : add_headers_v1(answer, response)) &&
              add_body(answer, response, request->head);
    char *text = ok ? cJSON_PrintUnformatted(answer) : NULL;
    cJSON_Delete(answer);
    if (text != NULL)
        *len = strlen(text);
    return text;
}
