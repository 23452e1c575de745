/* The order server's authentication: bearer JWTs verified with the
 * configured keys, or (ORDER_AUTH=off) every caller an admin. */
#ifndef ORDER_SERVER_AUTH_H
#define ORDER_SERVER_AUTH_H

#include <stdbool.h>

#include <orders/adapters/rest/auth.h>

#include "app.h"

/* The authenticator for the REST API (owned by the API once handed over);
 * builds app->jwt when authentication is on. False after logging why. */
bool srv_auth_build(srv_app *app, ord_rest_authenticator *out);

/* Whether tokens can be verified now (always true with auth off). */
bool srv_auth_has_keys(const srv_app *app);

/* Free app->jwt; call after the API (which uses it) is freed. */
void srv_auth_free(srv_app *app);

#endif
