/* Authentication of the programs: the JWT verifier built from the
 * settings, its JWKS URL fetched with the HTTP adapter, and the REST
 * adapter's bearer authenticator calling it. The adapters never meet:
 * this file is the glue between them. */
#include "auth.h"

#include <stdio.h>
#include <string.h>

#include <orders/adapters/http/fetch.h>

static ord_error fetch_jwks(void *ctx, char **body, size_t *len)
{
    const srv_auth *auth = ctx;
    return ord_http_fetch(auth->cfg->auth_jwks_url, (long)auth->cfg->auth_jwks_timeout_ms,
                          ORD_JWT_MAX_JWKS_BYTES, body, len);
}

static void jwt_log(void *ctx, const char *level, const char *message, const char *detail)
{
    const srv_auth *auth = ctx;
    srv_level l = strcmp(level, "error") == 0 ? SRV_ERROR
                  : strcmp(level, "warn") == 0 ? SRV_WARN
                                               : SRV_INFO;
    srv_field f[] = {SRV_STR("detail", detail)};
    srv_log_write(auth->log, l, message, f, detail != NULL ? 1 : 0);
}

/* A good token's identity as the application's principal. */
static bool verify_bearer(void *ctx, const char *token, size_t len, ord_principal *who,
                          char *subject, size_t subject_cap, const char **why)
{
    ord_jwt_identity id;
    ord_jwt_result r = ord_jwt_verify(ctx, token, len, &id);
    if (r != ORD_JWT_OK) {
        *why = ord_jwt_result_text(r);
        return false;
    }
    who->kind = id.admin ? ORD_PRINCIPAL_ADMIN : ORD_PRINCIPAL_CUSTOMER;
    who->customer_id = id.customer_id;
    snprintf(subject, subject_cap, "%s", id.subject);
    return true;
}

bool srv_auth_build(srv_auth *auth, const srv_config *cfg, const srv_log *log,
                    ord_rest_authenticator *out)
{
    auth->jwt = NULL;
    auth->cfg = cfg;
    auth->log = log;
    if (cfg->auth_off) {
        *out = ord_rest_auth_off();
        return true;
    }
    const srv_config *c = cfg;
    ord_jwt_config jc = ORD_JWT_CONFIG_INIT;
    jc.jwks_file = c->auth_jwks_file;
    jc.hs256_secret_file = c->auth_hs256_secret_file;
    if (c->auth_jwks_url != NULL) {
        jc.fetch = fetch_jwks;
        jc.fetch_ctx = auth;
        jc.jwks_url = c->auth_jwks_url;
    }
    jc.issuer = c->auth_issuer;
    jc.audience = c->auth_audience;
    jc.leeway_s = c->auth_leeway_s;
    jc.customer_claim = c->auth_customer_claim;
    jc.admin_scope = c->auth_admin_scope;
    jc.jwks_refresh_s = c->auth_jwks_refresh_s;
    jc.jwks_min_refresh_s = c->auth_jwks_min_refresh_s;
    jc.jwks_wait_ms = c->auth_jwks_wait_ms;
    jc.log = jwt_log;
    jc.log_ctx = auth;
    char err[512] = "";
    ord_error rc = ord_jwt_verifier_new(&auth->jwt, &jc, err, sizeof err);
    if (rc != ORD_OK) {
        srv_field f[] = {SRV_STR("error", err[0] != '\0' ? err : ord_strerror(rc))};
        srv_log_write(log, SRV_ERROR, "cannot set up authentication", f, 1);
        return false;
    }
    if (!ord_jwt_verifier_has_keys(auth->jwt))
        srv_log_write(log, SRV_WARN,
                      "no verification key yet (JWKS URL unreachable): every token is refused "
                      "and /health/ready is DOWN until the keys arrive",
                      NULL, 0);
    ord_rest_bearer_config bc = ORD_REST_BEARER_CONFIG_INIT;
    bc.verify = verify_bearer;
    bc.ctx = auth->jwt;
    bc.admin_scope = c->auth_admin_scope;
    if (ord_rest_auth_bearer(out, &bc) != ORD_OK) {
        srv_log_write(log, SRV_ERROR, "cannot build the bearer authenticator", NULL, 0);
        return false;
    }
    return true;
}

bool srv_auth_has_keys(const srv_auth *auth)
{
    return auth->jwt == NULL || ord_jwt_verifier_has_keys(auth->jwt);
}

void srv_auth_free(srv_auth *auth)
{
    ord_jwt_verifier_free(auth->jwt);
    auth->jwt = NULL;
}
