/* The scheduled event: one pass of every background step within the time
 * the invocation has left. An order left PENDING_CHECK while inventory was
 * down is confirmed by the pass, and the relay delivers its events in the
 * same pass; with no time left the pass starts nothing. */
#include "lambda_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char scheduled[] =
    "{\"version\":\"0\",\"id\":\"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa\","
    "\"detail-type\":\"Scheduled Event\",\"source\":\"aws.events\","
    "\"account\":\"123456789012\",\"time\":\"2026-12-06T12:00:00Z\",\"region\":\"eu-west-1\","
    "\"resources\":[\"arn:aws:events:eu-west-1:123456789012:rule/orders-background\"],"
    "\"detail\":{}}";

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int reset(void **state)
{
    (void)state;
    e2e_sim_reset();
    return 0;
}

static const cJSON *step_of(const cJSON *summary, const char *name)
{
    const cJSON *s;
    cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(summary, "steps")) {
        if (strcmp(e2e_str(s, "step"), name) == 0)
            return s;
    }
    fail_msg("no step %s in the summary", name);
    return NULL;
}

static cJSON *run_pass(int64_t deadline_ms)
{
    fake_post post = lt_invoke_raw(scheduled, strlen(scheduled), deadline_ms);
    if (post.error)
        fail_msg("the pass failed: %s %s", post.error_type, post.body);
    cJSON *summary = cJSON_Parse(post.body);
    free(post.body);
    assert_non_null(summary);
    return summary;
}

static int events_of(int64_t order_id, const char *type)
{
    cJSON *state = e2e_sim_state();
    int n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(state, "events")) {
        if (e2e_int(e, "orderId") == order_id && strcmp(e2e_str(e, "eventType"), type) == 0)
            n++;
    }
    cJSON_Delete(state);
    return n;
}

static void test_pass_confirms_a_pending_order_and_delivers_its_events(void **state)
{
    (void)state;
    e2e_fault("inventory", "error");
    char *body = e2e_order_body(3401, "[{\"productId\":4,\"quantity\":1}]");
    lt_request create = {.method = "POST", .path = "/api/v1/orders", .body = body};
    lt_http h = lt_call(1, &create);
    free(body);
    e2e_assert_problem(&h.reply, 503, "Inventory service unavailable");
    int64_t id = e2e_int(h.reply.json, "orderId");
    lt_http_free(&h);
    e2e_fault("all", "ok");
    char path[96];
    e2e_path(path, sizeof path, id, "");
    lt_request get = {.method = "GET", .path = path};
    h = lt_call(2, &get);
    assert_string_equal(e2e_str(h.reply.json, "status"), "PENDING_CHECK");
    lt_http_free(&h);
    /* Nothing runs between invocations. */
    struct timespec pause = {1, 0};
    nanosleep(&pause, NULL);
    h = lt_call(2, &get);
    assert_string_equal(e2e_str(h.reply.json, "status"), "PENDING_CHECK");
    lt_http_free(&h);
    assert_int_equal(events_of(id, "OrderPlaced"), 0);

    /* Stale by now (ORDER_PENDING_STALE_MS is 500). */
    cJSON *summary = run_pass(now_ms() + 60000);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(summary, "complete")));
    const cJSON *pending = step_of(summary, "pending_orders");
    assert_true(e2e_int(pending, "completed") >= 1);
    assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(pending, "error")));
    assert_true(e2e_int(step_of(summary, "relay_events"), "completed") >= 1);
    step_of(summary, "purge_idempotency_keys");
    step_of(summary, "purge_delivered_events");
    cJSON_Delete(summary);

    h = lt_call(2, &get);
    assert_string_equal(e2e_str(h.reply.json, "status"), "CONFIRMED");
    lt_http_free(&h);
    assert_int_equal(events_of(id, "OrderPlaced"), 1);
}

static void test_pass_without_time_left_starts_nothing(void **state)
{
    (void)state;
    cJSON *summary = run_pass(now_ms() - 1);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItemCaseSensitive(summary, "complete")));
    const cJSON *steps = cJSON_GetObjectItemCaseSensitive(summary, "steps");
    assert_int_equal(cJSON_GetArraySize(steps), 1);
    assert_int_equal(e2e_int(cJSON_GetArrayItem(steps, 0), "batches"), 0);
    cJSON_Delete(summary);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_pass_confirms_a_pending_order_and_delivers_its_events, reset),
        cmocka_unit_test_setup(test_pass_without_time_left_starts_nothing, reset),
    };
    return cmocka_run_group_tests(tests, lt_group_setup, lt_group_teardown);
}
