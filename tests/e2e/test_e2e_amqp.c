/* End to end with events to RabbitMQ (--event-sink amqp): orders placed,
 * shipped, delivered and cancelled over HTTP reach a consumer's queue, each
 * event once and in order per order, with its properties; readiness lists
 * the broker, the metrics count the publishes, and the log never shows the
 * broker's password. */
#include "e2e.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amqp_test.h"

#define ITEMS "[{\"productId\":1,\"quantity\":1}]"
#define EXCHANGE "e2e.orders.events"
#define QUEUE "e2e.orders.all"
#define MAX_MESSAGES 64

/* What the consumer has read so far (the queue is read once). */
static at_message seen[MAX_MESSAGES];
static size_t seen_count;
static amqp_connection_state_t consumer;

static int group_setup(void **state)
{
    if (e2e_group_setup(state) != 0)
        return -1;
    /* The queue is the server's to declare (--event-amqp-queue); declaring
     * it the same way first lets the consumer read before the first event. */
    consumer = at_connect();
    at_declare_bound_queue(consumer, QUEUE, EXCHANGE);
    return 0;
}

static int group_teardown(void **state)
{
    for (size_t i = 0; i < seen_count; i++)
        at_message_free(&seen[i]);
    at_close(consumer);
    return e2e_group_teardown(state);
}

static void put(int64_t id, const char *action)
{
    char path[96];
    e2e_reply r = e2e_call("PUT", e2e_path(path, sizeof path, id, action), NULL, NULL);
    assert_int_equal(r.status, 204);
    e2e_reply_free(&r);
}

static size_t count_for(int64_t order_id)
{
    size_t n = 0;
    for (size_t i = 0; i < seen_count; i++)
        n += seen[i].order_id == order_id;
    return n;
}

typedef struct expectation {
    int64_t order_id;
    size_t count;
} expectation;

static bool arrived(void *ctx)
{
    const expectation *e = ctx;
    while (seen_count < MAX_MESSAGES && at_get(consumer, QUEUE, &seen[seen_count]))
        seen_count++;
    return count_for(e->order_id) >= e->count;
}

/* The order's messages are exactly @p types, in order, with growing
 * sequences, each carrying its event. */
static void assert_messages(int64_t order_id, const char *const *types, size_t count)
{
    expectation e = {order_id, count};
    assert_true(e2e_wait(arrived, &e));
    assert_int_equal(count_for(order_id), count);
    size_t k = 0;
    int64_t last = 0;
    for (size_t i = 0; i < seen_count; i++) {
        const at_message *m = &seen[i];
        if (m->order_id != order_id)
            continue;
        assert_string_equal(m->type, types[k]);
        assert_string_equal(m->routing_key, types[k]);
        assert_string_equal(m->content_type, "application/json");
        assert_int_equal(m->delivery_mode, 2);
        assert_true(m->has_sequence && m->sequence > last);
        last = m->sequence;
        cJSON *body = cJSON_Parse(m->body);
        assert_non_null(body);
        assert_string_equal(e2e_str(body, "eventId"), m->message_id);
        assert_string_equal(e2e_str(body, "eventType"), types[k]);
        assert_int_equal(e2e_int(body, "orderId"), order_id);
        assert_int_equal(e2e_int(body, "sequence"), m->sequence);
        cJSON_Delete(body);
        k++;
    }
}

static void test_events_of_every_change_reach_the_consumer(void **state)
{
    (void)state;
    int64_t a = e2e_place(31001, ITEMS);
    int64_t b = e2e_place(31002, ITEMS);
    put(a, "/ship");
    put(a, "/deliver");
    put(b, "/cancel");
    static const char *const delivered[] = {"OrderPlaced", "OrderShipped", "OrderDelivered"};
    static const char *const cancelled[] = {"OrderPlaced", "OrderCancelled"};
    assert_messages(a, delivered, 3);
    assert_messages(b, cancelled, 2);
}

static void test_readiness_lists_the_broker_and_metrics_count_publishes(void **state)
{
    (void)state;
    e2e_reply r = e2e_call("GET", "/health/ready", NULL, NULL);
    assert_int_equal(r.status, 200);
    const cJSON *deps = cJSON_GetObjectItemCaseSensitive(r.json, "dependencies");
    assert_string_equal(e2e_str(deps, "broker"), "UP");
    e2e_reply_free(&r);

    r = e2e_call("GET", "/metrics", NULL, NULL);
    assert_int_equal(r.status, 200);
    const char *line = strstr(r.body, "event_publish_total{sink=\"amqp\",outcome=\"ok\"} ");
    assert_non_null(line);
    assert_true(strtoll(strchr(line, '}') + 2, NULL, 10) >= 5);
    assert_non_null(strstr(r.body, "event_publish_total{sink=\"amqp\",outcome=\"unavailable\"} "));
    assert_non_null(strstr(r.body, "event_broker_connections_total{sink=\"amqp\"} 1"));
    assert_null(strstr(r.body, "sink=\"webhook\""));
    e2e_reply_free(&r);
}

static void test_log_names_the_broker_without_its_password(void **state)
{
    (void)state;
    char *log = e2e_read_stack_file("server.log");
    at_assert_log_hides_the_password(log, EXCHANGE);
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events_of_every_change_reach_the_consumer),
        cmocka_unit_test(test_readiness_lists_the_broker_and_metrics_count_publishes),
        cmocka_unit_test(test_log_names_the_broker_without_its_password),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
