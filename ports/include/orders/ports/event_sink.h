/**
 * @file event_sink.h
 * @brief Port: where outbox events go (an HTTP webhook first, a broker later).
 */
#ifndef ORDERS_PORTS_EVENT_SINK_H
#define ORDERS_PORTS_EVENT_SINK_H

#include <orders/domain/error.h>
#include <orders/ports/call_context.h>
#include <orders/ports/outbox.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_event_sink_ops this header describes. */
#define ORD_EVENT_SINK_VERSION 1

/** @brief Operations of an event sink. A static const table per adapter. */
typedef struct ord_event_sink_ops {
    int version; /**< ORD_EVENT_SINK_VERSION the adapter was built against. */

    /**
     * @brief Deliver one event (its payload, as is). May be called again for
     *        the same event: consumers de-duplicate on event_id.
     * @param ctx tracing data, may be NULL.
     * @param event borrowed.
     * @return ORD_OK when the sink accepted it; ORD_EUNAVAILABLE, ORD_ETIMEOUT,
     *         ORD_ECONTRACT otherwise.
     */
    ord_error (*deliver)(void *self, const ord_call_context *ctx, const ord_outbox_event *event);
} ord_event_sink_ops;

/** @brief An event sink: its operations and their state. */
typedef struct ord_event_sink {
    const ord_event_sink_ops *ops; /**< Method table. */
    void *self;                    /**< Passed back to every method. */
} ord_event_sink;

#ifdef __cplusplus
}
#endif
#endif
