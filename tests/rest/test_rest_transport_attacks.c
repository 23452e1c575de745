/* Hostile clients against the real civetweb transport: slow headers, slow
 * bodies, idle and oversize connections while a health probe (operations
 * listener) and a normal request from another client must still answer
 * within a second; and every framing trick that could smuggle a request
 * behind another, each refused and its connection closed. */
#include "fixture.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <orders/adapters/rest/server.h>

#include "raw_http.h"

#define WORKERS 24
#define DEADLINE_MS 1500
/* How long an answer may take while an attack runs. */
#define PROMPT_MS 1000

typedef struct ax {
    rx *x;
    ord_rest_server *server;
    FILE *log;
    int port;
    int ops_port;
    char get_order[128]; /* a normal request: GET of an order that exists */
} ax;

static int ax_setup(void **state)
{
    ax *a = calloc(1, sizeof *a);
    assert_non_null(a);
    void *inner = NULL;
    rx_setup(&inner);
    a->x = inner;
    a->log = tmpfile();
    ord_rest_server_config cfg = ORD_REST_SERVER_CONFIG_INIT;
    cfg.listen = "127.0.0.1:0";
    cfg.num_threads = WORKERS;
    cfg.request_timeout_ms = DEADLINE_MS;
    cfg.keep_alive_timeout_ms = 1000;
    cfg.ops_listen = "127.0.0.1:0";
    cfg.ops_threads = 2;
    cfg.log = a->log;
    assert_int_equal(ord_rest_server_start(&a->server, a->x->api, &cfg), ORD_OK);
    a->port = ord_rest_server_port(a->server);
    a->ops_port = ord_rest_server_ops_port(a->server);
    assert_true(a->port > 0 && a->ops_port > 0 && a->port != a->ops_port);

    char create[512];
    snprintf(create, sizeof create,
             "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
             strlen(RX_ORDER_BODY), RX_ORDER_BODY);
    assert_int_equal(raw_request(a->port, create, 5000, NULL), 201);
    snprintf(a->get_order, sizeof a->get_order,
             "GET /api/v1/orders/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    *state = a;
    return 0;
}

static int ax_teardown(void **state)
{
    ax *a = *state;
    ord_rest_server_stop(a->server);
    void *inner = a->x;
    rx_teardown(&inner);
    fclose(a->log);
    free(a);
    return 0;
}

/* A probe of the operations listener and a normal request on the API port
 * both answer 200 within PROMPT_MS. */
static void assert_service_answers(const ax *a, bool api_too)
{
    double took = 0;
    int status = raw_request(a->ops_port, "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n",
                             PROMPT_MS, &took);
    if (status != 200)
        fail_msg("health probe: status %d after %.2f s", status, took);
    if (!api_too)
        return;
    status = raw_request(a->port, a->get_order, PROMPT_MS, &took);
    if (status != 200)
        fail_msg("normal request: status %d after %.2f s", status, took);
}

/* Run an attack past the request deadline, probing meanwhile; then every
 * attacking connection must have been closed by the server. */
static void attack_and_probe(ax *a, raw_attack_kind kind, int connections, bool api_too)
{
    raw_attack *attack = raw_attack_start(a->port, kind, connections, 200);
    assert_non_null(attack);
    assert_int_equal(raw_attack_opened(attack), connections);
    double end = raw_now() + (DEADLINE_MS * 2.5) / 1000.0;
    while (raw_now() < end) {
        assert_service_answers(a, api_too);
        usleep(200 * 1000);
    }
    /* A read in progress at the deadline may take one more timeout. */
    double give_up = raw_now() + (DEADLINE_MS * 2.0) / 1000.0;
    while (raw_attack_closed(attack) < connections && raw_now() < give_up)
        usleep(50 * 1000);
    int answered = raw_attack_answered(attack);
    int closed = raw_attack_stop(attack);
    if (closed != connections)
        fail_msg("%s: the server closed %d of %d attacking connections", raw_attack_name(kind),
                 closed, connections);
    if (kind == RAW_ATTACK_OVERSIZE && answered != connections)
        fail_msg("oversize: %d of %d got their early 413", answered, connections);
}

static void test_slow_headers_are_cut_off_and_others_are_served(void **state)
{
    attack_and_probe(*state, RAW_ATTACK_SLOW_HEADERS, WORKERS / 2, true);
}

static void test_slow_bodies_are_cut_off_and_others_are_served(void **state)
{
    attack_and_probe(*state, RAW_ATTACK_SLOW_BODY, WORKERS / 2, true);
}

static void test_idle_connections_are_closed_and_others_are_served(void **state)
{
    attack_and_probe(*state, RAW_ATTACK_IDLE, WORKERS / 2, true);
}

static void test_oversize_bodies_get_413_and_a_close_at_once(void **state)
{
    attack_and_probe(*state, RAW_ATTACK_OVERSIZE, WORKERS / 2, true);
}

/* More idle connections than the API has workers: the API's callers wait,
 * but the operations listener still answers probes at once. */
static void test_probes_answer_while_every_api_worker_is_held(void **state)
{
    attack_and_probe(*state, RAW_ATTACK_IDLE, WORKERS + 16, false);
}

/* ---- framing ---- */

/* Send @p request on a fresh connection; expect @p status as the only
 * answer and the connection closed by the server. */
static void expect_refused_and_closed(const ax *a, const char *request, int status)
{
    int fd = raw_connect(a->port);
    assert_true(fd >= 0);
    assert_true(raw_send_text(fd, request));
    bool closed = false;
    char *answer = raw_read_all(fd, 3000, &closed);
    close(fd);
    char expected[32];
    snprintf(expected, sizeof expected, "HTTP/1.1 %d ", status);
    if (strncmp(answer, expected, strlen(expected)) != 0)
        fail_msg("expected %d for:\n%s\ngot:\n%s", status, request, answer);
    if (!closed)
        fail_msg("the connection stayed open after:\n%s", request);
    /* Nothing pipelined behind it was served. */
    const char *second = strstr(answer + 1, "HTTP/1.1 ");
    if (second != NULL)
        fail_msg("a second answer followed the refusal:\n%s", answer);
    assert_non_null(strstr(answer, "application/problem+json"));
    free(answer);
}

#define PIPELINED "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"

static void test_length_and_chunked_together_are_refused(void **state)
{
    expect_refused_and_closed(*state,
                              "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                              "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n" PIPELINED,
                              400);
}

static void test_two_content_lengths_are_refused(void **state)
{
    expect_refused_and_closed(*state,
                              "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                              "Content-Length: 40\r\n\r\n{}" PIPELINED,
                              400);
}

static void test_malformed_content_lengths_are_refused(void **state)
{
    static const char *const values[] = {"81abc", "+81", "-1", "0x10", "1 2", ""};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        char request[256];
        snprintf(request, sizeof request,
                 "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Length: %s\r\n\r\n{}" PIPELINED,
                 values[i]);
        expect_refused_and_closed(*state, request, 400);
    }
}

static void test_blank_before_a_header_colon_is_refused(void **state)
{
    expect_refused_and_closed(*state,
                              "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Length : 2\r\n"
                              "\r\n{}" PIPELINED,
                              400);
}

static void test_transfer_codings_other_than_chunked_are_refused(void **state)
{
    static const char *const codings[] = {"gzip", "chunked, chunked", "identity",
                                          "gzip, chunked"};
    for (size_t i = 0; i < sizeof codings / sizeof codings[0]; i++) {
        char request[256];
        snprintf(request, sizeof request,
                 "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: %s\r\n\r\n"
                 "0\r\n\r\n" PIPELINED,
                 codings[i]);
        expect_refused_and_closed(*state, request, 400);
    }
}

static void test_unknown_expectation_is_417(void **state)
{
    expect_refused_and_closed(*state,
                              "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nExpect: 200-ok\r\n"
                              "Content-Length: 2\r\n\r\n{}",
                              417);
}

/* The client sends the body only after "100 Continue". */
static void test_100_continue_comes_before_the_body_is_read(void **state)
{
    ax *a = *state;
    int fd = raw_connect(a->port);
    assert_true(fd >= 0);
    char head[256];
    snprintf(head, sizeof head,
             "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
             "Expect: 100-continue\r\nContent-Length: %zu\r\n\r\n",
             strlen(RX_ORDER_BODY));
    assert_true(raw_send_text(fd, head));
    double start = raw_now();
    bool closed = false;
    char *interim = raw_read_all(fd, 500, &closed);
    assert_false(closed);
    assert_true(raw_now() - start < 1.5);
    assert_true(strcmp(interim, "HTTP/1.1 100 Continue\r\n\r\n") == 0);
    free(interim);
    assert_true(raw_send_text(fd, RX_ORDER_BODY));
    assert_int_equal(raw_read_answer(fd, 5000, NULL, 0), 201);
    close(fd);
}

/* The 413 does not wait for a body it will never read, and the connection
 * closes instead of draining it. */
static void test_early_413_closes_without_waiting_for_the_body(void **state)
{
    ax *a = *state;
    int fd = raw_connect(a->port);
    assert_true(fd >= 0);
    assert_true(raw_send_text(fd, "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\n"
                                  "Content-Type: application/json\r\nContent-Length: 100000\r\n"
                                  "\r\n{\"customerId\":"));
    bool closed = false;
    double start = raw_now();
    char *answer = raw_read_all(fd, 3000, &closed);
    close(fd);
    assert_true(strncmp(answer, "HTTP/1.1 413 ", 13) == 0);
    assert_non_null(strstr(answer, "Connection: close"));
    assert_true(closed);
    assert_true(raw_now() - start < PROMPT_MS / 1000.0);
    free(answer);
}

static void test_slow_body_gets_408_after_the_deadline(void **state)
{
    ax *a = *state;
    int fd = raw_connect(a->port);
    assert_true(fd >= 0);
    assert_true(raw_send_text(fd, "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\n"
                                  "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"));
    char answer[4096] = "";
    double start = raw_now();
    for (int i = 0; i < 40 && answer[0] == '\0'; i++) {
        raw_send(fd, " ", 1);
        bool closed = false;
        char *got = raw_read_all(fd, 100, &closed);
        snprintf(answer, sizeof answer, "%s", got);
        free(got);
    }
    double took = raw_now() - start;
    close(fd);
    assert_true(strncmp(answer, "HTTP/1.1 408 ", 13) == 0);
    assert_true(took >= DEADLINE_MS / 1000.0 - 0.2 && took < 2.0 * DEADLINE_MS / 1000.0 + 1.0);
}

/* ---- targets and request lines civetweb does not route ---- */

static void test_absolute_form_for_another_server_is_answered(void **state)
{
    expect_refused_and_closed(*state, "GET http://example.com/health/live HTTP/1.1\r\nHost: x\r\n\r\n",
                              400);
}

static void test_absolute_form_for_this_server_is_served(void **state)
{
    ax *a = *state;
    char request[256];
    snprintf(request, sizeof request,
             "GET http://127.0.0.1:%d/health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
             a->port);
    assert_int_equal(raw_request(a->port, request, 3000, NULL), 200);
}

static void test_options_asterisk_is_answered(void **state)
{
    ax *a = *state;
    int fd = raw_connect(a->port);
    assert_true(raw_send_text(fd, "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"));
    bool closed = false;
    char *answer = raw_read_all(fd, 3000, &closed);
    close(fd);
    assert_true(strncmp(answer, "HTTP/1.1 204 ", 13) == 0);
    assert_non_null(strstr(answer, "Allow: GET, HEAD, POST, PUT"));
    free(answer);
}

/* A WebSocket upgrade is refused with a plain HTTP/1.1 answer, status line
 * first (it used to get a body with no status line). */
static void test_websocket_upgrade_gets_a_plain_answer(void **state)
{
    expect_refused_and_closed(*state,
                              "GET /health/live HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n"
                              "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                              "Sec-WebSocket-Version: 13\r\n\r\n",
                              400);
}

/* Nothing of the request line reaches the status line (response splitting). */
static void test_request_line_is_never_echoed_into_the_status_line(void **state)
{
    ax *a = *state;
    static const char *const requests[] = {
        "GET /health/live HTTP/9.9\r\nHost: x\r\n\r\n",
        "GET /health/live HTTP/1.1 extra\r\nHost: x\r\n\r\n",
        "G\x01T /health/live HTTP/1.1\r\nHost: x\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof requests / sizeof requests[0]; i++) {
        int fd = raw_connect(a->port);
        assert_true(raw_send_text(fd, requests[i]));
        bool closed = false;
        char *answer = raw_read_all(fd, 3000, &closed);
        close(fd);
        if (strncmp(answer, "HTTP/1.1 4", 10) != 0 && strncmp(answer, "HTTP/1.1 5", 10) != 0)
            fail_msg("request %zu: answer starts %.40s", i, answer);
        assert_null(strstr(answer, "9.9"));
        assert_null(strstr(answer, "extra"));
        assert_true(closed);
        free(answer);
    }
}

/* The operations listener serves nothing but its three endpoints. */
static void test_operations_listener_serves_only_operations(void **state)
{
    ax *a = *state;
    assert_int_equal(raw_request(a->ops_port, "GET /health/ready HTTP/1.1\r\nHost: x\r\n\r\n",
                                 3000, NULL),
                     200);
    assert_int_equal(raw_request(a->ops_port, "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 3000, NULL),
                     200);
    assert_int_equal(raw_request(a->ops_port, "GET /api/v1/orders/1 HTTP/1.1\r\nHost: x\r\n\r\n",
                                 3000, NULL),
                     404);
    assert_int_equal(raw_request(a->ops_port,
                                 "POST /health/live HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
                                 3000, NULL),
                     404);
}

int main(void)
{
    /* One server for the whole group: stopping civetweb takes seconds. */
#define T(name) cmocka_unit_test(name)
    const struct CMUnitTest tests[] = {
        T(test_slow_headers_are_cut_off_and_others_are_served),
        T(test_slow_bodies_are_cut_off_and_others_are_served),
        T(test_idle_connections_are_closed_and_others_are_served),
        T(test_oversize_bodies_get_413_and_a_close_at_once),
        T(test_probes_answer_while_every_api_worker_is_held),
        T(test_length_and_chunked_together_are_refused),
        T(test_two_content_lengths_are_refused),
        T(test_malformed_content_lengths_are_refused),
        T(test_blank_before_a_header_colon_is_refused),
        T(test_transfer_codings_other_than_chunked_are_refused),
        T(test_unknown_expectation_is_417),
        T(test_100_continue_comes_before_the_body_is_read),
        T(test_early_413_closes_without_waiting_for_the_body),
        T(test_slow_body_gets_408_after_the_deadline),
        T(test_absolute_form_for_another_server_is_answered),
        T(test_absolute_form_for_this_server_is_served),
        T(test_options_asterisk_is_answered),
        T(test_websocket_upgrade_gets_a_plain_answer),
        T(test_request_line_is_never_echoed_into_the_status_line),
        T(test_operations_listener_serves_only_operations),
    };
#undef T
    return cmocka_run_group_tests(tests, ax_setup, ax_teardown);
}
