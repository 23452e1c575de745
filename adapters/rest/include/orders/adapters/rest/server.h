/**
 * @file server.h
 * @brief The civetweb transport: a thread pool that reads each request
 *        (body limited to ORD_REST_MAX_BODY_BYTES), hands it to
 *        ord_rest_api_handle() and writes the response, with keep-alive;
 *        and optionally a second listener with its own small pool for the
 *        operations endpoints (/health/live, /health/ready, /metrics).
 *
 * What it defends against by itself (each connection holds one worker while
 * it is served, so these bound how long a client can hold one):
 * - one deadline for the whole request: headers and body must arrive within
 *   request_timeout_ms of the request's start (the connection's opening, or
 *   the previous answer on a kept-alive connection); the body is read in
 *   pieces and a read in progress at the deadline ends within one more
 *   timeout at most; then 408 and close;
 * - strict framing before any handler runs: Content-Length together with
 *   Transfer-Encoding, several or malformed Content-Length values, a
 *   transfer coding other than chunked, a blank before a header's colon:
 *   400 and close; an Expect other than 100-continue: 417; "100 Continue" is
 *   sent before reading a body the client waits to send;
 * - an answer that says "Connection: close" closes, without reading the
 *   rest of the body (an early 413 for a body over the limit, errors);
 * - idle kept-alive connections end after keep_alive_timeout_ms, and when
 *   three quarters of the workers are busy every answer closes its
 *   connection so that idle ones cannot pile up;
 * - answers are written whole, with this server's own status line (no text
 *   of the request is ever echoed into it); a target in absolute form for
 *   another server and "OPTIONS *" get an answer, not silence.
 * A client that opens more slow connections than there are workers still
 * makes new ones wait: put a buffering reverse proxy in front for the
 * internet (README), and probe the operations listener.
 */
#ifndef ORDERS_ADAPTERS_REST_SERVER_H
#define ORDERS_ADAPTERS_REST_SERVER_H

#include <stdio.h>

#include <orders/adapters/rest/api.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_rest_server_config this header describes: 2 appended the
 *  operations listener (ops_listen, ops_threads). */
#define ORD_REST_SERVER_CONFIG_VERSION 2

/** @brief Transport settings; start from ORD_REST_SERVER_CONFIG_INIT. */
typedef struct ord_rest_server_config {
    int version;               /**< ORD_REST_SERVER_CONFIG_VERSION. */
    const char *listen;        /**< civetweb listening_ports: "8080", "127.0.0.1:0"
                                    (port 0: any free port, see ord_rest_server_port()). */
    int num_threads;           /**< Worker threads = connections served at once; 0: 16. */
    int request_timeout_ms;    /**< Deadline of a whole request, headers and body;
                                    0: 10000. */
    int keep_alive_timeout_ms; /**< Idle keep-alive connection lifetime; 0: 5000. */

    /**
     * @brief Called on each worker thread before it serves anything (e.g. to
     *        open the thread's database connection and build its service).
     * @return the thread's data, handed to the API as
     *         ord_rest_request::thread_data; NULL is allowed.
     */
    void *(*thread_start)(void *ctx);
    /** @brief Called on each worker thread when it ends, with its data. */
    void (*thread_stop)(void *ctx, void *thread_data);
    void *thread_ctx;          /**< Passed to thread_start and thread_stop. */
    FILE *log;                 /**< Start, stop and transport errors as JSON lines; may be NULL. */

    /* ---- Version 2 ---- */
    const char *ops_listen;    /**< civetweb listening_ports of the operations
                                    listener, which serves only GET and HEAD of
                                    /health/live, /health/ready and /metrics with
                                    its own workers; NULL or "": none. */
    int ops_threads;           /**< Its worker threads; 0: 2. thread_start runs on
                                    them too. */
} ord_rest_server_config;

/** Defaults: port 8080 on every interface, 16 threads, no operations listener. */
#define ORD_REST_SERVER_CONFIG_INIT                                                        \
    {                                                                                      \
        ORD_REST_SERVER_CONFIG_VERSION, "8080", 0, 0, 0, NULL, NULL, NULL, NULL, NULL, 0 \
    }

/** @brief A running server. Opaque. */
typedef struct ord_rest_server ord_rest_server;

/**
 * @brief Start serving @p api. Logs a warning line when the API's
 *        authenticator is "off".
 * @param[out] out receives the server (stop it with ord_rest_server_stop());
 *             NULL on failure.
 * @param api borrowed; must outlive the server.
 * @param config copied.
 * @return ORD_OK; ORD_EINVALID for a bad setting; ORD_EUNAVAILABLE when
 *         civetweb could not start (port in use...); ORD_ENOMEM.
 */
ord_error ord_rest_server_start(ord_rest_server **out, ord_rest_api *api,
                                const ord_rest_server_config *config);

/**
 * @brief The first port the server listens on (the real one after port 0).
 * @return the port, or -1.
 */
int ord_rest_server_port(const ord_rest_server *server);

/**
 * @brief The port of the operations listener (the real one after port 0).
 * @return the port, or -1 when there is none.
 */
int ord_rest_server_ops_port(const ord_rest_server *server);

/**
 * @brief First step of a drain a load balancer can follow: requests keep
 *        being served as usual, but every answer on the API listener says
 *        "Connection: close", so clients reconnect (through the balancer,
 *        to another instance) instead of reusing this one. Idle kept-alive
 *        connections are left alone until ord_rest_server_stop_accepting():
 *        a balancer may be sending on one until it has seen this instance
 *        go not-ready. Readiness is the caller's to report.
 * @param server the server; NULL does nothing.
 */
void ord_rest_server_quiesce(ord_rest_server *server);

/**
 * @brief Stop accepting connections on the API listener: connection
 *        attempts are refused from now on (a balancer retries them on
 *        another instance), and idle kept-alive connections are closed.
 *        Connections being served are answered, each then closed. The
 *        operations listener keeps answering.
 * @param server the server; NULL does nothing.
 * @return ORD_OK; ORD_EUNAVAILABLE when the listening socket could not be
 *         closed (the server still drains with 503 answers).
 */
ord_error ord_rest_server_stop_accepting(ord_rest_server *server);

/**
 * @brief Begin a graceful stop: requests that arrive from now on are answered
 *        503 (problem+json, Retry-After, Connection: close) while the ones
 *        already being served run to the end. Returns when none is left or
 *        @p timeout_ms has passed. Call it before ord_rest_server_stop():
 *        once civetweb's stop flag is set it no longer writes responses, so
 *        a request still running then loses its answer.
 * @param server the server; NULL does nothing.
 * @param timeout_ms longest wait.
 * @return requests still in flight on return (0: all answered).
 */
int ord_rest_server_drain(ord_rest_server *server, int timeout_ms);

/**
 * @brief Stop accepting, wait for requests in flight, end the worker threads
 *        (thread_stop runs on each) and free the server. Accepts NULL.
 */
void ord_rest_server_stop(ord_rest_server *server);

#ifdef __cplusplus
}
#endif
#endif
