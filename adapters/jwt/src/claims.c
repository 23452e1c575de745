/* The claims of a token whose signature verified: lifetime (exp required,
 * nbf and iat honoured, all with leeway), issuer and audience when
 * configured, the customer (a positive integer, as a number or a string)
 * and the admin scope ("scope" words, or the "scp" array or words). */
#include "internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* NumericDate: a JSON number of seconds; fractions are allowed. */
static bool numeric_date(const cJSON *claims, const char *name, double *out, bool *present)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(claims, name);
    *present = item != NULL;
    if (item == NULL)
        return true;
    if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble) || item->valuedouble < 0 ||
        item->valuedouble > 1e15)
        return false;
    *out = item->valuedouble;
    return true;
}

static bool audience_holds(const cJSON *aud, const char *audience)
{
    if (cJSON_IsString(aud))
        return strcmp(aud->valuestring, audience) == 0;
    if (!cJSON_IsArray(aud))
        return false;
    const cJSON *one;
    cJSON_ArrayForEach(one, aud)
    {
        if (cJSON_IsString(one) && strcmp(one->valuestring, audience) == 0)
            return true;
    }
    return false;
}

/* Whether space-separated @p words hold @p word. */
static bool words_hold(const char *words, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = words; *p != '\0';) {
        while (*p == ' ')
            p++;
        size_t len = strcspn(p, " ");
        if (len == n && len > 0 && strncmp(p, word, n) == 0)
            return true;
        p += len;
    }
    return false;
}

static bool has_scope(const cJSON *claims, const char *scope)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(claims, "scope");
    if (cJSON_IsString(s) && words_hold(s->valuestring, scope))
        return true;
    const cJSON *scp = cJSON_GetObjectItemCaseSensitive(claims, "scp");
    if (cJSON_IsString(scp))
        return words_hold(scp->valuestring, scope);
    if (!cJSON_IsArray(scp))
        return false;
    const cJSON *one;
    cJSON_ArrayForEach(one, scp)
    {
        if (cJSON_IsString(one) && strcmp(one->valuestring, scope) == 0)
            return true;
    }
    return false;
}

/* A customer id: an integral JSON number, or decimal digits without sign
 * or leading zero, from 1 to 2^53 (exact in every JSON reader). */
#define MAX_CUSTOMER_ID 9007199254740992LL

static int64_t customer_of(const cJSON *claims, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(claims, name);
    if (cJSON_IsNumber(item)) {
        double v = item->valuedouble;
        if (!isfinite(v) || v < 1 || v > (double)MAX_CUSTOMER_ID || floor(v) != v)
            return 0;
        return (int64_t)v;
    }
    if (!cJSON_IsString(item))
        return 0;
    const char *s = item->valuestring;
    size_t len = strlen(s);
    if (len == 0 || len > 16 || s[0] < '1' || s[0] > '9')
        return 0;
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    return v <= MAX_CUSTOMER_ID ? v : 0;
}

ord_jwt_result ord_jwt_claims_check(const jwt_rules *rules, const unsigned char *payload,
                                    size_t len, int64_t now_s, ord_jwt_identity *out)
{
    memset(out, 0, sizeof *out);
    cJSON *claims = ord_jwt_json_object((const char *)payload, len, 4);
    if (claims == NULL)
        return ORD_JWT_MALFORMED;
    ord_jwt_result result = ORD_JWT_OK;
    double exp = 0, nbf = 0, iat = 0;
    bool has_exp = false, has_nbf = false, has_iat = false;
    double now = (double)now_s, leeway = (double)rules->leeway_s;
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(claims, "sub");
    if (!numeric_date(claims, "exp", &exp, &has_exp) || !numeric_date(claims, "nbf", &nbf, &has_nbf) ||
        !numeric_date(claims, "iat", &iat, &has_iat) ||
        (sub != NULL && !cJSON_IsString(sub) && !cJSON_IsNumber(sub)))
        result = ORD_JWT_MALFORMED;
    else if (!has_exp || now >= exp + leeway)
        result = ORD_JWT_EXPIRED;
    else if ((has_nbf && now + leeway < nbf) || (has_iat && now + leeway < iat))
        result = ORD_JWT_NOT_YET_VALID;
    if (result == ORD_JWT_OK && rules->issuer != NULL) {
        const cJSON *iss = cJSON_GetObjectItemCaseSensitive(claims, "iss");
        if (!cJSON_IsString(iss) || strcmp(iss->valuestring, rules->issuer) != 0)
            result = ORD_JWT_ISSUER;
    }
    if (result == ORD_JWT_OK && rules->audience != NULL &&
        !audience_holds(cJSON_GetObjectItemCaseSensitive(claims, "aud"), rules->audience))
        result = ORD_JWT_AUDIENCE;
    if (result == ORD_JWT_OK) {
        out->admin = has_scope(claims, rules->admin_scope);
        out->customer_id = customer_of(claims, rules->customer_claim);
        /* An admin token (a machine's, say) need not name a customer. */
        if (!out->admin && out->customer_id <= 0)
            result = ORD_JWT_NO_CUSTOMER;
        if (cJSON_IsString(sub))
            snprintf(out->subject, sizeof out->subject, "%s", sub->valuestring);
        else if (cJSON_IsNumber(sub))
            snprintf(out->subject, sizeof out->subject, "%.17g", sub->valuedouble);
    }
    cJSON_Delete(claims);
    if (result != ORD_JWT_OK)
        memset(out, 0, sizeof *out);
    return result;
}
