/* The event sink contract: what every sink (the in-memory fake, the RabbitMQ
 * publisher) must do, checked through the port and what a consumer reads
 * back: each event arrives with its id and its payload byte for byte, in the
 * order delivered; a repeat is taken again (consumers de-duplicate on the
 * id); an event without a payload is refused and nothing arrives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "contract.h"

static const ord_event_sink_factory *factory;
static unsigned last_serial;

#define MAX_EVENTS 32

typedef struct sample {
    ord_outbox_event event;
    char payload[600];
} sample;

/* An event of @p order_id with a payload in API.md's shape (and a few bytes
 * a careless sink would mangle: an escaped quote, a non-ASCII letter). */
static void make(sample *s, int64_t order_id, int64_t sequence, ord_event_type type)
{
    memset(s, 0, sizeof *s);
    unsigned serial = ++last_serial;
    snprintf(s->event.event_id, sizeof s->event.event_id,
             "7c9e6679-7425-40de-944b-%012u", serial);
    s->event.id = serial;
    s->event.type = type;
    s->event.order_id = order_id;
    s->event.customer_id = 12345;
    s->event.sequence = sequence;
    s->event.occurred_at_ms = 1772980200000 + serial; /* 2026-03-08T14:30:00Z on */
    snprintf(s->payload, sizeof s->payload,
             "{\"eventId\":\"%s\",\"eventType\":\"%s\",\"occurredAt\":\"2026-03-08T14:30:00Z\","
             "\"orderId\":%lld,\"customerId\":12345,\"sequence\":%lld,"
             "\"order\":{\"customerName\":\"Zo\\u00eb \\\"Z\\\" Garc\xc3\xad" "a\"}}",
             s->event.event_id, ord_event_type_name(type), (long long)order_id,
             (long long)sequence);
    s->event.payload = s->payload;
}

static int fixture_setup(void **state)
{
    static ord_event_sink_fixture fixture;
    memset(&fixture, 0, sizeof fixture);
    if (factory->setup(&fixture) != 0)
        return -1;
    *state = &fixture;
    return 0;
}

static int fixture_teardown(void **state)
{
    factory->teardown(*state);
    return 0;
}

static ord_error deliver(ord_event_sink_fixture *f, const sample *s)
{
    return f->sink.ops->deliver(f->sink.self, NULL, &s->event);
}

/* What arrived, checked against @p expected in order. */
static void assert_received(ord_event_sink_fixture *f, const sample *expected, size_t count)
{
    ord_outbox_event got[MAX_EVENTS];
    size_t n = 0;
    memset(got, 0, sizeof got);
    assert_int_equal(factory->received(f, got, MAX_EVENTS, &n), 0);
    assert_int_equal(n, count);
    for (size_t i = 0; i < n && i < MAX_EVENTS; i++) {
        assert_string_equal(got[i].event_id, expected[i].event.event_id);
        assert_non_null(got[i].payload);
        assert_string_equal(got[i].payload, expected[i].payload);
        free(got[i].payload);
    }
}

static void test_sink_delivers_each_event_as_sent_in_order(void **state)
{
    ord_event_sink_fixture *f = *state;
    sample s[3];
    make(&s[0], 501, 2, ORD_EVENT_ORDER_PLACED);
    make(&s[1], 502, 2, ORD_EVENT_ORDER_PLACED);
    make(&s[2], 501, 3, ORD_EVENT_ORDER_SHIPPED);
    for (int i = 0; i < 3; i++)
        assert_int_equal(deliver(f, &s[i]), ORD_OK);
    assert_received(f, s, 3);
}

static void test_sink_takes_a_repeated_event_once_more(void **state)
{
    ord_event_sink_fixture *f = *state;
    sample s;
    make(&s, 503, 2, ORD_EVENT_ORDER_CANCELLED);
    assert_int_equal(deliver(f, &s), ORD_OK);
    assert_int_equal(deliver(f, &s), ORD_OK);
    assert_received(f, &s, 1);
}

static void test_sink_keeps_the_order_of_many_events(void **state)
{
    ord_event_sink_fixture *f = *state;
    sample s[20];
    static const ord_event_type types[] = {ORD_EVENT_ORDER_PLACED, ORD_EVENT_ORDER_SHIPPED,
                                           ORD_EVENT_ORDER_DELIVERED, ORD_EVENT_ORDER_CANCELLED};
    for (int i = 0; i < 20; i++) {
        make(&s[i], 600 + i % 3, 2 + i / 3, types[i % 4]);
        assert_int_equal(deliver(f, &s[i]), ORD_OK);
    }
    assert_received(f, s, 20);
}

static void test_sink_refuses_an_event_without_payload(void **state)
{
    ord_event_sink_fixture *f = *state;
    sample s;
    make(&s, 504, 2, ORD_EVENT_ORDER_PLACED);
    s.event.payload = NULL;
    assert_int_equal(deliver(f, &s), ORD_EINVALID);
    assert_received(f, NULL, 0);
}

#define CONTRACT_TEST(t) cmocka_unit_test_setup_teardown(t, fixture_setup, fixture_teardown)

int ord_run_event_sink_contract(const ord_event_sink_factory *f)
{
    const struct CMUnitTest tests[] = {
        CONTRACT_TEST(test_sink_delivers_each_event_as_sent_in_order),
        CONTRACT_TEST(test_sink_takes_a_repeated_event_once_more),
        CONTRACT_TEST(test_sink_keeps_the_order_of_many_events),
        CONTRACT_TEST(test_sink_refuses_an_event_without_payload),
    };
    factory = f;
    char group[128];
    snprintf(group, sizeof group, "event sink contract (%s)", f->name != NULL ? f->name : "?");
    int failed = cmocka_run_group_tests_name(group, tests, NULL, NULL);
    factory = NULL;
    return failed;
}
