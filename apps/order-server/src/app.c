/* Wiring of the order server: configuration to adapters, adapters to the
 * application, and the order of start and stop. */
#include "app.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <orders/adapters/postgres/migrate.h>
#include <orders/adapters/postgres/store.h>

#include "auth.h"
#include "downstream.h"
#include "events.h"
#include "hooks.h"
#include "signals.h"
#include "workers.h"

static void log_error(const srv_app *app, const char *message, const char *detail)
{
    srv_field f[] = {SRV_STR("error", detail)};
    srv_log_write(&app->log, SRV_ERROR, message, f, detail != NULL ? 1 : 0);
}

static void make_worker_id(srv_app *app)
{
    if (app->cfg.worker_id != NULL) {
        snprintf(app->worker_id, sizeof app->worker_id, "%s", app->cfg.worker_id);
        return;
    }
    char host[64] = "orders";
    if (gethostname(host, sizeof host) != 0)
        strcpy(host, "orders");
    host[sizeof host - 1] = '\0';
    char pid[16];
    snprintf(pid, sizeof pid, "-%ld", (long)getpid());
    /* Keep the pid whole: it is what tells two instances on one host apart. */
    size_t room = sizeof app->worker_id - 1 - strlen(pid);
    snprintf(app->worker_id, sizeof app->worker_id, "%.*s%s", (int)room, host, pid);
}

bool srv_app_open(srv_app *app)
{
    make_worker_id(app);
    /* One name per instance: pg_stat_activity shows what each one holds. */
    snprintf(app->application_name, sizeof app->application_name, "order-server %s",
             app->worker_id);
    srv_log_unknown_env(&app->log, &app->cfg);
    if (srv_downstream_open(&app->http, &app->cfg, &app->log, app->webhook_url,
                            sizeof app->webhook_url) != ORD_OK)
        return false;
    ord_pg_options pg = ORD_PG_OPTIONS_INIT;
    pg.connect_timeout_s = (int)app->cfg.database_connect_timeout_s;
    pg.application_name = app->application_name;
    if (ord_pg_pool_new(&app->db_pool, app->cfg.database_url, &pg,
                        (size_t)app->cfg.database_pool_size,
                        (int)app->cfg.database_pool_timeout_ms) != ORD_OK) {
        log_error(app, "cannot set up the database connection pool", NULL);
        return false;
    }
    if (!srv_events_open(&app->events, &app->cfg, &app->log, "order-server", app->worker_id))
        return false;
    if (ord_rest_metrics_new(&app->metrics) != ORD_OK) {
        log_error(app, "cannot allocate the metrics", NULL);
        return false;
    }
    app->unit_deps = (srv_unit_deps){
        .cfg = &app->cfg,
        .log = &app->log,
        .worker_id = app->worker_id,
        .application_name = app->application_name,
        .http = app->http,
        .db_pool = app->db_pool,
        .metrics = app->metrics,
        .events = &app->events,
    };
    ord_rest_api_config ac = ORD_REST_API_CONFIG_INIT;
    srv_hooks_install(&ac, app);
    if (!srv_auth_build(&app->auth, &app->cfg, &app->log, &ac.authenticator))
        return false;
    ac.metrics_need_admin = app->cfg.auth_metrics_admin && !app->cfg.auth_off;
    ac.rate_limit_per_second = (double)app->cfg.rate_limit_rps;
    ac.rate_limit_burst = (int)app->cfg.rate_limit_burst;
    ac.auth_failures_per_minute = (int)app->cfg.auth_failure_limit;
    ac.trusted_proxy = app->cfg.trusted_proxy;
    ac.metrics = app->metrics;
    ac.access_log = srv_log_enabled(&app->log, SRV_INFO) ? app->log.out : NULL;
    ac.retry_after_seconds = (int)app->cfg.retry_after_s;
    if (ord_rest_api_new(&app->api, &ac) != ORD_OK) {
        if (ac.authenticator.ops != NULL && ac.authenticator.ops->free != NULL)
            ac.authenticator.ops->free(ac.authenticator.self);
        log_error(app, "cannot build the REST API", NULL);
        return false;
    }
    return true;
}

int srv_app_migrate(srv_app *app)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    bool waiting_logged = false;
    for (;;) {
        ord_pg_migration_report report;
        memset(&report, 0, sizeof report);
        ord_error err = ord_pg_migrate(app->cfg.database_url, &report);
        if (err == ORD_OK) {
            srv_log_migrated(&app->log, &report);
            return 0;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        bool time_left = now.tv_sec - start.tv_sec < app->cfg.migrate_wait_s;
        if (err != ORD_EUNAVAILABLE || !time_left) {
            /* libpq's and the server's text never carry the password. */
            srv_field f[] = {SRV_STR("error", ord_strerror(err)), SRV_STR("detail", report.detail)};
            srv_log_write(&app->log, SRV_ERROR, "database migration failed", f, 2);
            return 1;
        }
        if (!waiting_logged) {
            srv_field f[] = {SRV_NUM("waitSeconds", app->cfg.migrate_wait_s),
                             SRV_STR("detail", report.detail)};
            srv_log_write(&app->log, SRV_WARN, "database not reachable yet; retrying", f, 2);
            waiting_logged = true;
        }
        int sig = srv_signals_wait(1000);
        if (sig != 0) {
            srv_field f[] = {SRV_STR("signal", srv_signal_name(sig))};
            srv_log_write(&app->log, SRV_INFO, "stopping before start-up finished", f, 1);
            return -1;
        }
    }
}

int srv_app_redrive_events(srv_app *app)
{
    ord_pg_store *store = NULL;
    ord_error err = ord_pg_store_new(&store, app->cfg.database_url, NULL);
    int64_t count = 0;
    if (err == ORD_OK) {
        ord_outbox outbox = ord_pg_store_outbox(store);
        err = outbox.ops->redrive(outbox.self, 0, &count);
    }
    ord_pg_store_free(store);
    if (err != ORD_OK) {
        srv_field f[] = {SRV_STR("error", ord_strerror(err))};
        srv_log_write(&app->log, SRV_ERROR, "parked events not re-driven", f, 1);
        return 1;
    }
    srv_field f[] = {SRV_NUM("events", count)};
    srv_log_write(&app->log, SRV_INFO, "parked events re-driven", f, 1);
    return 0;
}

static bool write_port_file(const char *path, int port)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return false;
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return false;
    bool ok = fprintf(f, "%d\n", port) > 0;
    ok = fclose(f) == 0 && ok;
    /* rename() makes the file appear whole to whoever waits for it. */
    return ok && rename(tmp, path) == 0;
}

/* A service's URL for the log: redacted, or "off" when not configured. */
static const char *service_for_log(const srv_app *app, ord_http_service service, char *out,
                                   size_t cap)
{
    char webhook[1100];
    const char *url = srv_config_service_url(&app->cfg, service, webhook, sizeof webhook);
    if (url == NULL)
        return "off";
    return srv_redact_url(url, out, cap);
}

static void log_ready(srv_app *app)
{
    char db[512];
    srv_redact_url(app->cfg.database_url, db, sizeof db);
    char urls[ORD_HTTP_SERVICE_COUNT][1100];
    char webhook[1100], events[1100];
    const char *exchange = NULL;
    srv_events_for_log(&app->events,
                       srv_config_service_url(&app->cfg, ORD_HTTP_EVENTS, webhook, sizeof webhook),
                       events, sizeof events, &exchange);
    srv_field f[] = {
        SRV_NUM("port", ord_rest_server_port(app->server)),
        SRV_NUM("opsPort", ord_rest_server_ops_port(app->server)),
        SRV_STR("host", app->cfg.host),
        SRV_NUM("threads", app->cfg.threads),
        SRV_NUM("databasePoolSize", app->cfg.database_pool_size),
        SRV_STR("database", db),
        SRV_STR("catalog", service_for_log(app, ORD_HTTP_CATALOG, urls[0], sizeof urls[0])),
        SRV_STR("inventory", service_for_log(app, ORD_HTTP_INVENTORY, urls[1], sizeof urls[1])),
        SRV_STR("tracking", service_for_log(app, ORD_HTTP_TRACKING, urls[2], sizeof urls[2])),
        SRV_STR("restrictions",
                service_for_log(app, ORD_HTTP_RESTRICTIONS, urls[3], sizeof urls[3])),
        SRV_STR("eligibility",
                service_for_log(app, ORD_HTTP_ELIGIBILITY, urls[4], sizeof urls[4])),
        SRV_STR("eventSink", srv_event_sink_name(app->cfg.event_sink)),
        SRV_STR(app->cfg.event_sink == SRV_SINK_AMQP ? "eventBroker" : "eventWebhook", events),
        SRV_STR("workerId", app->worker_id),
        SRV_STR("auth", app->cfg.auth_off ? "off" : "jwt"),
        SRV_STR("eventExchange", exchange),
    };
    size_t count = sizeof f / sizeof f[0] - (exchange == NULL ? 1 : 0);
    srv_log_write(&app->log, SRV_INFO, "order server ready", f, count);
}

bool srv_app_start(srv_app *app)
{
    app->workers = srv_workers_start(app);
    if (app->workers == NULL)
        return false;
    /* The HTTP workers' units, built from here on, wake the relay when they
     * write events. */
    app->unit_deps.events_written = srv_workers_nudge_relay;
    app->unit_deps.events_ctx = app->workers;
    char listen[96], ops_listen[96];
    snprintf(listen, sizeof listen, "%s:%lld", app->cfg.host, (long long)app->cfg.port);
    snprintf(ops_listen, sizeof ops_listen, "%s:%lld", app->cfg.host,
             (long long)app->cfg.ops_port);
    ord_rest_server_config sc = ORD_REST_SERVER_CONFIG_INIT;
    sc.listen = listen;
    sc.num_threads = (int)app->cfg.threads;
    sc.request_timeout_ms = (int)app->cfg.request_timeout_ms;
    sc.keep_alive_timeout_ms = (int)app->cfg.keep_alive_timeout_ms;
    sc.ops_listen = app->cfg.ops_port >= 0 ? ops_listen : NULL;
    sc.ops_threads = (int)app->cfg.ops_threads;
    sc.thread_start = srv_hooks_thread_start;
    sc.thread_stop = srv_hooks_thread_stop;
    sc.thread_ctx = app;
    sc.log = srv_log_enabled(&app->log, SRV_WARN) ? app->log.out : NULL;
    ord_error err = ord_rest_server_start(&app->server, app->api, &sc);
    if (err != ORD_OK) {
        srv_field f[] = {SRV_STR("listen", listen), SRV_STR("error", ord_strerror(err))};
        srv_log_write(&app->log, SRV_ERROR, "cannot listen (is the port in use?)", f, 2);
        return false;
    }
    if (app->cfg.port_file != NULL &&
        !write_port_file(app->cfg.port_file, ord_rest_server_port(app->server))) {
        log_error(app, "cannot write the port file", app->cfg.port_file);
        return false;
    }
    if (app->cfg.ops_port_file != NULL &&
        !write_port_file(app->cfg.ops_port_file, ord_rest_server_ops_port(app->server))) {
        log_error(app, "cannot write the operations port file", app->cfg.ops_port_file);
        return false;
    }
    log_ready(app);
    return true;
}

void srv_app_drain(srv_app *app, int sig)
{
    atomic_store(&app->draining, true);
    if (app->server == NULL)
        return;
    int64_t grace = sig == SIGTERM ? app->cfg.drain_grace_ms : 0;
    if (grace > 0) {
        ord_rest_server_quiesce(app->server);
        srv_field f[] = {SRV_NUM("graceMs", grace)};
        srv_log_write(&app->log, SRV_INFO,
                      "draining: not ready; serving with every answer closing its connection",
                      f, 1);
        int again = srv_signals_wait(grace);
        if (again != 0) {
            srv_field g[] = {SRV_STR("signal", srv_signal_name(again))};
            srv_log_write(&app->log, SRV_INFO, "drain grace cut short", g, 1);
        }
    }
    app->stopped_accepting = true;
    if (ord_rest_server_stop_accepting(app->server) != ORD_OK)
        srv_log_write(&app->log, SRV_WARN,
                      "cannot close the listening socket; new requests get 503 instead", NULL, 0);
}

void srv_app_close(srv_app *app)
{
    if (app->server != NULL) {
        if (!app->stopped_accepting)
            srv_app_drain(app, 0);
        srv_field f[] = {SRV_NUM("timeoutMs", app->cfg.shutdown_timeout_ms)};
        srv_log_write(&app->log, SRV_INFO,
                      "stopping: no longer accepting; finishing requests in flight", f, 1);
        int left = ord_rest_server_drain(app->server, (int)app->cfg.shutdown_timeout_ms);
        if (left > 0) {
            srv_field g[] = {SRV_NUM("requests", left)};
            srv_log_write(&app->log, SRV_WARN, "shutdown timeout: abandoning requests in flight",
                          g, 1);
        }
        ord_rest_server_stop(app->server);
        app->server = NULL;
    }
    srv_workers_stop(app->workers);
    app->workers = NULL;
    ord_rest_api_free(app->api);
    app->api = NULL;
    srv_auth_free(&app->auth);
    ord_rest_metrics_free(app->metrics);
    app->metrics = NULL;
    ord_http_services_free(app->http);
    app->http = NULL;
    ord_pg_pool_free(app->db_pool);
    app->db_pool = NULL;
    srv_events_close(&app->events); /* after the workers: their publishers use the broker */
}
