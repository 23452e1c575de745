/**
 * @file api.h
 * @brief The order service's HTTP API as a function from a request to a
 *        response: routing, JSON mapping, validation errors, status codes and
 *        headers, per-request metrics and a JSON access log line. Transports
 *        (civetweb in server.h, an AWS Lambda runtime) only move bytes.
 *
 * Wiring (the server program):
 * @code
 *   ord_rest_metrics *metrics;  ord_rest_metrics_new(&metrics);
 *   // each worker thread's service gets ord_rest_metrics_observer(metrics)
 *   ord_rest_api_config cfg = ORD_REST_API_CONFIG_INIT;
 *   cfg.service = my_service_for_thread;   // returns the thread's ord_service
 *   cfg.authenticator = ord_rest_auth_off();
 *   cfg.metrics = metrics;  cfg.access_log = stdout;
 *   ord_rest_api *api;  ord_rest_api_new(&api, &cfg);
 *   // then ord_rest_server_start() (server.h) with the same api
 * @endcode
 */
#ifndef ORDERS_ADAPTERS_REST_API_H
#define ORDERS_ADAPTERS_REST_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <orders/adapters/rest/auth.h>
#include <orders/adapters/rest/message.h>
#include <orders/adapters/rest/metrics.h>
#include <orders/application/service.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_rest_api_config this header describes. Version 2 appended
 *  metrics_need_admin; a version 1 config still works and reads it as false. */
#define ORD_REST_API_CONFIG_VERSION 3
/** Bytes of a dependency name with NUL. */
#define ORD_REST_DEPENDENCY_NAME_SIZE 32
/** Most dependencies a readiness hook may report. */
#define ORD_REST_MAX_DEPENDENCIES 16

/**
 * @brief Returns the service the current request must use.
 * @param ctx ord_rest_api_config::service_ctx.
 * @param thread_data ord_rest_request::thread_data (the civetweb transport
 *        passes what ord_rest_server_config::thread_start returned).
 * @return the service, or NULL when none is available (answered 503).
 */
typedef ord_service *(*ord_rest_service_fn)(void *ctx, void *thread_data);

/** @brief One dependency's state, for GET /health/ready. */
typedef struct ord_rest_dependency {
    char name[ORD_REST_DEPENDENCY_NAME_SIZE]; /**< "database", "inventory"... */
    bool up;       /**< UP or DOWN. */
    bool required; /**< When DOWN, the service is not ready (503). */
} ord_rest_dependency;

/** @brief Optional hooks of the owner; any member may be NULL. */
typedef struct ord_rest_hooks {
    void *ctx; /**< Passed back to every hook. */

    /**
     * @brief Report dependencies for GET /health/ready.
     * @param deps caller array of @p cap zeroed entries.
     * @return how many entries were filled (at most @p cap).
     */
    size_t (*readiness)(void *ctx, void *thread_data, ord_rest_dependency *deps, size_t cap);

    /**
     * @brief Append Prometheus text lines to GET /metrics (downstream
     *        counters, breaker states...). Each line ends with '\n'.
     */
    void (*metrics)(void *ctx, void *thread_data, FILE *out);

    /**
     * @brief Count outbox events for outbox_pending_events and
     *        outbox_parked_events.
     * @return ORD_OK (counts set) or a failure (the metrics are left out).
     */
    ord_error (*outbox_counts)(void *ctx, void *thread_data, int64_t *pending, int64_t *parked);
} ord_rest_hooks;

/** @brief Settings; start from ORD_REST_API_CONFIG_INIT. */
typedef struct ord_rest_api_config {
    int version;                          /**< ORD_REST_API_CONFIG_VERSION. */
    ord_rest_service_fn service;          /**< Required. */
    void *service_ctx;                    /**< Passed to @ref service. */
    ord_rest_authenticator authenticator; /**< Required; ownership passes to the API
                                               (its free is called by ord_rest_api_free()). */
    ord_rest_metrics *metrics;            /**< Optional, borrowed; must outlive the API. */
    FILE *access_log;                     /**< Optional, borrowed: one JSON line per request. */
    int retry_after_seconds;              /**< Retry-After on 503; 0: 5 seconds. */
    ord_rest_hooks hooks;                 /**< Optional. */
    bool metrics_need_admin;              /**< Version 2: GET /metrics needs an admin
                                               principal (401 without credentials, 403
                                               insufficient_scope for a customer). */

    /* ---- Version 3: limits per client (429 with Retry-After) ---- */
    double rate_limit_per_second;         /**< Requests a second each client may make on the
                                               API routes, sustained: a token bucket per
                                               customer or admin subject, per address for
                                               guests (and for everyone with auth off);
                                               0: no limit. */
    int rate_limit_burst;                 /**< Bucket size; 0: twice the rate. */
    int auth_failures_per_minute;         /**< 401 answers (refused bearer tokens, wrong guest
                                               tokens) an address may collect a minute before
                                               its requests are refused 429 unread; 0: no
                                               limit. */
    const char *trusted_proxy;            /**< Address of a reverse proxy whose last
                                               X-Forwarded-For entry names the client;
                                               NULL: none (copied pointer, must outlive). */
} ord_rest_api_config;

/** Defaults: nothing wired, Retry-After 5 s. */
#define ORD_REST_API_CONFIG_INIT                                                   \
    {                                                                              \
        ORD_REST_API_CONFIG_VERSION, NULL, NULL, {NULL, NULL}, NULL, NULL, 0,      \
            { NULL, NULL, NULL, NULL }, false, 0.0, 0, 0, NULL                     \
    }

/** @brief The API. Opaque; ord_rest_api_handle() is safe from many threads at once. */
typedef struct ord_rest_api ord_rest_api;

/**
 * @brief Build the API.
 * @param[out] out receives the API, owned by the caller (ord_rest_api_free());
 *             NULL on failure.
 * @param config copied.
 * @return ORD_OK; ORD_EINVALID when the service callback or the authenticator
 *         is missing or a version is unknown; ORD_ENOMEM.
 */
ord_error ord_rest_api_new(ord_rest_api **out, const ord_rest_api_config *config);

/** @brief Free the API and its authenticator. Accepts NULL. */
void ord_rest_api_free(ord_rest_api *api);

/** @brief The authenticator's name ("off" when every caller is an admin). */
const char *ord_rest_api_auth_name(const ord_rest_api *api);

/**
 * @brief Answer one request. Records metrics and writes the access log line.
 * @param api the API.
 * @param request the request (borrowed).
 * @param[out] out receives the response (ord_rest_response_free()); on
 *             ORD_ENOMEM it holds status 500 and nothing else.
 * @return ORD_OK, or ORD_ENOMEM.
 */
ord_error ord_rest_api_handle(ord_rest_api *api, const ord_rest_request *request,
                              ord_rest_response *out);

/** @brief One route the API knows. */
typedef struct ord_rest_route_info {
    const char *method; /**< "GET", "POST", "PUT". */
    const char *path;   /**< Template as in OpenAPI ("/api/v1/orders/{id}"). */
} ord_rest_route_info;

/**
 * @brief Every route of the router.
 * @param[out] count receives the number of routes.
 * @return a static array of @p count routes.
 */
const ord_rest_route_info *ord_rest_routes(size_t *count);

/**
 * @brief The OpenAPI 3 document served at GET /openapi.json.
 * @param[out] len receives its length in bytes (may be NULL).
 * @return static NUL-terminated JSON text.
 */
const char *ord_rest_openapi_document(size_t *len);

/**
 * @brief Write one JSON log line (time, level, message and an optional
 *        extra field) in the access log's format, for transports and the
 *        server program's start-up messages.
 * @param out where to write; NULL does nothing.
 * @param level "info", "warn" or "error".
 * @param message static or caller text (escaped).
 */
void ord_rest_log_event(FILE *out, const char *level, const char *message);

#ifdef __cplusplus
}
#endif
#endif
