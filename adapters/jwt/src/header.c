/* The JOSE header, read and judged before any cryptography: three strict
 * base64url parts, a flat JSON object, a known "alg" (never "none"), an
 * optional "kid", no "crit" extension, a "typ" of a JWT if any. Header
 * members that name keys ("jwk", "jku", "x5u", "x5c") are never used. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <orders/support/base64.h>

/* The algorithms a key may allow; "none" is not one of them. */
static const char *const KNOWN_ALGS[] = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                                         "ES256", "ES384", "ES512", "HS256", "HS384", "HS512"};

static bool alg_known(const char *alg)
{
    for (size_t i = 0; i < sizeof KNOWN_ALGS / sizeof KNOWN_ALGS[0]; i++)
        if (strcmp(alg, KNOWN_ALGS[i]) == 0)
            return true;
    return false;
}

static bool typ_is_jwt(const char *typ)
{
    if (strncasecmp(typ, "application/", 12) == 0)
        typ += 12;
    return strcasecmp(typ, "JWT") == 0 || strcasecmp(typ, "at+jwt") == 0;
}

ord_jwt_result ord_jwt_header_read(const char *token, size_t len, jwt_header *out)
{
    memset(out, 0, sizeof *out);
    if (token == NULL || len == 0 || len > ORD_JWT_MAX_TOKEN_BYTES)
        return ORD_JWT_MALFORMED;
    const char *dot1 = memchr(token, '.', len);
    const char *dot2 = dot1 != NULL ? memchr(dot1 + 1, '.', len - (size_t)(dot1 + 1 - token)) : NULL;
    if (dot1 == NULL || dot2 == NULL ||
        memchr(dot2 + 1, '.', len - (size_t)(dot2 + 1 - token)) != NULL)
        return ORD_JWT_MALFORMED;
    size_t header_len = (size_t)(dot1 - token);
    size_t payload_len = (size_t)(dot2 - dot1 - 1);
    size_t signature_len = len - (size_t)(dot2 + 1 - token);
    /* A stripped signature is refused here, whatever the header says. */
    if (header_len == 0 || payload_len == 0 || signature_len == 0)
        return ORD_JWT_MALFORMED;

    unsigned char *raw = NULL;
    size_t raw_len = 0;
    if (ord_base64_decode(token, header_len, ORD_BASE64_URL, JWT_MAX_HEADER_BYTES, &raw,
                          &raw_len) != ORD_BASE64_OK)
        return ORD_JWT_MALFORMED;
    /* The other parts must be strict base64url too (cjose is lenient). */
    unsigned char *scratch = NULL;
    size_t scratch_len = 0;
    bool parts_ok = ord_base64_decode(dot1 + 1, payload_len, ORD_BASE64_URL,
                                      JWT_MAX_PAYLOAD_BYTES, &scratch,
                                      &scratch_len) == ORD_BASE64_OK;
    free(scratch);
    parts_ok = parts_ok && ord_base64_decode(dot2 + 1, signature_len, ORD_BASE64_URL, 1024,
                                             &scratch, &scratch_len) == ORD_BASE64_OK;
    free(scratch);
    cJSON *json = parts_ok ? ord_jwt_json_object((const char *)raw, raw_len, 2) : NULL;
    free(raw);
    if (json == NULL)
        return ORD_JWT_MALFORMED;

    ord_jwt_result result = ORD_JWT_OK;
    const cJSON *alg = cJSON_GetObjectItemCaseSensitive(json, "alg");
    const cJSON *kid = cJSON_GetObjectItemCaseSensitive(json, "kid");
    const cJSON *typ = cJSON_GetObjectItemCaseSensitive(json, "typ");
    if (!cJSON_IsString(alg) || !alg_known(alg->valuestring))
        result = ORD_JWT_ALGORITHM;
    else if (cJSON_GetObjectItemCaseSensitive(json, "crit") != NULL ||
             cJSON_GetObjectItemCaseSensitive(json, "zip") != NULL ||
             (typ != NULL && (!cJSON_IsString(typ) || !typ_is_jwt(typ->valuestring))))
        result = ORD_JWT_UNSUPPORTED;
    else if (kid != NULL && (!cJSON_IsString(kid) || kid->valuestring[0] == '\0' ||
                             strlen(kid->valuestring) >= JWT_KID_SIZE))
        result = ORD_JWT_MALFORMED;
    if (result == ORD_JWT_OK) {
        snprintf(out->alg, sizeof out->alg, "%s", alg->valuestring);
        if (kid != NULL) {
            snprintf(out->kid, sizeof out->kid, "%s", kid->valuestring);
            out->has_kid = true;
        }
    }
    cJSON_Delete(json);
    return result;
}
