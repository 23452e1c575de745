/* The Lambda program as one object: settings, log, the one unit (a
 * PostgreSQL connection, one set of curl handles, with the amqp sink one
 * broker connection, and the service over them) kept across warm
 * invocations, and the REST API that answers HTTP events. */
#ifndef ORDER_LAMBDA_LAMBDA_H
#define ORDER_LAMBDA_LAMBDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/adapters/http/services.h>
#include <orders/adapters/rest/api.h>

#include "auth.h"
#include "claims.h"
#include "config.h"
#include "events.h"
#include "log.h"
#include "runtime.h"
#include "unit.h"

typedef struct lam_app {
    srv_config cfg;
    srv_log log;
    char worker_id[43];     /* lease owner name: "lambda-" and 32 random hex digits */
    char webhook_url[1100]; /* storage for a derived webhook URL */
    ord_http_services *http;
    ord_rest_metrics *metrics;
    srv_events events;      /* the event sink: the broker, the counts */
    srv_unit_deps deps;
    srv_unit *unit;
    srv_auth auth;           /* the configured authenticator's verifier */
    lam_claims_auth *claims; /* owned by the API */
    ord_rest_api *api;
    int64_t idle_since_ms;   /* wall clock at the end of the last invocation; 0: none yet */
} lam_app;

/* Why a start or an invocation failed, as the Runtime API is told. */
typedef struct lam_failure {
    const char *type;  /* "Orders.DatabaseUnavailable"...: static */
    char message[256]; /* no secret */
} lam_failure;

/* Build everything from app->cfg and app->log (set by the caller) and apply
 * the database migrations. False with @p why filled (and logged); what was
 * built is freed by lam_app_close(). */
bool lam_app_open(lam_app *app, lam_failure *why);

/* Free everything. Safe after a failed open. */
void lam_app_close(lam_app *app);

/* Answer one invocation: true with the answer (JSON text, cJSON_free())
 * in @p answer, or false with @p why filled. */
bool lam_app_invoke(lam_app *app, const lam_invocation *inv, char **answer, size_t *len,
                    lam_failure *why);

#endif
