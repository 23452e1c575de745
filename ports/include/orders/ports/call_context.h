/**
 * @file call_context.h
 * @brief What an outbound call carries on from the request that caused it.
 */
#ifndef ORDERS_PORTS_CALL_CONTEXT_H
#define ORDERS_PORTS_CALL_CONTEXT_H

#include <stdint.h>

/** @brief Tracing data passed to every downstream call. All borrowed, all optional. */
typedef struct ord_call_context {
    const char *request_id;  /**< Sent as X-Request-Id; NULL: none. */
    const char *traceparent; /**< W3C traceparent of the caller; NULL: start a trace. */
} ord_call_context;

#endif
