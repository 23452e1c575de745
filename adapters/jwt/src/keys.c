/* Key sets: a JWKS document into keys that each allow exactly one
 * algorithm, and the HS256 secret. A key whose "alg" does not fit its type
 * (an RSA key named "HS256"...) is skipped, never guessed at. */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjose/jwk.h>

#include <orders/support/base64.h>

/* Smallest key sizes accepted, in bits. */
#define MIN_RSA_BITS 2048
#define MIN_HMAC_BITS 256

void ord_jwt_keyset_release(jwt_keyset *set)
{
    if (set == NULL || atomic_fetch_sub(&set->refs, 1) != 1)
        return;
    for (size_t i = 0; i < set->count; i++)
        cjose_jwk_release(set->keys[i].jwk);
    free(set);
}

jwt_keyset *ord_jwt_keyset_retain(jwt_keyset *set)
{
    if (set != NULL)
        atomic_fetch_add(&set->refs, 1);
    return set;
}

const jwt_key *ord_jwt_keyset_find(const jwt_keyset *set, const char *kid)
{
    for (size_t i = 0; set != NULL && i < set->count; i++)
        if (strcmp(set->keys[i].kid, kid) == 0)
            return &set->keys[i];
    return NULL;
}

static void log_skip(ord_jwt_log_fn log, void *ctx, const char *kid, const char *why)
{
    if (log == NULL)
        return;
    char detail[400];
    snprintf(detail, sizeof detail, "kid \"%.256s\": %s", kid, why);
    log(ctx, "warn", "JWKS key skipped", detail);
}

/* The one algorithm a key allows: its "alg" when that fits its type and
 * curve, else the one they imply. NULL (with *why) when unusable. */
static const char *key_alg(const cJSON *jwk, const cjose_jwk_t *key, const char **why)
{
    const cJSON *alg = cJSON_GetObjectItemCaseSensitive(jwk, "alg");
    const char *named = cJSON_IsString(alg) ? alg->valuestring : NULL;
    if (alg != NULL && named == NULL) {
        *why = "\"alg\" is not a string";
        return NULL;
    }
    cjose_err err;
    switch (cjose_jwk_get_kty(key, &err)) {
    case CJOSE_JWK_KTY_RSA: {
        static const char *const fits[] = {"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"};
        if (cjose_jwk_get_keysize(key, &err) < MIN_RSA_BITS) {
            *why = "RSA keys need at least 2048 bits";
            return NULL;
        }
        if (named == NULL)
            return "RS256";
        for (size_t i = 0; i < sizeof fits / sizeof fits[0]; i++)
            if (strcmp(named, fits[i]) == 0)
                return fits[i];
        *why = "\"alg\" does not fit an RSA key";
        return NULL;
    }
    case CJOSE_JWK_KTY_EC: {
        const char *implied = NULL;
        switch (cjose_jwk_EC_get_curve(key, &err)) {
        case CJOSE_JWK_EC_P_256: implied = "ES256"; break;
        case CJOSE_JWK_EC_P_384: implied = "ES384"; break;
        case CJOSE_JWK_EC_P_521: implied = "ES512"; break;
        default: break;
        }
        if (implied == NULL) {
            *why = "unsupported curve";
            return NULL;
        }
        if (named != NULL && strcmp(named, implied) != 0) {
            *why = "\"alg\" does not fit the key's curve";
            return NULL;
        }
        return implied;
    }
    case CJOSE_JWK_KTY_OCT: {
        static const char *const fits[] = {"HS256", "HS384", "HS512"};
        if (cjose_jwk_get_keysize(key, &err) < MIN_HMAC_BITS) {
            *why = "symmetric keys need at least 32 bytes";
            return NULL;
        }
        if (named == NULL)
            return "HS256";
        for (size_t i = 0; i < sizeof fits / sizeof fits[0]; i++)
            if (strcmp(named, fits[i]) == 0)
                return fits[i];
        *why = "\"alg\" does not fit a symmetric key";
        return NULL;
    }
    }
    *why = "unsupported key type";
    return NULL;
}

/* Whether a JWK may verify signatures: "use" absent or "sig", "key_ops"
 * absent or listing "verify". */
static bool key_for_signatures(const cJSON *jwk)
{
    const cJSON *use = cJSON_GetObjectItemCaseSensitive(jwk, "use");
    if (use != NULL && !(cJSON_IsString(use) && strcmp(use->valuestring, "sig") == 0))
        return false;
    const cJSON *ops = cJSON_GetObjectItemCaseSensitive(jwk, "key_ops");
    if (ops == NULL)
        return true;
    if (!cJSON_IsArray(ops))
        return false;
    const cJSON *op;
    cJSON_ArrayForEach(op, ops)
    {
        if (cJSON_IsString(op) && strcmp(op->valuestring, "verify") == 0)
            return true;
    }
    return false;
}

/* Members of a JWK that cjose base64url-decodes (RFC 7518 section 6). Its
 * decoder asserts on some malformed values ("A=": one character and
 * padding), which aborts the whole process, so each one present must be a
 * string of strict base64url before cjose sees the key. */
static const char *const ENCODED_MEMBERS[] = {"n", "e", "d", "p", "q", "dp", "dq", "qi",
                                              "k", "x", "y"};

/* Largest decoded member: an RSA modulus of 16384 bits is 2 KiB. */
#define MAX_MEMBER_BYTES 4096

static bool members_strict_base64url(const cJSON *jwk)
{
    for (size_t i = 0; i < sizeof ENCODED_MEMBERS / sizeof ENCODED_MEMBERS[0]; i++) {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(jwk, ENCODED_MEMBERS[i]);
        if (m == NULL)
            continue;
        unsigned char *bytes = NULL;
        size_t len = 0;
        if (!cJSON_IsString(m) ||
            ord_base64_decode(m->valuestring, strlen(m->valuestring), ORD_BASE64_URL,
                              MAX_MEMBER_BYTES, &bytes, &len) != ORD_BASE64_OK)
            return false;
        free(bytes);
    }
    return true;
}

/* One JWK into @p out; false (with *why) to skip it. */
static bool import_key(const cJSON *jwk, jwt_key *out, const char **why)
{
    const cJSON *kid = cJSON_GetObjectItemCaseSensitive(jwk, "kid");
    const cJSON *kty = cJSON_GetObjectItemCaseSensitive(jwk, "kty");
    if (!cJSON_IsObject(jwk) || ord_jwt_json_has_duplicate(jwk)) {
        *why = "not a JSON object with distinct members";
        return false;
    }
    if (!cJSON_IsString(kty)) {
        *why = "no \"kty\"";
        return false;
    }
    if (strcmp(kty->valuestring, "OKP") == 0) {
        *why = "OKP (EdDSA) keys are not supported by this build's JOSE library";
        return false;
    }
    if (!key_for_signatures(jwk)) {
        *why = "not a signature key (\"use\" or \"key_ops\")";
        return false;
    }
    if (kid != NULL && (!cJSON_IsString(kid) || kid->valuestring[0] == '\0' ||
                        strlen(kid->valuestring) >= JWT_KID_SIZE)) {
        *why = "\"kid\" must be a string of 1 to 256 bytes";
        return false;
    }
    if (!members_strict_base64url(jwk)) {
        *why = "a key member is not a string of strict base64url";
        return false;
    }
    char *text = cJSON_PrintUnformatted(jwk);
    if (text == NULL) {
        *why = "out of memory";
        return false;
    }
    cjose_err err;
    cjose_jwk_t *key = cjose_jwk_import(text, strlen(text), &err);
    cJSON_free(text);
    if (key == NULL) {
        *why = "not a valid JWK";
        return false;
    }
    const char *alg = key_alg(jwk, key, why);
    if (alg == NULL) {
        cjose_jwk_release(key);
        return false;
    }
    memset(out, 0, sizeof *out);
    snprintf(out->kid, sizeof out->kid, "%s", kid != NULL ? kid->valuestring : "");
    snprintf(out->alg, sizeof out->alg, "%s", alg);
    out->jwk = key;
    return true;
}

ord_error ord_jwt_keyset_parse(const char *doc, size_t len, ord_jwt_log_fn log, void *log_ctx,
                               jwt_keyset **out, char *err, size_t err_cap)
{
    *out = NULL;
    if (len > ORD_JWT_MAX_JWKS_BYTES) {
        snprintf(err, err_cap, "the JWKS document is larger than %d bytes", ORD_JWT_MAX_JWKS_BYTES);
        return ORD_EINVALID;
    }
    /* {"keys":[{...,"x5c":[...]}]} is four levels; leave room for extensions. */
    cJSON *json = ord_jwt_json_object(doc, len, 8);
    const cJSON *keys = json != NULL ? cJSON_GetObjectItemCaseSensitive(json, "keys") : NULL;
    if (!cJSON_IsArray(keys)) {
        cJSON_Delete(json);
        snprintf(err, err_cap, "not a JWKS document (a JSON object with a \"keys\" array)");
        return ORD_EINVALID;
    }
    int n = cJSON_GetArraySize(keys);
    if (n > ORD_JWT_MAX_KEYS) {
        cJSON_Delete(json);
        snprintf(err, err_cap, "the JWKS document holds more than %d keys", ORD_JWT_MAX_KEYS);
        return ORD_EINVALID;
    }
    jwt_keyset *set = calloc(1, sizeof *set + (size_t)n * sizeof set->keys[0]);
    if (set == NULL) {
        cJSON_Delete(json);
        return ORD_ENOMEM;
    }
    atomic_init(&set->refs, 1);
    const cJSON *jwk;
    cJSON_ArrayForEach(jwk, keys)
    {
        const char *why = NULL;
        jwt_key key;
        const cJSON *kid = cJSON_GetObjectItemCaseSensitive(jwk, "kid");
        const char *name = cJSON_IsString(kid) ? kid->valuestring : "";
        if (!import_key(jwk, &key, &why)) {
            log_skip(log, log_ctx, name, why);
            continue;
        }
        /* One kid, one key: a second one would make the choice ambiguous. */
        if (ord_jwt_keyset_find(set, key.kid) != NULL) {
            log_skip(log, log_ctx, name, "a key with this kid came earlier");
            cjose_jwk_release(key.jwk);
            continue;
        }
        set->keys[set->count++] = key;
    }
    cJSON_Delete(json);
    if (set->count == 0 && n > 0) {
        ord_jwt_keyset_release(set);
        snprintf(err, err_cap, "the JWKS document has no usable key");
        return ORD_EINVALID;
    }
    *out = set;
    return ORD_OK;
}

ord_error ord_jwt_read_file(const char *path, size_t max, char **out, size_t *len, char *err,
                            size_t err_cap)
{
    *out = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, err_cap, "cannot open %s: %s", path, strerror(errno));
        return ORD_EINVALID;
    }
    char *buf = malloc(max + 2);
    if (buf == NULL) {
        fclose(f);
        return ORD_ENOMEM;
    }
    size_t n = fread(buf, 1, max + 1, f);
    bool failed = ferror(f) != 0;
    fclose(f);
    if (failed || n > max) {
        free(buf);
        snprintf(err, err_cap, failed ? "cannot read %s" : "%s is larger than %zu bytes", path,
                 max);
        return ORD_EINVALID;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return ORD_OK;
}

ord_error ord_jwt_secret_load(const char *path, jwt_key *out, char *err, size_t err_cap)
{
    memset(out, 0, sizeof *out);
    char *data = NULL;
    size_t len = 0;
    ord_error rc = ord_jwt_read_file(path, 4096, &data, &len, err, err_cap);
    if (rc != ORD_OK)
        return rc;
    /* "echo secret > file" leaves a newline that is no part of the secret. */
    if (len > 0 && data[len - 1] == '\n')
        len--;
    if (len > 0 && data[len - 1] == '\r')
        len--;
    if (len < ORD_JWT_MIN_SECRET_BYTES) {
        memset(data, 0, len);
        free(data);
        snprintf(err, err_cap, "the HS256 secret in %s is shorter than %d bytes", path,
                 ORD_JWT_MIN_SECRET_BYTES);
        return ORD_EINVALID;
    }
    cjose_err cerr;
    out->jwk = cjose_jwk_create_oct_spec((const uint8_t *)data, len, &cerr);
    memset(data, 0, len);
    free(data);
    if (out->jwk == NULL)
        return ORD_ENOMEM;
    snprintf(out->alg, sizeof out->alg, "HS256");
    return ORD_OK;
}
