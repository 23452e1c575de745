/**
 * @file client.h
 * @brief Outbound HTTP (libcurl): a per-thread client that implements the
 *        precheck, inventory, tracking and event sink ports.
 *
 * A client owns one libcurl multi handle and a few easy handles, so
 * connections to the downstream services are kept alive and reused. It must
 * never be used by two threads at once: give each thread its own (for a
 * civetweb server, make it in the init_thread callback).
 */
#ifndef ORDERS_ADAPTERS_HTTP_CLIENT_H
#define ORDERS_ADAPTERS_HTTP_CLIENT_H

#include <orders/adapters/http/services.h>
#include <orders/domain/error.h>
#include <orders/ports/event_sink.h>
#include <orders/ports/inventory.h>
#include <orders/ports/precheck.h>
#include <orders/ports/tracking.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief One thread's connections to the downstream services. Opaque. */
typedef struct ord_http_client ord_http_client;

/**
 * @brief Make a client.
 * @param[out] out receives the client, owned by the caller
 *        (ord_http_client_free()); NULL on failure.
 * @param services borrowed; must outlive the client.
 * @return ORD_OK, ORD_EINVALID (NULL argument), ORD_ENOMEM or ORD_EINTERNAL
 *         (libcurl refused to make a handle).
 */
ord_error ord_http_client_new(ord_http_client **out, ord_http_services *services);

/** @brief Free the client and close its connections. Accepts NULL. */
void ord_http_client_free(ord_http_client *client);

/**
 * @brief The precheck port: prices, restrictions and eligibility, run
 *        concurrently on the client's multi handle; the first failure
 *        cancels the rest. Valid while the client lives.
 */
ord_precheck ord_http_client_precheck(ord_http_client *client);

/** @brief The inventory port (reserve, release, commit). Valid while the client lives. */
ord_inventory ord_http_client_inventory(ord_http_client *client);

/** @brief The tracking port (create shipment). Valid while the client lives. */
ord_tracking ord_http_client_tracking(ord_http_client *client);

/**
 * @brief The event sink port: POSTs the event's payload as is to the webhook
 *        URL (ORD_HTTP_EVENTS); any 2xx means delivered. Valid while the
 *        client lives.
 */
ord_event_sink ord_http_client_events(ord_http_client *client);

#ifdef __cplusplus
}
#endif
#endif
