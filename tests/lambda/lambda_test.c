/* Lambda test support (see lambda_test.h). */
#include "lambda_test.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <orders/support/base64.h>

extern char **environ;

static fake_rt *runtime;
static pid_t group_bootstrap;
static char db_url[1024];
static unsigned gateway_ids;

/* Settings of every bootstrap of the tests: the fixture's database and
 * simulator, and background timings short enough to watch. */
static const char *const standard[] = {
    "ORDER_AUTH=off",
    "ORDER_AUTH_ADMIN_GROUP=orders-admins",
    "ORDER_PENDING_STALE_MS=500",
    "ORDER_TRACKING_BACKOFF_MIN_MS=200",
    "ORDER_TRACKING_BACKOFF_MAX_MS=1000",
    "ORDER_OUTBOX_BACKOFF_MIN_MS=100",
    "ORDER_OUTBOX_BACKOFF_MAX_MS=1000",
    "ORDER_LEASE_MS=5000",
    "ORDER_BREAKER_OPEN_MS=1000",
    "ORDER_INVENTORY_TIMEOUT_MS=1000",
};

fake_rt *lt_runtime(void)
{
    return runtime;
}

pid_t lt_bootstrap(void)
{
    return group_bootstrap;
}

const char *lt_database_url(void)
{
    return db_url;
}

static bool named_in(const char *entry, const char *const *list, size_t count)
{
    size_t n = strcspn(entry, "=");
    for (size_t i = 0; i < count && list[i] != NULL; i++)
        if (strncmp(list[i], entry, n) == 0 && list[i][n] == '=')
            return true;
    return false;
}

pid_t lt_bootstrap_start(const char *const *extra, const char *log_name)
{
    const char *binary = getenv("LT_BOOTSTRAP");
    if (binary == NULL)
        fail_msg("LT_BOOTSTRAP is not set: run through CTest");
    size_t extra_count = 0;
    while (extra != NULL && extra[extra_count] != NULL)
        extra_count++;
    size_t env_count = 0;
    while (environ[env_count] != NULL)
        env_count++;
    size_t cap = extra_count + sizeof standard / sizeof standard[0] + env_count + 4;
    char **env = calloc(cap, sizeof *env);
    assert_non_null(env);
    static char api[64], db[1100], sim[128];
    snprintf(api, sizeof api, "AWS_LAMBDA_RUNTIME_API=127.0.0.1:%d", fake_rt_port(runtime));
    snprintf(db, sizeof db, "ORDER_DATABASE_URL=%s", db_url);
    snprintf(sim, sizeof sim, "ORDER_DOWNSTREAM_URL=%s", e2e_sim_url());
    size_t n = 0;
    /* The first of a name wins in getenv(): the extras first. */
    for (size_t i = 0; i < extra_count; i++)
        env[n++] = (char *)extra[i];
    const char *const fixed[] = {api, db, sim};
    for (size_t i = 0; i < 3; i++)
        if (!named_in(fixed[i], extra, extra_count))
            env[n++] = (char *)fixed[i];
    for (size_t i = 0; i < sizeof standard / sizeof standard[0]; i++)
        if (!named_in(standard[i], extra, extra_count))
            env[n++] = (char *)standard[i];
    for (size_t i = 0; i < env_count; i++)
        if (strncmp(environ[i], "ORDER_", 6) != 0 &&
            strncmp(environ[i], "AWS_LAMBDA_RUNTIME_API=", 23) != 0)
            env[n++] = environ[i];
    env[n] = NULL;

    char path[1024];
    snprintf(path, sizeof path, "%s/%s", getenv("ORD_E2E_DIR"), log_name);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd < 0)
            _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        close(fd);
        char *argv[] = {(char *)"bootstrap", NULL};
        execve(binary, argv, env);
        _exit(127);
    }
    free(env);
    return pid;
}

int lt_bootstrap_wait(pid_t pid, int sig, int timeout_s)
{
    if (sig != 0)
        kill(pid, sig);
    for (int i = 0; i < timeout_s * 20; i++) {
        int status = 0;
        pid_t done = waitpid(pid, &status, WNOHANG);
        if (done == pid)
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        struct timespec pause = {0, 50000000L};
        nanosleep(&pause, NULL);
    }
    return -1;
}

static void wait_polling(pid_t pid, const char *log_name)
{
    for (int i = 0; i < 600 && fake_rt_waiting(runtime) == 0; i++) {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            char *log = e2e_read_stack_file(log_name);
            fail_msg("bootstrap exited at start: %s", log != NULL ? log : "(no log)");
        }
        struct timespec pause = {0, 50000000L};
        nanosleep(&pause, NULL);
    }
    assert_true(fake_rt_waiting(runtime) > 0);
}

int lt_group_setup(void **state)
{
    return lt_group_start(state, NULL);
}

int lt_group_start(void **state, const char *const *extra)
{
    if (e2e_sim_group_setup(state) != 0)
        return -1;
    char *url = e2e_read_stack_file("db_url");
    if (url == NULL)
        return -1;
    url[strcspn(url, "\r\n")] = '\0';
    snprintf(db_url, sizeof db_url, "%s", url);
    free(url);
    runtime = fake_rt_start();
    if (runtime == NULL)
        return -1;
    group_bootstrap = lt_bootstrap_start(extra, "bootstrap.log");
    wait_polling(group_bootstrap, "bootstrap.log");
    return 0;
}

/* Whether every bootstrap log of the test is free of sanitizer reports and
 * of the database password. */
static bool logs_clean(void)
{
    bool clean = true;
    DIR *dir = opendir(getenv("ORD_E2E_DIR"));
    if (dir == NULL)
        return false;
    for (struct dirent *e; (e = readdir(dir)) != NULL;) {
        size_t n = strlen(e->d_name);
        if (n < 5 || strcmp(e->d_name + n - 4, ".log") != 0)
            continue;
        char *log = e2e_read_stack_file(e->d_name);
        if (log != NULL && (strstr(log, "Sanitizer") != NULL || strstr(log, "e2e-secret-pw") != NULL)) {
            fprintf(stderr, "%s:\n%s\n", e->d_name, log);
            clean = false;
        }
        free(log);
    }
    closedir(dir);
    return clean;
}

int lt_group_teardown(void **state)
{
    int status = lt_bootstrap_wait(group_bootstrap, SIGTERM, 30);
    bool clean = status == 0;
    if (!clean) {
        char *log = e2e_read_stack_file("bootstrap.log");
        fprintf(stderr, "bootstrap exited %d (0 expected), log:\n%s\n", status,
                log != NULL ? log : "(none)");
        free(log);
    }
    clean = logs_clean() && clean;
    fake_rt_stop(runtime);
    runtime = NULL;
    e2e_group_teardown(state);
    return clean ? 0 : -1;
}

fake_post lt_invoke_raw(const char *event, size_t len, int64_t deadline_ms)
{
    char id[64];
    fake_rt_push(runtime, event, len, NULL, deadline_ms, id);
    fake_post post;
    if (!fake_rt_wait(runtime, id, LT_ANSWER_MS, &post))
        fail_msg("no answer to invocation %s in %d ms", id, LT_ANSWER_MS);
    return post;
}

/* Percent-decoding, as API Gateway decodes a query for payload 1.0. */
static char *decoded(const char *s, size_t len)
{
    char *out = malloc(len + 1);
    assert_non_null(out);
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%' && i + 2 < len) {
            char hex[3] = {s[i + 1], s[i + 2], '\0'};
            out[n++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            out[n++] = s[i];
        }
    }
    out[n] = '\0';
    return out;
}

static void add_query_maps(cJSON *event, const char *query)
{
    if (query == NULL || query[0] == '\0') {
        cJSON_AddNullToObject(event, "queryStringParameters");
        cJSON_AddNullToObject(event, "multiValueQueryStringParameters");
        return;
    }
    cJSON *single = cJSON_AddObjectToObject(event, "queryStringParameters");
    cJSON *multi = cJSON_AddObjectToObject(event, "multiValueQueryStringParameters");
    for (const char *p = query; *p != '\0';) {
        size_t len = strcspn(p, "&");
        const char *eq = memchr(p, '=', len);
        size_t key_len = eq != NULL ? (size_t)(eq - p) : len;
        char *key = decoded(p, key_len);
        char *value = eq != NULL ? decoded(eq + 1, len - key_len - 1) : decoded("", 0);
        cJSON *values = cJSON_GetObjectItemCaseSensitive(multi, key);
        if (values == NULL)
            values = cJSON_AddArrayToObject(multi, key);
        cJSON_AddItemToArray(values, cJSON_CreateString(value));
        cJSON_DeleteItemFromObjectCaseSensitive(single, key);
        cJSON_AddStringToObject(single, key, value);
        free(key);
        free(value);
        p += len;
        if (*p == '&')
            p++;
    }
}

static void add_body(cJSON *event, const lt_request *req)
{
    if (req->body == NULL) {
        cJSON_AddNullToObject(event, "body");
        cJSON_AddFalseToObject(event, "isBase64Encoded");
        return;
    }
    if (req->base64) {
        char *b64 = ord_base64_encode(req->body, strlen(req->body), ORD_BASE64_STANDARD);
        assert_non_null(b64);
        cJSON_AddStringToObject(event, "body", b64);
        free(b64);
    } else {
        cJSON_AddStringToObject(event, "body", req->body);
    }
    cJSON_AddBoolToObject(event, "isBase64Encoded", req->base64);
}

char *lt_event(int version, const lt_request *req)
{
    char gateway_id[64];
    if (req->request_id == NULL)
        snprintf(gateway_id, sizeof gateway_id, "gw-%u", ++gateway_ids);
    const char *request_id = req->request_id != NULL ? req->request_id : gateway_id;
    bool has_type = false;
    for (size_t i = 0; req->headers[i] != NULL; i++)
        has_type = has_type || strncasecmp(req->headers[i], "Content-Type:", 13) == 0;
    const char *headers[10];
    size_t header_count = 0;
    for (size_t i = 0; req->headers[i] != NULL; i++)
        headers[header_count++] = req->headers[i];
    if (req->body != NULL && !has_type)
        headers[header_count++] = "Content-Type: application/json";

    cJSON *event = cJSON_CreateObject();
    cJSON *context = cJSON_CreateObject();
    cJSON *single = cJSON_CreateObject();
    if (version == 1) {
        cJSON_AddStringToObject(event, "resource", "/{proxy+}");
        cJSON_AddStringToObject(event, "path", req->path);
        cJSON_AddStringToObject(event, "httpMethod", req->method);
        cJSON *multi = cJSON_CreateObject();
        for (size_t i = 0; i < header_count; i++) {
            const char *colon = strchr(headers[i], ':');
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(colon - headers[i]), headers[i]);
            const char *value = colon + 1;
            while (*value == ' ')
                value++;
            cJSON *values = cJSON_GetObjectItemCaseSensitive(multi, name);
            if (values == NULL)
                values = cJSON_AddArrayToObject(multi, name);
            cJSON_AddItemToArray(values, cJSON_CreateString(value));
            cJSON_DeleteItemFromObjectCaseSensitive(single, name);
            cJSON_AddStringToObject(single, name, value);
        }
        cJSON_AddItemToObject(event, "headers", single);
        cJSON_AddItemToObject(event, "multiValueHeaders", multi);
        add_query_maps(event, req->query);
        cJSON_AddNullToObject(event, "pathParameters");
        cJSON_AddNullToObject(event, "stageVariables");
        cJSON_AddStringToObject(context, "resourcePath", "/{proxy+}");
        cJSON_AddStringToObject(context, "httpMethod", req->method);
        cJSON_AddStringToObject(context, "stage", "prod");
        if (req->claims != NULL)
            cJSON_AddItemToObject(cJSON_AddObjectToObject(context, "authorizer"), "claims",
                                  cJSON_Parse(req->claims));
    } else {
        cJSON_AddStringToObject(event, "version", "2.0");
        cJSON_AddStringToObject(event, "routeKey", "$default");
        cJSON_AddStringToObject(event, "rawPath", req->path);
        cJSON_AddStringToObject(event, "rawQueryString", req->query != NULL ? req->query : "");
        cJSON *cookies = NULL;
        /* HTTP APIs lower-case header names and keep cookies apart. */
        for (size_t i = 0; i < header_count; i++) {
            const char *colon = strchr(headers[i], ':');
            char name[128];
            size_t n = (size_t)(colon - headers[i]);
            for (size_t k = 0; k < n && k < sizeof name - 1; k++)
                name[k] = (char)(headers[i][k] >= 'A' && headers[i][k] <= 'Z'
                                     ? headers[i][k] + 32
                                     : headers[i][k]);
            name[n < sizeof name - 1 ? n : sizeof name - 1] = '\0';
            const char *value = colon + 1;
            while (*value == ' ')
                value++;
            if (strcmp(name, "cookie") == 0) {
                if (cookies == NULL)
                    cookies = cJSON_AddArrayToObject(event, "cookies");
                cJSON_AddItemToArray(cookies, cJSON_CreateString(value));
                continue;
            }
            cJSON_AddStringToObject(single, name, value);
        }
        cJSON_AddItemToObject(event, "headers", single);
        cJSON *http = cJSON_AddObjectToObject(context, "http");
        cJSON_AddStringToObject(http, "method", req->method);
        cJSON_AddStringToObject(http, "path", req->path);
        cJSON_AddStringToObject(http, "protocol", "HTTP/1.1");
        cJSON_AddStringToObject(http, "sourceIp", "203.0.113.7");
        cJSON_AddStringToObject(context, "routeKey", "$default");
        cJSON_AddStringToObject(context, "stage", "$default");
        if (req->claims != NULL || req->scopes != NULL) {
            cJSON *jwt = cJSON_AddObjectToObject(cJSON_AddObjectToObject(context, "authorizer"), "jwt");
            cJSON_AddItemToObject(jwt, "claims",
                                  req->claims != NULL ? cJSON_Parse(req->claims) : cJSON_CreateObject());
            cJSON_AddItemToObject(jwt, "scopes",
                                  req->scopes != NULL ? cJSON_Parse(req->scopes) : cJSON_CreateNull());
        }
    }
    cJSON_AddStringToObject(context, "accountId", "123456789012");
    cJSON_AddStringToObject(context, "requestId", request_id);
    cJSON_AddItemToObject(event, "requestContext", context);
    add_body(event, req);
    char *text = cJSON_PrintUnformatted(event);
    cJSON_Delete(event);
    assert_non_null(text);
    return text;
}

/* "Name: value\r\n" lines into a growing block. */
static void add_line(char **block, size_t *len, const char *name, const char *value)
{
    size_t n = strlen(name) + strlen(value) + 4;
    char *bigger = realloc(*block, *len + n + 1);
    assert_non_null(bigger);
    *block = bigger;
    *len += (size_t)sprintf(*block + *len, "%s: %s\r\n", name, value);
}

lt_http lt_call(int version, const lt_request *req)
{
    char *event = lt_event(version, req);
    fake_post post = lt_invoke_raw(event, strlen(event), 0);
    free(event);
    if (post.error)
        fail_msg("invocation error %s: %s", post.error_type, post.body);
    lt_http h;
    memset(&h, 0, sizeof h);
    h.answer = cJSON_Parse(post.body);
    free(post.body);
    assert_non_null(h.answer);
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(h.answer, "statusCode");
    assert_true(cJSON_IsNumber(code));
    h.reply.status = (long)code->valuedouble;
    char *block = calloc(1, 1);
    size_t len = 0;
    const cJSON *item;
    if (version == 1) {
        cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(h.answer, "multiValueHeaders")) {
            const cJSON *v;
            cJSON_ArrayForEach(v, item) add_line(&block, &len, item->string, v->valuestring);
        }
    } else {
        cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(h.answer, "headers"))
            add_line(&block, &len, item->string, item->valuestring);
        cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(h.answer, "cookies"))
            add_line(&block, &len, "Set-Cookie", item->valuestring);
    }
    h.reply.headers = block;
    const cJSON *body = cJSON_GetObjectItemCaseSensitive(h.answer, "body");
    const cJSON *b64 = cJSON_GetObjectItemCaseSensitive(h.answer, "isBase64Encoded");
    assert_true(cJSON_IsString(body));
    assert_true(cJSON_IsBool(b64));
    if (cJSON_IsTrue(b64)) {
        unsigned char *decoded = NULL;
        assert_int_equal(ord_base64_decode(body->valuestring, strlen(body->valuestring),
                                           ORD_BASE64_STANDARD, SIZE_MAX, &decoded,
                                           &h.reply.body_len),
                         ORD_BASE64_OK);
        h.reply.body = (char *)decoded;
    } else {
        h.reply.body = strdup(body->valuestring);
        assert_non_null(h.reply.body);
        h.reply.body_len = strlen(h.reply.body);
    }
    h.reply.json = h.reply.body_len > 0 ? cJSON_Parse(h.reply.body) : NULL;
    return h;
}

void lt_http_free(lt_http *h)
{
    e2e_reply_free(&h->reply);
    cJSON_Delete(h->answer);
    memset(h, 0, sizeof *h);
}
