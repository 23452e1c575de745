/* The relay across a restart of the RabbitMQ node (stop and start, the
 * node's data kept): a publisher idle through the restart delivers at its
 * next call, and a run of 200 orders relayed while the node goes down and
 * comes back arrives whole, in order per order, with repeats only as
 * redeliveries of the same message id. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "relay_world.h"

#define ORDERS 200

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The node script from a thread (cmocka's failures may not jump across
 * threads): its exit status. */
static int node(const char *cmd)
{
    char line[2048];
    snprintf(line, sizeof line, "'%s' %s '%s' >/dev/null", getenv("ORD_RABBITMQ_SCRIPT"), cmd,
             getenv("ORD_RABBITMQ_DIR"));
    return system(line);
}

static void test_idle_publisher_delivers_after_a_node_restart(void **state)
{
    (void)state;
    world w;
    world_open(&w, NULL, 20);
    world_place(&w);
    world_relay_all(&w);
    assert_int_equal(node("restart"), 0);
    /* The broker closed the idle connection; the next delivery notices and
     * publishes on a new one, without failing. */
    int64_t id = world_place(&w);
    world_cancel(&w, id);
    ord_work_report r = world_relay_once(&w);
    assert_int_equal(r.completed, 1);
    assert_int_equal(r.failed, 0);
    world_relay_all(&w);
    ord_amqp_stats st;
    ord_amqp_broker_stats(w.broker, &st);
    assert_int_equal(st.connections, 2);
    assert_int_equal(st.unavailable, 0);
    amqp_connection_state_t c = at_connect();
    consumed got = world_consume(&w, c);
    at_close(c);
    assert_int_equal(got.distinct, 3);
    world_close(&w);
}

typedef struct restarter {
    ord_amqp_broker *broker;
    uint64_t after_acks;
    atomic_int phase; /* 0 waiting, 1 stopping, 2 stopped, 3 started, -1 failed */
} restarter;

static void *restart_midway(void *arg)
{
    restarter *r = arg;
    ord_amqp_stats st;
    do {
        sleep_ms(5);
        ord_amqp_broker_stats(r->broker, &st);
    } while (st.acked < r->after_acks);
    atomic_store(&r->phase, 1);
    if (node("stop") != 0) {
        atomic_store(&r->phase, -1);
        return NULL;
    }
    atomic_store(&r->phase, 2);
    sleep_ms(1000); /* down for a while: the relay keeps trying */
    atomic_store(&r->phase, node("start") == 0 ? 3 : -1);
    return NULL;
}

static void test_run_of_200_orders_survives_a_node_restart(void **state)
{
    (void)state;
    world w;
    world_open(&w, NULL, 1000); /* nothing parks in this test */
    size_t events = 0;
    for (int i = 0; i < ORDERS; i++) {
        int64_t id = world_place(&w);
        events++;
        if (i % 2 == 0) {
            world_ship(&w, id);
            world_deliver(&w, id);
            events += 2;
        } else {
            world_cancel(&w, id);
            events++;
        }
    }
    restarter r = {.broker = w.broker, .after_acks = events / 4};
    atomic_init(&r.phase, 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, restart_midway, &r), 0);

    /* Relay in small steps (about 10 events each), so that the node goes
     * down while events are still flowing. */
    int64_t deadline = now_ms() + 240000;
    size_t failed_steps = 0, failures = 0;
    int64_t pending = 1, parked = 0;
    while (now_ms() < deadline) {
        ord_manual_clock_advance(w.clock, 1001);
        ord_work_report rep;
        assert_int_equal(ord_relay_events(w.svc, 10, &rep), ORD_OK);
        failures += rep.failed;
        if (rep.failed > 0) {
            failed_steps++;
            sleep_ms(50);
        } else {
            sleep_ms(5);
        }
        world_outbox(&w, &pending, &parked);
        int phase = atomic_load(&r.phase);
        if (phase < 0 || (phase == 3 && pending == 0))
            break;
    }
    pthread_join(t, NULL);
    assert_int_equal(atomic_load(&r.phase), 3);
    assert_int_equal(pending, 0);
    assert_int_equal(parked, 0);
    assert_true(failures > 0); /* the restart was felt */

    amqp_connection_state_t c = at_connect();
    consumed got = world_consume(&w, c);
    at_close(c);
    ord_amqp_stats st;
    ord_amqp_broker_stats(w.broker, &st);
    print_message("%d orders, %zu events: %zu messages read, %zu redelivered duplicates; "
                  "%zu failed deliveries in %zu relay steps; %llu connections\n",
                  ORDERS, events, got.messages, got.duplicates, failures, failed_steps,
                  (unsigned long long)st.connections);
    assert_int_equal(got.distinct, events);
    assert_int_equal(got.messages, events + got.duplicates);
    assert_true(st.connections >= 2);
    world_close(&w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idle_publisher_delivers_after_a_node_restart),
        cmocka_unit_test(test_run_of_200_orders_survives_a_node_restart),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
