/* bootstrap against the Runtime API when things go wrong: malformed,
 * unknown and oversized events are invocation errors and the next event is
 * still served; a connection the database dropped between invocations is
 * replaced; bad settings and an unreachable database are init errors; a
 * broken Runtime API ends the program without a crash; SIGTERM while
 * waiting for an invocation ends it cleanly. */
#include "lambda_test.h"

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

static void assert_served(void)
{
    lt_request live = {.method = "GET", .path = "/health/live"};
    lt_http h = lt_call(2, &live);
    assert_int_equal(h.reply.status, 200);
    lt_http_free(&h);
}

static void assert_invocation_error(const char *event, size_t len, const char *type)
{
    fake_post post = lt_invoke_raw(event, len, 0);
    if (!post.error || strcmp(post.error_type, type) != 0)
        fail_msg("expected error %s, got %s %s", type, post.error ? post.error_type : "response",
                 post.body);
    cJSON *body = cJSON_Parse(post.body);
    assert_non_null(body);
    assert_string_equal(e2e_str(body, "errorType"), type);
    assert_true(strlen(e2e_str(body, "errorMessage")) > 0);
    cJSON_Delete(body);
    free(post.body);
}

static void test_malformed_and_unknown_events_are_errors_and_the_next_is_served(void **state)
{
    (void)state;
    static const struct {
        const char *event;
        const char *type;
    } cases[] = {
        {"not json", "Orders.MalformedEvent"},
        {"", "Orders.MalformedEvent"},
        {"{\"httpMethod\":\"GET\",\"path\":\"/\"} trailing", "Orders.MalformedEvent"},
        {"{\"detail\":{}}", "Orders.UnknownEvent"},
        {"[\"httpMethod\"]", "Orders.UnknownEvent"},
        {"{\"httpMethod\":5,\"path\":\"/health/live\"}", "Orders.MalformedEvent"},
        {"{\"version\":\"2.0\",\"rawPath\":\"/x\",\"requestContext\":{\"http\":{\"method\":\"GET\"}},"
         "\"headers\":{\"a\":{\"b\":1}}}",
         "Orders.MalformedEvent"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_invocation_error(cases[i].event, strlen(cases[i].event), cases[i].type);
        assert_served();
    }
}

static void test_deeply_nested_event_is_refused_not_recursed_into(void **state)
{
    (void)state;
    size_t depth = 200000;
    char *event = malloc(2 * depth);
    assert_non_null(event);
    memset(event, '[', depth);
    memset(event + depth, ']', depth);
    assert_invocation_error(event, 2 * depth, "Orders.MalformedEvent");
    free(event);
    assert_served();
}

static void test_event_over_6_mib_is_refused_unread_and_the_next_is_served(void **state)
{
    (void)state;
    size_t len = 7 * 1024 * 1024;
    char *event = malloc(len);
    assert_non_null(event);
    memset(event, ' ', len);
    memcpy(event, "{\"body\":\"", 9);
    memcpy(event + len - 2, "\"}", 2);
    assert_invocation_error(event, len, "Orders.EventTooLarge");
    free(event);
    assert_served();
}

static void test_connection_dropped_between_invocations_is_replaced(void **state)
{
    (void)state;
    assert_served();
    PGconn *admin = PQconnectdb(lt_database_url());
    assert_int_equal(PQstatus(admin), CONNECTION_OK);
    PGresult *r = PQexec(admin, "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM "
                                "pg_stat_activity WHERE application_name = 'order-lambda') t");
    assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
    assert_true(atoi(PQgetvalue(r, 0, 0)) >= 1);
    PQclear(r);
    /* pg_terminate_backend only signals: wait until the backends are gone,
     * as they are for a function thawed after the database dropped it. */
    bool gone = false;
    for (int i = 0; i < 200 && !gone; i++) {
        r = PQexec(admin, "SELECT count(*) FROM pg_stat_activity "
                          "WHERE application_name = 'order-lambda'");
        assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
        gone = atoi(PQgetvalue(r, 0, 0)) == 0;
        PQclear(r);
        if (!gone) {
            usleep(10 * 1000);
        }
    }
    assert_true(gone);
    PQfinish(admin);

    char *body = e2e_order_body(3301, "[{\"productId\":1,\"quantity\":1}]");
    lt_request req = {.method = "POST", .path = "/api/v1/orders", .body = body};
    lt_http h = lt_call(1, &req);
    free(body);
    assert_int_equal(h.reply.status, 201);
    lt_http_free(&h);
}

/* A bootstrap of its own on a fake runtime of its own, so that the
 * group's program takes none of its invocations. */
static pid_t start_alone(fake_rt *rt, const char *extra_setting, const char *log)
{
    char api[64];
    snprintf(api, sizeof api, "AWS_LAMBDA_RUNTIME_API=127.0.0.1:%d", fake_rt_port(rt));
    const char *extra[] = {api, extra_setting, NULL};
    return lt_bootstrap_start(extra, log);
}

static void test_bad_setting_is_an_init_error_and_exit_status_2(void **state)
{
    (void)state;
    fake_rt *rt = fake_rt_start();
    assert_non_null(rt);
    pid_t pid = start_alone(rt, "ORDER_RETRY_ATTEMPTS=99", "bad-setting.log");
    fake_post post;
    assert_true(fake_rt_wait(rt, NULL, LT_ANSWER_MS, &post));
    assert_true(post.error);
    assert_string_equal(post.error_type, "Orders.InvalidSetting");
    assert_non_null(strstr(post.body, "ORDER_RETRY_ATTEMPTS must be an integer from 1 to 10"));
    free(post.body);
    assert_int_equal(lt_bootstrap_wait(pid, 0, 30), 2);
    fake_rt_stop(rt);
}

static void test_unreachable_database_is_an_init_error_and_exit_status_1(void **state)
{
    (void)state;
    fake_rt *rt = fake_rt_start();
    assert_non_null(rt);
    pid_t pid = start_alone(
        rt, "ORDER_DATABASE_URL=postgresql://postgres:e2e-secret-pw@127.0.0.1:1/orders",
        "no-database.log");
    fake_post post;
    assert_true(fake_rt_wait(rt, NULL, LT_ANSWER_MS, &post));
    assert_string_equal(post.error_type, "Orders.DatabaseUnavailable");
    assert_null(strstr(post.body, "e2e-secret-pw"));
    free(post.body);
    assert_int_equal(lt_bootstrap_wait(pid, 0, 30), 1);
    char *log = e2e_read_stack_file("no-database.log");
    assert_non_null(log);
    assert_null(strstr(log, "e2e-secret-pw"));
    free(log);
    fake_rt_stop(rt);
}

static void test_broken_runtime_api_ends_the_program_with_status_1(void **state)
{
    (void)state;
    fake_rt *rt = fake_rt_start();
    assert_non_null(rt);
    const char event[] = "{\"httpMethod\":\"GET\",\"path\":\"/health/live\"}";
    /* A request id that could not stand in a URL path. */
    fake_rt_push(rt, event, strlen(event), "../../init/error", 0, NULL);
    pid_t pid = start_alone(rt, NULL, "broken-runtime.log");
    assert_int_equal(lt_bootstrap_wait(pid, 0, 30), 1);
    fake_post post;
    assert_false(fake_rt_wait(rt, NULL, 100, &post));
    char *log = e2e_read_stack_file("broken-runtime.log");
    assert_non_null(strstr(log, "the Runtime API failed"));
    assert_null(strstr(log, "Sanitizer"));
    free(log);
    fake_rt_stop(rt);
}

static void test_sigterm_while_waiting_for_an_invocation_exits_0(void **state)
{
    (void)state;
    fake_rt *rt = fake_rt_start();
    assert_non_null(rt);
    pid_t pid = start_alone(rt, NULL, "sigterm.log");
    for (int i = 0; i < 600 && fake_rt_waiting(rt) == 0; i++) {
        struct timespec pause = {0, 50000000L};
        nanosleep(&pause, NULL);
    }
    assert_int_equal(fake_rt_waiting(rt), 1);
    /* Within a few seconds, though the long poll has no time limit. */
    assert_int_equal(lt_bootstrap_wait(pid, SIGTERM, 10), 0);
    char *log = e2e_read_stack_file("sigterm.log");
    assert_non_null(strstr(log, "order lambda stopped"));
    free(log);
    fake_rt_stop(rt);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_and_unknown_events_are_errors_and_the_next_is_served),
        cmocka_unit_test(test_deeply_nested_event_is_refused_not_recursed_into),
        cmocka_unit_test(test_event_over_6_mib_is_refused_unread_and_the_next_is_served),
        cmocka_unit_test(test_connection_dropped_between_invocations_is_replaced),
        cmocka_unit_test(test_bad_setting_is_an_init_error_and_exit_status_2),
        cmocka_unit_test(test_unreachable_database_is_an_init_error_and_exit_status_1),
        cmocka_unit_test(test_broken_runtime_api_ends_the_program_with_status_1),
        cmocka_unit_test(test_sigterm_while_waiting_for_an_invocation_exits_0),
    };
    return cmocka_run_group_tests(tests, lt_group_setup, lt_group_teardown);
}
