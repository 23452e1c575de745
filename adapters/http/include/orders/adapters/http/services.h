/**
 * @file services.h
 * @brief Outbound HTTP (libcurl): the shared, thread-safe configuration of
 *        the downstream services, with one circuit breaker and one set of
 *        request counters per service.
 *
 * Use: call ord_http_global_init() once at program start, before any thread
 * exists; build one ord_http_services from options; give each thread its own
 * ord_http_client (client.h) made from it. Breaker states and counters are
 * read with ord_http_services_stats() for health checks and metrics.
 */
#ifndef ORDERS_ADAPTERS_HTTP_SERVICES_H
#define ORDERS_ADAPTERS_HTTP_SERVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/domain/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_http_options this header describes. */
#define ORD_HTTP_OPTIONS_VERSION 1

/** @brief The downstream services, each with its own base URL and breaker. */
typedef enum ord_http_service {
    ORD_HTTP_CATALOG = 0,      /**< Prices: GET /api/v1/inventory/products. */
    ORD_HTTP_INVENTORY = 1,    /**< Reserve, release, commit. */
    ORD_HTTP_TRACKING = 2,     /**< Shipments. */
    ORD_HTTP_RESTRICTIONS = 3, /**< Account restrictions (optional). */
    ORD_HTTP_ELIGIBILITY = 4,  /**< Account eligibility (optional). */
    ORD_HTTP_EVENTS = 5,       /**< The event webhook. */
    ORD_HTTP_SERVICE_COUNT = 6 /**< Number of services. */
} ord_http_service;

/** @brief How one downstream request ended (the `outcome` metric label). */
typedef enum ord_http_outcome {
    ORD_HTTP_OUTCOME_SUCCESS = 0,      /**< Answered inside the contract. */
    ORD_HTTP_OUTCOME_REJECTED = 1,     /**< A business refusal inside the contract (insufficient stock). */
    ORD_HTTP_OUTCOME_SERVER_ERROR = 2, /**< Answered 5xx. */
    ORD_HTTP_OUTCOME_TIMEOUT = 3,      /**< No (whole) answer in time. */
    ORD_HTTP_OUTCOME_UNREACHABLE = 4,  /**< Connection refused, reset, or closed early. */
    ORD_HTTP_OUTCOME_CONTRACT = 5,     /**< Answered outside the contract (bad JSON, status, size). */
    ORD_HTTP_OUTCOME_CIRCUIT_OPEN = 6, /**< Not sent: the breaker is open. */
    ORD_HTTP_OUTCOME_CANCELLED = 7,    /**< Abandoned: another pre-check failed first. */
    ORD_HTTP_OUTCOME_COUNT = 8         /**< Number of outcomes. */
} ord_http_outcome;

/** @brief Circuit breaker states (the `circuit_breaker_state` metric: 0, 1, 2). */
typedef enum ord_http_breaker_state {
    ORD_HTTP_BREAKER_CLOSED = 0,    /**< Calls flow; failures are counted. */
    ORD_HTTP_BREAKER_OPEN = 1,      /**< Calls fail at once with ORD_EUNAVAILABLE. */
    ORD_HTTP_BREAKER_HALF_OPEN = 2  /**< A few trial calls decide: close or open again. */
} ord_http_breaker_state;

/** @brief Where and how fast one service answers. */
typedef struct ord_http_endpoint_options {
    const char *base_url;       /**< "http://host:port" (a path prefix is allowed; for
                                     ORD_HTTP_EVENTS the whole webhook URL); NULL: not
                                     configured. Copied. */
    int64_t connect_timeout_ms; /**< Connection set-up limit, > 0. */
    int64_t timeout_ms;         /**< Limit for one whole request, > 0. */
} ord_http_endpoint_options;

/**
 * @brief Retries of calls that are safe to repeat (all of ours: they are reads
 *        or keyed by orderId / eventId). Only transport failures and 5xx
 *        answers are retried, never a 4xx, a contract error or an open breaker.
 */
typedef struct ord_http_retry_options {
    int max_attempts;      /**< Attempts in all, first included (1 = no retry); 1..10. */
    int64_t base_delay_ms; /**< Backoff before retry n is random in [0, base * 2^(n-1)] ("full jitter"). */
    int64_t max_delay_ms;  /**< Cap of one backoff. */
    int64_t max_total_ms;  /**< Cap of one call, attempts and waits included. */
} ord_http_retry_options;

/**
 * @brief Circuit breaker per service, as Resilience4j's count-based breaker:
 *        failures are timeouts, unreachable, 5xx and contract errors; business
 *        answers (insufficient stock, unknown product) are successes.
 */
typedef struct ord_http_breaker_options {
    int window_size;          /**< Last calls the failure rate is taken over, 1..1000. */
    int minimum_calls;        /**< Calls needed before the rate is judged, 1..window_size. */
    int failure_rate_percent; /**< Opens when failures * 100 >= this * calls; 1..100. */
    int64_t open_wait_ms;     /**< Time open before trial calls, > 0. */
    int half_open_calls;      /**< Trial calls in half-open, 1..100; all must finish to decide. */
} ord_http_breaker_options;

/** @brief Everything the HTTP adapter needs. Initialise with ord_http_options_init(). */
typedef struct ord_http_options {
    int version;                                                /**< ORD_HTTP_OPTIONS_VERSION. */
    ord_http_endpoint_options services[ORD_HTTP_SERVICE_COUNT]; /**< Indexed by ord_http_service. */
    ord_http_retry_options retry;                               /**< Retry policy. */
    ord_http_breaker_options breaker;                           /**< Breaker policy (every service). */
    size_t max_response_bytes;    /**< Larger answers are contract errors; 1 KiB..64 MiB. */
    bool sequential_precheck;     /**< Run the pre-checks one after another instead of
                                       concurrently (for comparison; off by default). */
    /** Monotonic milliseconds for the breakers; NULL: CLOCK_MONOTONIC. Tests move time with it. */
    int64_t (*monotonic_ms)(void *clock_self);
    void *clock_self;             /**< Passed to monotonic_ms. */
} ord_http_options;

/**
 * @brief Defaults: no base URLs; connect 1 s, total 3 s; 3 attempts, 50 ms
 *        base backoff, 1 s cap, 5 s per call; breaker window 20, minimum 10,
 *        50 %, 5 s open, 3 trial calls; answers up to 1 MiB; concurrent
 *        pre-checks.
 * @param[out] options receives the defaults (version set).
 */
void ord_http_options_init(ord_http_options *options);

/**
 * @brief The longest one call to @p service can take under @p options:
 *        every attempt with its timeout and the waits between attempts,
 *        cut off at retry.max_total_ms. What a caller may wait for it.
 * @param options initialised options (borrowed).
 * @param service the service.
 * @return milliseconds; 0 for an out-of-range service or NULL options.
 */
int64_t ord_http_options_call_limit_ms(const ord_http_options *options, ord_http_service service);

/**
 * @brief Point every service at one server (the simulator) with its standard
 *        paths: the webhook becomes @p base_url + "/api/v1/events".
 * @param[in,out] options initialised options.
 * @param base_url "http://host:port", borrowed until ord_http_services_new().
 * @param webhook_buf caller storage for the webhook URL, at least
 *        strlen(base_url) + 16 bytes, kept until ord_http_services_new().
 * @param webhook_cap size of @p webhook_buf.
 * @return ORD_OK, or ORD_EINVALID when the buffer is too small.
 */
ord_error ord_http_options_point_all(ord_http_options *options, const char *base_url,
                                     char *webhook_buf, size_t webhook_cap);

/**
 * @brief Initialise libcurl for the process. Call once before any thread
 *        uses this adapter (libcurl's global init is not thread-safe).
 * @return ORD_OK or ORD_EINTERNAL.
 */
ord_error ord_http_global_init(void);

/** @brief Release libcurl's global state, after every client is freed. */
void ord_http_global_cleanup(void);

/** @brief The shared configuration, breakers and counters. Opaque, thread-safe. */
typedef struct ord_http_services ord_http_services;

/**
 * @brief Check options and build the shared state.
 * @param[out] out receives the object, owned by the caller
 *        (ord_http_services_free()); NULL on failure.
 * @param options read and copied (URLs too).
 * @param[out] err receives a one-line reason naming the setting on
 *        ORD_EINVALID; may be NULL.
 * @param err_cap size of @p err.
 * @return ORD_OK, ORD_EINVALID (bad option), ORD_ENOMEM.
 */
ord_error ord_http_services_new(ord_http_services **out, const ord_http_options *options,
                                char *err, size_t err_cap);

/** @brief Free. Every client made from it must be freed first. Accepts NULL. */
void ord_http_services_free(ord_http_services *services);

/** @brief Whether a service has a base URL. */
bool ord_http_services_configured(const ord_http_services *services, ord_http_service service);

/** @brief A snapshot of one service's breaker and counters. */
typedef struct ord_http_service_stats {
    bool configured;                               /**< Has a base URL. */
    ord_http_breaker_state state;                  /**< Breaker state now. */
    uint64_t outcomes[ORD_HTTP_OUTCOME_COUNT];     /**< Requests per outcome since start. */
    uint64_t retries;                              /**< Attempts after the first. */
} ord_http_service_stats;

/** @brief A snapshot of every service. */
typedef struct ord_http_stats {
    ord_http_service_stats services[ORD_HTTP_SERVICE_COUNT]; /**< Indexed by ord_http_service. */
} ord_http_stats;

/**
 * @brief Read breaker states and counters (each counter atomically; the set
 *        is not one instant). Safe from any thread.
 * @param[out] out receives the snapshot.
 */
void ord_http_services_stats(const ord_http_services *services, ord_http_stats *out);

/**
 * @brief Breaker state of one service now; a breaker whose open wait has run
 *        out reports half-open.
 */
ord_http_breaker_state ord_http_services_breaker(const ord_http_services *services,
                                                 ord_http_service service);

/** @brief Metric label of a service ("catalog", "inventory", ...); static text. */
const char *ord_http_service_name(ord_http_service service);
/** @brief Metric label of an outcome ("success", "timeout", ...); static text. */
const char *ord_http_outcome_name(ord_http_outcome outcome);
/** @brief "CLOSED", "OPEN" or "HALF_OPEN"; static text. */
const char *ord_http_breaker_state_name(ord_http_breaker_state state);

#ifdef __cplusplus
}
#endif
#endif
