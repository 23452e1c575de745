/* The order server as one object: shared state (settings, log, downstream
 * services, metrics, the REST API) and its running parts (HTTP server,
 * background workers). */
#ifndef ORDER_SERVER_APP_H
#define ORDER_SERVER_APP_H

#include <stdatomic.h>

#include <orders/adapters/http/services.h>
#include <orders/adapters/jwt/verifier.h>
#include <orders/adapters/postgres/pool.h>
#include <orders/adapters/rest/api.h>
#include <orders/adapters/rest/server.h>

#include "auth.h"
#include "config.h"
#include "events.h"
#include "log.h"
#include "unit.h"

typedef struct srv_workers srv_workers;

typedef struct srv_app {
    srv_config cfg;
    srv_log log;
    char worker_id[43];                  /* lease owner name of this instance */
    char application_name[64];           /* its sessions' name in pg_stat_activity */
    char webhook_url[1100];              /* storage for a derived webhook URL */
    ord_http_services *http;             /* shared by every thread's client */
    ord_pg_pool *db_pool;                /* the HTTP workers' database connections */
    srv_events events;                   /* the event sink: the broker, the counts */
    ord_rest_metrics *metrics;
    srv_auth auth;                       /* the JWT verifier, with auth on */
    srv_unit_deps unit_deps;             /* what every thread's unit is built from */
    ord_rest_api *api;
    ord_rest_server *server;
    srv_workers *workers;
    atomic_bool draining;                /* stopping: /health/ready answers 503 */
    bool stopped_accepting;              /* the API listener refuses connections */
} srv_app;

/* Build the shared parts (downstream services, metrics, API) from app->cfg
 * and app->log. On failure logs one error line and returns false; what was
 * built is freed by srv_app_close(). */
bool srv_app_open(srv_app *app);

/* Start the background workers and the HTTP server (writing the port file).
 * On failure logs why and returns false; srv_app_close() stops what started. */
bool srv_app_start(srv_app *app);

/* The first part of a stop, on @p sig: readiness turns DOWN at once; on
 * SIGTERM the API keeps serving for cfg.drain_grace_ms (each answer closing
 * its connection) so that a load balancer sees the instance leave before it
 * refuses connections; another stop signal ends the grace early. Then the
 * API listener stops accepting. srv_app_close() finishes the requests in
 * flight. */
void srv_app_drain(srv_app *app, int sig);

/* Stop accepting and finish requests in flight, stop the workers, free
 * everything. Safe after a partial open or start. */
void srv_app_close(srv_app *app);

/* Apply migrations, waiting up to cfg.migrate_wait_s for the database (a
 * SIGTERM/SIGINT meanwhile gives up). Returns 0, or 1 after logging why. */
int srv_app_migrate(srv_app *app);

/* Put every parked outbox event back in the queue (after the sink's fault
 * is fixed). 0 on success, 1 on failure; logs the count. */
int srv_app_redrive_events(srv_app *app);

#endif
