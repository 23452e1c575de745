/**
 * @file ports.h
 * @brief Every port the application needs, gathered for wiring.
 */
#ifndef ORDERS_PORTS_PORTS_H
#define ORDERS_PORTS_PORTS_H

#include <orders/ports/call_context.h>
#include <orders/ports/clock.h>
#include <orders/ports/event_sink.h>
#include <orders/ports/id_source.h>
#include <orders/ports/idempotency_store.h>
#include <orders/ports/inventory.h>
#include <orders/ports/order_repository.h>
#include <orders/ports/outbox.h>
#include <orders/ports/precheck.h>
#include <orders/ports/tracking.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief The ports one service uses; copied by value into the service.
 *
 * A port's adapter must allow the calls the service makes from the thread
 * that uses the service; share a service between threads only when every
 * adapter is thread-safe (the in-memory ones are).
 */
typedef struct ord_ports {
    ord_order_repository orders;      /**< Required. */
    ord_outbox outbox;                /**< Required. */
    ord_idempotency_store idempotency; /**< Required. */
    ord_precheck precheck;            /**< Required. */
    ord_inventory inventory;          /**< Required. */
    ord_tracking tracking;            /**< Required. */
    ord_event_sink events;            /**< Required by the outbox relay step only. */
    ord_clock clock;                  /**< Required. */
    ord_id_source ids;                /**< Required. */
} ord_ports;

#ifdef __cplusplus
}
#endif
#endif
