/* The outbox relay over the in-memory store and fakes, delivering to the
 * RabbitMQ publisher: a small world for the relay tests, and the check of
 * what a consumer read back (every event, in order per order, repeats only
 * as redeliveries of one message id). */
#ifndef ORDERS_TESTS_AMQP_RELAY_WORLD_H
#define ORDERS_TESTS_AMQP_RELAY_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include <orders/adapters/amqp/publisher.h>
#include <orders/adapters/memory/downstream.h>
#include <orders/adapters/memory/store.h>
#include <orders/adapters/memory/test_clock.h>
#include <orders/orders.h>

#include "amqp_test.h"

typedef struct world {
    ord_memory_store *store;
    ord_memory_downstream *ds;
    ord_manual_clock *clock;
    ord_counting_ids *ids;
    ord_amqp_broker *broker;
    ord_amqp_publisher *publisher;
    ord_service *svc;
    char exchange[96];
    char queue[96];
    int max_attempts;
    size_t parked_actions; /* "event_parked" seen by the observer */
} world;

/* A world whose relay publishes to @p url (NULL: the test node) on a fresh
 * exchange, with a consumer queue bound to it; events park after
 * @p max_attempts failures. */
void world_open(world *w, const char *url, int max_attempts);
void world_close(world *w);

/* Publish to another broker from now on (a new publisher and service over
 * the same store). */
void world_use_broker(world *w, const char *url);

/* Place a CONFIRMED order (event OrderPlaced); returns its id. */
int64_t world_place(world *w);
void world_ship(world *w, int64_t id);
void world_deliver(world *w, int64_t id);
void world_cancel(world *w, int64_t id);

/* One relay step (at most 100 events), after moving the clock past every
 * backoff. */
ord_work_report world_relay_once(world *w);

/* Relay until nothing is claimed. */
void world_relay_all(world *w);

/* Undelivered and parked events. */
void world_outbox(world *w, int64_t *pending, int64_t *parked);

/* What the consumer read: deliveries, distinct event ids, repeats. */
typedef struct consumed {
    size_t messages;
    size_t distinct;
    size_t duplicates;
} consumed;

/* Read the queue dry and check every message: properties match its body's
 * event, each order's events come in sequence, and a message id seen before
 * comes back only as a redelivery of an event already read (never out of
 * order after a later one of its order). */
consumed world_consume(world *w, amqp_connection_state_t conn);

#endif
