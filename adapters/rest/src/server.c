/* The civetweb transport: reads a request (body at most
 * ORD_REST_MAX_BODY_BYTES, never more), calls ord_rest_api_handle() and
 * writes the response. Everything else lives in the API layer. */
#include <orders/adapters/rest/server.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <civetweb.h>

#include "call.h"
#include "request_id.h"

struct ord_rest_server {
    struct mg_context *ctx;
    ord_rest_api *api;
    ord_rest_server_config config;
    char listen[256];
    int port;
    atomic_int in_flight; /* requests being served, for ord_rest_server_drain() */
    atomic_bool draining; /* new requests are refused with 503 */
};

/* Read the body: the whole of it when it fits, else stop one byte past the
 * limit (or before reading at all when Content-Length says so). */
static char *read_body(struct mg_connection *conn, const struct mg_request_info *ri, size_t *len,
                       bool *too_large, bool *failed)
{
    *len = 0;
    *too_large = false;
    *failed = false;
    if (ri->content_length > (long long)ORD_REST_MAX_BODY_BYTES) {
        *too_large = true;
        return NULL;
    }
    size_t cap = ri->content_length > 0 ? (size_t)ri->content_length + 1 : 4096;
    char *body = malloc(cap);
    if (body == NULL) {
        *failed = true;
        return NULL;
    }
    for (;;) {
        if (*len + 1 >= cap) {
            /* Room for one byte past the limit, so that a body of
             * exactly the limit reads to its end and is accepted. */
            if (cap >= ORD_REST_MAX_BODY_BYTES + 2) {
                *too_large = true;
                break;
            }
            size_t grown_cap = cap * 2 > ORD_REST_MAX_BODY_BYTES + 2 ? ORD_REST_MAX_BODY_BYTES + 2 : cap * 2;
            char *grown = realloc(body, grown_cap);
            if (grown == NULL) {
                *failed = true;
                break;
            }
            body = grown;
            cap = grown_cap;
        }
        int n = mg_read(conn, body + *len, cap - 1 - *len);
        if (n < 0) {
            *failed = true;
            break;
        }
        if (n == 0)
            break;
        *len += (size_t)n;
        if (*len > ORD_REST_MAX_BODY_BYTES) {
            *too_large = true;
            break;
        }
    }
    if (*too_large || *failed) {
        free(body);
        *len = 0;
        return NULL;
    }
    body[*len] = '\0';
    return body;
}

/* A 204 carries no Content-Length (RFC 9110 8.6), and the answer to HEAD
 * has the headers of GET but no body: body bytes after it would be read as
 * the next response on a kept-alive connection. */
static void write_response(struct mg_connection *conn, const ord_rest_response *res, bool head)
{
    mg_response_header_start(conn, res->status);
    for (size_t i = 0; i < res->header_count; i++)
        mg_response_header_add(conn, res->headers[i].name, res->headers[i].value, -1);
    if (res->status != 204) {
        char length[32];
        snprintf(length, sizeof length, "%zu", res->body != NULL ? res->body_len : 0);
        mg_response_header_add(conn, "Content-Length", length, -1);
    }
    if (res->close_connection)
        mg_response_header_add(conn, "Connection", "close", -1);
    mg_response_header_send(conn);
    if (!head && res->status != 204 && res->body != NULL && res->body_len > 0)
        mg_write(conn, res->body, res->body_len);
}

static int handle_http_error(struct mg_connection *conn, int status, const char *message);

static int serve_request(struct mg_connection *conn, void *cbdata)
{
    ord_rest_server *server = cbdata;
    const struct mg_request_info *ri = mg_get_request_info(conn);
    /* civetweb keeps MG_MAX_HEADERS headers and drops the rest unseen: an
     * Idempotency-Key or Content-Type among them would silently not count. */
    if (ri->num_headers >= MG_MAX_HEADERS) {
        handle_http_error(conn, 431, NULL);
        return 431;
    }
    ord_rest_header headers[MG_MAX_HEADERS];
    size_t count = 0;
    for (int i = 0; i < ri->num_headers && i < MG_MAX_HEADERS; i++) {
        headers[count].name = ri->http_headers[i].name;
        headers[count].value = ri->http_headers[i].value != NULL ? ri->http_headers[i].value : "";
        count++;
    }
    size_t body_len = 0;
    bool too_large = false;
    bool failed = false;
    char *body = read_body(conn, ri, &body_len, &too_large, &failed);
    ord_rest_request req = {
        .method = ri->request_method,
        .path = ri->local_uri_raw != NULL ? ri->local_uri_raw : ri->local_uri,
        .query = ri->query_string,
        .headers = headers,
        .header_count = count,
        .body = body,
        .body_len = body_len,
        .body_too_large = too_large,
        .principal = NULL,
        .thread_data = mg_get_thread_pointer(conn),
    };
    ord_rest_response res;
    if (failed) {
        /* A broken chunked body, a client that stalled or went away, or no
         * memory: still the error shape, in case anyone is listening. */
        free(body);
        handle_http_error(conn, 400, NULL);
        return 400;
    }
    ord_rest_api_handle(server->api, &req, &res);
    write_response(conn, &res, strcmp(ri->request_method, "HEAD") == 0);
    int status = res.status;
    ord_rest_response_free(&res);
    free(body);
    return status;
}

/* A request that arrives while the server drains: 503, and the connection
 * closes so the client goes to another instance. */
static int refuse_while_draining(struct mg_connection *conn, ord_rest_server *server)
{
    char request_id[REST_REQUEST_ID_SIZE];
    ord_rest_request_id_generate(request_id, sizeof request_id);
    static const char body[] =
        "{\"type\":\"about:blank\",\"title\":\"Service unavailable\",\"status\":503,"
        "\"detail\":\"The server is shutting down; retry\",\"error\":\"Service unavailable\","
        "\"message\":\"The server is shutting down; retry\"}";
    const ord_rest_api_config *cfg = &server->api->config;
    char retry_after[16];
    char length[32];
    snprintf(retry_after, sizeof retry_after, "%d",
             cfg->retry_after_seconds > 0 ? cfg->retry_after_seconds : 5);
    snprintf(length, sizeof length, "%zu", sizeof body - 1);
    mg_response_header_start(conn, 503);
    mg_response_header_add(conn, "Content-Type", "application/problem+json", -1);
    mg_response_header_add(conn, "Content-Length", length, -1);
    mg_response_header_add(conn, "Retry-After", retry_after, -1);
    mg_response_header_add(conn, "X-Request-Id", request_id, -1);
    mg_response_header_add(conn, "Connection", "close", -1);
    mg_response_header_send(conn);
    const char *method = mg_get_request_info(conn)->request_method;
    if (strcmp(method, "HEAD") != 0)
        mg_write(conn, body, sizeof body - 1);
    size_t routes = 0;
    ord_rest_route_table(&routes);
    if (cfg->metrics != NULL)
        ord_rest_metrics_record(cfg->metrics, method, routes, 503, 0.0);
    ord_rest_access_log(cfg->access_log, request_id, method, REST_UNMATCHED_ROUTE, 503, 0.0);
    return 503;
}

static int handle_request(struct mg_connection *conn, void *cbdata)
{
    ord_rest_server *server = cbdata;
    atomic_fetch_add(&server->in_flight, 1);
    int status = atomic_load(&server->draining) ? refuse_while_draining(conn, server)
                                                : serve_request(conn, cbdata);
    atomic_fetch_sub(&server->in_flight, 1);
    return status;
}

/* civetweb's own refusals (malformed request line, headers too large...)
 * get the API's error shape too. */
static int handle_http_error(struct mg_connection *conn, int status, const char *message)
{
    (void)message;
    const struct mg_context *ctx = mg_get_context(conn);
    ord_rest_server *server = ctx != NULL ? mg_get_user_data(ctx) : NULL;
    char request_id[REST_REQUEST_ID_SIZE];
    ord_rest_request_id_generate(request_id, sizeof request_id);
    ord_json_writer b = {0};
    const char *title = status == 400 ? "Bad request" : status == 413 ? "Payload too large"
                      : status == 431 ? "Request header fields too large"
                      : status == 405 ? "Method not allowed" : status == 404 ? "Not found"
                      : status >= 500 ? "Internal error" : "Request refused";
    ord_json_raw(&b, "{\"type\":\"about:blank\",\"title\":");
    ord_json_string(&b, title);
    ord_json_printf(&b, ",\"status\":%d,\"detail\":", status);
    ord_json_string(&b, "The HTTP request could not be processed");
    ord_json_raw(&b, ",\"error\":");
    ord_json_string(&b, title);
    ord_json_raw(&b, ",\"message\":\"The HTTP request could not be processed\"}");
    if (b.failed) {
        ord_json_writer_free(&b);
        return 1;
    }
    mg_response_header_start(conn, status);
    mg_response_header_add(conn, "Content-Type", "application/problem+json", -1);
    char length[32];
    snprintf(length, sizeof length, "%zu", b.len);
    mg_response_header_add(conn, "Content-Length", length, -1);
    mg_response_header_add(conn, "X-Request-Id", request_id, -1);
    mg_response_header_add(conn, "Connection", "close", -1);
    mg_response_header_send(conn);
    mg_write(conn, b.data, b.len);
    ord_json_writer_free(&b);
    if (server != NULL) {
        /* Counted and logged like any request; the method of a request
         * civetweb could not parse is not trusted. */
        size_t routes = 0;
        ord_rest_route_table(&routes);
        const ord_rest_api_config *cfg = &server->api->config;
        if (cfg->metrics != NULL)
            ord_rest_metrics_record(cfg->metrics, "OTHER", routes, status, 0.0);
        ord_rest_access_log(cfg->access_log, request_id, "OTHER", REST_UNMATCHED_ROUTE, status, 0.0);
    }
    return 0;
}

static void *init_thread(const struct mg_context *ctx, int thread_type)
{
    ord_rest_server *server = mg_get_user_data(ctx);
    if (thread_type != 1 || server == NULL || server->config.thread_start == NULL)
        return NULL;
    return server->config.thread_start(server->config.thread_ctx);
}

static void exit_thread(const struct mg_context *ctx, int thread_type, void *thread_data)
{
    ord_rest_server *server = mg_get_user_data(ctx);
    if (thread_type != 1 || server == NULL || server->config.thread_stop == NULL)
        return;
    server->config.thread_stop(server->config.thread_ctx, thread_data);
}

static int log_message(const struct mg_connection *conn, const char *message)
{
    const struct mg_context *ctx = mg_get_context(conn);
    ord_rest_server *server = ctx != NULL ? mg_get_user_data(ctx) : NULL;
    if (server != NULL)
        ord_rest_log_event(server->config.log, "warn", message);
    return 1;
}

ord_error ord_rest_server_start(ord_rest_server **out, ord_rest_api *api,
                                const ord_rest_server_config *config)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    if (api == NULL || config == NULL || config->version != ORD_REST_SERVER_CONFIG_VERSION ||
        config->listen == NULL || config->listen[0] == '\0' || config->num_threads < 0 ||
        config->num_threads > 1024 || config->request_timeout_ms < 0 ||
        config->keep_alive_timeout_ms < 0 || strlen(config->listen) >= 256)
        return ORD_EINVALID;
    ord_rest_server *server = calloc(1, sizeof *server);
    if (server == NULL)
        return ORD_ENOMEM;
    server->api = api;
    server->config = *config;
    strcpy(server->listen, config->listen);
    server->config.listen = server->listen;

    char threads[16];
    char request_timeout[16];
    char keep_alive_timeout[16];
    snprintf(threads, sizeof threads, "%d", config->num_threads > 0 ? config->num_threads : 16);
    snprintf(request_timeout, sizeof request_timeout, "%d",
             config->request_timeout_ms > 0 ? config->request_timeout_ms : 30000);
    snprintf(keep_alive_timeout, sizeof keep_alive_timeout, "%d",
             config->keep_alive_timeout_ms > 0 ? config->keep_alive_timeout_ms : 5000);
    const char *options[] = {
        "listening_ports", server->listen,
        "num_threads", threads,
        "enable_keep_alive", "yes",
        "request_timeout_ms", request_timeout,
        "keep_alive_timeout_ms", keep_alive_timeout,
        /* Headers and body go out in two writes: without this, Nagle's
         * algorithm holds the body until the client's delayed ACK (40 ms). */
        "tcp_nodelay", "1",
        /* The API decodes each path segment itself: decoded by civetweb,
         * %2F would split a segment and %00 would cut the path short. */
        "decode_url", "no",
        NULL,
    };
    struct mg_callbacks callbacks;
    memset(&callbacks, 0, sizeof callbacks);
    callbacks.init_thread = init_thread;
    callbacks.exit_thread = exit_thread;
    callbacks.http_error = handle_http_error;
    callbacks.log_message = log_message;

    mg_init_library(0);
    server->ctx = mg_start(&callbacks, server, options);
    if (server->ctx == NULL) {
        mg_exit_library();
        ord_rest_log_event(config->log, "error", "HTTP server could not start (is the port in use?)");
        free(server);
        return ORD_EUNAVAILABLE;
    }
    mg_set_request_handler(server->ctx, "/", handle_request, server);
    struct mg_server_port ports[4];
    memset(ports, 0, sizeof ports);
    int n = mg_get_server_ports(server->ctx, 4, ports);
    server->port = n > 0 ? ports[0].port : -1;

    char line[128];
    snprintf(line, sizeof line, "HTTP server listening on port %d with %s worker threads",
             server->port, threads);
    ord_rest_log_event(config->log, "info", line);
    if (strcmp(ord_rest_api_auth_name(api), "off") == 0)
        ord_rest_log_event(config->log, "warn",
                           "AUTHENTICATION IS OFF: every caller is treated as an admin; "
                           "do not expose this server");
    *out = server;
    return ORD_OK;
}

int ord_rest_server_port(const ord_rest_server *server)
{
    return server != NULL ? server->port : -1;
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
    mg_stop(server->ctx);
    mg_exit_library();
    ord_rest_log_event(server->config.log, "info", "HTTP server stopped");
    free(server);
}
