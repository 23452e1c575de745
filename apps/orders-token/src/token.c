/* Key generation and token signing with cjose (development tokens). */
#include "token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjose/base64.h>
#include <cjose/header.h>
#include <cjose/jwk.h>
#include <cjose/jws.h>
#include <cjose/util.h>
#include <cjson/cJSON.h>

char *tok_b64url(const void *data, size_t len)
{
    char *out = NULL;
    size_t out_len = 0;
    cjose_err err;
    if (!cjose_base64url_encode(data, len, &out, &out_len, &err))
        return NULL;
    char *copy = malloc(out_len + 1);
    if (copy != NULL) {
        memcpy(copy, out, out_len);
        copy[out_len] = '\0';
    }
    cjose_get_dealloc()(out);
    return copy;
}

static char *dup_text(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = malloc(n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

/* cjose's JSON of a key with "kid", "alg" and "use" added. */
static char *decorate(const cjose_jwk_t *key, bool priv, const char *kid, const char *alg)
{
    cjose_err err;
    char *text = cjose_jwk_to_json(key, priv, &err);
    if (text == NULL)
        return NULL;
    cJSON *json = cJSON_Parse(text);
    cjose_get_dealloc()(text);
    if (json == NULL)
        return NULL;
    cJSON_DeleteItemFromObject(json, "kid");
    cJSON_AddStringToObject(json, "kid", kid);
    cJSON_AddStringToObject(json, "alg", alg);
    cJSON_AddStringToObject(json, "use", "sig");
    char *out = cJSON_PrintUnformatted(json);
    cJSON_Delete(json);
    char *copy = out != NULL ? dup_text(out) : NULL;
    cJSON_free(out);
    return copy;
}

bool tok_keygen(const char *alg, const char *kid, char **private_jwk, char **public_jwks)
{
    *private_jwk = NULL;
    *public_jwks = NULL;
    cjose_err err;
    cjose_jwk_t *key = NULL;
    if (strcmp(alg, "RS256") == 0) {
        static const uint8_t e[] = {0x01, 0x00, 0x01};
        key = cjose_jwk_create_RSA_random(2048, e, sizeof e, &err);
    } else if (strcmp(alg, "ES256") == 0) {
        key = cjose_jwk_create_EC_random(CJOSE_JWK_EC_P_256, &err);
    } else if (strcmp(alg, "HS256") == 0) {
        key = cjose_jwk_create_oct_random(256, &err); /* bits */
    }
    if (key == NULL)
        return false;
    *private_jwk = decorate(key, true, kid, alg);
    /* A symmetric key has no public half: its JWKS holds the key itself. */
    char *pub = decorate(key, strcmp(alg, "HS256") == 0, kid, alg);
    cjose_jwk_release(key);
    if (*private_jwk == NULL || pub == NULL) {
        free(*private_jwk);
        free(pub);
        *private_jwk = NULL;
        return false;
    }
    size_t n = strlen(pub) + 16;
    *public_jwks = malloc(n);
    if (*public_jwks != NULL)
        snprintf(*public_jwks, n, "{\"keys\":[%s]}", pub);
    free(pub);
    return *public_jwks != NULL;
}

char *tok_public_jwk(const char *jwk_json)
{
    cJSON *json = cJSON_Parse(jwk_json);
    if (json == NULL)
        return NULL;
    static const char *const secret[] = {"d", "p", "q", "dp", "dq", "qi", "k"};
    for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++)
        cJSON_DeleteItemFromObject(json, secret[i]);
    char *out = cJSON_PrintUnformatted(json);
    cJSON_Delete(json);
    char *copy = out != NULL ? dup_text(out) : NULL;
    cJSON_free(out);
    return copy;
}

char *tok_mint(const char *jwk_json, const unsigned char *secret, size_t secret_len,
               const char *alg, const char *kid, const char *claims_json)
{
    cjose_err err;
    cjose_jwk_t *key = NULL;
    char own_alg[16] = "HS256";
    if (jwk_json != NULL) {
        key = cjose_jwk_import(jwk_json, strlen(jwk_json), &err);
        cJSON *json = cJSON_Parse(jwk_json);
        const cJSON *a = json != NULL ? cJSON_GetObjectItem(json, "alg") : NULL;
        if (cJSON_IsString(a))
            snprintf(own_alg, sizeof own_alg, "%s", a->valuestring);
        cJSON_Delete(json);
    } else if (secret != NULL) {
        key = cjose_jwk_create_oct_spec(secret, secret_len, &err);
    }
    if (key == NULL)
        return NULL;
    cjose_header_t *hdr = cjose_header_new(&err);
    bool ok = hdr != NULL && cjose_header_set(hdr, CJOSE_HDR_ALG, alg != NULL ? alg : own_alg, &err) &&
              cjose_header_set(hdr, "typ", "JWT", &err) &&
              (kid == NULL || cjose_header_set(hdr, CJOSE_HDR_KID, kid, &err));
    cjose_jws_t *jws = ok ? cjose_jws_sign(key, hdr, (const uint8_t *)claims_json,
                                           strlen(claims_json), &err)
                          : NULL;
    const char *compact = NULL;
    char *out = NULL;
    if (jws != NULL && cjose_jws_export(jws, &compact, &err))
        out = dup_text(compact);
    cjose_jws_release(jws);
    cjose_header_release(hdr);
    cjose_jwk_release(key);
    return out;
}
