/* The civetweb transport: checks a request's framing, reads its body
 * against the request's deadline (at most ORD_REST_MAX_BODY_BYTES, never
 * more), calls ord_rest_api_handle() and writes the response whole. A second
 * listener with its own workers serves the operations endpoints only.
 * Everything else lives in the API layer. */
#include <orders/adapters/rest/server.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sys/socket.h>

#include "call.h"
#include "transport.h"

/* How often the watchdog looks at the workers. */
#define WATCH_INTERVAL_MS 100

/* One of the two listeners; civetweb's user data of its context. */
typedef struct rest_listener {
    ord_rest_server *server;
    struct mg_context *ctx;
    bool ops;                /* the operations listener */
    int threads;
    atomic_int connections;  /* being served now: each holds a worker */
    char listen[256];
    int port;
} rest_listener;

typedef struct rest_worker rest_worker;

struct ord_rest_server {
    ord_rest_api *api;
    ord_rest_server_config config;
    rest_listener api_listener;
    rest_listener ops_listener;
    int request_timeout_ms;
    atomic_int in_flight; /* requests being served, for ord_rest_server_drain() */
    atomic_bool draining; /* new API requests are refused with 503 */
    atomic_bool quiescing;    /* every API answer closes its connection */
    atomic_bool closing_idle; /* the watchdog closes idle kept-alive connections */

    /* The watchdog: ends reads past their deadline and, when workers run
     * short, idle kept-alive connections. */
    pthread_mutex_t workers_lock;
    rest_worker **workers; /* the API listener's, registered at thread start */
    size_t worker_count;
    size_t worker_cap;
    pthread_t watchdog;
    bool watchdog_started;
    atomic_bool stopping;
    pthread_mutex_t wake_lock;
    pthread_cond_t wake;
};

/* What a worker is doing, as far as the watchdog cares. */
typedef enum worker_state {
    WORKER_BUSY = 0,   /* anything the watchdog leaves alone */
    WORKER_READING,    /* reading a body until deadline_ms */
    WORKER_KEPT_ALIVE  /* answered; waiting inside civetweb for the next request */
} worker_state;

/* A worker thread's state: the owner's thread data, and the connection it
 * serves now (a worker serves one connection at a time). */
struct rest_worker {
    rest_listener *listener;
    void *user_data;          /* what config.thread_start returned */
    int64_t request_start_ms; /* the current request's deadline counts from here */
    bool refused;             /* a transport refusal ended this connection */

    /* Shared with the watchdog, under guard. */
    pthread_mutex_t guard;
    int fd;                   /* the connection's socket; -1: not known */
    bool fd_looked_up;        /* looked for once on this connection */
    worker_state state;
    int64_t deadline_ms;      /* WORKER_READING: cut the read then */
    int64_t idle_since_ms;    /* WORKER_KEPT_ALIVE: since when */
};

static rest_worker *worker_of(const struct mg_connection *conn)
{
    return mg_get_thread_pointer(conn);
}

/* Look up the connection's socket the first time it may be needed. */
static void know_socket(rest_worker *w, const struct mg_connection *conn)
{
    if (w == NULL || w->fd_looked_up || w->listener->ops)
        return;
    int fd = ord_rest_socket_of(mg_get_request_info(conn));
    pthread_mutex_lock(&w->guard);
    w->fd = fd;
    w->fd_looked_up = true;
    pthread_mutex_unlock(&w->guard);
}

static void set_state(rest_worker *w, worker_state state, int64_t deadline_ms)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->guard);
    w->state = state;
    w->deadline_ms = deadline_ms;
    w->idle_since_ms = ord_rest_monotonic_ms();
    pthread_mutex_unlock(&w->guard);
}

/* The connection ends: its socket number may be reused from now on. */
static void forget_connection(rest_worker *w)
{
    pthread_mutex_lock(&w->guard);
    w->fd = -1;
    w->fd_looked_up = false;
    w->state = WORKER_BUSY;
    pthread_mutex_unlock(&w->guard);
}

static bool short_of_workers(const rest_listener *l)
{
    return atomic_load(&l->connections) * 4 >= l->threads * 3;
}

/* One look at every worker: a body read past its deadline has its socket's
 * read side shut (the blocked read returns at once and the transport
 * answers 408); when three quarters of the workers hold connections, idle
 * kept-alive ones are closed. */
static void watch_once(ord_rest_server *server)
{
    int64_t now = ord_rest_monotonic_ms();
    bool short_of = short_of_workers(&server->api_listener);
    /* closing_idle is read per worker: set meanwhile, it still counts. */
    pthread_mutex_lock(&server->workers_lock);
    for (size_t i = 0; i < server->worker_count; i++) {
        rest_worker *w = server->workers[i];
        pthread_mutex_lock(&w->guard);
        if (w->fd >= 0 && w->state == WORKER_READING && now >= w->deadline_ms) {
            shutdown(w->fd, SHUT_RD);
            w->state = WORKER_BUSY;
        } else if (w->fd >= 0 && w->state == WORKER_KEPT_ALIVE &&
                   (short_of || atomic_load(&server->closing_idle))) {
            shutdown(w->fd, SHUT_RDWR);
            w->state = WORKER_BUSY;
        }
        pthread_mutex_unlock(&w->guard);
    }
    pthread_mutex_unlock(&server->workers_lock);
}

static void *watchdog_run(void *arg)
{
    ord_rest_server *server = arg;
    pthread_mutex_lock(&server->wake_lock);
    while (!atomic_load(&server->stopping)) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += WATCH_INTERVAL_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&server->wake, &server->wake_lock, &until);
        pthread_mutex_unlock(&server->wake_lock);
        watch_once(server);
        pthread_mutex_lock(&server->wake_lock);
    }
    pthread_mutex_unlock(&server->wake_lock);
    return NULL;
}

static bool register_worker(ord_rest_server *server, rest_worker *w)
{
    pthread_mutex_lock(&server->workers_lock);
    bool ok = true;
    if (server->worker_count == server->worker_cap) {
        size_t cap = server->worker_cap == 0 ? 16 : server->worker_cap * 2;
        rest_worker **grown = realloc(server->workers, cap * sizeof *grown);
        if (grown == NULL) {
            ok = false;
        } else {
            server->workers = grown;
            server->worker_cap = cap;
        }
    }
    if (ok)
        server->workers[server->worker_count++] = w;
    pthread_mutex_unlock(&server->workers_lock);
    return ok;
}

static void unregister_worker(ord_rest_server *server, rest_worker *w)
{
    pthread_mutex_lock(&server->workers_lock);
    for (size_t i = 0; i < server->worker_count; i++) {
        if (server->workers[i] == w) {
            server->workers[i] = server->workers[--server->worker_count];
            break;
        }
    }
    pthread_mutex_unlock(&server->workers_lock);
}

static void count_refusal(ord_rest_server *server, const char *method, int status,
                          const char *request_id)
{
    const ord_rest_api_config *cfg = &server->api->config;
    size_t routes = 0;
    ord_rest_route_table(&routes);
    if (cfg->metrics != NULL)
        ord_rest_metrics_record(cfg->metrics, method, routes, status, 0.0);
    ord_rest_access_log(cfg->access_log, request_id, method, REST_UNMATCHED_ROUTE, status, 0.0);
}

/* A refusal by the transport itself, counted and logged like any request;
 * the connection closes. */
static int refuse_as(struct mg_connection *conn, int status, rest_problem_type type,
                     const char *title, const char *detail, int retry_after_s, bool method_parsed)
{
    rest_worker *w = worker_of(conn);
    const struct mg_request_info *ri = mg_get_request_info(conn);
    bool head = ri != NULL && ri->request_method != NULL && strcmp(ri->request_method, "HEAD") == 0;
    char request_id[65];
    ord_rest_wire_problem(conn, status, type, title, detail, retry_after_s, head, request_id);
    if (w != NULL) {
        w->refused = true;
        /* The method of a request civetweb could not parse is not trusted. */
        const char *method = method_parsed && ri != NULL && ri->request_method != NULL
                                 ? ri->request_method
                                 : "OTHER";
        count_refusal(w->listener->server, method, status, request_id);
    }
    return status;
}

static int refuse(struct mg_connection *conn, int status, rest_problem_type type, const char *title,
                  const char *detail, int retry_after_s)
{
    return refuse_as(conn, status, type, title, detail, retry_after_s, true);
}

/* Whether a comma-separated header value lists @p token (any case). */
static bool lists_token(const char *value, const char *token)
{
    size_t n = strlen(token);
    for (const char *p = value; *p != '\0';) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        size_t len = strcspn(p, ",");
        size_t trimmed = len;
        while (trimmed > 0 && (p[trimmed - 1] == ' ' || p[trimmed - 1] == '\t'))
            trimmed--;
        if (trimmed == n && strncasecmp(p, token, n) == 0)
            return true;
        p += len;
    }
    return false;
}

/* Whether the connection may stay open after this answer. */
static bool keep_alive(const rest_listener *l, const struct mg_request_info *ri,
                       const ord_rest_response *res)
{
    if (res->close_connection || atomic_load(&l->server->draining) ||
        (!l->ops && atomic_load(&l->server->quiescing)))
        return false;
    /* Short of workers: idle kept-alive connections would hold them. */
    if (short_of_workers(l))
        return false;
    const char *connection = NULL;
    for (int i = 0; i < ri->num_headers; i++)
        if (strcasecmp(ri->http_headers[i].name, "Connection") == 0)
            connection = ri->http_headers[i].value;
    bool http10 = ri->http_version != NULL && strcmp(ri->http_version, "1.0") == 0;
    if (connection != NULL && lists_token(connection, "close"))
        return false;
    return !http10 || (connection != NULL && lists_token(connection, "keep-alive"));
}

static bool is_ops_path(const char *path)
{
    return strcmp(path, "/health/live") == 0 || strcmp(path, "/health/ready") == 0 ||
           strcmp(path, "/metrics") == 0;
}

static int serve(struct mg_connection *conn, rest_listener *l)
{
    ord_rest_server *server = l->server;
    rest_worker *w = worker_of(conn);
    const struct mg_request_info *ri = mg_get_request_info(conn);
    /* civetweb keeps MG_MAX_HEADERS headers and drops the rest unseen: an
     * Idempotency-Key or Content-Type among them would silently not count. */
    if (ri->num_headers >= MG_MAX_HEADERS)
        return refuse(conn, 431, REST_PROBLEM_HEADER_FIELDS_TOO_LARGE,
                      "Request header fields too large",
                      "The request has more header fields than this server reads", 0);
    rest_framing framing;
    ord_rest_check_framing(ri, &framing);
    if (framing.refuse_status != 0)
        return refuse(conn, framing.refuse_status,
                      framing.refuse_status == 417 ? REST_PROBLEM_EXPECTATION_FAILED
                                                   : REST_PROBLEM_BAD_REQUEST,
                      framing.refuse_status == 417 ? "Expectation failed" : "Bad request",
                      framing.refuse_detail, 0);
    const char *path = ri->local_uri_raw != NULL ? ri->local_uri_raw : ri->local_uri;
    bool read_only = strcmp(ri->request_method, "GET") == 0 ||
                     strcmp(ri->request_method, "HEAD") == 0;
    if (l->ops && (!read_only || !is_ops_path(path)))
        return refuse(conn, 404, REST_PROBLEM_NOT_FOUND, "Not found",
                      "This listener serves /health/live, /health/ready and /metrics only", 0);

    int64_t deadline = (w != NULL ? w->request_start_ms : ord_rest_monotonic_ms()) +
                       server->request_timeout_ms;
    char *body = NULL;
    size_t body_len = 0;
    if (framing.chunked || framing.content_length > 0) {
        know_socket(w, conn);
        set_state(w, WORKER_READING, deadline);
    }
    rest_body_status got = ord_rest_read_body(conn, &framing, deadline, &body, &body_len);
    set_state(w, WORKER_BUSY, 0);
    if (got == REST_BODY_TIMEOUT)
        return refuse(conn, 408, REST_PROBLEM_REQUEST_TIMEOUT, "Request timeout",
                      "The request did not arrive whole within the server's time limit", 0);
    if (got == REST_BODY_BROKEN)
        return refuse(conn, 400, REST_PROBLEM_BAD_REQUEST, "Bad request",
                      "The request body ended early or its chunked framing is broken", 0);
    if (got == REST_BODY_NO_MEMORY)
        return refuse(conn, 503, REST_PROBLEM_UNAVAILABLE, "Service unavailable",
                      "The server is short of memory; retry",
                      server->api->config.retry_after_seconds > 0
                          ? server->api->config.retry_after_seconds
                          : 5);

    ord_rest_header headers[MG_MAX_HEADERS];
    size_t count = 0;
    for (int i = 0; i < ri->num_headers && i < MG_MAX_HEADERS; i++) {
        headers[count].name = ri->http_headers[i].name;
        headers[count].value = ri->http_headers[i].value != NULL ? ri->http_headers[i].value : "";
        count++;
    }
    ord_rest_request req = {
        .method = ri->request_method,
        .path = path,
        .query = ri->query_string,
        .headers = headers,
        .header_count = count,
        .body = body,
        .body_len = body_len,
        .body_too_large = got == REST_BODY_TOO_LARGE,
        .principal = NULL,
        .thread_data = w != NULL ? w->user_data : NULL,
        .remote_addr = ri->remote_addr,
    };
    ord_rest_response res;
    ord_rest_api_handle(server->api, &req, &res);
    rest_wire_answer answer = {
        .status = res.status,
        .headers = res.headers,
        .header_count = res.header_count,
        .body = res.body,
        .body_len = res.body_len,
        .head = strcmp(ri->request_method, "HEAD") == 0,
        /* A body left unread is never drained: the connection closes. */
        .close = got == REST_BODY_TOO_LARGE || !keep_alive(l, ri, &res),
    };
    ord_rest_wire_send(conn, &answer);
    int status = res.status;
    ord_rest_response_free(&res);
    free(body);
    if (w != NULL) {
        w->request_start_ms = ord_rest_monotonic_ms();
        if (!answer.close) {
            know_socket(w, conn);
            set_state(w, WORKER_KEPT_ALIVE, 0);
        }
    }
    return status;
}

static int handle_request(struct mg_connection *conn, void *cbdata)
{
    rest_listener *l = cbdata;
    ord_rest_server *server = l->server;
    set_state(worker_of(conn), WORKER_BUSY, 0);
    atomic_fetch_add(&server->in_flight, 1);
    int status;
    if (!l->ops && atomic_load(&server->draining)) {
        /* The client goes to another instance. */
        const ord_rest_api_config *cfg = &server->api->config;
        status = refuse(conn, 503, REST_PROBLEM_UNAVAILABLE, "Service unavailable",
                        "The server is shutting down; retry",
                        cfg->retry_after_seconds > 0 ? cfg->retry_after_seconds : 5);
    } else {
        status = serve(conn, l);
    }
    atomic_fetch_sub(&server->in_flight, 1);
    return status;
}

/* civetweb's own refusals (malformed request line, headers too large...)
 * get the API's error shape too. */
static int handle_http_error(struct mg_connection *conn, int status, const char *message)
{
    (void)message; /* civetweb's text may quote the request: never sent */
    const struct mg_request_info *ri = mg_get_request_info(conn);
    if (status == 411) {
        /* civetweb's answer to an empty or unparsable Content-Length. */
        refuse_as(conn, 400, REST_PROBLEM_BAD_REQUEST, "Bad request",
                  "Content-Length must be a decimal number of bytes", 0, false);
        return 0;
    }
    if (status == 404 && ri != NULL && ri->local_uri != NULL &&
        mg_get_header(conn, "Upgrade") != NULL) {
        /* civetweb took it for a WebSocket request without a handler. */
        refuse_as(conn, 400, REST_PROBLEM_BAD_REQUEST, "Bad request",
                  "This server does not upgrade connections", 0, true);
        return 0;
    }
    static const struct {
        int status;
        rest_problem_type type;
        const char *title;
    } known[] = {
        {400, REST_PROBLEM_BAD_REQUEST, "Bad request"},
        {413, REST_PROBLEM_PAYLOAD_TOO_LARGE, "Payload too large"},
        {431, REST_PROBLEM_HEADER_FIELDS_TOO_LARGE, "Request header fields too large"},
        {405, REST_PROBLEM_METHOD_NOT_ALLOWED, "Method not allowed"},
        {404, REST_PROBLEM_NOT_FOUND, "Not found"},
        {505, REST_PROBLEM_HTTP_VERSION, "HTTP version not supported"},
    };
    rest_problem_type type =
        status >= 500 ? REST_PROBLEM_INTERNAL_ERROR : REST_PROBLEM_REQUEST_REFUSED;
    const char *title = status >= 500 ? "Internal error" : "Request refused";
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (known[i].status == status) {
            type = known[i].type;
            title = known[i].title;
        }
    }
    refuse_as(conn, status, type, title, "The HTTP request could not be processed", 0, false);
    return 0;
}

static int init_connection(const struct mg_connection *conn, void **conn_data)
{
    (void)conn_data;
    rest_worker *w = worker_of(conn);
    if (w != NULL) {
        w->request_start_ms = ord_rest_monotonic_ms();
        w->refused = false;
        forget_connection(w);
        atomic_fetch_add(&w->listener->connections, 1);
    }
    return 0;
}

/* civetweb closes silently after a request line it does not route: a
 * target in absolute form naming another server, or "OPTIONS *". Answer
 * those before the connection ends. */
static void connection_close(const struct mg_connection *conn)
{
    rest_worker *w = worker_of(conn);
    if (w == NULL)
        return;
    forget_connection(w);
    atomic_fetch_sub(&w->listener->connections, 1);
    const struct mg_request_info *ri = mg_get_request_info(conn);
    if (w->refused || ri == NULL || ri->request_method == NULL || ri->request_uri == NULL ||
        ri->local_uri != NULL)
        return;
    struct mg_connection *c = (struct mg_connection *)conn; /* still open: answer on it */
    if (strcmp(ri->request_uri, "*") == 0) {
        static const ord_rest_header allow[] = {{"Allow", "GET, HEAD, POST, PUT"}};
        rest_wire_answer a = {.status = 204, .headers = allow, .header_count = 1, .close = true};
        ord_rest_wire_send(c, &a);
    } else if (strstr(ri->request_uri, "://") != NULL) {
        refuse_as(c, 400, REST_PROBLEM_BAD_REQUEST, "Bad request",
                  "The request target names another server; this server is not a proxy", 0,
                  false);
    }
}

static void *init_thread(const struct mg_context *ctx, int thread_type)
{
    rest_listener *l = mg_get_user_data(ctx);
    if (thread_type != 1 || l == NULL)
        return NULL;
    rest_worker *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    if (pthread_mutex_init(&w->guard, NULL) != 0) {
        free(w);
        return NULL;
    }
    w->listener = l;
    w->fd = -1;
    if (!l->ops && !register_worker(l->server, w)) {
        pthread_mutex_destroy(&w->guard);
        free(w);
        return NULL;
    }
    const ord_rest_server_config *c = &l->server->config;
    w->user_data = c->thread_start != NULL ? c->thread_start(c->thread_ctx) : NULL;
    w->request_start_ms = ord_rest_monotonic_ms();
    return w;
}

static void exit_thread(const struct mg_context *ctx, int thread_type, void *thread_data)
{
    rest_listener *l = mg_get_user_data(ctx);
    rest_worker *w = thread_data;
    if (thread_type != 1 || l == NULL || w == NULL)
        return;
    const ord_rest_server_config *c = &l->server->config;
    if (c->thread_stop != NULL)
        c->thread_stop(c->thread_ctx, w->user_data);
    if (!l->ops)
        unregister_worker(l->server, w);
    pthread_mutex_destroy(&w->guard);
    free(w);
}

static int log_message(const struct mg_connection *conn, const char *message)
{
    const struct mg_context *ctx = mg_get_context(conn);
    rest_listener *l = ctx != NULL ? mg_get_user_data(ctx) : NULL;
    if (l != NULL)
        ord_rest_log_event(l->server->config.log, "warn", message);
    return 1;
}

/* Requests are authenticated by the API itself (bearer tokens). Without
 * an authorization handler civetweb 1.15 looks for a password file on every
 * request (a stat or open of ".htpasswd"); this one lets every request on. */
static int allow_request(struct mg_connection *conn, void *data)
{
    (void)conn;
    (void)data;
    return 1;
}

static bool start_listener(rest_listener *l, const char *listen, int threads, int keep_alive_ms)
{
    snprintf(l->listen, sizeof l->listen, "%s", listen);
    l->threads = threads;
    char thread_text[16], request_timeout[16], keep_alive_timeout[16];
    snprintf(thread_text, sizeof thread_text, "%d", threads);
    snprintf(request_timeout, sizeof request_timeout, "%d", l->server->request_timeout_ms);
    snprintf(keep_alive_timeout, sizeof keep_alive_timeout, "%d", keep_alive_ms);
    const char *options[] = {
        "listening_ports", l->listen,
        "num_threads", thread_text,
        "enable_keep_alive", "yes",
        /* The header read's deadline; the body's is the transport's own. */
        "request_timeout_ms", request_timeout,
        "keep_alive_timeout_ms", keep_alive_timeout,
        "tcp_nodelay", "1",
        /* The API decodes each path segment itself: decoded by civetweb,
         * %2F would split a segment and %00 would cut the path short. */
        "decode_url", "no",
        /* A target in absolute form naming this server's port is served;
         * the host is not matched against a configured name. */
        "enable_auth_domain_check", "no",
        NULL,
    };
    struct mg_callbacks callbacks;
    memset(&callbacks, 0, sizeof callbacks);
    callbacks.init_thread = init_thread;
    callbacks.exit_thread = exit_thread;
    callbacks.init_connection = init_connection;
    callbacks.connection_close = connection_close;
    callbacks.http_error = handle_http_error;
    callbacks.log_message = log_message;
    l->ctx = mg_start(&callbacks, l, options);
    if (l->ctx == NULL)
        return false;
    mg_set_auth_handler(l->ctx, "/", allow_request, NULL);
    mg_set_request_handler(l->ctx, "/", handle_request, l);
    struct mg_server_port ports[4];
    memset(ports, 0, sizeof ports);
    int n = mg_get_server_ports(l->ctx, 4, ports);
    l->port = n > 0 ? ports[0].port : -1;
    return true;
}

static void free_server(ord_rest_server *server)
{
    pthread_cond_destroy(&server->wake);
    pthread_mutex_destroy(&server->wake_lock);
    pthread_mutex_destroy(&server->workers_lock);
    free(server->workers);
    free(server);
}

static bool config_ok(const ord_rest_server_config *c)
{
    return c->listen != NULL && c->listen[0] != '\0' && strlen(c->listen) < 256 &&
           c->num_threads >= 0 && c->num_threads <= 4096 && c->request_timeout_ms >= 0 &&
           c->keep_alive_timeout_ms >= 0 && c->ops_threads >= 0 && c->ops_threads <= 64 &&
           (c->ops_listen == NULL || strlen(c->ops_listen) < 256);
}

ord_error ord_rest_server_start(ord_rest_server **out, ord_rest_api *api,
                                const ord_rest_server_config *config)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    if (api == NULL || config == NULL || config->version < 1 ||
        config->version > ORD_REST_SERVER_CONFIG_VERSION)
        return ORD_EINVALID;
    /* A version 1 caller's struct ends before the operations listener. */
    ord_rest_server_config c = ORD_REST_SERVER_CONFIG_INIT;
    memcpy(&c, config, config->version == 1 ? offsetof(ord_rest_server_config, ops_listen)
                                            : sizeof c);
    if (config->version == 1) {
        c.ops_listen = NULL;
        c.ops_threads = 0;
    }
    if (!config_ok(&c))
        return ORD_EINVALID;
    ord_rest_server *server = calloc(1, sizeof *server);
    if (server == NULL)
        return ORD_ENOMEM;
    server->api = api;
    server->config = c;
    server->request_timeout_ms = c.request_timeout_ms > 0 ? c.request_timeout_ms : 10000;
    int keep_alive_ms = c.keep_alive_timeout_ms > 0 ? c.keep_alive_timeout_ms : 5000;
    pthread_mutex_init(&server->workers_lock, NULL);
    pthread_mutex_init(&server->wake_lock, NULL);
    pthread_cond_init(&server->wake, NULL);
    server->api_listener.server = server;
    server->ops_listener.server = server;
    server->ops_listener.ops = true;
    server->ops_listener.port = -1;

    mg_init_library(0);
    int threads = c.num_threads > 0 ? c.num_threads : 16;
    bool ok = start_listener(&server->api_listener, c.listen, threads, keep_alive_ms);
    if (ok && c.ops_listen != NULL && c.ops_listen[0] != '\0')
        ok = start_listener(&server->ops_listener, c.ops_listen,
                            c.ops_threads > 0 ? c.ops_threads : 2, keep_alive_ms);
    if (ok)
        ok = server->watchdog_started =
            pthread_create(&server->watchdog, NULL, watchdog_run, server) == 0;
    if (!ok) {
        if (server->ops_listener.ctx != NULL)
            mg_stop(server->ops_listener.ctx);
        if (server->api_listener.ctx != NULL)
            mg_stop(server->api_listener.ctx);
        mg_exit_library();
        ord_rest_log_event(c.log, "error", "HTTP server could not start (is the port in use?)");
        free_server(server);
        return ORD_EUNAVAILABLE;
    }
    server->config.listen = server->api_listener.listen;
    server->config.ops_listen = server->ops_listener.ctx != NULL ? server->ops_listener.listen
                                                                  : NULL;
    char line[160];
    snprintf(line, sizeof line, "HTTP server listening on port %d with %d worker threads",
             server->api_listener.port, threads);
    ord_rest_log_event(c.log, "info", line);
    if (server->ops_listener.ctx != NULL) {
        snprintf(line, sizeof line,
                 "operations listener (/health, /metrics) on port %d with %d worker threads",
                 server->ops_listener.port, server->ops_listener.threads);
        ord_rest_log_event(c.log, "info", line);
    }
    if (strcmp(ord_rest_api_auth_name(api), "off") == 0)
        ord_rest_log_event(c.log, "warn",
                           "AUTHENTICATION IS OFF: every caller is treated as an admin; "
                           "do not expose this server");
    *out = server;
    return ORD_OK;
}

int ord_rest_server_port(const ord_rest_server *server)
{
    return server != NULL ? server->api_listener.port : -1;
}

int ord_rest_server_ops_port(const ord_rest_server *server)
{
    return server != NULL && server->ops_listener.ctx != NULL ? server->ops_listener.port : -1;
}

void ord_rest_server_quiesce(ord_rest_server *server)
{
    if (server != NULL)
        atomic_store(&server->quiescing, true);
}

ord_error ord_rest_server_stop_accepting(ord_rest_server *server)
{
    if (server == NULL)
        return ORD_OK;
    atomic_store(&server->quiescing, true);
    atomic_store(&server->closing_idle, true);
    return ord_rest_close_listener(server->api_listener.port) ? ORD_OK : ORD_EUNAVAILABLE;
}

int ord_rest_server_drain(ord_rest_server *server, int timeout_ms)
{
    if (server == NULL)
        return 0;
    atomic_store(&server->draining, true);
    struct timespec tick = {0, 10 * 1000000L};
    for (int waited = 0; atomic_load(&server->in_flight) > 0 && waited < timeout_ms; waited += 10)
        nanosleep(&tick, NULL);
    return atomic_load(&server->in_flight);
}

void ord_rest_server_stop(ord_rest_server *server)
{
    if (server == NULL)
        return;
    /* The watchdog first: the workers it watches end with the contexts. */
    pthread_mutex_lock(&server->wake_lock);
    atomic_store(&server->stopping, true);
    pthread_cond_signal(&server->wake);
    pthread_mutex_unlock(&server->wake_lock);
    if (server->watchdog_started)
        pthread_join(server->watchdog, NULL);
    if (server->ops_listener.ctx != NULL)
        mg_stop(server->ops_listener.ctx);
    mg_stop(server->api_listener.ctx);
    mg_exit_library();
    ord_rest_log_event(server->config.log, "info", "HTTP server stopped");
    free_server(server);
}
