/* Real HTTP through the civetweb transport on a free loopback port, with
 * libcurl as the client: keep-alive, body limits, request ids, errors and
 * the per-thread hooks. */
#include "fixture.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>

#include <orders/adapters/rest/server.h>

typedef struct hx {
    rx *x;
    ord_rest_server *server;
    FILE *server_log;
    CURL *curl;
    char base[64];
    atomic_int started;
    atomic_int stopped;
    int marker;
} hx;

typedef struct reply {
    long status;
    char *body;
    size_t body_len;
    char headers[8192];
    size_t headers_len;
    long new_connections;
} reply;

static void *thread_start(void *ctx)
{
    hx *h = ctx;
    atomic_fetch_add(&h->started, 1);
    return &h->marker;
}

static void thread_stop(void *ctx, void *thread_data)
{
    hx *h = ctx;
    if (thread_data == &h->marker)
        atomic_fetch_add(&h->stopped, 1);
}

static int hx_setup(void **state)
{
    hx *h = calloc(1, sizeof *h);
    assert_non_null(h);
    void *inner = NULL;
    rx_setup(&inner);
    h->x = inner;
    h->x->thread_marker = &h->marker;
    h->server_log = tmpfile();
    assert_non_null(h->server_log);
    ord_rest_server_config cfg = ORD_REST_SERVER_CONFIG_INIT;
    cfg.listen = "127.0.0.1:0";
    cfg.num_threads = 8; /* room for idle kept-alive connections (no pressure) */
    cfg.thread_start = thread_start;
    cfg.thread_stop = thread_stop;
    cfg.thread_ctx = h;
    cfg.log = h->server_log;
    assert_int_equal(ord_rest_server_start(&h->server, h->x->api, &cfg), ORD_OK);
    int port = ord_rest_server_port(h->server);
    assert_true(port > 0);
    snprintf(h->base, sizeof h->base, "http://127.0.0.1:%d", port);
    h->curl = curl_easy_init();
    assert_non_null(h->curl);
    *state = h;
    return 0;
}

static int hx_teardown(void **state)
{
    hx *h = *state;
    curl_easy_cleanup(h->curl);
    ord_rest_server_stop(h->server);
    void *inner = h->x;
    rx_teardown(&inner);
    fclose(h->server_log);
    free(h);
    return 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *userdata)
{
    reply *r = userdata;
    size_t len = size * n;
    char *grown = realloc(r->body, r->body_len + len + 1);
    if (grown == NULL)
        return 0;
    memcpy(grown + r->body_len, data, len);
    r->body = grown;
    r->body_len += len;
    r->body[r->body_len] = '\0';
    return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *userdata)
{
    reply *r = userdata;
    size_t len = size * n;
    if (r->headers_len + len < sizeof r->headers) {
        memcpy(r->headers + r->headers_len, data, len);
        r->headers_len += len;
        r->headers[r->headers_len] = '\0';
    }
    return len;
}

/* One request on the shared handle (so connections are reused); @p extra
 * headers are "Name: value" strings ending with NULL. */
static reply http(hx *h, const char *method, const char *path, const char *body, size_t body_len,
                  ...)
{
    reply r;
    memset(&r, 0, sizeof r);
    char url[256];
    snprintf(url, sizeof url, "%s%s", h->base, path);
    struct curl_slist *list = NULL;
    va_list ap;
    va_start(ap, body_len);
    for (const char *hdr = va_arg(ap, const char *); hdr != NULL; hdr = va_arg(ap, const char *))
        list = curl_slist_append(list, hdr);
    va_end(ap);
    list = curl_slist_append(list, "Expect:");
    CURL *c = h->curl;
    curl_easy_reset(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    if (body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    CURLcode rc = curl_easy_perform(c);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &r.new_connections);
    curl_slist_free_all(list);
    return r;
}

/* The value of a response header, copied into @p out; NULL when absent. */
static const char *header(const reply *r, const char *name, char *out, size_t cap)
{
    size_t n = strlen(name);
    const char *line = r->headers;
    while (line != NULL && *line != '\0') {
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            size_t len = strcspn(v, "\r\n");
            if (len >= cap)
                len = cap - 1;
            memcpy(out, v, len);
            out[len] = '\0';
            return out;
        }
        line = strchr(line, '\n');
        if (line != NULL)
            line++;
    }
    return NULL;
}

static void test_http_create_then_get_on_one_kept_alive_connection(void **state)
{
    hx *h = *state;
    reply created = http(h, "POST", "/api/v1/orders", RX_ORDER_BODY, strlen(RX_ORDER_BODY),
                         "Content-Type: application/json", NULL);
    assert_int_equal(created.status, 201);
    char location[128];
    assert_non_null(header(&created, "Location", location, sizeof location));
    char value[128];
    assert_non_null(header(&created, "Content-Type", value, sizeof value));
    assert_string_equal(value, "application/json");
    reply got = http(h, "GET", location, NULL, 0, NULL);
    assert_int_equal(got.status, 200);
    assert_int_equal(got.new_connections, 0);
    cJSON *json = cJSON_Parse(got.body);
    assert_non_null(json);
    assert_string_equal(cJSON_GetObjectItem(json, "status")->valuestring, "CONFIRMED");
    cJSON_Delete(json);
    reply live = http(h, "GET", "/health/live", NULL, 0, NULL);
    assert_int_equal(live.status, 200);
    assert_int_equal(live.new_connections, 0);
    assert_int_equal(h->x->wrong_thread_data, 0);
    free(created.body);
    free(got.body);
    free(live.body);
}

static void test_http_body_over_64_kib_is_413_and_closes(void **state)
{
    hx *h = *state;
    size_t orders_before = ord_memory_store_order_count(h->x->store);
    size_t n = 200000;
    char *big = malloc(n);
    assert_non_null(big);
    memset(big, 'x', n);
    reply r = http(h, "POST", "/api/v1/orders", big, n, "Content-Type: application/json", NULL);
    assert_int_equal(r.status, 413);
    char value[128];
    assert_non_null(header(&r, "Content-Type", value, sizeof value));
    assert_string_equal(value, "application/problem+json");
    assert_non_null(header(&r, "Connection", value, sizeof value));
    assert_string_equal(value, "close");
    cJSON *json = cJSON_Parse(r.body);
    assert_non_null(json);
    assert_string_equal(cJSON_GetObjectItem(json, "error")->valuestring, "Payload too large");
    cJSON_Delete(json);
    free(r.body);

    /* Without a Content-Length the transport stops reading past the limit. */
    reply chunked = http(h, "POST", "/api/v1/orders", big, n, "Content-Type: application/json",
                         "Transfer-Encoding: chunked", NULL);
    assert_int_equal(chunked.status, 413);
    free(chunked.body);

    /* The server still answers afterwards. */
    reply live = http(h, "GET", "/health/live", NULL, 0, NULL);
    assert_int_equal(live.status, 200);
    free(live.body);
    free(big);
    assert_int_equal(ord_memory_store_order_count(h->x->store), orders_before);
}

static void test_http_request_id_is_echoed_or_generated(void **state)
{
    hx *h = *state;
    reply r = http(h, "GET", "/health/live", NULL, 0, "X-Request-Id: trace-42", NULL);
    char value[128];
    assert_non_null(header(&r, "X-Request-Id", value, sizeof value));
    assert_string_equal(value, "trace-42");
    free(r.body);
    r = http(h, "GET", "/health/live", NULL, 0, NULL);
    assert_non_null(header(&r, "X-Request-Id", value, sizeof value));
    assert_true(ord_uuid_is_valid(value));
    free(r.body);
}

static void test_http_errors_have_the_problem_shape(void **state)
{
    hx *h = *state;
    reply r = http(h, "GET", "/nothing/here", NULL, 0, NULL);
    assert_int_equal(r.status, 404);
    cJSON *json = cJSON_Parse(r.body);
    assert_non_null(json);
    assert_string_equal(cJSON_GetObjectItem(json, "error")->valuestring, "Not found");
    cJSON_Delete(json);
    free(r.body);
    r = http(h, "DELETE", "/api/v1/orders/1", NULL, 0, NULL);
    assert_int_equal(r.status, 405);
    char value[64];
    assert_non_null(header(&r, "Allow", value, sizeof value));
    assert_string_equal(value, "GET, HEAD");
    free(r.body);
    r = http(h, "POST", "/api/v1/orders", "{", 1, "Content-Type: application/json", NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "\"error\":\"Malformed JSON\""));
    free(r.body);
    r = http(h, "POST", "/api/v1/orders", RX_ORDER_BODY, strlen(RX_ORDER_BODY),
             "Content-Type: text/plain", NULL);
    assert_int_equal(r.status, 415);
    free(r.body);
}

static void test_http_list_query_reaches_the_api(void **state)
{
    hx *h = *state;
    for (int i = 0; i < 3; i++) {
        reply c = http(h, "POST", "/api/v1/orders", RX_ORDER_BODY, strlen(RX_ORDER_BODY),
                       "Content-Type: application/json", NULL);
        assert_int_equal(c.status, 201);
        free(c.body);
    }
    reply r = http(h, "GET", "/api/v1/orders/customer/12345?limit=2&status=CONFIRMED", NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    cJSON *arr = cJSON_Parse(r.body);
    assert_int_equal(cJSON_GetArraySize(arr), 2);
    cJSON_Delete(arr);
    char link[256];
    assert_non_null(header(&r, "Link", link, sizeof link));
    free(r.body);
    char next[256];
    const char *start = strchr(link, '<');
    const char *end = strchr(link, '>');
    assert_non_null(start);
    assert_non_null(end);
    memcpy(next, start + 1, (size_t)(end - start - 1));
    next[end - start - 1] = '\0';
    r = http(h, "GET", next, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    arr = cJSON_Parse(r.body);
    assert_true(cJSON_GetArraySize(arr) >= 1);
    assert_true(cJSON_GetArraySize(arr) <= 2);
    cJSON_Delete(arr);
    free(r.body);
}

/* Send raw bytes and read until the server closes; returns the reply. */
static char *raw_exchange(hx *h, const char *request)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)ord_rest_server_port(h->server));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&addr, sizeof addr), 0);
    assert_int_equal(write(fd, request, strlen(request)), (ssize_t)strlen(request));
    size_t cap = 65536;
    char *answer = calloc(1, cap);
    assert_non_null(answer);
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, answer + len, cap - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len + 1 >= cap)
            break;
    }
    close(fd);
    return answer;
}

static void test_http_malformed_request_gets_problem_and_request_id(void **state)
{
    hx *h = *state;
    char *answer = raw_exchange(h, "GET /health/live HTTP/1.1\r\nBroken header line\r\n\r\n");
    assert_true(strncmp(answer, "HTTP/1.1 4", 10) == 0);
    assert_non_null(strstr(answer, "application/problem+json"));
    assert_non_null(strstr(answer, "X-Request-Id: "));
    assert_non_null(strstr(answer, "\"error\":"));
    free(answer);
}

static void test_http_keeps_serving_many_requests_on_one_connection(void **state)
{
    hx *h = *state;
    char *answer = raw_exchange(h, "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n"
                                  "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Request-Id: second\r\n\r\n"
                                  "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    size_t answers = 0;
    for (const char *p = answer; (p = strstr(p, "HTTP/1.1 200")) != NULL; p++)
        answers++;
    assert_int_equal(answers, 3);
    assert_non_null(strstr(answer, "X-Request-Id: second"));
    free(answer);
}

/* Status lines in a raw exchange. */
static size_t count_answers(const char *answer)
{
    size_t n = 0;
    for (const char *p = answer; (p = strstr(p, "HTTP/1.1 ")) != NULL; p++)
        n++;
    return n;
}

static void test_http_head_has_headers_but_no_body_and_204_has_no_length(void **state)
{
    hx *h = *state;
    reply created = http(h, "POST", "/api/v1/orders", RX_ORDER_BODY, strlen(RX_ORDER_BODY),
                         "Content-Type: application/json", NULL);
    assert_int_equal(created.status, 201);
    char location[128];
    assert_non_null(header(&created, "Location", location, sizeof location));
    free(created.body);
    /* Body bytes after a HEAD answer would be taken for the next answer on
     * this connection. */
    char request[1024];
    snprintf(request, sizeof request,
             "HEAD /health/live HTTP/1.1\r\nHost: x\r\n\r\n"
             "HEAD %s HTTP/1.1\r\nHost: x\r\n\r\n"
             "PUT %s/cancel HTTP/1.1\r\nHost: x\r\n\r\n"
             "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
             location, location);
    char *answer = raw_exchange(h, request);
    assert_int_equal(count_answers(answer), 4);
    assert_true(strncmp(answer, "HTTP/1.1 200", 12) == 0);
    const char *second = strstr(answer + 1, "HTTP/1.1 ");
    assert_true(strncmp(second, "HTTP/1.1 200", 12) == 0);
    assert_non_null(strstr(second, "ETag: \""));
    const char *third = strstr(second + 1, "HTTP/1.1 ");
    assert_true(strncmp(third, "HTTP/1.1 204", 12) == 0);
    const char *fourth = strstr(third + 1, "HTTP/1.1 ");
    assert_true(strncmp(fourth, "HTTP/1.1 200", 12) == 0);
    /* Only the GET sent a body; the 204 says no length (RFC 9110 8.6). */
    assert_null(strstr(answer, "\"orderId\""));
    assert_non_null(strstr(fourth, "{\"status\":\"UP\"}"));
    size_t bodies = 0;
    for (const char *p = answer; (p = strstr(p, "{\"status\":\"UP\"}")) != NULL; p++)
        bodies++;
    assert_int_equal(bodies, 1);
    char between[512];
    size_t n = (size_t)(fourth - third) < sizeof between ? (size_t)(fourth - third) : sizeof between - 1;
    memcpy(between, third, n);
    between[n] = '\0';
    assert_null(strstr(between, "Content-Length"));
    free(answer);
}

static void test_http_body_of_exactly_64_kib_is_read(void **state)
{
    hx *h = *state;
    size_t n = ORD_REST_MAX_BODY_BYTES;
    char *body = malloc(n);
    assert_non_null(body);
    memset(body, ' ', n);
    body[0] = '{';
    body[n - 1] = '}';
    reply r = http(h, "POST", "/api/v1/orders", body, n, "Content-Type: application/json", NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "\"error\":\"Validation failed\""));
    free(r.body);
    free(body);
}

static void test_http_deeply_nested_body_is_400_and_the_server_lives(void **state)
{
    hx *h = *state;
    /* cJSON allows 1000 levels; a civetweb worker's stack holds fewer. */
    size_t depth = 900;
    char *body = malloc(2 * depth + 7);
    assert_non_null(body);
    memcpy(body, "{\"a\":", 5);
    memset(body + 5, '[', depth);
    memset(body + 5 + depth, ']', depth);
    memcpy(body + 5 + 2 * depth, "}", 2);
    reply r = http(h, "POST", "/api/v1/orders", body, strlen(body), "Content-Type: application/json", NULL);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.body, "\"error\":\"Malformed JSON\""));
    free(r.body);
    free(body);
    reply live = http(h, "GET", "/health/live", NULL, 0, NULL);
    assert_int_equal(live.status, 200);
    free(live.body);
}

static void test_http_escaped_slash_or_nul_in_the_path_matches_no_route(void **state)
{
    hx *h = *state;
    reply created = http(h, "POST", "/api/v1/orders", RX_ORDER_BODY, strlen(RX_ORDER_BODY),
                         "Content-Type: application/json", NULL);
    assert_int_equal(created.status, 201);
    char location[128];
    assert_non_null(header(&created, "Location", location, sizeof location));
    free(created.body);
    char path[192];
    /* Decoded whole, this path would cancel the order. */
    snprintf(path, sizeof path, "%s/cancel%%00junk", location);
    reply r = http(h, "PUT", path, NULL, 0, NULL);
    assert_int_equal(r.status, 404);
    free(r.body);
    snprintf(path, sizeof path, "%s%%2Fcancel", location);
    r = http(h, "PUT", path, NULL, 0, NULL);
    assert_int_equal(r.status, 405);
    free(r.body);
    snprintf(path, sizeof path, "%s%%00", location);
    r = http(h, "GET", path, NULL, 0, NULL);
    assert_int_equal(r.status, 404);
    free(r.body);
    r = http(h, "GET", location, NULL, 0, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"status\":\"CONFIRMED\""));
    free(r.body);
}

static void test_http_more_headers_than_civetweb_keeps_is_431(void **state)
{
    hx *h = *state;
    size_t orders_before = ord_memory_store_order_count(h->x->store);
    /* civetweb keeps 64 headers; the Idempotency-Key here is the 70th and
     * would be dropped without a word. */
    char request[8192];
    size_t len = (size_t)snprintf(request, sizeof request,
                                  "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\n"
                                  "Content-Type: application/json\r\nContent-Length: %zu\r\n",
                                  strlen(RX_ORDER_BODY));
    for (int i = 0; i < 66; i++)
        len += (size_t)snprintf(request + len, sizeof request - len, "X-Filler-%d: x\r\n", i);
    snprintf(request + len, sizeof request - len, "Idempotency-Key: lost\r\nConnection: close\r\n\r\n%s",
             RX_ORDER_BODY);
    char *answer = raw_exchange(h, request);
    assert_true(strncmp(answer, "HTTP/1.1 431", 12) == 0);
    assert_non_null(strstr(answer, "application/problem+json"));
    assert_non_null(
        strstr(answer, "\"type\":\"" RX_PROBLEM_TYPE_PREFIX "header-fields-too-large\""));
    assert_non_null(strstr(answer, "X-Request-Id: "));
    free(answer);
    assert_int_equal(ord_memory_store_order_count(h->x->store), orders_before);
}

static void test_http_unreadable_chunked_body_gets_the_problem_shape(void **state)
{
    hx *h = *state;
    char *answer = raw_exchange(h, "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\n"
                                   "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                                   "Connection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");
    assert_true(strncmp(answer, "HTTP/1.1 400", 12) == 0);
    assert_non_null(strstr(answer, "application/problem+json"));
    assert_non_null(strstr(answer, "X-Request-Id: "));
    assert_non_null(strstr(answer, "\"error\":\"Bad request\""));
    assert_non_null(strstr(answer, "\"type\":\"" RX_PROBLEM_TYPE_PREFIX "bad-request\""));
    free(answer);
}

#define CLIENTS 4
#define REQUESTS_PER_CLIENT 10

typedef struct client_run {
    hx *h;
    int index;
    int created;
} client_run;

/* One client thread: its own handle, distinct Idempotency-Keys. No cmocka
 * assertions here (they are not thread-safe); the main thread checks. */
static void *client_main(void *arg)
{
    client_run *run = arg;
    CURL *c = curl_easy_init();
    if (c == NULL)
        return NULL;
    char url[128];
    snprintf(url, sizeof url, "%s/api/v1/orders", run->h->base);
    for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
        char key[64];
        snprintf(key, sizeof key, "Idempotency-Key: client-%d-%d", run->index, i);
        struct curl_slist *list = curl_slist_append(NULL, "Content-Type: application/json");
        list = curl_slist_append(list, key);
        reply r;
        memset(&r, 0, sizeof r);
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, RX_ORDER_BODY);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
        long status = 0;
        if (curl_easy_perform(c) == CURLE_OK) {
            curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
            if (status == 201)
                run->created++;
        }
        free(r.body);
        curl_slist_free_all(list);
    }
    curl_easy_cleanup(c);
    return NULL;
}

static void test_http_concurrent_clients_are_all_served(void **state)
{
    hx *h = *state;
    /* Stock for every order: 2 x product 1 and 1 x product 5 each. */
    ord_money price;
    assert_int_equal(ord_money_make(&price, 9999, "USD"), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_product(h->x->ds, 1, price, 1000), ORD_OK);
    assert_int_equal(ord_money_make(&price, 14999, "USD"), ORD_OK);
    assert_int_equal(ord_memory_downstream_set_product(h->x->ds, 5, price, 1000), ORD_OK);
    size_t before = ord_memory_store_order_count(h->x->store);
    pthread_t threads[CLIENTS];
    client_run runs[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        runs[i].h = h;
        runs[i].index = i;
        runs[i].created = 0;
        assert_int_equal(pthread_create(&threads[i], NULL, client_main, &runs[i]), 0);
    }
    int created = 0;
    for (int i = 0; i < CLIENTS; i++) {
        pthread_join(threads[i], NULL);
        created += runs[i].created;
    }
    assert_int_equal(created, CLIENTS * REQUESTS_PER_CLIENT);
    assert_int_equal(ord_memory_store_order_count(h->x->store), before + CLIENTS * REQUESTS_PER_CLIENT);
    assert_int_equal(h->x->wrong_thread_data, 0);
}

static void test_server_warns_that_auth_is_off(void **state)
{
    hx *h = *state;
    fflush(h->server_log);
    rewind(h->server_log);
    char line[512];
    bool warned = false;
    while (fgets(line, sizeof line, h->server_log) != NULL) {
        if (strstr(line, "AUTHENTICATION IS OFF") != NULL && strstr(line, "\"level\":\"warn\"") != NULL)
            warned = true;
    }
    assert_true(warned);
}

static void test_stop_ends_every_worker_with_its_thread_data(void **state)
{
    (void)state;
    void *inner = NULL;
    rx_setup(&inner);
    rx *x = inner;
    hx h;
    memset(&h, 0, sizeof h);
    ord_rest_server_config cfg = ORD_REST_SERVER_CONFIG_INIT;
    cfg.listen = "127.0.0.1:0";
    cfg.num_threads = 3;
    cfg.thread_start = thread_start;
    cfg.thread_stop = thread_stop;
    cfg.thread_ctx = &h;
    ord_rest_server *server = NULL;
    assert_int_equal(ord_rest_server_start(&server, x->api, &cfg), ORD_OK);
    ord_rest_server_stop(server);
    assert_int_equal(atomic_load(&h.started), 3);
    assert_int_equal(atomic_load(&h.stopped), 3);
    rx_teardown(&inner);
}

static void test_start_refuses_bad_settings_and_busy_port(void **state)
{
    hx *h = *state;
    ord_rest_server *other = (ord_rest_server *)1;
    ord_rest_server_config cfg = ORD_REST_SERVER_CONFIG_INIT;
    cfg.num_threads = -1;
    assert_int_equal(ord_rest_server_start(&other, h->x->api, &cfg), ORD_EINVALID);
    assert_null(other);
    char listen[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%d", ord_rest_server_port(h->server));
    cfg = (ord_rest_server_config)ORD_REST_SERVER_CONFIG_INIT;
    cfg.listen = listen;
    cfg.num_threads = 1;
    assert_int_equal(ord_rest_server_start(&other, h->x->api, &cfg), ORD_EUNAVAILABLE);
    assert_null(other);
}

/* One server for the group: stopping civetweb waits for its master
 * thread's poll interval, so a server per test would only add waiting. */
#define T(name) cmocka_unit_test(name)

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        T(test_http_create_then_get_on_one_kept_alive_connection),
        T(test_http_body_over_64_kib_is_413_and_closes),
        T(test_http_request_id_is_echoed_or_generated),
        T(test_http_errors_have_the_problem_shape),
        T(test_http_list_query_reaches_the_api),
        T(test_http_malformed_request_gets_problem_and_request_id),
        T(test_http_keeps_serving_many_requests_on_one_connection),
        T(test_http_head_has_headers_but_no_body_and_204_has_no_length),
        T(test_http_body_of_exactly_64_kib_is_read),
        T(test_http_deeply_nested_body_is_400_and_the_server_lives),
        T(test_http_escaped_slash_or_nul_in_the_path_matches_no_route),
        T(test_http_more_headers_than_civetweb_keeps_is_431),
        T(test_http_unreadable_chunked_body_gets_the_problem_shape),
        T(test_http_concurrent_clients_are_all_served),
        T(test_server_warns_that_auth_is_off),
        T(test_stop_ends_every_worker_with_its_thread_data),
        T(test_start_refuses_bad_settings_and_busy_port),
    };
    int failed = cmocka_run_group_tests(tests, hx_setup, hx_teardown);
    curl_global_cleanup();
    return failed;
}
