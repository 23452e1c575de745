/* The caller from claims API Gateway's authorizer already verified (a
 * Cognito user pool or a JWT authorizer), as an authenticator of the REST
 * API. The program hands it the claims of the request being answered; a
 * request without claims goes to the configured authenticator instead. */
#ifndef ORDER_LAMBDA_CLAIMS_H
#define ORDER_LAMBDA_CLAIMS_H

#include <cjson/cJSON.h>

#include <orders/adapters/rest/auth.h>

typedef struct lam_claims_config {
    const char *customer_claim; /* claim holding the customer id ("sub") */
    const char *admin_scope;    /* in "scope", "scp" or the JWT scopes: an admin */
    const char *admin_group;    /* in "cognito:groups": an admin; NULL: none */
} lam_claims_config;

typedef struct lam_claims_auth lam_claims_auth;

/* Build the authenticator into @p out (hand it to the API, which frees it)
 * and return its state in @p handle for lam_claims_auth_use(). It takes
 * over @p fallback (freed with it, also on failure). */
ord_error lam_claims_auth_new(ord_rest_authenticator *out, lam_claims_auth **handle,
                              const lam_claims_config *config, ord_rest_authenticator fallback);

/* The claims (and payload 2.0 scopes) of the request about to be answered,
 * borrowed until the next call; NULL claims: the gateway verified nobody. */
void lam_claims_auth_use(lam_claims_auth *auth, const cJSON *claims, const cJSON *scopes);

#endif
