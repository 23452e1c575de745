/**
 * @file metrics.h
 * @brief Prometheus counters of the service: HTTP requests and their
 *        durations (recorded by the API layer), orders created and status
 *        transitions and background actions (recorded through an
 *        ord_service_observer). Lock-free
 *        atomics; safe from every thread.
 */
#ifndef ORDERS_ADAPTERS_REST_METRICS_H
#define ORDERS_ADAPTERS_REST_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include <orders/application/service.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The counters. Opaque; thread-safe. */
typedef struct ord_rest_metrics ord_rest_metrics;

/**
 * @brief Create zeroed counters.
 * @param[out] out receives them, owned by the caller (ord_rest_metrics_free());
 *             NULL on failure.
 * @return ORD_OK or ORD_ENOMEM.
 */
ord_error ord_rest_metrics_new(ord_rest_metrics **out);

/** @brief Free. Accepts NULL. Nothing may use the metrics or their observer afterwards. */
void ord_rest_metrics_free(ord_rest_metrics *metrics);

/**
 * @brief An observer that counts orders_created_total,
 *        order_status_transitions_total{from,to} and
 *        order_background_actions_total{action,result}; put it in
 *        ord_service_config::observer of every service.
 * @param metrics the counters; must outlive every service using the observer.
 * @return the observer (ctx is @p metrics).
 */
ord_service_observer ord_rest_metrics_observer(ord_rest_metrics *metrics);

/**
 * @brief Count one answered HTTP request.
 * @param metrics the counters.
 * @param method request method (unknown methods count as "OTHER").
 * @param route route template as in ord_rest_response::route.
 * @param status HTTP status answered.
 * @param seconds time taken to answer.
 */
void ord_rest_metrics_record_request(ord_rest_metrics *metrics, const char *method,
                                     const char *route, int status, double seconds);

/** @brief Orders created so far (for tests and logs). */
uint64_t ord_rest_metrics_orders_created(const ord_rest_metrics *metrics);

/**
 * @brief Write every metric in the Prometheus text format (0.0.4).
 * @param metrics the counters.
 * @param out where to write.
 * @return ORD_OK, or ORD_EINTERNAL when writing failed.
 */
ord_error ord_rest_metrics_render(const ord_rest_metrics *metrics, FILE *out);

#ifdef __cplusplus
}
#endif
#endif
