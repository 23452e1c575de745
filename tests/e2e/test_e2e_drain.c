/* The drain on SIGTERM, over real HTTP: readiness turns 503 at once, the API
 * keeps answering during the grace period with every answer closing its
 * connection (a kept-alive one included), then connection attempts are
 * refused while a request in flight still gets its answer, and the server
 * exits 0. The stack runs with --drain-grace-ms 3000. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "e2e.h"

#define GRACE_MS 3000

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static char *stack_value(const char *name)
{
    char *v = e2e_read_stack_file(name);
    assert_non_null(v);
    v[strcspn(v, "\r\n")] = '\0';
    return v;
}

/* One GET on @p curl (reused: a kept-alive connection stays in its cache). */
typedef struct answer {
    CURLcode code;
    long status;
    long new_connections; /* 0: the request went on a reused connection */
    bool closes;          /* "Connection: close" */
    char body[512];
} answer;

static size_t header_line(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    answer *a = userdata;
    size_t n = size * nmemb;
    if (n >= 17 && strncasecmp(ptr, "Connection: close", 17) == 0)
        a->closes = true;
    return n;
}

static size_t body_part(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    answer *a = userdata;
    size_t n = size * nmemb;
    size_t have = strlen(a->body);
    size_t room = sizeof a->body - 1 - have;
    memcpy(a->body + have, ptr, n < room ? n : room);
    a->body[have + (n < room ? n : room)] = '\0';
    return n;
}

static answer get_on(CURL *curl, const char *url)
{
    answer a;
    memset(&a, 0, sizeof a);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, header_line);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &a);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, body_part);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
    a.code = curl_easy_perform(curl);
    if (a.code == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &a.status);
        curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &a.new_connections);
    }
    return a;
}

/* A GET on a fresh connection. */
static answer get_fresh(const char *url)
{
    CURL *curl = curl_easy_init();
    assert_non_null(curl);
    answer a = get_on(curl, url);
    curl_easy_cleanup(curl);
    return a;
}

typedef struct create_job {
    char *body;
    e2e_reply reply;
} create_job;

static void *create_order(void *arg)
{
    create_job *job = arg;
    job->reply = e2e_call("POST", "/api/v1/orders", job->body, NULL);
    return NULL;
}

static int64_t inventory_in_flight(void)
{
    cJSON *state = e2e_sim_state();
    const cJSON *in_flight = cJSON_GetObjectItem(state, "inFlight");
    const cJSON *n = cJSON_GetObjectItem(in_flight, "inventory");
    int64_t v = cJSON_IsNumber(n) ? (int64_t)n->valuedouble : 0;
    cJSON_Delete(state);
    return v;
}

static void test_sigterm_drains_the_way_a_load_balancer_follows(void **state)
{
    (void)state;
    e2e_sim_reset();
    char *ops_port = stack_value("server_ops_port");
    char ready_url[96], list_url[128];
    snprintf(ready_url, sizeof ready_url, "http://127.0.0.1:%s/health/ready", ops_port);
    snprintf(list_url, sizeof list_url, "%s/api/v1/orders/customer/1", e2e_server_url());
    free(ops_port);

    /* A client with a kept-alive connection, and a ready server. */
    CURL *kept = curl_easy_init();
    assert_non_null(kept);
    answer a = get_on(kept, list_url);
    assert_int_equal(a.status, 200);
    assert_false(a.closes);
    assert_int_equal(get_fresh(ready_url).status, 200);

    /* A create in flight across the whole drain: inventory holds it. */
    e2e_fault("inventory", "hang");
    create_job job = {.body = e2e_order_body(77, "[{\"productId\":1,\"quantity\":1}]")};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, create_order, &job), 0);
    for (int i = 0; i < 200 && inventory_in_flight() == 0; i++)
        pause_ms(25);
    assert_true(inventory_in_flight() > 0);

    char *pid_text = stack_value("server.pid");
    pid_t pid = (pid_t)strtol(pid_text, NULL, 10);
    free(pid_text);
    double start = now_ms();
    assert_int_equal(kill(pid, SIGTERM), 0);

    /* Not ready at once, and saying why. */
    answer ready = {.status = 200};
    while (ready.status == 200 && now_ms() - start < GRACE_MS)
        ready = get_fresh(ready_url);
    assert_int_equal(ready.status, 503);
    assert_non_null(strstr(ready.body, "\"serving\":\"DOWN\""));

    /* Still serving during the grace: the kept-alive connection gets its
     * answer and is told to close; a new connection is answered too. */
    a = get_on(kept, list_url);
    assert_int_equal(a.status, 200);
    assert_int_equal(a.new_connections, 0);
    assert_true(a.closes);
    a = get_fresh(list_url);
    assert_int_equal(a.status, 200);
    assert_true(a.closes);

    /* Then connections are refused: never before the grace is over. */
    do {
        a = get_fresh(list_url);
        if (a.code == CURLE_OK)
            pause_ms(50);
    } while (a.code == CURLE_OK && now_ms() - start < GRACE_MS + 20000);
    assert_int_equal(a.code, CURLE_COULDNT_CONNECT);
    assert_true(now_ms() - start >= GRACE_MS);
    /* The operations listener still answers while a request is in flight. */
    assert_int_equal(get_fresh(ready_url).status, 503);

    /* The request in flight is finished and answered. */
    e2e_fault("inventory", "ok");
    pthread_join(thread, NULL);
    assert_int_equal(job.reply.status, 201);
    assert_string_equal(e2e_str(job.reply.json, "status"), "CONFIRMED");
    e2e_reply_free(&job.reply);
    free(job.body);
    curl_easy_cleanup(kept);

    e2e_server_stop("TERM"); /* waits for the exit, expects status 0 */
    e2e_server_start();
}

static int count_in_log(const char *needle)
{
    char *log = e2e_read_stack_file("server.log");
    assert_non_null(log);
    int n = 0;
    for (const char *p = strstr(log, needle); p != NULL; p = strstr(p + 1, needle))
        n++;
    free(log);
    return n;
}

/* SIGINT (Ctrl-C) skips the grace: straight to refusing connections. */
static void test_sigint_stops_without_grace(void **state)
{
    (void)state;
    int graces = count_in_log("\"graceMs\"");
    int stops = count_in_log("stopping: no longer accepting");
    char *pid_text = stack_value("server.pid");
    pid_t pid = (pid_t)strtol(pid_text, NULL, 10);
    free(pid_text);
    assert_int_equal(kill(pid, SIGINT), 0);
    e2e_server_stop("TERM");
    assert_int_equal(count_in_log("stopping: no longer accepting"), stops + 1);
    assert_int_equal(count_in_log("\"graceMs\""), graces);
    e2e_server_start();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sigterm_drains_the_way_a_load_balancer_follows),
        cmocka_unit_test(test_sigint_stops_without_grace),
    };
    return cmocka_run_group_tests(tests, e2e_group_setup, e2e_group_teardown);
}
