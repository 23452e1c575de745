/* Claims to a principal: the configured customer claim (a positive
 * integer, as a number or decimal text) is the customer; the admin scope
 * or the admin group makes an admin. API Gateway hands claims over as
 * text: a list arrives as "a b", "[a b]" (HTTP API) or "a,b" (Cognito
 * groups of a REST API), and a real JSON array is taken as well. The
 * program answers one request at a time, so the current claims are plain
 * state. */
#include "claims.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Customer ids are below 2^53, as in request bodies. */
#define CUSTOMER_ID_LIMIT 9007199254740992LL

struct lam_claims_auth {
    char *customer_claim;
    char *admin_scope;
    char *admin_group; /* NULL: none */
    ord_rest_authenticator fallback;
    const cJSON *claims;
    const cJSON *scopes;
};

void lam_claims_auth_use(lam_claims_auth *auth, const cJSON *claims, const cJSON *scopes)
{
    auth->claims = claims;
    auth->scopes = scopes;
}

/* Whether the list @p text holds @p word; items are separated by blanks
 * (and commas when @p commas), the whole list may be in brackets. */
static bool list_holds(const char *text, const char *word, bool commas)
{
    const char *p = text;
    const char *end = text + strlen(text);
    if (*p == '[' && end > p && end[-1] == ']') {
        p++;
        end--;
    }
    const char *separators = commas ? " ," : " ";
    size_t n = strlen(word);
    while (p < end) {
        size_t len = strcspn(p, separators);
        if (p + len > end)
            len = (size_t)(end - p);
        if (len == n && n > 0 && strncmp(p, word, n) == 0)
            return true;
        p += len + 1;
    }
    return false;
}

static bool item_holds(const cJSON *item, const char *word, bool commas)
{
    if (cJSON_IsString(item))
        return list_holds(item->valuestring, word, commas);
    if (!cJSON_IsArray(item))
        return false;
    const cJSON *one;
    cJSON_ArrayForEach(one, item) {
        if (cJSON_IsString(one) && strcmp(one->valuestring, word) == 0)
            return true;
    }
    return false;
}

static bool is_admin(const lam_claims_auth *a)
{
    const cJSON *c = a->claims;
    if (item_holds(cJSON_GetObjectItemCaseSensitive(c, "scope"), a->admin_scope, false) ||
        item_holds(cJSON_GetObjectItemCaseSensitive(c, "scp"), a->admin_scope, false) ||
        item_holds(a->scopes, a->admin_scope, false))
        return true;
    return a->admin_group != NULL &&
           item_holds(cJSON_GetObjectItemCaseSensitive(c, "cognito:groups"), a->admin_group, true);
}

/* The customer id, or 0 when the claim is absent or not a positive
 * integer below 2^53 (digits only, no sign, no leading zero). */
static int64_t customer_of(const cJSON *item)
{
    if (cJSON_IsNumber(item)) {
        double v = item->valuedouble;
        bool whole = isfinite(v) && v >= 1 && v < (double)CUSTOMER_ID_LIMIT && floor(v) == v;
        return whole ? (int64_t)v : 0;
    }
    if (!cJSON_IsString(item) || item->valuestring[0] < '1' || item->valuestring[0] > '9' ||
        strlen(item->valuestring) > 16)
        return 0;
    int64_t v = 0;
    for (const char *p = item->valuestring; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (*p - '0');
    }
    return v < CUSTOMER_ID_LIMIT ? v : 0;
}

static void authenticate(void *self, const ord_rest_header *headers, size_t count,
                         ord_rest_auth_result *out)
{
    lam_claims_auth *a = self;
    if (a->claims == NULL) {
        a->fallback.ops->authenticate(a->fallback.self, headers, count, out);
        return;
    }
    bool admin = is_admin(a);
    int64_t customer = customer_of(cJSON_GetObjectItemCaseSensitive(a->claims, a->customer_claim));
    if (!admin && customer == 0) {
        ord_rest_auth_refuse(out, 403, "Forbidden", "The verified identity names no customer");
        return;
    }
    const cJSON *sub = cJSON_GetObjectItemCaseSensitive(a->claims, "sub");
    if (cJSON_IsString(sub))
        snprintf(out->subject, sizeof out->subject, "%s", sub->valuestring);
    else if (cJSON_IsNumber(sub))
        snprintf(out->subject, sizeof out->subject, "%.17g", sub->valuedouble);
    out->status = 0;
    out->principal.kind = admin ? ORD_PRINCIPAL_ADMIN : ORD_PRINCIPAL_CUSTOMER;
    out->principal.customer_id = customer;
    out->principal.subject = out->subject[0] != '\0' ? out->subject : NULL;
}

/* Named in the insufficient_scope challenge of an admin action refused. */
static const char *admin_scope(void *self)
{
    lam_claims_auth *a = self;
    return a->admin_scope;
}

static void free_auth(void *self)
{
    lam_claims_auth *a = self;
    if (a == NULL)
        return;
    if (a->fallback.ops != NULL && a->fallback.ops->free != NULL)
        a->fallback.ops->free(a->fallback.self);
    free(a->customer_claim);
    free(a->admin_scope);
    free(a->admin_group);
    free(a);
}

static const ord_rest_authenticator_ops claims_ops = {
    .version = ORD_REST_AUTHENTICATOR_VERSION,
    .name = "gateway-claims",
    .authenticate = authenticate,
    .free = free_auth,
    .admin_scope = admin_scope,
};

static char *copy(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

ord_error lam_claims_auth_new(ord_rest_authenticator *out, lam_claims_auth **handle,
                              const lam_claims_config *config, ord_rest_authenticator fallback)
{
    memset(out, 0, sizeof *out);
    *handle = NULL;
    lam_claims_auth *a = calloc(1, sizeof *a);
    if (a == NULL) {
        if (fallback.ops != NULL && fallback.ops->free != NULL)
            fallback.ops->free(fallback.self);
        return ORD_ENOMEM;
    }
    a->fallback = fallback;
    if (fallback.ops == NULL || fallback.ops->authenticate == NULL ||
        config->customer_claim == NULL || config->admin_scope == NULL) {
        free_auth(a);
        return ORD_EINVALID;
    }
    a->customer_claim = copy(config->customer_claim);
    a->admin_scope = copy(config->admin_scope);
    a->admin_group = copy(config->admin_group);
    if (a->customer_claim == NULL || a->admin_scope == NULL ||
        (config->admin_group != NULL && a->admin_group == NULL)) {
        free_auth(a);
        return ORD_ENOMEM;
    }
    *out = (ord_rest_authenticator){&claims_ops, a};
    *handle = a;
    return ORD_OK;
}
