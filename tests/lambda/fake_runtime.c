/* The fake Runtime API (see fake_runtime.h): a queue of invocations and a
 * list of posts under one mutex, civetweb handlers on both ends. */
#include "fake_runtime.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <civetweb.h>

#define MAX_POST_BYTES (16 * 1024 * 1024)
#define PREFIX "/2018-06-01/runtime"

typedef struct invocation {
    struct invocation *next;
    char id[160];
    int64_t deadline_ms;
    char *event;
    size_t len;
} invocation;

typedef struct post_record {
    struct post_record *next;
    char id[160]; /* "" for the init error */
    fake_post post;
} post_record;

struct fake_rt {
    struct mg_context *ctx;
    int port;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    invocation *queue, *tail;
    post_record *posts;
    int waiting;
    unsigned generation;
    bool stopping;
    unsigned counter;
};

static void deadline_in(struct timespec *ts, int ms)
{
    clock_gettime(CLOCK_REALTIME, ts);
    ts->tv_sec += ms / 1000;
    ts->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (ts->tv_nsec >= 1000000000L) {
        ts->tv_sec++;
        ts->tv_nsec -= 1000000000L;
    }
}

static int send_text(struct mg_connection *conn, int status, const char *text)
{
    mg_printf(conn,
              "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
              status, status == 202 ? "Accepted" : status == 200 ? "OK" : "Error", strlen(text),
              text);
    return status;
}

static int next_invocation(struct mg_connection *conn, fake_rt *rt)
{
    pthread_mutex_lock(&rt->mu);
    unsigned generation = rt->generation;
    rt->waiting++;
    pthread_cond_broadcast(&rt->cv);
    while (rt->queue == NULL && !rt->stopping && rt->generation == generation) {
        struct timespec until;
        deadline_in(&until, 200);
        pthread_cond_timedwait(&rt->cv, &rt->mu, &until);
    }
    rt->waiting--;
    invocation *inv = NULL;
    if (!rt->stopping && rt->generation == generation) {
        inv = rt->queue;
        rt->queue = inv->next;
        if (rt->queue == NULL)
            rt->tail = NULL;
    }
    pthread_mutex_unlock(&rt->mu);
    if (inv == NULL)
        return send_text(conn, 500, "{\"errorMessage\":\"the fake is stopping\"}");
    mg_printf(conn,
              "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
              "Lambda-Runtime-Aws-Request-Id: %s\r\n"
              "Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Sampled=0\r\n"
              "Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:eu-west-1:123456789012:function:orders\r\n",
              inv->len, inv->id);
    if (inv->deadline_ms > 0)
        mg_printf(conn, "Lambda-Runtime-Deadline-Ms: %lld\r\n", (long long)inv->deadline_ms);
    mg_printf(conn, "\r\n");
    mg_write(conn, inv->event, inv->len);
    free(inv->event);
    free(inv);
    return 200;
}

static int record_post(struct mg_connection *conn, fake_rt *rt, const char *id, bool error)
{
    post_record *rec = calloc(1, sizeof *rec);
    size_t cap = 65536;
    char *body = malloc(cap);
    if (rec == NULL || body == NULL) {
        free(rec);
        free(body);
        return send_text(conn, 500, "{}");
    }
    size_t len = 0;
    for (;;) {
        if (len + 1 == cap) {
            if (cap >= MAX_POST_BYTES)
                break;
            cap *= 2;
            char *bigger = realloc(body, cap);
            if (bigger == NULL)
                break;
            body = bigger;
        }
        int n = mg_read(conn, body + len, cap - len - 1);
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    body[len] = '\0';
    snprintf(rec->id, sizeof rec->id, "%s", id);
    rec->post.error = error;
    rec->post.body = body;
    rec->post.body_len = len;
    const char *type = mg_get_header(conn, "Lambda-Runtime-Function-Error-Type");
    snprintf(rec->post.error_type, sizeof rec->post.error_type, "%s", type != NULL ? type : "");
    pthread_mutex_lock(&rt->mu);
    rec->next = rt->posts;
    rt->posts = rec;
    pthread_cond_broadcast(&rt->cv);
    pthread_mutex_unlock(&rt->mu);
    return send_text(conn, 202, "{\"status\":\"OK\"}");
}

static int handler(struct mg_connection *conn, void *data)
{
    fake_rt *rt = data;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    const char *path = ri->local_uri + strlen(PREFIX);
    if (strcmp(ri->request_method, "GET") == 0 && strcmp(path, "/invocation/next") == 0)
        return next_invocation(conn, rt);
    if (strcmp(ri->request_method, "POST") != 0)
        return send_text(conn, 405, "{}");
    if (strcmp(path, "/init/error") == 0)
        return record_post(conn, rt, "", true);
    static const char inv[] = "/invocation/";
    if (strncmp(path, inv, sizeof inv - 1) == 0) {
        const char *id = path + sizeof inv - 1;
        const char *slash = strchr(id, '/');
        if (slash != NULL && (size_t)(slash - id) < 160) {
            char copy[160];
            snprintf(copy, sizeof copy, "%.*s", (int)(slash - id), id);
            if (strcmp(slash, "/response") == 0)
                return record_post(conn, rt, copy, false);
            if (strcmp(slash, "/error") == 0)
                return record_post(conn, rt, copy, true);
        }
    }
    return send_text(conn, 404, "{}");
}

fake_rt *fake_rt_start(void)
{
    fake_rt *rt = calloc(1, sizeof *rt);
    if (rt == NULL)
        return NULL;
    pthread_mutex_init(&rt->mu, NULL);
    pthread_cond_init(&rt->cv, NULL);
    const char *options[] = {"listening_ports", "127.0.0.1:0", "num_threads", "8",
                             "enable_keep_alive", "yes", "request_timeout_ms", "600000",
                             /* Headers and body are separate writes: no Nagle delay. */
                             "tcp_nodelay", "1", NULL};
    struct mg_callbacks callbacks;
    memset(&callbacks, 0, sizeof callbacks);
    rt->ctx = mg_start(&callbacks, NULL, options);
    if (rt->ctx == NULL) {
        free(rt);
        return NULL;
    }
    mg_set_request_handler(rt->ctx, PREFIX, handler, rt);
    struct mg_server_port ports[2];
    memset(ports, 0, sizeof ports);
    if (mg_get_server_ports(rt->ctx, 2, ports) < 1) {
        fake_rt_stop(rt);
        return NULL;
    }
    rt->port = ports[0].port;
    return rt;
}

int fake_rt_port(const fake_rt *rt)
{
    return rt->port;
}

void fake_rt_stop(fake_rt *rt)
{
    if (rt == NULL)
        return;
    pthread_mutex_lock(&rt->mu);
    rt->stopping = true;
    pthread_cond_broadcast(&rt->cv);
    pthread_mutex_unlock(&rt->mu);
    if (rt->ctx != NULL)
        mg_stop(rt->ctx);
    while (rt->queue != NULL) {
        invocation *next = rt->queue->next;
        free(rt->queue->event);
        free(rt->queue);
        rt->queue = next;
    }
    while (rt->posts != NULL) {
        post_record *next = rt->posts->next;
        free(rt->posts->post.body);
        free(rt->posts);
        rt->posts = next;
    }
    pthread_cond_destroy(&rt->cv);
    pthread_mutex_destroy(&rt->mu);
    free(rt);
}

void fake_rt_push(fake_rt *rt, const char *event, size_t len, const char *request_id,
                  int64_t deadline_ms, char *id_out)
{
    invocation *inv = calloc(1, sizeof *inv);
    char *copy = malloc(len + 1);
    if (inv == NULL || copy == NULL)
        abort();
    memcpy(copy, event, len);
    copy[len] = '\0';
    inv->event = copy;
    inv->len = len;
    inv->deadline_ms = deadline_ms;
    pthread_mutex_lock(&rt->mu);
    if (request_id != NULL)
        snprintf(inv->id, sizeof inv->id, "%s", request_id);
    else
        snprintf(inv->id, sizeof inv->id, "req-%u", ++rt->counter);
    if (id_out != NULL)
        snprintf(id_out, 64, "%.63s", inv->id);
    if (rt->tail != NULL)
        rt->tail->next = inv;
    else
        rt->queue = inv;
    rt->tail = inv;
    pthread_cond_broadcast(&rt->cv);
    pthread_mutex_unlock(&rt->mu);
}

bool fake_rt_wait(fake_rt *rt, const char *request_id, int timeout_ms, fake_post *post)
{
    const char *id = request_id != NULL ? request_id : "";
    struct timespec until;
    deadline_in(&until, timeout_ms);
    pthread_mutex_lock(&rt->mu);
    for (;;) {
        post_record **link = &rt->posts;
        while (*link != NULL && strcmp((*link)->id, id) != 0)
            link = &(*link)->next;
        if (*link != NULL) {
            post_record *found = *link;
            *link = found->next;
            pthread_mutex_unlock(&rt->mu);
            *post = found->post;
            free(found);
            return true;
        }
        if (pthread_cond_timedwait(&rt->cv, &rt->mu, &until) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&rt->mu);
    memset(post, 0, sizeof *post);
    return false;
}

int fake_rt_waiting(fake_rt *rt)
{
    pthread_mutex_lock(&rt->mu);
    int n = rt->waiting;
    pthread_mutex_unlock(&rt->mu);
    return n;
}

void fake_rt_drop_waiters(fake_rt *rt)
{
    pthread_mutex_lock(&rt->mu);
    rt->generation++;
    pthread_cond_broadcast(&rt->cv);
    pthread_mutex_unlock(&rt->mu);
}
