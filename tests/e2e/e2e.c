/* End-to-end test support over libcurl and cJSON (see e2e.h). */
#include "e2e.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

static char server_url[64];
static char sim_url[64];

static const char *stack_dir(void)
{
    const char *dir = getenv("ORD_E2E_DIR");
    if (dir == NULL || dir[0] == '\0')
        fail_msg("ORD_E2E_DIR is not set: run through CTest (its fixture starts the stack)");
    return dir;
}

char *e2e_read_stack_file(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", stack_dir(), name);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, len = 0, n;
    char *text = malloc(cap);
    assert_non_null(text);
    while ((n = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap) {
            cap *= 2;
            text = realloc(text, cap);
            assert_non_null(text);
        }
    }
    fclose(f);
    text[len] = '\0';
    return text;
}

static void read_port(const char *name, char *url, size_t cap)
{
    char *text = e2e_read_stack_file(name);
    if (text == NULL)
        fail_msg("the stack has no %s file", name);
    int port = atoi(text);
    free(text);
    assert_true(port > 0 && port < 65536);
    snprintf(url, cap, "http://127.0.0.1:%d", port);
}

int e2e_group_setup(void **state)
{
    (void)state;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    read_port("server_port", server_url, sizeof server_url);
    read_port("sim_port", sim_url, sizeof sim_url);
    return 0;
}

int e2e_sim_group_setup(void **state)
{
    (void)state;
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    read_port("sim_port", sim_url, sizeof sim_url);
    return 0;
}

int e2e_group_teardown(void **state)
{
    (void)state;
    curl_global_cleanup();
    return 0;
}

const char *e2e_server_url(void)
{
    return server_url;
}

const char *e2e_sim_url(void)
{
    return sim_url;
}

typedef struct growing {
    char *data;
    size_t len;
} growing;

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    growing *g = userdata;
    size_t n = size * nmemb;
    char *bigger = realloc(g->data, g->len + n + 1);
    if (bigger == NULL)
        return 0;
    g->data = bigger;
    memcpy(g->data + g->len, ptr, n);
    g->len += n;
    g->data[g->len] = '\0';
    return n;
}

e2e_reply e2e_vcall(const char *base, const char *method, const char *path, const char *body,
                    size_t body_len, const char *const *headers, size_t header_count)
{
    e2e_reply r = {.status = -1};
    growing b = {calloc(1, 1), 0};
    growing h = {calloc(1, 1), 0};
    CURL *curl = curl_easy_init();
    assert_non_null(curl);
    char url[512];
    snprintf(url, sizeof url, "%s%s", base, path);
    struct curl_slist *list = NULL;
    bool has_type = false;
    for (size_t i = 0; i < header_count; i++) {
        list = curl_slist_append(list, headers[i]);
        if (strncasecmp(headers[i], "Content-Type:", 13) == 0)
            has_type = true;
    }
    if (body != NULL && !has_type)
        list = curl_slist_append(list, "Content-Type: application/json");
    list = curl_slist_append(list, "Expect:"); /* no 100-continue round trip */
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    /* An answer to HEAD has no body, whatever its Content-Length says. */
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, &h);
    if (body != NULL) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
    if (curl_easy_perform(curl) == CURLE_OK)
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_cleanup(curl);
    curl_slist_free_all(list);
    r.body = b.data;
    r.body_len = b.len;
    r.headers = h.data;
    r.json = b.len > 0 ? cJSON_ParseWithLength(b.data, b.len) : NULL;
    return r;
}

e2e_reply e2e_call(const char *method, const char *path, const char *body, ...)
{
    const char *headers[16];
    size_t n = 0;
    va_list ap;
    va_start(ap, body);
    for (const char *line; (line = va_arg(ap, const char *)) != NULL;) {
        assert_true(n < 16);
        headers[n++] = line;
    }
    va_end(ap);
    return e2e_vcall(server_url, method, path, body, body != NULL ? strlen(body) : 0, headers, n);
}

void e2e_reply_free(e2e_reply *r)
{
    free(r->body);
    free(r->headers);
    cJSON_Delete(r->json);
    memset(r, 0, sizeof *r);
}

const char *e2e_header(const e2e_reply *r, const char *name, char *buf, size_t cap)
{
    size_t n = strlen(name);
    for (const char *line = r->headers; line != NULL && *line != '\0';) {
        const char *end = strstr(line, "\r\n");
        size_t len = end != NULL ? (size_t)(end - line) : strlen(line);
        if (len > n && strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            size_t vlen = len - (size_t)(v - line);
            snprintf(buf, cap, "%.*s", (int)vlen, v);
            return buf;
        }
        if (end == NULL)
            break;
        line = end + 2;
    }
    return NULL;
}

int64_t e2e_int(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!cJSON_IsNumber(item))
        fail_msg("member \"%s\" is not a number", name);
    return (int64_t)item->valuedouble;
}

const char *e2e_str(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!cJSON_IsString(item))
        fail_msg("member \"%s\" is not a string", name);
    return item->valuestring;
}

int64_t e2e_cents(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!cJSON_IsNumber(item))
        fail_msg("member \"%s\" is not a number", name);
    return (int64_t)llround(item->valuedouble * 100.0);
}

void e2e_assert_problem(const e2e_reply *r, long status, const char *error)
{
    if (r->status != status)
        fail_msg("expected %ld \"%s\", got %ld: %s", status, error, r->status, r->body);
    char type[128];
    assert_non_null(e2e_header(r, "Content-Type", type, sizeof type));
    assert_string_equal(type, "application/problem+json");
    assert_non_null(r->json);
    assert_int_equal(e2e_int(r->json, "status"), status);
    assert_string_equal(e2e_str(r->json, "error"), error);
    assert_string_equal(e2e_str(r->json, "title"), error);
    assert_string_equal(e2e_str(r->json, "message"), e2e_str(r->json, "detail"));
}

static e2e_reply sim_call(const char *method, const char *path, const char *body)
{
    return e2e_vcall(sim_url, method, path, body, body != NULL ? strlen(body) : 0, NULL, 0);
}

void e2e_sim_reset(void)
{
    e2e_reply r = sim_call("POST", "/sim/reset", NULL);
    assert_int_equal(r.status, 204);
    e2e_reply_free(&r);
}

void e2e_fault_json(const char *json)
{
    e2e_reply r = sim_call("PUT", "/sim/faults", json);
    if (r.status != 200)
        fail_msg("PUT /sim/faults %s: %ld %s", json, r.status, r.body);
    e2e_reply_free(&r);
}

void e2e_fault(const char *service, const char *mode)
{
    char json[160];
    snprintf(json, sizeof json, "{\"service\":\"%s\",\"mode\":\"%s\"}", service, mode);
    e2e_fault_json(json);
}

cJSON *e2e_sim_state(void)
{
    e2e_reply r = sim_call("GET", "/sim/state", NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(r.json);
    cJSON *state = r.json;
    r.json = NULL;
    e2e_reply_free(&r);
    return state;
}

void e2e_sim_stock(int64_t product, int64_t *available, int64_t *reserved, int64_t *committed)
{
    cJSON *state = e2e_sim_state();
    const cJSON *p;
    bool found = false;
    cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(state, "products")) {
        if (e2e_int(p, "productId") == product) {
            *available = e2e_int(p, "available");
            *reserved = e2e_int(p, "reserved");
            *committed = e2e_int(p, "committed");
            found = true;
        }
    }
    cJSON_Delete(state);
    if (!found)
        fail_msg("the simulator has no product %lld", (long long)product);
}

static int count_for_order(const char *section, int64_t order_id, const char *status, char *buf,
                           size_t cap)
{
    cJSON *state = e2e_sim_state();
    const cJSON *item;
    int count = 0;
    cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(state, section)) {
        if (e2e_int(item, "orderId") != order_id)
            continue;
        count++;
        if (status != NULL && buf != NULL)
            snprintf(buf, cap, "%s", e2e_str(item, status));
    }
    cJSON_Delete(state);
    return count;
}

const char *e2e_sim_reservation(int64_t order_id, char *buf, size_t cap)
{
    return count_for_order("reservations", order_id, "status", buf, cap) > 0 ? buf : NULL;
}

int e2e_sim_reservation_count(int64_t order_id)
{
    return count_for_order("reservations", order_id, NULL, NULL, 0);
}

int e2e_sim_shipment_count(int64_t order_id)
{
    return count_for_order("shipments", order_id, NULL, NULL, 0);
}

char *e2e_order_body(int64_t customer, const char *items)
{
    char *body = malloc(strlen(items) + 256);
    assert_non_null(body);
    sprintf(body,
            "{\"customerId\":%lld,\"customerName\":\"Ada Lovelace\",\"items\":%s,"
            "\"deliveryAddress\":\"123 Main St, City, State 12345\",\"carrier\":\"DHL\"}",
            (long long)customer, items);
    return body;
}

int64_t e2e_place(int64_t customer, const char *items)
{
    char *body = e2e_order_body(customer, items);
    e2e_reply r = e2e_call("POST", "/api/v1/orders", body, NULL);
    free(body);
    if (r.status != 201)
        fail_msg("placing an order: %ld %s", r.status, r.body);
    int64_t id = e2e_int(r.json, "orderId");
    e2e_reply_free(&r);
    return id;
}

const char *e2e_path(char *buf, size_t cap, int64_t id, const char *suffix)
{
    snprintf(buf, cap, "/api/v1/orders/%lld%s", (long long)id, suffix);
    return buf;
}

cJSON *e2e_get_order(int64_t id)
{
    char path[96];
    e2e_reply r = e2e_call("GET", e2e_path(path, sizeof path, id, ""), NULL, NULL);
    if (r.status != 200)
        fail_msg("GET %s: %ld %s", path, r.status, r.body);
    cJSON *order = r.json;
    r.json = NULL;
    e2e_reply_free(&r);
    return order;
}

const char *e2e_status(int64_t id, char *buf, size_t cap)
{
    cJSON *order = e2e_get_order(id);
    snprintf(buf, cap, "%s", e2e_str(order, "status"));
    cJSON_Delete(order);
    return buf;
}

bool e2e_wait(bool (*cond)(void *ctx), void *ctx)
{
    for (int i = 0; i < E2E_WAIT_S * 10; i++) {
        if (cond(ctx))
            return true;
        struct timespec ts = {0, 100 * 1000000L};
        nanosleep(&ts, NULL);
    }
    return cond(ctx);
}

typedef struct status_wait {
    int64_t id;
    const char *status;
} status_wait;

static bool has_status(void *ctx)
{
    status_wait *w = ctx;
    char buf[32];
    return strcmp(e2e_status(w->id, buf, sizeof buf), w->status) == 0;
}

bool e2e_wait_status(int64_t id, const char *status)
{
    status_wait w = {id, status};
    return e2e_wait(has_status, &w);
}

static bool has_tracking(void *ctx)
{
    cJSON *order = e2e_get_order(*(int64_t *)ctx);
    bool set = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(order, "trackingNumber"));
    cJSON_Delete(order);
    return set;
}

bool e2e_wait_tracking(int64_t id)
{
    return e2e_wait(has_tracking, &id);
}

typedef struct gate {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t waiting, total;
} gate;

typedef struct runner {
    gate *gate;
    e2e_job *job;
} runner;

static void *run_job(void *arg)
{
    runner *r = arg;
    pthread_mutex_lock(&r->gate->mu);
    if (++r->gate->waiting == r->gate->total)
        pthread_cond_broadcast(&r->gate->cv);
    while (r->gate->waiting < r->gate->total)
        pthread_cond_wait(&r->gate->cv, &r->gate->mu);
    pthread_mutex_unlock(&r->gate->mu);
    size_t n = 0;
    while (n < 4 && r->job->headers[n] != NULL)
        n++;
    r->job->reply = e2e_vcall(server_url, r->job->method, r->job->path, r->job->body,
                              r->job->body != NULL ? strlen(r->job->body) : 0, r->job->headers, n);
    return NULL;
}

void e2e_parallel(e2e_job *jobs, size_t count)
{
    gate g = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, count};
    pthread_t threads[64];
    runner runners[64];
    assert_true(count <= 64);
    for (size_t i = 0; i < count; i++) {
        runners[i] = (runner){&g, &jobs[i]};
        assert_int_equal(pthread_create(&threads[i], NULL, run_job, &runners[i]), 0);
    }
    for (size_t i = 0; i < count; i++)
        pthread_join(threads[i], NULL);
}

static void run_script(const char *script, const char *cmd, const char *arg)
{
    char line[2048];
    snprintf(line, sizeof line, "sh '%s' %s '%s' %s", script, cmd, stack_dir(),
             arg != NULL ? arg : "");
    if (system(line) != 0)
        fail_msg("failed: %s", line);
}

static const char *stack_script(void)
{
    const char *s = getenv("ORD_E2E_STACK");
    if (s == NULL)
        fail_msg("ORD_E2E_STACK is not set");
    return s;
}

void e2e_server_stop(const char *signal)
{
    run_script(stack_script(), "stop-server", signal);
}

void e2e_server_start(void)
{
    run_script(stack_script(), "start-server", NULL);
    read_port("server_port", server_url, sizeof server_url);
}

void e2e_instance_start(int n)
{
    char arg[16];
    snprintf(arg, sizeof arg, "%d", n);
    run_script(stack_script(), "start-server", arg);
    if (n == 1)
        read_port("server_port", server_url, sizeof server_url);
}

void e2e_instance_stop(int n, const char *signal)
{
    char arg[48];
    snprintf(arg, sizeof arg, "%s %d", signal, n);
    run_script(stack_script(), "stop-server", arg);
}

void e2e_instance_url(int n, char *url, size_t cap)
{
    char name[32];
    if (n == 1)
        snprintf(name, sizeof name, "server_port");
    else
        snprintf(name, sizeof name, "server%d_port", n);
    read_port(name, url, cap);
}

int e2e_server_command(const char *command)
{
    char line[4096];
    const char *dir = stack_dir();
    snprintf(line, sizeof line,
             "ORDER_DATABASE_URL=\"$(cat '%s/db_url')\" \"$(cat '%s/server_bin')\" %s "
             ">>'%s/command.log' 2>&1",
             dir, dir, command, dir);
    int status = system(line);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void e2e_cluster(const char *cmd)
{
    const char *script = getenv("ORD_E2E_CLUSTER");
    if (script == NULL)
        fail_msg("ORD_E2E_CLUSTER is not set");
    char line[2048];
    snprintf(line, sizeof line, "'%s' %s '%s/cluster' >/dev/null", script, cmd, stack_dir());
    if (system(line) != 0)
        fail_msg("failed: %s", line);
}
