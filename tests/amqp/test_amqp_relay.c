/* The outbox relay publishing to a real RabbitMQ node: every event reaches
 * a consumer in order per order; a broker that is down leaves every event
 * undelivered; an exchange deleted by an operator makes its events fail,
 * retry, park after the limit and go out once re-driven. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "relay_world.h"

static void test_relay_publishes_every_event_in_order_per_order(void **state)
{
    (void)state;
    world w;
    world_open(&w, NULL, 20);
    size_t events = 0;
    for (int i = 0; i < 12; i++) {
        int64_t id = world_place(&w);
        events++;
        if (i % 3 == 0) {
            world_cancel(&w, id);
            events++;
        } else {
            world_ship(&w, id);
            events++;
            if (i % 3 == 1) {
                world_deliver(&w, id);
                events++;
            }
        }
    }
    world_relay_all(&w);
    int64_t pending = -1, parked = -1;
    world_outbox(&w, &pending, &parked);
    assert_int_equal(pending, 0);
    assert_int_equal(parked, 0);
    amqp_connection_state_t c = at_connect();
    consumed got = world_consume(&w, c);
    at_close(c);
    assert_int_equal(got.distinct, events);
    assert_int_equal(got.duplicates, 0);
    ord_amqp_stats st;
    ord_amqp_broker_stats(w.broker, &st);
    assert_int_equal(st.acked, events);
    assert_int_equal(st.connections, 1);
    world_close(&w);
}

static void test_broker_down_before_publish_marks_nothing_delivered(void **state)
{
    (void)state;
    world w;
    world_open(&w, "amqp://orders:pw@127.0.0.1:1", 20);
    for (int i = 0; i < 3; i++)
        world_place(&w);
    ord_work_report r = world_relay_once(&w);
    assert_int_equal(r.claimed, 3);
    assert_int_equal(r.failed, 3);
    assert_int_equal(r.completed, 0);
    int64_t pending = -1, parked = -1;
    world_outbox(&w, &pending, &parked);
    assert_int_equal(pending, 3);
    assert_int_equal(parked, 0);
    amqp_connection_state_t c = at_connect();
    assert_int_equal(world_consume(&w, c).messages, 0);

    /* The broker is back (here: the right one): everything goes out. */
    world_use_broker(&w, NULL);
    world_relay_all(&w);
    world_outbox(&w, &pending, &parked);
    assert_int_equal(pending, 0);
    consumed got = world_consume(&w, c);
    assert_int_equal(got.distinct, 3);
    at_close(c);
    world_close(&w);
}

static void test_refused_publish_is_retried_parked_and_redriven(void **state)
{
    (void)state;
    world w;
    world_open(&w, NULL, 3);
    int64_t a = world_place(&w);
    world_relay_all(&w);
    amqp_connection_state_t c = at_connect();
    assert_int_equal(world_consume(&w, c).distinct, 1);

    at_delete_exchange(c, w.exchange); /* an operator's mistake */
    world_ship(&w, a);
    world_place(&w);
    for (int attempt = 1; attempt <= 3; attempt++) {
        ord_work_report r = world_relay_once(&w);
        assert_int_equal(r.claimed, 2);
        assert_int_equal(r.failed, 2);
    }
    assert_int_equal(w.parked_actions, 2);
    assert_int_equal(world_relay_once(&w).claimed, 0);
    int64_t pending = -1, parked = -1;
    world_outbox(&w, &pending, &parked);
    assert_int_equal(parked, 2);
    ord_amqp_stats st;
    ord_amqp_broker_stats(w.broker, &st);
    assert_int_equal(st.refused, 6);

    /* The operator restores the exchange and its binding, then re-drives. */
    at_declare_bound_queue(c, w.queue, w.exchange);
    ord_outbox o = ord_memory_store_outbox(w.store);
    int64_t redriven = 0;
    assert_int_equal(o.ops->redrive(o.self, 0, &redriven), ORD_OK);
    assert_int_equal(redriven, 2);
    world_relay_all(&w);
    world_outbox(&w, &pending, &parked);
    assert_int_equal(pending, 0);
    assert_int_equal(parked, 0);
    consumed got = world_consume(&w, c);
    assert_int_equal(got.distinct, 2);
    at_close(c);
    world_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_relay_publishes_every_event_in_order_per_order),
        cmocka_unit_test(test_broker_down_before_publish_marks_nothing_delivered),
        cmocka_unit_test(test_refused_publish_is_retried_parked_and_redriven),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
