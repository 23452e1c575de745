/* The "auth off" authenticator: every caller is an admin. For development
 * only; the transport warns loudly when it is in use. */
#include <orders/adapters/rest/auth.h>

#include <string.h>

static void auth_off_authenticate(void *self, const ord_rest_header *headers, size_t count,
                                  ord_rest_auth_result *out)
{
    (void)self;
    (void)headers;
    (void)count;
    memset(out, 0, sizeof *out);
    out->status = 0;
    out->principal.kind = ORD_PRINCIPAL_ADMIN;
    out->principal.customer_id = 0;
    strcpy(out->subject, "anonymous-admin");
    out->principal.subject = out->subject;
}

static const ord_rest_authenticator_ops AUTH_OFF_OPS = {
    .version = ORD_REST_AUTHENTICATOR_VERSION,
    .name = "off",
    .authenticate = auth_off_authenticate,
    .free = NULL,
};

ord_rest_authenticator ord_rest_auth_off(void)
{
    ord_rest_authenticator auth = {&AUTH_OFF_OPS, NULL};
    return auth;
}

void ord_rest_auth_refuse(ord_rest_auth_result *out, int status, const char *title,
                          const char *detail)
{
    if (out == NULL)
        return;
    out->status = status == 403 ? 403 : 401;
    out->title = title;
    out->detail = detail;
    out->challenge = out->status == 401 ? "Bearer" : NULL;
}
