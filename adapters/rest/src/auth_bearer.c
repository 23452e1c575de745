/* The bearer-token authenticator: reads `Authorization: Bearer <token>`
 * strictly (RFC 6750, section 2.1) and hands the token to the program's
 * verifier. Nothing but that one header is ever read for a token. */
#include <orders/adapters/rest/auth.h>

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct bearer {
    ord_rest_bearer_verify_fn verify;
    void *ctx;
    void (*free_ctx)(void *ctx);
    char *admin_scope;
} bearer;

#define CHALLENGE_NONE "Bearer"
#define CHALLENGE_REQUEST "Bearer error=\"invalid_request\""
#define CHALLENGE_TOKEN "Bearer error=\"invalid_token\""

/* b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
static bool is_b64token(const char *text, size_t len)
{
    size_t i = 0;
    while (i < len) {
        char ch = text[i];
        bool ok = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
                  ch == '-' || ch == '.' || ch == '_' || ch == '~' || ch == '+' || ch == '/';
        if (!ok)
            break;
        i++;
    }
    if (i == 0)
        return false;
    while (i < len && text[i] == '=')
        i++;
    return i == len;
}

static void refuse(ord_rest_auth_result *out, const char *detail, const char *challenge)
{
    ord_rest_auth_refuse(out, 401, "Unauthorized", detail);
    out->challenge = challenge;
}

static void bearer_authenticate(void *self, const ord_rest_header *headers, size_t count,
                                ord_rest_auth_result *out)
{
    const bearer *b = self;
    memset(out, 0, sizeof *out);
    const char *value = NULL;
    size_t seen = 0;
    for (size_t i = 0; headers != NULL && i < count; i++) {
        if (headers[i].name != NULL && strcasecmp(headers[i].name, "Authorization") == 0) {
            value = headers[i].value;
            seen++;
        }
    }
    if (seen == 0) {
        refuse(out, "A bearer token is required (Authorization: Bearer ...)", CHALLENGE_NONE);
        out->anonymous = true;
        return;
    }
    /* Two credentials: which one speaks for the caller is unknowable. */
    if (seen > 1) {
        refuse(out, "Send one Authorization header, not several", CHALLENGE_REQUEST);
        return;
    }
    if (value == NULL || strncasecmp(value, "Bearer", 6) != 0 || (value[6] != ' ' && value[6] != '\0')) {
        refuse(out, "Only bearer tokens are accepted (Authorization: Bearer ...)", CHALLENGE_NONE);
        return;
    }
    const char *token = value + 6;
    while (*token == ' ')
        token++;
    size_t len = strnlen(token, ORD_REST_MAX_BEARER_BYTES + 1);
    if (len == 0) {
        refuse(out, "The Authorization header carries no token", CHALLENGE_REQUEST);
        return;
    }
    if (len > ORD_REST_MAX_BEARER_BYTES) {
        refuse(out, "The bearer token is too long", CHALLENGE_TOKEN);
        return;
    }
    if (!is_b64token(token, len)) {
        refuse(out, "The bearer token is malformed", CHALLENGE_TOKEN);
        return;
    }
    const char *why = NULL;
    ord_principal who;
    memset(&who, 0, sizeof who);
    out->subject[0] = '\0';
    if (!b->verify(b->ctx, token, len, &who, out->subject, sizeof out->subject, &why)) {
        memset(out->subject, 0, sizeof out->subject);
        refuse(out, why != NULL ? why : "The bearer token is not valid", CHALLENGE_TOKEN);
        return;
    }
    out->subject[sizeof out->subject - 1] = '\0';
    out->status = 0;
    out->principal = who;
    out->principal.subject = out->subject;
}

static void bearer_free(void *self)
{
    bearer *b = self;
    if (b == NULL)
        return;
    if (b->free_ctx != NULL)
        b->free_ctx(b->ctx);
    free(b->admin_scope);
    free(b);
}

static const char *bearer_admin_scope(void *self)
{
    const bearer *b = self;
    return b->admin_scope;
}

static const ord_rest_authenticator_ops BEARER_OPS = {
    .version = ORD_REST_AUTHENTICATOR_VERSION,
    .name = "bearer",
    .authenticate = bearer_authenticate,
    .free = bearer_free,
    .admin_scope = bearer_admin_scope,
};

ord_error ord_rest_auth_bearer(ord_rest_authenticator *out, const ord_rest_bearer_config *config)
{
    if (out == NULL)
        return ORD_EINVALID;
    memset(out, 0, sizeof *out);
    if (config == NULL || config->version != ORD_REST_BEARER_CONFIG_VERSION || config->verify == NULL)
        return ORD_EINVALID;
    bearer *b = calloc(1, sizeof *b);
    if (b == NULL)
        return ORD_ENOMEM;
    b->verify = config->verify;
    b->ctx = config->ctx;
    b->free_ctx = config->free_ctx;
    if (config->admin_scope != NULL) {
        size_t n = strlen(config->admin_scope) + 1;
        b->admin_scope = malloc(n);
        if (b->admin_scope == NULL) {
            free(b);
            return ORD_ENOMEM;
        }
        memcpy(b->admin_scope, config->admin_scope, n);
    }
    out->ops = &BEARER_OPS;
    out->self = b;
    return ORD_OK;
}
