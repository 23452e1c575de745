/* The Lambda program with ORDER_EVENT_SINK=amqp: the scheduled pass's relay
 * publishes to the RabbitMQ node of tests/amqp, over one broker connection
 * kept across warm invocations; HTTP invocations publish nothing; readiness
 * and the metrics show the broker, and no log line its password. */
#include "lambda_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "amqp_test.h"

#define EXCHANGE "lambda.orders.events"
#define QUEUE "lambda.orders.all"

static const char scheduled[] =
    "{\"version\":\"0\",\"id\":\"0c3e2b1a-2f44-4b7e-9d55-4c0a3f1e8b21\","
    "\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
    "\"account\":\"123456789012\",\"time\":\"2026-12-06T12:00:00Z\",\"region\":\"eu-west-1\","
    "\"resources\":[\"arn:aws:events:eu-west-1:123456789012:rule/orders-background\"],"
    "\"detail\":{}}";

static amqp_connection_state_t consumer;

static int group_setup(void **state)
{
    /* Declared as the program declares them, so that the consumer's queue
     * holds every event from the first pass on. */
    consumer = at_connect();
    at_declare_bound_queue(consumer, QUEUE, EXCHANGE);
    static char url[512];
    snprintf(url, sizeof url, "ORDER_EVENT_AMQP_URL=%s", at_url());
    const char *const extra[] = {"ORDER_EVENT_SINK=amqp",
                                 url,
                                 "ORDER_EVENT_AMQP_EXCHANGE=" EXCHANGE,
                                 "ORDER_EVENT_AMQP_CONFIRM_TIMEOUT_MS=3000",
                                 NULL};
    return lt_group_start(state, extra);
}

static int group_teardown(void **state)
{
    at_close(consumer);
    return lt_group_teardown(state);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One scheduled pass; returns the relay step's completed count. */
static int64_t run_pass(void)
{
    fake_post post = lt_invoke_raw(scheduled, strlen(scheduled), now_ms() + 60000);
    if (post.error)
        fail_msg("the pass failed: %s %s", post.error_type, post.body);
    cJSON *summary = cJSON_Parse(post.body);
    free(post.body);
    assert_non_null(summary);
    int64_t completed = -1;
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(summary, "steps")) {
        if (strcmp(e2e_str(s, "step"), "relay_events") == 0) {
            assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(s, "error")));
            completed = e2e_int(s, "completed");
        }
    }
    cJSON_Delete(summary);
    assert_true(completed >= 0);
    return completed;
}

/* The next message of the queue, which must be @p type of @p order_id. */
static void expect_message(int64_t order_id, const char *type)
{
    at_message m;
    assert_true(at_get(consumer, QUEUE, &m));
    assert_string_equal(m.type, type);
    assert_string_equal(m.routing_key, type);
    assert_true(m.has_order_id);
    assert_int_equal(m.order_id, order_id);
    assert_int_equal(m.delivery_mode, 2);
    cJSON *body = cJSON_Parse(m.body);
    assert_non_null(body);
    assert_string_equal(e2e_str(body, "eventId"), m.message_id);
    assert_string_equal(e2e_str(body, "eventType"), type);
    cJSON_Delete(body);
    at_message_free(&m);
}

static bool queue_empty(void)
{
    at_message m;
    if (!at_get(consumer, QUEUE, &m))
        return true;
    at_message_free(&m);
    return false;
}

/* The value of one metric line of /metrics, or -1 when it is missing. */
static long long metric(const char *body, const char *series)
{
    const char *line = strstr(body, series);
    return line != NULL ? strtoll(line + strlen(series), NULL, 10) : -1;
}

static void test_passes_publish_over_one_kept_connection(void **state)
{
    (void)state;
    char *body = e2e_order_body(3501, "[{\"productId\":4,\"quantity\":1}]");
    lt_request create = {.method = "POST", .path = "/api/v1/orders", .body = body};
    lt_http h = lt_call(2, &create);
    free(body);
    assert_int_equal(h.reply.status, 201);
    int64_t id = e2e_int(h.reply.json, "orderId");
    lt_http_free(&h);
    /* HTTP invocations leave events in the outbox. */
    assert_true(queue_empty());

    assert_true(run_pass() >= 1);
    expect_message(id, "OrderPlaced");
    assert_true(queue_empty());

    char path[96];
    lt_request cancel = {.method = "PUT", .path = e2e_path(path, sizeof path, id, "/cancel")};
    h = lt_call(1, &cancel);
    assert_int_equal(h.reply.status, 204);
    lt_http_free(&h);
    /* A later warm invocation: the same broker connection publishes. */
    assert_true(run_pass() >= 1);
    expect_message(id, "OrderCancelled");

    lt_request metrics = {.method = "GET", .path = "/metrics"};
    h = lt_call(2, &metrics);
    assert_int_equal(h.reply.status, 200);
    assert_true(metric(h.reply.body, "event_publish_total{sink=\"amqp\",outcome=\"ok\"} ") >= 2);
    assert_int_equal(metric(h.reply.body, "event_broker_connections_total{sink=\"amqp\"} "), 1);
    lt_http_free(&h);
}

static void test_readiness_reports_the_broker(void **state)
{
    (void)state;
    lt_request ready = {.method = "GET", .path = "/health/ready"};
    lt_http h = lt_call(2, &ready);
    assert_int_equal(h.reply.status, 200);
    const cJSON *deps = cJSON_GetObjectItemCaseSensitive(h.reply.json, "dependencies");
    assert_string_equal(e2e_str(deps, "broker"), "UP");
    lt_http_free(&h);
}

static void test_log_names_the_broker_without_its_password(void **state)
{
    (void)state;
    char *log = e2e_read_stack_file("bootstrap.log");
    at_assert_log_hides_the_password(log, EXCHANGE);
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_passes_publish_over_one_kept_connection),
        cmocka_unit_test(test_readiness_reports_the_broker),
        cmocka_unit_test(test_log_names_the_broker_without_its_password),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
