/* The relay's event sink as the settings choose it (webhook, RabbitMQ or
 * none), shared by the programs: the broker object of the amqp sink (each
 * unit that relays makes its own publisher over it), and a wrapper that
 * counts every delivery's outcome for event_publish_total{sink,outcome}. */
#ifndef ORDER_APPS_EVENTS_H
#define ORDER_APPS_EVENTS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <orders/adapters/amqp/broker.h>
#include <orders/ports/event_sink.h>

#include "config.h"
#include "log.h"

/* How a delivery ended, as the metric's outcome label says it. */
typedef enum srv_publish_outcome {
    SRV_PUBLISH_OK,
    SRV_PUBLISH_UNAVAILABLE, /* down, unreachable, nack */
    SRV_PUBLISH_TIMEOUT,
    SRV_PUBLISH_REFUSED,     /* refused, or an answer outside the contract */
    SRV_PUBLISH_INVALID,     /* an event the sink cannot take */
    SRV_PUBLISH_ERROR,       /* anything else */
    SRV_PUBLISH_OUTCOMES
} srv_publish_outcome;

/* Counters shared by every thread's sink (lock-free). */
typedef struct srv_event_counts {
    atomic_ullong n[SRV_PUBLISH_OUTCOMES];
} srv_event_counts;

/* A sink that counts into @p counts and passes every call to @p inner. */
typedef struct srv_counted_sink {
    ord_event_sink inner;
    srv_event_counts *counts;
} srv_counted_sink;

/* A program's event delivery: what every unit that relays shares. */
typedef struct srv_events {
    const srv_config *cfg;
    ord_amqp_broker *broker; /* the amqp sink's; NULL for the others */
    char broker_name[80];    /* the connection name the broker shows */
    srv_event_counts counts; /* deliveries by outcome, every unit */
} srv_events;

/* Set up @p ev for @p cfg (borrowed; must outlive it): with the amqp sink,
 * the broker object (no connection yet), named "PROGRAM WORKER_ID" in the
 * broker's tools. On failure logs one error line (never the password) and
 * returns false; srv_events_close() frees what was built. */
bool srv_events_open(srv_events *ev, const srv_config *cfg, const srv_log *log,
                     const char *program, const char *worker_id);

/* Free the broker. Every publisher made over it must be freed first. */
void srv_events_close(srv_events *ev);

/* The port of a counted sink; valid while @p sink lives. */
ord_event_sink srv_counted_sink_port(srv_counted_sink *sink);

/* Where events go, for a log line: the broker URL redacted (the amqp sink;
 * *exchange then names its exchange), @p webhook_url redacted (the webhook
 * sink; NULL when it is off), or "off". */
const char *srv_events_for_log(const srv_events *ev, const char *webhook_url, char *out,
                               size_t cap, const char **exchange);

/* The broker as a readiness dependency, when events go to one: true and
 * *up set; false for the other sinks. */
bool srv_events_broker_up(srv_events *ev, bool *up);

/* Write event_publish_total{sink,outcome} when the relay delivers anywhere,
 * and with a broker its unroutable and connection counters. */
void srv_events_metrics(srv_events *ev, FILE *out);

/* About the longest one event's delivery to the broker takes after a lost
 * connection (connect, log in and declare, publish and confirm): what a
 * pass with a deadline keeps in reserve. 0 for the other sinks. */
int64_t srv_events_call_limit_ms(const srv_config *cfg);

#endif
