/* Authentication from the settings, for the programs that serve the API:
 * bearer JWTs verified with the configured keys, or (ORDER_AUTH=off) every
 * caller an admin. */
#ifndef ORDER_APPS_AUTH_H
#define ORDER_APPS_AUTH_H

#include <stdbool.h>

#include <orders/adapters/jwt/verifier.h>
#include <orders/adapters/rest/auth.h>

#include "config.h"
#include "log.h"

/* A program's authentication: the JWT verifier (NULL with auth off) and
 * the settings and log it was built with (borrowed; they outlive it). */
typedef struct srv_auth {
    ord_jwt_verifier *jwt;
    const srv_config *cfg;
    const srv_log *log;
} srv_auth;

/* The authenticator for the REST API (owned by the API once handed over);
 * builds auth->jwt when authentication is on. False after logging why. */
bool srv_auth_build(srv_auth *auth, const srv_config *cfg, const srv_log *log,
                    ord_rest_authenticator *out);

/* Whether tokens can be verified now (always true with auth off). */
bool srv_auth_has_keys(const srv_auth *auth);

/* Free auth->jwt; call after the API (which uses it) is freed. */
void srv_auth_free(srv_auth *auth);

#endif
