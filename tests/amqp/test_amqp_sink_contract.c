/* The event sink contract run against the RabbitMQ publisher: a consumer's
 * queue bound to a fresh exchange per test, read back with basic.get. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <orders/adapters/amqp/publisher.h>

#include "amqp_test.h"
#include "contract.h"

typedef struct amqp_fixture {
    char exchange[128];
    char queue[128];
    amqp_connection_state_t consumer;
    ord_amqp_broker *broker;
    ord_amqp_publisher *publisher;
} amqp_fixture;

static int amqp_setup(ord_event_sink_fixture *fixture)
{
    amqp_fixture *a = calloc(1, sizeof *a);
    if (a == NULL)
        return -1;
    at_unique(a->exchange, sizeof a->exchange, "events");
    at_unique(a->queue, sizeof a->queue, "consumer");
    /* The queue is the consumer's: declared before anything is published. */
    a->consumer = at_connect();
    at_declare_bound_queue(a->consumer, a->queue, a->exchange);
    ord_amqp_options o = ORD_AMQP_OPTIONS_INIT;
    o.url = at_url();
    o.exchange = a->exchange;
    if (ord_amqp_broker_new(&a->broker, &o, NULL, 0) != ORD_OK ||
        ord_amqp_publisher_new(&a->publisher, a->broker) != ORD_OK)
        return -1;
    fixture->state = a;
    fixture->sink = ord_amqp_publisher_sink(a->publisher);
    return 0;
}

static void amqp_teardown(ord_event_sink_fixture *fixture)
{
    amqp_fixture *a = fixture->state;
    ord_amqp_publisher_free(a->publisher);
    ord_amqp_broker_free(a->broker);
    at_delete_queue(a->consumer, a->queue);
    at_delete_exchange(a->consumer, a->exchange);
    at_close(a->consumer);
    free(a);
    fixture->state = NULL;
}

/* Every message of the queue; repeats of a message id left out. */
static int amqp_received(ord_event_sink_fixture *fixture, ord_outbox_event *out, size_t cap,
                         size_t *count)
{
    amqp_fixture *a = fixture->state;
    size_t n = 0;
    at_message m;
    while (at_get(a->consumer, a->queue, &m)) {
        bool seen = false;
        for (size_t i = 0; i < n && i < cap && !seen; i++)
            seen = strcmp(out[i].event_id, m.message_id) == 0;
        if (!seen) {
            if (n < cap) {
                memset(&out[n], 0, sizeof out[n]);
                snprintf(out[n].event_id, sizeof out[n].event_id, "%.*s",
                         (int)(sizeof out[n].event_id - 1), m.message_id);
                out[n].payload = m.body; /* handed over */
                m.body = NULL;
            }
            n++;
        }
        at_message_free(&m);
    }
    *count = n;
    return 0;
}

int main(void)
{
    const ord_event_sink_factory factory = {
        .name = "amqp",
        .setup = amqp_setup,
        .teardown = amqp_teardown,
        .received = amqp_received,
    };
    return ord_run_event_sink_contract(&factory) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
