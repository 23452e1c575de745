/* Waiting for the broker's answer to one publish. */
#ifndef ORDERS_AMQP_CONFIRM_H
#define ORDERS_AMQP_CONFIRM_H

#include "internal.h"

/* How a publish ended. */
typedef enum ord_amqp_outcome {
    ORD_AMQP_ACKED,    /* confirmed */
    ORD_AMQP_RETURNED, /* returned as unroutable, then confirmed */
    ORD_AMQP_NACKED,   /* the broker could not take it */
    ORD_AMQP_REFUSED,  /* the broker closed the channel (close-ok sent) */
    ORD_AMQP_TIMEOUT,  /* no answer by the deadline */
    ORD_AMQP_LOST,     /* the connection went away */
    ORD_AMQP_PROTOCOL  /* frames outside the protocol */
} ord_amqp_outcome;

/* Read frames until the confirm of delivery tag @p tag (a message of
 * @p len body bytes) arrives, the broker refuses, the connection fails or
 * the monotonic @p deadline_ms passes. Reads at most
 * ORD_AMQP_WAIT_FRAMES_MAX frames; each is at most ORD_AMQP_FRAME_MAX bytes
 * (librabbitmq checks). A failure writes its reason to err. */
ord_amqp_outcome ord_amqp_wait_confirm(amqp_connection_state_t conn, uint64_t tag, size_t len,
                                       int64_t deadline_ms, char *err, size_t cap);

#endif
