/* Units: store + HTTP client (+ broker publisher) + service, with an
 * observer that feeds the metrics and logs every background action. */
#include "unit.h"

#include <stdlib.h>
#include <string.h>

#include <orders/adapters/system/system.h>
#include <orders/domain/event.h>
#include <orders/domain/order.h>

static void on_created(void *ctx, const ord_order *order)
{
    srv_unit *u = ctx;
    ord_service_observer m = ord_rest_metrics_observer(u->deps.metrics);
    if (m.order_created != NULL)
        m.order_created(m.ctx, order);
}

static void on_status_changed(void *ctx, const ord_order *order, ord_status from, ord_status to)
{
    srv_unit *u = ctx;
    ord_service_observer m = ord_rest_metrics_observer(u->deps.metrics);
    if (m.status_changed != NULL)
        m.status_changed(m.ctx, order, from, to);
    ord_event_type type;
    if (u->deps.events_written != NULL && ord_event_type_for_status(&type, to))
        u->deps.events_written(u->deps.events_ctx);
}

static void on_background(void *ctx, const char *what, int64_t order_id, ord_error result)
{
    srv_unit *u = ctx;
    /* Why the broker did not take an event (never the password). */
    const char *detail = result != ORD_OK && strncmp(what, "event_", 6) == 0
                             ? ord_amqp_publisher_last_error(u->publisher)
                             : "";
    srv_field fields[] = {
        SRV_STR("worker", u->role),
        SRV_STR("action", what),
        SRV_NUM("orderId", order_id),
        SRV_STR("result", result == ORD_OK ? "ok" : ord_strerror(result)),
        SRV_STR("detail", detail),
    };
    size_t count = sizeof fields / sizeof fields[0] - (detail[0] == '\0' ? 1 : 0);
    srv_log_write(u->deps.log, result == ORD_OK ? SRV_INFO : SRV_WARN, "background action",
                  fields, count);
}

static void fail(const srv_unit_deps *deps, const char *role, const char *what, ord_error err)
{
    srv_field fields[] = {SRV_STR("thread", role), SRV_STR("error", ord_strerror(err))};
    srv_log_write(deps->log, SRV_ERROR, what, fields, 2);
}

/* The event sink of a unit that relays: the webhook (its HTTP client's) or
 * a publisher of its own over the broker, counted. */
static ord_error build_sink(srv_unit *u)
{
    const srv_unit_deps *deps = &u->deps;
    const srv_config *c = deps->cfg;
    if (c->event_sink == SRV_SINK_WEBHOOK &&
        ord_http_services_configured(deps->http, ORD_HTTP_EVENTS)) {
        u->events.inner = ord_http_client_events(u->client);
    } else if (c->event_sink == SRV_SINK_AMQP) {
        ord_error err = ord_amqp_publisher_new(&u->publisher, deps->events->broker);
        if (err != ORD_OK)
            return err;
        u->events.inner = ord_amqp_publisher_sink(u->publisher);
    }
    u->events.counts = &deps->events->counts;
    return ORD_OK;
}

srv_unit *srv_unit_new(const srv_unit_deps *deps, const char *role, unsigned flags)
{
    srv_unit *u = calloc(1, sizeof *u);
    if (u == NULL) {
        fail(deps, role, "cannot set up a thread", ORD_ENOMEM);
        return NULL;
    }
    u->deps = *deps;
    u->role = role;
    const srv_config *c = deps->cfg;

    ord_error err;
    if ((flags & SRV_UNIT_POOLED) != 0) {
        err = ord_pg_store_new_pooled(&u->store, deps->db_pool);
    } else {
        ord_pg_options pg = ORD_PG_OPTIONS_INIT;
        pg.connect_timeout_s = (int)c->database_connect_timeout_s;
        pg.application_name = deps->application_name;
        err = ord_pg_store_new(&u->store, c->database_url, &pg);
    }
    if (err != ORD_OK) {
        fail(deps, role, "cannot set up the database connection", err);
        srv_unit_free(u);
        return NULL;
    }
    err = ord_http_client_new(&u->client, deps->http);
    if (err != ORD_OK) {
        fail(deps, role, "cannot set up the downstream HTTP client", err);
        srv_unit_free(u);
        return NULL;
    }

    ord_ports ports = {
        .orders = ord_pg_store_orders(u->store),
        .outbox = ord_pg_store_outbox(u->store),
        .idempotency = ord_pg_store_idempotency(u->store),
        .precheck = ord_http_client_precheck(u->client),
        .inventory = ord_http_client_inventory(u->client),
        .tracking = ord_http_client_tracking(u->client),
        .events = {NULL, NULL},
        .clock = ord_system_clock(),
        .ids = ord_system_ids(),
    };
    if ((flags & SRV_UNIT_RELAY) != 0) {
        err = build_sink(u);
        if (err != ORD_OK) {
            fail(deps, role, "cannot set up the event broker publisher", err);
            srv_unit_free(u);
            return NULL;
        }
        if (u->events.inner.ops != NULL)
            ports.events = srv_counted_sink_port(&u->events);
    }

    ord_service_config sc = ORD_SERVICE_CONFIG_INIT;
    sc.pending_stale_ms = c->pending_stale_ms;
    sc.pending_deadline_ms = c->pending_deadline_ms;
    sc.tracking_backoff_min_ms = c->tracking_backoff_min_ms;
    sc.tracking_backoff_max_ms = c->tracking_backoff_max_ms;
    sc.lease_ms = c->lease_ms;
    sc.idempotency_ttl_ms = c->idempotency_ttl_ms;
    sc.idempotency_lock_ms = srv_config_idempotency_lock_ms(c);
    sc.outbox_retention_ms = c->outbox_retention_s * 1000;
    sc.outbox_max_attempts = (int)c->outbox_max_attempts;
    sc.outbox_backoff_min_ms = c->outbox_backoff_min_ms;
    sc.outbox_backoff_max_ms = c->outbox_backoff_max_ms;
    sc.worker_id = deps->worker_id;
    sc.serialize_customer_creates = c->serialize_customer_creates;
    sc.observer = (ord_service_observer){u, on_created, on_status_changed, on_background};
    err = ord_service_new(&u->svc, &ports, &sc);
    if (err != ORD_OK) {
        fail(deps, role, "cannot build the order service (check the recovery settings)", err);
        srv_unit_free(u);
        return NULL;
    }
    return u;
}

void srv_unit_free(srv_unit *unit)
{
    if (unit == NULL)
        return;
    ord_service_free(unit->svc);
    ord_amqp_publisher_free(unit->publisher);
    ord_http_client_free(unit->client);
    ord_pg_store_free(unit->store);
    free(unit);
}
