/* The fuzz targets' JWT verifier: see jwt_world.h. */
#include "jwt_world.h"

#include <stdio.h>
#include <stdlib.h>

#include "fuzz.h"

static int64_t fixed_now(void *ctx)
{
    (void)ctx;
    return FUZZ_JWT_NOW;
}

ord_jwt_verifier *fuzz_verifier(void)
{
    static ord_jwt_verifier *verifier;
    if (verifier != NULL)
        return verifier;
    ord_jwt_config config = ORD_JWT_CONFIG_INIT;
    config.jwks_file = ORDERS_FUZZ_KEYS "/jwks.json";
    config.hs256_secret_file = ORDERS_FUZZ_KEYS "/hs256.secret";
    config.issuer = FUZZ_JWT_ISSUER;
    config.audience = FUZZ_JWT_AUDIENCE;
    config.now_s = fixed_now;
    char err[256] = "";
    if (ord_jwt_verifier_new(&verifier, &config, err, sizeof err) != ORD_OK) {
        fprintf(stderr, "fuzz: cannot build the JWT verifier: %s\n", err);
        abort();
    }
    return verifier;
}

static bool verify_bearer(void *ctx, const char *token, size_t len, ord_principal *who,
                          char *subject, size_t subject_cap, const char **why)
{
    ord_jwt_identity id;
    ord_jwt_result r = ord_jwt_verify(ctx, token, len, &id);
    if (r != ORD_JWT_OK) {
        *why = ord_jwt_result_text(r);
        return false;
    }
    FUZZ_CHECK(id.admin || id.customer_id > 0);
    who->kind = id.admin ? ORD_PRINCIPAL_ADMIN : ORD_PRINCIPAL_CUSTOMER;
    who->customer_id = id.customer_id;
    snprintf(subject, subject_cap, "%s", id.subject);
    return true;
}

ord_rest_authenticator fuzz_bearer_authenticator(void)
{
    ord_rest_bearer_config config = ORD_REST_BEARER_CONFIG_INIT;
    config.verify = verify_bearer;
    config.ctx = fuzz_verifier();
    config.admin_scope = "orders:admin";
    ord_rest_authenticator auth;
    FUZZ_CHECK(ord_rest_auth_bearer(&auth, &config) == ORD_OK);
    return auth;
}
