/* Hooks of the REST API: each request uses its worker thread's own unit
 * (service, client, a store borrowing from the shared connection pool);
 * readiness pings the database, reads the shared breakers and checks the
 * event broker; metrics add the downstream, pool and event counters. */
#include "hooks.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "unit.h"

/* A worker's unit, built on its first request: most workers of a large
 * pool only ever wait on slow or idle connections, and an idle one then
 * costs no client, service or store. */
typedef struct worker_slot {
    srv_app *app;
    srv_unit *unit;
    bool failed; /* building it failed once: logged, not retried in a loop */
} worker_slot;

static srv_unit *unit_of(void *thread_data)
{
    worker_slot *slot = thread_data;
    if (slot == NULL)
        return NULL;
    if (slot->unit == NULL && !slot->failed) {
        slot->unit = srv_unit_new(&slot->app->unit_deps, "http", SRV_UNIT_POOLED);
        slot->failed = slot->unit == NULL;
    }
    return slot->unit;
}

static ord_service *service_for_thread(void *ctx, void *thread_data)
{
    (void)ctx;
    srv_unit *u = unit_of(thread_data);
    return u != NULL ? u->svc : NULL;
}

static void dependency(ord_rest_dependency *d, const char *name, bool up, bool required)
{
    snprintf(d->name, sizeof d->name, "%s", name);
    d->up = up;
    d->required = required;
}

/* The database decides readiness; an open breaker is reported but does not
 * take the instance out of rotation (every instance shares the downstream
 * service, and orders are still readable). */
static size_t readiness(void *ctx, void *thread_data, ord_rest_dependency *deps, size_t cap)
{
    srv_app *app = ctx;
    srv_unit *u = unit_of(thread_data);
    if (cap < 6)
        return 0;
    dependency(&deps[0], "database", u != NULL && ord_pg_ping(u->store) == ORD_OK, true);
    dependency(&deps[1], "inventory",
               ord_http_services_breaker(app->http, ORD_HTTP_INVENTORY) != ORD_HTTP_BREAKER_OPEN,
               false);
    dependency(&deps[2], "tracking",
               ord_http_services_breaker(app->http, ORD_HTTP_TRACKING) != ORD_HTTP_BREAKER_OPEN,
               false);
    /* Stopping: the balancer takes this instance out of rotation. */
    dependency(&deps[3], "serving", !atomic_load(&app->draining), true);
    size_t n = 4;
    /* Without a key every token is refused: not ready for traffic. */
    if (!app->cfg.auth_off)
        dependency(&deps[n++], "auth_keys", srv_auth_has_keys(&app->auth), true);
    /* Reported, not required: events wait in the outbox while it is down. */
    bool broker_up;
    if (srv_events_broker_up(&app->events, &broker_up))
        dependency(&deps[n++], "broker", broker_up, false);
    return n;
}

static void metrics(void *ctx, void *thread_data, FILE *out)
{
    (void)thread_data;
    srv_app *app = ctx;
    ord_http_stats stats;
    ord_http_services_stats(app->http, &stats);
    fputs("# HELP downstream_requests_total Downstream requests by service and outcome.\n"
          "# TYPE downstream_requests_total counter\n",
          out);
    for (int s = 0; s < ORD_HTTP_SERVICE_COUNT; s++) {
        if (!stats.services[s].configured)
            continue;
        for (int o = 0; o < ORD_HTTP_OUTCOME_COUNT; o++)
            fprintf(out, "downstream_requests_total{service=\"%s\",outcome=\"%s\"} %llu\n",
                    ord_http_service_name((ord_http_service)s),
                    ord_http_outcome_name((ord_http_outcome)o),
                    (unsigned long long)stats.services[s].outcomes[o]);
    }
    fputs("# HELP downstream_retries_total Downstream attempts after the first.\n"
          "# TYPE downstream_retries_total counter\n",
          out);
    for (int s = 0; s < ORD_HTTP_SERVICE_COUNT; s++)
        if (stats.services[s].configured)
            fprintf(out, "downstream_retries_total{service=\"%s\"} %llu\n",
                    ord_http_service_name((ord_http_service)s),
                    (unsigned long long)stats.services[s].retries);
    ord_pg_pool_stats pool;
    ord_pg_pool_stats_get(app->db_pool, &pool);
    fprintf(out,
            "# HELP db_pool_connections Database connections of the HTTP workers' pool.\n"
            "# TYPE db_pool_connections gauge\n"
            "db_pool_connections{state=\"busy\"} %zu\n"
            "db_pool_connections{state=\"idle\"} %zu\n"
            "# HELP db_pool_waits_total Calls that found no free database connection and waited.\n"
            "# TYPE db_pool_waits_total counter\n"
            "db_pool_waits_total %llu\n"
            "# HELP db_pool_timeouts_total Calls that waited in vain for a database connection.\n"
            "# TYPE db_pool_timeouts_total counter\n"
            "db_pool_timeouts_total %llu\n",
            pool.busy, pool.size - pool.busy, (unsigned long long)pool.waits,
            (unsigned long long)pool.timeouts);
    fputs("# HELP circuit_breaker_state Circuit breaker per service: 0 closed, 1 open, 2 half-open.\n"
          "# TYPE circuit_breaker_state gauge\n",
          out);
    for (int s = 0; s < ORD_HTTP_SERVICE_COUNT; s++)
        if (stats.services[s].configured)
            fprintf(out, "circuit_breaker_state{service=\"%s\"} %d\n",
                    ord_http_service_name((ord_http_service)s),
                    (int)ord_http_services_breaker(app->http, (ord_http_service)s));
    srv_events_metrics(&app->events, out);
}

static ord_error outbox_counts(void *ctx, void *thread_data, int64_t *pending, int64_t *parked)
{
    (void)ctx;
    srv_unit *u = unit_of(thread_data);
    if (u == NULL)
        return ORD_EUNAVAILABLE;
    ord_outbox outbox = ord_pg_store_outbox(u->store);
    return outbox.ops->count(outbox.self, pending, parked);
}

void srv_hooks_install(ord_rest_api_config *config, srv_app *app)
{
    config->service = service_for_thread;
    config->service_ctx = app;
    config->hooks.ctx = app;
    config->hooks.readiness = readiness;
    config->hooks.metrics = metrics;
    config->hooks.outbox_counts = outbox_counts;
}

void *srv_hooks_thread_start(void *ctx)
{
    worker_slot *slot = calloc(1, sizeof *slot);
    if (slot != NULL)
        slot->app = ctx;
    return slot;
}

void srv_hooks_thread_stop(void *ctx, void *thread_data)
{
    (void)ctx;
    worker_slot *slot = thread_data;
    if (slot == NULL)
        return;
    srv_unit_free(slot->unit);
    free(slot);
}
