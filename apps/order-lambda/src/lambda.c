/* Wiring of the Lambda program and the answer to one invocation: an HTTP
 * event goes to the REST API (the same function the order server calls),
 * a scheduled event runs the background steps. */
#include "lambda.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include <orders/adapters/postgres/migrate.h>
#include <orders/adapters/system/system.h>

#include "auth.h"
#include "downstream.h"
#include "event.h"
#include "events.h"
#include "schedule.h"

/* After this long without an invocation the function was probably frozen,
 * and the database or the network may have dropped the connection
 * meanwhile: it is checked before the request needs it. */
#define IDLE_CHECK_MS 10000

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* An invocation's failure; the caller logs it with the request id. */
static bool refuse(lam_failure *why, const char *type, const char *message)
{
    why->type = type;
    snprintf(why->message, sizeof why->message, "%s", message);
    return false;
}

/* A failed start, logged here. */
static bool failed(lam_app *app, lam_failure *why, const char *type, const char *message,
                   const char *detail)
{
    refuse(why, type, message);
    srv_field f[] = {SRV_STR("errorType", type), SRV_STR("detail", detail)};
    srv_log_write(&app->log, SRV_ERROR, message, f, detail != NULL ? 2 : 1);
    return false;
}

/* Each instance leases background work under its own name: the process id
 * is the same in every execution environment, so the name is random. */
static bool make_worker_id(lam_app *app)
{
    char uuid[ORD_UUID_SIZE];
    ord_id_source ids = ord_system_ids();
    if (ids.ops->uuid_v4(ids.self, uuid) != ORD_OK)
        return false;
    size_t n = (size_t)snprintf(app->worker_id, sizeof app->worker_id, "lambda-");
    for (const char *p = uuid; *p != '\0' && n + 1 < sizeof app->worker_id; p++)
        if (*p != '-')
            app->worker_id[n++] = *p;
    app->worker_id[n] = '\0';
    return true;
}

static bool migrate(lam_app *app, lam_failure *why)
{
    ord_pg_migration_report report;
    memset(&report, 0, sizeof report);
    ord_error err = ord_pg_migrate(app->cfg.database_url, &report);
    if (err != ORD_OK)
        /* libpq's and the server's text never carry the password. */
        return failed(app, why,
                      err == ORD_EUNAVAILABLE ? "Orders.DatabaseUnavailable"
                                              : "Orders.MigrationFailed",
                      err == ORD_EUNAVAILABLE ? "database unreachable"
                                              : "database migration failed",
                      report.detail);
    srv_log_migrated(&app->log, &report);
    return true;
}

static ord_service *service_of(void *ctx, void *thread_data)
{
    (void)thread_data;
    lam_app *app = ctx;
    return app->unit != NULL ? app->unit->svc : NULL;
}

static void dependency(ord_rest_dependency *d, const char *name, bool up, bool required)
{
    snprintf(d->name, sizeof d->name, "%s", name);
    d->up = up;
    d->required = required;
}

/* /health/ready: the database decides, as in the server, and the keys
 * of the configured authenticator when it verifies tokens; the broker of
 * the amqp sink is reported, not required (events wait in the outbox). */
static size_t readiness(void *ctx, void *thread_data, ord_rest_dependency *deps, size_t cap)
{
    (void)thread_data;
    lam_app *app = ctx;
    if (cap < 3)
        return 0;
    dependency(&deps[0], "database",
               app->unit != NULL && ord_pg_ping(app->unit->store) == ORD_OK, true);
    size_t n = 1;
    if (!app->cfg.auth_off)
        dependency(&deps[n++], "auth_keys", srv_auth_has_keys(&app->auth), true);
    bool broker_up;
    if (srv_events_broker_up(&app->events, &broker_up))
        dependency(&deps[n++], "broker", broker_up, false);
    return n;
}

/* /metrics adds the deliveries of this instance's scheduled passes. */
static void metrics(void *ctx, void *thread_data, FILE *out)
{
    (void)thread_data;
    lam_app *app = ctx;
    srv_events_metrics(&app->events, out);
}

static bool build_api(lam_app *app, lam_failure *why)
{
    /* Without claims the authenticator the settings configure decides, as
     * in the server: bearer JWTs, or (ORDER_AUTH=off) every caller an admin. */
    ord_rest_authenticator fallback;
    if (!srv_auth_build(&app->auth, &app->cfg, &app->log, &fallback))
        return refuse(why, "Orders.InvalidSetting", "cannot set up authentication");
    lam_claims_config cc = {app->cfg.auth_customer_claim, app->cfg.auth_admin_scope,
                            app->cfg.auth_admin_group};
    ord_rest_api_config ac = ORD_REST_API_CONFIG_INIT;
    if (lam_claims_auth_new(&ac.authenticator, &app->claims, &cc, fallback) != ORD_OK)
        return failed(app, why, "Orders.StartFailed", "cannot build the authenticator", NULL);
    ac.metrics_need_admin = app->cfg.auth_metrics_admin && !app->cfg.auth_off;
    ac.service = service_of;
    ac.service_ctx = app;
    ac.hooks.ctx = app;
    ac.hooks.readiness = readiness;
    ac.hooks.metrics = metrics;
    ac.metrics = app->metrics;
    ac.access_log = srv_log_enabled(&app->log, SRV_INFO) ? app->log.out : NULL;
    ac.retry_after_seconds = (int)app->cfg.retry_after_s;
    if (ord_rest_api_new(&app->api, &ac) != ORD_OK) {
        ac.authenticator.ops->free(ac.authenticator.self);
        app->claims = NULL;
        return failed(app, why, "Orders.StartFailed", "cannot build the REST API", NULL);
    }
    if (app->cfg.auth_off)
        srv_log_write(&app->log, SRV_WARN,
                      "authentication is off (ORDER_AUTH=off): a request without claims "
                      "verified by API Gateway acts as an admin; put an authorizer on every route",
                      NULL, 0);
    return true;
}

static void log_ready(lam_app *app)
{
    char db[512];
    srv_redact_url(app->cfg.database_url, db, sizeof db);
    char events[1100];
    const char *exchange = NULL;
    bool webhook = ord_http_services_configured(app->http, ORD_HTTP_EVENTS);
    srv_events_for_log(&app->events, webhook ? "on" : NULL, events, sizeof events, &exchange);
    srv_field f[] = {
        SRV_STR("database", db),
        SRV_STR("workerId", app->worker_id),
        SRV_STR("customerClaim", app->cfg.auth_customer_claim),
        SRV_STR("adminScope", app->cfg.auth_admin_scope),
        SRV_STR("adminGroup", app->cfg.auth_admin_group != NULL ? app->cfg.auth_admin_group : ""),
        SRV_STR("eventSink", srv_event_sink_name(app->cfg.event_sink)),
        SRV_STR(app->cfg.event_sink == SRV_SINK_AMQP ? "eventBroker" : "eventWebhook", events),
        SRV_STR("auth", app->cfg.auth_off ? "off" : "jwt"),
        SRV_STR("eventExchange", exchange),
    };
    size_t count = sizeof f / sizeof f[0] - (exchange == NULL ? 1 : 0);
    srv_log_write(&app->log, SRV_INFO, "order lambda ready", f, count);
}

bool lam_app_open(lam_app *app, lam_failure *why)
{
    srv_log_unknown_env(&app->log, &app->cfg);
    if (!make_worker_id(app))
        return failed(app, why, "Orders.StartFailed", "cannot make a worker id", NULL);
    if (srv_downstream_open(&app->http, &app->cfg, &app->log, app->webhook_url,
                            sizeof app->webhook_url) != ORD_OK)
        return failed(app, why, "Orders.InvalidSetting", "invalid downstream settings", NULL);
    if (!migrate(app, why))
        return false;
    if (!srv_events_open(&app->events, &app->cfg, &app->log, "order-lambda", app->worker_id))
        return refuse(why, "Orders.InvalidSetting", "invalid event broker settings"); /* logged */
    if (ord_rest_metrics_new(&app->metrics) != ORD_OK)
        return failed(app, why, "Orders.StartFailed", "cannot allocate the metrics", NULL);
    app->deps = (srv_unit_deps){
        .cfg = &app->cfg,
        .log = &app->log,
        .worker_id = app->worker_id,
        .application_name = "order-lambda",
        .http = app->http,
        .db_pool = NULL,
        .metrics = app->metrics,
        .events = &app->events,
    };
    /* The one unit runs the relay of the scheduled passes: with the amqp
     * sink its broker connection opens at the first delivery and stays for
     * the warm invocations that follow. */
    app->unit = srv_unit_new(&app->deps, "lambda", SRV_UNIT_RELAY);
    if (app->unit == NULL)
        return failed(app, why, "Orders.StartFailed", "cannot set up the database and HTTP clients",
                      NULL);
    if (!build_api(app, why))
        return false;
    log_ready(app);
    return true;
}

void lam_app_close(lam_app *app)
{
    ord_rest_api_free(app->api);
    app->api = NULL;
    app->claims = NULL;
    srv_auth_free(&app->auth);
    srv_unit_free(app->unit);
    app->unit = NULL;
    srv_events_close(&app->events);
    ord_rest_metrics_free(app->metrics);
    app->metrics = NULL;
    ord_http_services_free(app->http);
    app->http = NULL;
}

/* A connection that died while the function was frozen fails the first
 * statement on it; a ping takes that failure instead of a request (the
 * store drops the dead connection, and the second ping connects again). */
static void freshen_database(lam_app *app)
{
    if (app->idle_since_ms == 0 || wall_ms() - app->idle_since_ms < IDLE_CHECK_MS)
        return;
    if (ord_pg_ping(app->unit->store) == ORD_OK)
        return;
    ord_error err = ord_pg_ping(app->unit->store);
    srv_field f[] = {SRV_STR("result", err == ORD_OK ? "reconnected" : ord_strerror(err))};
    srv_log_write(&app->log, err == ORD_OK ? SRV_INFO : SRV_WARN,
                  "database connection lost while idle", f, 1);
}

static bool answer_http(lam_app *app, const cJSON *event, lam_event_kind kind, char **answer,
                        size_t *len, lam_failure *why)
{
    lam_http_request r;
    const char *problem = NULL;
    lam_event_status st = lam_http_request_read(&r, event, kind, &problem);
    if (st != LAM_EVENT_OK)
        return refuse(why, st == LAM_EVENT_NOMEM ? "Orders.OutOfMemory" : "Orders.MalformedEvent",
                      problem);
    r.req.thread_data = app->unit;
    ord_rest_response resp;
    lam_claims_auth_use(app->claims, r.claims, r.scopes);
    ord_error err = ord_rest_api_handle(app->api, &r.req, &resp);
    lam_claims_auth_use(app->claims, NULL, NULL);
    *answer = err == ORD_OK ? lam_http_answer(&resp, &r, len) : NULL;
    ord_rest_response_free(&resp);
    lam_http_request_free(&r);
    if (*answer == NULL)
        return refuse(why, "Orders.OutOfMemory", "out of memory");
    return true;
}

static bool answer_schedule(lam_app *app, int64_t deadline_ms, char **answer, size_t *len,
                            lam_failure *why)
{
    /* No batch starts unless the slowest downstream call still fits. */
    ord_http_options o;
    char webhook[1100];
    srv_config_http_options(&app->cfg, &o, webhook, sizeof webhook);
    int64_t reserve = 0;
    for (int s = 0; s < ORD_HTTP_SERVICE_COUNT; s++) {
        int64_t limit = ord_http_options_call_limit_ms(&o, (ord_http_service)s);
        if (limit > reserve)
            reserve = limit;
    }
    if (srv_events_call_limit_ms(&app->cfg) > reserve)
        reserve = srv_events_call_limit_ms(&app->cfg);
    const char *step_failed = NULL;
    bool relay = srv_config_events_on(&app->cfg);
    *answer = lam_schedule_run(app->unit, (size_t)app->cfg.batch_size, relay, deadline_ms,
                               reserve + 1000, &step_failed);
    if (*answer == NULL)
        return refuse(why, "Orders.OutOfMemory", "out of memory");
    *len = strlen(*answer);
    srv_field f[] = {SRV_STR("summary", *answer)};
    srv_log_write(&app->log, step_failed == NULL ? SRV_INFO : SRV_WARN, "scheduled pass done", f, 1);
    if (step_failed == NULL)
        return true;
    cJSON_free(*answer);
    *answer = NULL;
    char message[128];
    snprintf(message, sizeof message, "background step %s failed", step_failed);
    return refuse(why, "Orders.BackgroundStepFailed", message);
}

bool lam_app_invoke(lam_app *app, const lam_invocation *inv, char **answer, size_t *len,
                    lam_failure *why)
{
    *answer = NULL;
    *len = 0;
    freshen_database(app);
    const char *end = NULL;
    cJSON *event = cJSON_ParseWithLengthOpts(inv->event, inv->event_len, &end, false);
    bool trailing = false;
    for (const char *p = end; event != NULL && p < inv->event + inv->event_len; p++)
        trailing = trailing || (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n');
    bool ok;
    if (event == NULL || trailing) {
        ok = refuse(why, "Orders.MalformedEvent", "the event is not JSON");
    } else {
        lam_event_kind kind = lam_event_kind_of(event);
        if (kind == LAM_EVENT_HTTP_V1 || kind == LAM_EVENT_HTTP_V2)
            ok = answer_http(app, event, kind, answer, len, why);
        else if (kind == LAM_EVENT_SCHEDULE)
            ok = answer_schedule(app, inv->deadline_ms, answer, len, why);
        else
            ok = refuse(why, "Orders.UnknownEvent",
                        "the event is neither an API Gateway request (payload 1.0 or 2.0) nor "
                        "a scheduled event");
    }
    cJSON_Delete(event);
    app->idle_since_ms = wall_ms();
    return ok;
}
