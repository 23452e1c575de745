/* The RabbitMQ publisher against a real node: the message a consumer reads
 * back, the topology declared at connect, unroutable and refused publishes,
 * refused logins, an unreachable broker and the readiness check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include <orders/adapters/amqp/publisher.h>

#include "amqp_test.h"

typedef struct pub {
    ord_amqp_broker *broker;
    ord_amqp_publisher *publisher;
    ord_event_sink sink;
} pub;

static void pub_open(pub *p, const char *url, const char *exchange, const char *queue)
{
    ord_amqp_options o = ORD_AMQP_OPTIONS_INIT;
    o.url = url;
    o.exchange = exchange;
    o.queue = queue;
    o.reconnect_min_ms = 300;
    o.reconnect_max_ms = 1000;
    char err[256] = "";
    assert_int_equal(ord_amqp_broker_new(&p->broker, &o, err, sizeof err), ORD_OK);
    assert_int_equal(ord_amqp_publisher_new(&p->publisher, p->broker), ORD_OK);
    p->sink = ord_amqp_publisher_sink(p->publisher);
}

static void pub_close(pub *p)
{
    ord_amqp_publisher_free(p->publisher);
    ord_amqp_broker_free(p->broker);
}

static ord_amqp_stats stats_of(const pub *p)
{
    ord_amqp_stats s;
    ord_amqp_broker_stats(p->broker, &s);
    return s;
}

typedef struct sample {
    ord_outbox_event event;
    char payload[256];
} sample;

static void make(sample *s, int64_t order_id, int64_t sequence, ord_event_type type)
{
    static unsigned serial;
    memset(s, 0, sizeof *s);
    snprintf(s->event.event_id, sizeof s->event.event_id, "a3bb189e-8bf9-3888-9912-%012u",
             ++serial);
    s->event.id = serial;
    s->event.type = type;
    s->event.order_id = order_id;
    s->event.customer_id = 12345;
    s->event.sequence = sequence;
    s->event.occurred_at_ms = 1772980200123; /* 2026-03-08T14:30:00.123Z */
    snprintf(s->payload, sizeof s->payload,
             "{\"eventId\":\"%s\",\"eventType\":\"%s\",\"orderId\":%lld,\"sequence\":%lld}",
             s->event.event_id, ord_event_type_name(type), (long long)order_id,
             (long long)sequence);
    s->event.payload = s->payload;
}

static ord_error deliver(pub *p, const sample *s)
{
    return p->sink.ops->deliver(p->sink.self, NULL, &s->event);
}

static void test_message_carries_the_event_and_its_properties(void **state)
{
    (void)state;
    char exchange[96], queue[96];
    at_unique(exchange, sizeof exchange, "events");
    at_unique(queue, sizeof queue, "q");
    amqp_connection_state_t c = at_connect();
    at_declare_bound_queue(c, queue, exchange);
    pub p;
    pub_open(&p, at_url(), exchange, NULL);
    sample s;
    make(&s, 42, 3, ORD_EVENT_ORDER_SHIPPED);
    assert_int_equal(deliver(&p, &s), ORD_OK);
    assert_string_equal(ord_amqp_publisher_last_error(p.publisher), "");

    at_message m;
    assert_true(at_get(c, queue, &m));
    assert_string_equal(m.routing_key, "OrderShipped");
    assert_string_equal(m.message_id, s.event.event_id);
    assert_string_equal(m.type, "OrderShipped");
    assert_string_equal(m.content_type, "application/json");
    assert_int_equal(m.delivery_mode, 2);
    assert_true(m.has_timestamp);
    assert_int_equal(m.timestamp, 1772980200);
    assert_true(m.has_order_id);
    assert_int_equal(m.order_id, 42);
    assert_true(m.has_sequence);
    assert_int_equal(m.sequence, 3);
    assert_int_equal(m.body_len, strlen(s.payload));
    assert_memory_equal(m.body, s.payload, m.body_len);
    at_message_free(&m);
    assert_false(at_get(c, queue, &m));

    ord_amqp_stats st = stats_of(&p);
    assert_int_equal(st.acked, 1);
    assert_int_equal(st.unroutable, 0);
    assert_int_equal(st.connections, 1);
    pub_close(&p);
    at_delete_queue(c, queue);
    at_delete_exchange(c, exchange);
    at_close(c);
}

static void test_every_delivery_call_publishes_once_on_one_connection(void **state)
{
    (void)state;
    char exchange[96], queue[96];
    at_unique(exchange, sizeof exchange, "events");
    at_unique(queue, sizeof queue, "q");
    amqp_connection_state_t c = at_connect();
    at_declare_bound_queue(c, queue, exchange);
    pub p;
    pub_open(&p, at_url(), exchange, NULL);
    sample a, b;
    make(&a, 7, 2, ORD_EVENT_ORDER_PLACED);
    make(&b, 7, 3, ORD_EVENT_ORDER_CANCELLED);
    assert_int_equal(deliver(&p, &a), ORD_OK);
    assert_int_equal(deliver(&p, &a), ORD_OK); /* a redelivery: a second message */
    assert_int_equal(deliver(&p, &b), ORD_OK);
    const char *expected[] = {a.event.event_id, a.event.event_id, b.event.event_id};
    at_message m;
    for (int i = 0; i < 3; i++) {
        assert_true(at_get(c, queue, &m));
        assert_string_equal(m.message_id, expected[i]);
        at_message_free(&m);
    }
    assert_false(at_get(c, queue, &m));
    assert_int_equal(stats_of(&p).acked, 3);
    assert_int_equal(stats_of(&p).connections, 1);
    pub_close(&p);
    at_delete_queue(c, queue);
    at_delete_exchange(c, exchange);
    at_close(c);
}

static void test_connect_declares_the_exchange_and_the_queue_asked_for(void **state)
{
    (void)state;
    char exchange[96], queue[96];
    at_unique(exchange, sizeof exchange, "events");
    at_unique(queue, sizeof queue, "declared");
    assert_false(at_exchange_exists(exchange));
    pub p;
    pub_open(&p, at_url(), exchange, queue);
    sample s;
    make(&s, 9, 2, ORD_EVENT_ORDER_DELIVERED);
    assert_int_equal(deliver(&p, &s), ORD_OK);
    assert_true(at_exchange_exists(exchange));
    amqp_connection_state_t c = at_connect();
    at_message m;
    assert_true(at_get(c, queue, &m)); /* bound with "#": every event type */
    assert_string_equal(m.message_id, s.event.event_id);
    at_message_free(&m);
    /* Declaring again (a second connection) changes nothing. */
    pub q;
    pub_open(&q, at_url(), exchange, queue);
    assert_int_equal(deliver(&q, &s), ORD_OK);
    assert_true(at_get(c, queue, &m));
    at_message_free(&m);
    pub_close(&q);
    pub_close(&p);
    at_delete_queue(c, queue);
    at_delete_exchange(c, exchange);
    at_close(c);
}

/* Queues belong to consumers: with none bound, the broker returns the
 * message and confirms it; the publish counts as done, and is counted. */
static void test_unroutable_publish_is_delivered_and_counted(void **state)
{
    (void)state;
    char exchange[96];
    at_unique(exchange, sizeof exchange, "events");
    pub p;
    pub_open(&p, at_url(), exchange, NULL);
    sample s;
    make(&s, 11, 2, ORD_EVENT_ORDER_PLACED);
    assert_int_equal(deliver(&p, &s), ORD_OK);
    assert_int_equal(deliver(&p, &s), ORD_OK);
    ord_amqp_stats st = stats_of(&p);
    assert_int_equal(st.acked, 2);
    assert_int_equal(st.unroutable, 2);
    assert_int_equal(st.connections, 1);
    pub_close(&p);
    amqp_connection_state_t c = at_connect();
    at_delete_exchange(c, exchange);
    at_close(c);
}

/* An operator deleted the exchange (and with it every binding): the broker
 * closes the channel (404). The publisher reports it and keeps refusing on
 * that connection rather than publishing into a new, unbound exchange. */
static void test_deleted_exchange_is_refused_and_not_declared_again(void **state)
{
    (void)state;
    char exchange[96], queue[96];
    at_unique(exchange, sizeof exchange, "events");
    at_unique(queue, sizeof queue, "q");
    amqp_connection_state_t c = at_connect();
    at_declare_bound_queue(c, queue, exchange);
    pub p;
    pub_open(&p, at_url(), exchange, NULL);
    sample s;
    make(&s, 13, 2, ORD_EVENT_ORDER_PLACED);
    assert_int_equal(deliver(&p, &s), ORD_OK);
    at_delete_exchange(c, exchange);

    assert_int_equal(deliver(&p, &s), ORD_ECONTRACT);
    assert_non_null(strstr(ord_amqp_publisher_last_error(p.publisher), "404"));
    assert_int_equal(deliver(&p, &s), ORD_ECONTRACT);
    assert_false(at_exchange_exists(exchange));
    ord_amqp_stats st = stats_of(&p);
    assert_int_equal(st.refused, 2);
    assert_int_equal(st.connections, 1);
    assert_true(ord_amqp_broker_check(p.broker)); /* the broker itself is fine */

    /* Restored by the operator (exchange and binding): delivered again. */
    at_declare_bound_queue(c, queue, exchange);
    assert_int_equal(deliver(&p, &s), ORD_OK);
    at_message m;
    int messages = 0;
    while (at_get(c, queue, &m)) { /* the one from before the deletion, and this one */
        assert_string_equal(m.message_id, s.event.event_id);
        at_message_free(&m);
        messages++;
    }
    assert_int_equal(messages, 2);
    pub_close(&p);
    at_delete_queue(c, queue);
    at_delete_exchange(c, exchange);
    at_close(c);
}

static void test_refused_login_is_reported_without_the_password(void **state)
{
    (void)state;
    const char *url = at_url_wrong_password();
    const char *password = strchr(url + 7, ':') + 1;
    char secret[64];
    snprintf(secret, sizeof secret, "%.*s", (int)strcspn(password, "@"), password);
    char exchange[96];
    at_unique(exchange, sizeof exchange, "events");
    pub p;
    pub_open(&p, url, exchange, NULL);
    sample s;
    make(&s, 15, 2, ORD_EVENT_ORDER_PLACED);
    assert_int_equal(deliver(&p, &s), ORD_ECONTRACT);
    const char *why = ord_amqp_publisher_last_error(p.publisher);
    assert_non_null(strstr(why, "login"));
    assert_non_null(strstr(why, "403"));
    assert_null(strstr(why, secret));
    assert_false(ord_amqp_broker_check(p.broker));
    assert_int_equal(stats_of(&p).connect_failures, 1);
    pub_close(&p);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_unreachable_broker_is_unavailable_with_backoff(void **state)
{
    (void)state;
    pub p;
    pub_open(&p, "amqp://orders:pw@127.0.0.1:1", "orders.events", NULL);
    sample s;
    make(&s, 17, 2, ORD_EVENT_ORDER_PLACED);
    int64_t start = now_ms();
    assert_int_equal(deliver(&p, &s), ORD_EUNAVAILABLE);
    assert_non_null(strstr(ord_amqp_publisher_last_error(p.publisher), "cannot connect"));
    /* Within the backoff: refused at once, without another attempt. */
    assert_int_equal(deliver(&p, &s), ORD_EUNAVAILABLE);
    assert_non_null(strstr(ord_amqp_publisher_last_error(p.publisher), "next attempt"));
    ord_amqp_stats st = stats_of(&p);
    if (now_ms() - start < 300) /* a crowded machine may take longer: skip then */
        assert_int_equal(st.connect_failures, 1);
    assert_int_equal(st.unavailable, 2);
    assert_int_equal(st.acked, 0);
    struct timespec pause = {0, 350 * 1000000L};
    nanosleep(&pause, NULL);
    assert_int_equal(deliver(&p, &s), ORD_EUNAVAILABLE);
    assert_true(stats_of(&p).connect_failures >= 2);
    assert_false(ord_amqp_broker_check(p.broker));
    pub_close(&p);
}

static void test_readiness_check_sees_the_broker(void **state)
{
    (void)state;
    pub p;
    pub_open(&p, at_url(), "orders.events", NULL);
    assert_true(ord_amqp_broker_check(p.broker)); /* a probe: nothing published yet */
    assert_true(ord_amqp_broker_check(p.broker)); /* the same, remembered */
    assert_int_equal(stats_of(&p).connections, 0); /* probes are not publisher connections */
    pub_close(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_message_carries_the_event_and_its_properties),
        cmocka_unit_test(test_every_delivery_call_publishes_once_on_one_connection),
        cmocka_unit_test(test_connect_declares_the_exchange_and_the_queue_asked_for),
        cmocka_unit_test(test_unroutable_publish_is_delivered_and_counted),
        cmocka_unit_test(test_deleted_exchange_is_refused_and_not_declared_again),
        cmocka_unit_test(test_refused_login_is_reported_without_the_password),
        cmocka_unit_test(test_unreachable_broker_is_unavailable_with_backoff),
        cmocka_unit_test(test_readiness_check_sees_the_broker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
