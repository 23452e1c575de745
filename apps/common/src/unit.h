/* One thread's share of a program: its store (a connection of its own, or
 * connections borrowed from a shared pool per call), downstream HTTP client,
 * broker connection (when it relays events to RabbitMQ) and service over
 * them (DESIGN.md: nothing shared between threads but thread-safe modules).
 * The order server builds one per thread; the Lambda program one for its
 * whole life. */
#ifndef ORDER_APPS_UNIT_H
#define ORDER_APPS_UNIT_H

#include <stdbool.h>

#include <orders/adapters/amqp/publisher.h>
#include <orders/adapters/http/client.h>

#include <orders/adapters/http/services.h>
#include <orders/adapters/postgres/pool.h>
#include <orders/adapters/postgres/store.h>
#include <orders/adapters/rest/metrics.h>
#include <orders/application/service.h>

#include "config.h"
#include "events.h"
#include "log.h"

/* What units are built from: the program's shared parts, borrowed; they
 * must outlive every unit. */
typedef struct srv_unit_deps {
    const srv_config *cfg;
    const srv_log *log;
    const char *worker_id;        /* lease owner name of this instance */
    const char *application_name; /* shown in pg_stat_activity */
    ord_http_services *http;      /* shared by every unit's client */
    ord_pg_pool *db_pool;         /* for pooled units; NULL when there are none */
    ord_rest_metrics *metrics;    /* fed by every unit's service; may be NULL */
    srv_events *events;           /* the event sink of the settings, counted */
    /* Called after a status change that wrote an outbox event (the relay
     * delivers it without waiting for its next poll); may be NULL. */
    void (*events_written)(void *ctx);
    void *events_ctx;
} srv_unit_deps;

/* What a unit is for (srv_unit_new()'s flags). */
enum {
    SRV_UNIT_POOLED = 1, /* borrows database connections from deps->db_pool (the HTTP
                            workers); else it has one of its own */
    SRV_UNIT_RELAY = 2   /* delivers outbox events: it gets the event sink (with the amqp
                            sink, a broker connection of its own, opened when first used) */
};

typedef struct srv_unit {
    srv_unit_deps deps;
    const char *role;       /* "http", "recovery", "relay", "lambda": static text for logs */
    ord_pg_store *store;
    ord_http_client *client;
    ord_amqp_publisher *publisher; /* with SRV_UNIT_RELAY and the amqp sink; else NULL */
    srv_counted_sink events;       /* the event sink, counted; none without SRV_UNIT_RELAY */
    ord_service *svc;
} srv_unit;

/* Build a unit for one thread, as @p flags (SRV_UNIT_*) say. Returns NULL
 * after logging why. */
srv_unit *srv_unit_new(const srv_unit_deps *deps, const char *role, unsigned flags);

/* Free a unit (connections and client closed). Accepts NULL. */
void srv_unit_free(srv_unit *unit);

#endif
