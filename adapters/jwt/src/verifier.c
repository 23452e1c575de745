/* The verifier: settings, key sources, and one token's verification: the
 * header read strictly, the key chosen by kid (never by anything else the
 * token says), the algorithm the key allows compared with the header's,
 * the signature checked by cjose, then the claims. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjose/header.h>
#include <cjose/jws.h>

const char *ord_jwt_result_text(ord_jwt_result result)
{
    switch (result) {
    case ORD_JWT_OK: return "The token is valid";
    case ORD_JWT_MALFORMED: return "The token is malformed";
    case ORD_JWT_ALGORITHM: return "The token's algorithm is not the one its key allows";
    case ORD_JWT_UNKNOWN_KEY: return "The token names no known key";
    case ORD_JWT_SIGNATURE: return "The token's signature does not verify";
    case ORD_JWT_EXPIRED: return "The token has expired (or has no exp)";
    case ORD_JWT_NOT_YET_VALID: return "The token is not valid yet";
    case ORD_JWT_ISSUER: return "The token's issuer is not accepted";
    case ORD_JWT_AUDIENCE: return "The token is not meant for this service";
    case ORD_JWT_NO_CUSTOMER: return "The token names no customer";
    case ORD_JWT_UNSUPPORTED: return "The token uses a header this service does not support";
    }
    return "The token is not valid";
}

static char *copy(const char *text, const char *fallback)
{
    const char *t = text != NULL ? text : fallback;
    if (t == NULL)
        return NULL;
    size_t n = strlen(t) + 1;
    char *p = malloc(n);
    if (p != NULL)
        memcpy(p, t, n);
    return p;
}

static bool check_config(const ord_jwt_config *c, char *err, size_t cap)
{
    const char *bad = NULL;
    if (c->version != ORD_JWT_CONFIG_VERSION)
        bad = "unknown configuration version";
    else if (c->jwks_file == NULL && c->fetch == NULL && c->hs256_secret_file == NULL)
        bad = "no key source: give a JWKS file, a JWKS URL or an HS256 secret file";
    else if (c->leeway_s < 0 || c->leeway_s > 3600)
        bad = "leeway must be 0 to 3600 seconds";
    else if (c->jwks_refresh_s < 10 || c->jwks_refresh_s > 86400)
        bad = "JWKS refresh interval must be 10 to 86400 seconds";
    else if (c->jwks_min_refresh_s < 1 || c->jwks_min_refresh_s > 3600)
        bad = "JWKS minimum refresh interval must be 1 to 3600 seconds";
    else if (c->jwks_wait_ms < 0 || c->jwks_wait_ms > 10000)
        bad = "JWKS wait must be 0 to 10000 ms";
    else if ((c->customer_claim != NULL && c->customer_claim[0] == '\0') ||
             (c->admin_scope != NULL && c->admin_scope[0] == '\0') ||
             (c->issuer != NULL && c->issuer[0] == '\0') ||
             (c->audience != NULL && c->audience[0] == '\0'))
        bad = "claim names, issuer, audience and scope must not be empty";
    if (bad != NULL)
        snprintf(err, cap, "%s", bad);
    return bad == NULL;
}

ord_error ord_jwt_verifier_new(ord_jwt_verifier **out, const ord_jwt_config *config, char *err,
                               size_t err_cap)
{
    char scratch[8];
    if (err == NULL || err_cap == 0) {
        err = scratch;
        err_cap = sizeof scratch;
    }
    err[0] = '\0';
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    if (config == NULL || !check_config(config, err, err_cap))
        return ORD_EINVALID;
    ord_jwt_verifier *v = calloc(1, sizeof *v);
    if (v == NULL)
        return ORD_ENOMEM;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_mutex_init(&v->lock, NULL);
    pthread_cond_init(&v->cond, &attr);
    pthread_condattr_destroy(&attr);
    v->issuer = copy(config->issuer, NULL);
    v->audience = copy(config->audience, NULL);
    v->customer_claim = copy(config->customer_claim, "sub");
    v->admin_scope = copy(config->admin_scope, "orders:admin");
    v->jwks_file = copy(config->jwks_file, NULL);
    v->jwks_url = copy(config->jwks_url, NULL);
    v->refresh_s = config->jwks_refresh_s;
    v->min_refresh_s = config->jwks_min_refresh_s;
    v->wait_ms = config->jwks_wait_ms;
    v->now_s = config->now_s;
    v->clock_ctx = config->clock_ctx;
    v->log = config->log;
    v->log_ctx = config->log_ctx;
    v->fetch = config->fetch;
    v->fetch_ctx = config->fetch_ctx;
    v->rules = (jwt_rules){v->issuer, v->audience, config->leeway_s, v->customer_claim,
                           v->admin_scope};
    if (v->customer_claim == NULL || v->admin_scope == NULL ||
        (config->issuer != NULL && v->issuer == NULL) ||
        (config->audience != NULL && v->audience == NULL) ||
        (config->jwks_file != NULL && v->jwks_file == NULL) ||
        (config->jwks_url != NULL && v->jwks_url == NULL)) {
        ord_jwt_verifier_free(v);
        return ORD_ENOMEM;
    }
    ord_error rc = ORD_OK;
    if (config->hs256_secret_file != NULL) {
        rc = ord_jwt_secret_load(config->hs256_secret_file, &v->secret, err, err_cap);
        v->has_secret = rc == ORD_OK;
    }
    if (rc == ORD_OK && v->jwks_file != NULL)
        rc = ord_jwt_file_load(v, true, err, err_cap);
    if (rc == ORD_OK && v->fetch != NULL) {
        rc = ord_jwt_url_start(v);
        if (rc != ORD_OK)
            snprintf(err, err_cap, "cannot start the JWKS refresh thread");
    }
    if (rc != ORD_OK) {
        ord_jwt_verifier_free(v);
        return rc;
    }
    v->file_checked_ms = ord_jwt_monotonic_ms();
    *out = v;
    return ORD_OK;
}

void ord_jwt_verifier_free(ord_jwt_verifier *v)
{
    if (v == NULL)
        return;
    ord_jwt_url_stop(v);
    ord_jwt_keyset_release(v->file_keys);
    ord_jwt_keyset_release(v->url_keys);
    if (v->secret.jwk != NULL)
        cjose_jwk_release(v->secret.jwk);
    free(v->issuer);
    free(v->audience);
    free(v->customer_claim);
    free(v->admin_scope);
    free(v->jwks_file);
    free(v->jwks_url);
    pthread_cond_destroy(&v->cond);
    pthread_mutex_destroy(&v->lock);
    free(v);
}

bool ord_jwt_verifier_has_keys(ord_jwt_verifier *v)
{
    if (v == NULL)
        return false;
    ord_jwt_file_check(v, false);
    pthread_mutex_lock(&v->lock);
    bool any = v->has_secret || (v->file_keys != NULL && v->file_keys->count > 0) ||
               (v->url_keys != NULL && v->url_keys->count > 0);
    pthread_mutex_unlock(&v->lock);
    return any;
}

/* The key a token names, with a reference on its set (*held, released by
 * the caller). Without a kid: the HS256 secret, else the only JWKS key. */
static const jwt_key *find_key(ord_jwt_verifier *v, const jwt_header *h, jwt_keyset **held)
{
    *held = NULL;
    pthread_mutex_lock(&v->lock);
    const jwt_key *key = NULL;
    if (h->has_kid) {
        jwt_keyset *sets[2] = {v->file_keys, v->url_keys};
        for (int i = 0; i < 2 && key == NULL; i++) {
            key = ord_jwt_keyset_find(sets[i], h->kid);
            if (key != NULL)
                *held = ord_jwt_keyset_retain(sets[i]);
        }
    } else if (v->has_secret) {
        key = &v->secret;
    } else {
        size_t file_n = v->file_keys != NULL ? v->file_keys->count : 0;
        size_t url_n = v->url_keys != NULL ? v->url_keys->count : 0;
        jwt_keyset *only = file_n == 1 && url_n == 0 ? v->file_keys
                           : url_n == 1 && file_n == 0 ? v->url_keys
                                                       : NULL;
        if (only != NULL) {
            key = &only->keys[0];
            *held = ord_jwt_keyset_retain(only);
        }
    }
    pthread_mutex_unlock(&v->lock);
    return key;
}

static ord_jwt_result check_signature(const jwt_key *key, const jwt_header *h, const char *token,
                                      size_t len, unsigned char **payload, size_t *payload_len)
{
    *payload = NULL;
    *payload_len = 0;
    /* The key decides: a header naming any other algorithm ("none", HS256
     * for an RSA key...) is refused before cjose sees the token. */
    if (strcmp(h->alg, key->alg) != 0)
        return ORD_JWT_ALGORITHM;
    cjose_err err;
    cjose_jws_t *jws = cjose_jws_import(token, len, &err);
    if (jws == NULL)
        return ORD_JWT_MALFORMED;
    ord_jwt_result result = ORD_JWT_OK;
    /* cjose parsed the header itself: it must have read the same alg. */
    const char *alg = cjose_header_get(cjose_jws_get_protected(jws), CJOSE_HDR_ALG, &err);
    uint8_t *plain = NULL;
    size_t plain_len = 0;
    if (alg == NULL || strcmp(alg, key->alg) != 0)
        result = ORD_JWT_ALGORITHM;
    else if (!cjose_jws_verify(jws, key->jwk, &err))
        result = ORD_JWT_SIGNATURE;
    else if (!cjose_jws_get_plaintext(jws, &plain, &plain_len, &err) || plain_len == 0 ||
             plain_len > JWT_MAX_PAYLOAD_BYTES)
        result = ORD_JWT_MALFORMED;
    if (result == ORD_JWT_OK) {
        *payload = malloc(plain_len + 1);
        if (*payload == NULL) {
            result = ORD_JWT_MALFORMED;
        } else {
            memcpy(*payload, plain, plain_len);
            (*payload)[plain_len] = '\0';
            *payload_len = plain_len;
        }
    }
    cjose_jws_release(jws);
    return result;
}

ord_jwt_result ord_jwt_verify(ord_jwt_verifier *v, const char *token, size_t len,
                              ord_jwt_identity *out)
{
    if (out != NULL)
        memset(out, 0, sizeof *out);
    if (v == NULL || out == NULL || token == NULL || len == 0 || len > ORD_JWT_MAX_TOKEN_BYTES)
        return ORD_JWT_MALFORMED;
    jwt_header h;
    ord_jwt_result result = ord_jwt_header_read(token, len, &h);
    if (result != ORD_JWT_OK)
        return result;
    ord_jwt_file_check(v, false);
    jwt_keyset *held = NULL;
    const jwt_key *key = find_key(v, &h, &held);
    /* A key we do not know may have just been published: look again. */
    if (key == NULL && h.has_kid) {
        ord_jwt_file_check(v, true);
        bool fetched = ord_jwt_url_refresh_for_unknown_kid(v);
        (void)fetched;
        key = find_key(v, &h, &held);
    }
    if (key == NULL)
        return ORD_JWT_UNKNOWN_KEY;
    unsigned char *payload = NULL;
    size_t payload_len = 0;
    result = check_signature(key, &h, token, len, &payload, &payload_len);
    ord_jwt_keyset_release(held);
    if (result != ORD_JWT_OK)
        return result;
    int64_t now = v->now_s != NULL ? v->now_s(v->clock_ctx) : (int64_t)time(NULL);
    result = ord_jwt_claims_check(&v->rules, payload, payload_len, now, out);
    free(payload);
    return result;
}
