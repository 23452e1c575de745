/**
 * @file publisher.h
 * @brief The event sink port over AMQP: one connection and one channel,
 *        with publisher confirms, for one thread.
 *
 * Each delivery publishes the event and waits for the broker's confirm, so a
 * publisher never has two unconfirmed events in flight and the relay's order
 * per order holds. Message: persistent, content type application/json,
 * message id = the event id, type = the event type (also the routing key),
 * timestamp = when it happened (seconds), headers orderId and sequence; the
 * body is the event payload, byte for byte.
 *
 * Outcomes of ord_event_sink_ops::deliver:
 * - ORD_OK: confirmed (basic.ack). A message no queue was bound for is
 *   returned by the broker and still confirmed: it counts as delivered
 *   (queues belong to consumers; ord_amqp_stats::unroutable counts them).
 * - ORD_EUNAVAILABLE: no connection (refused, lost, waiting to reconnect),
 *   or basic.nack.
 * - ORD_ETIMEOUT: no confirm within confirm_timeout_ms; the connection is
 *   dropped, so a late confirm cannot be mistaken for the next one.
 * - ORD_ECONTRACT: the broker closed the channel (e.g. 404: the exchange was
 *   deleted while connected; the publisher does not declare it again until
 *   it reconnects, so such events are retried and then parked, not sent into
 *   an exchange without bindings), or it sent frames outside the protocol.
 * - ORD_EINVALID: no event, an empty payload or one over ORD_AMQP_BODY_MAX.
 */
#ifndef ORDERS_ADAPTERS_AMQP_PUBLISHER_H
#define ORDERS_ADAPTERS_AMQP_PUBLISHER_H

#include <orders/adapters/amqp/broker.h>
#include <orders/domain/error.h>
#include <orders/ports/event_sink.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief One thread's connection to the broker. Opaque; one thread at a time. */
typedef struct ord_amqp_publisher ord_amqp_publisher;

/**
 * @brief Make a publisher. It connects at its first delivery, and again
 *        after a lost connection, waiting reconnect_min_ms doubling up to
 *        reconnect_max_ms between failed attempts (deliveries meanwhile are
 *        ORD_EUNAVAILABLE at once). A connection the broker closed while idle
 *        is replaced within the same delivery.
 * @param[out] out receives it, owned by the caller (ord_amqp_publisher_free());
 *        NULL on failure.
 * @param broker borrowed; must outlive the publisher.
 * @return ORD_OK, ORD_EINVALID (NULL argument) or ORD_ENOMEM.
 */
ord_error ord_amqp_publisher_new(ord_amqp_publisher **out, ord_amqp_broker *broker);

/** @brief Close the connection (politely, within the confirm timeout) and free. Accepts NULL. */
void ord_amqp_publisher_free(ord_amqp_publisher *publisher);

/**
 * @brief The event sink port. Valid while the publisher lives; used by the
 *        publisher's thread only.
 * @param publisher the publisher.
 * @return the port (self is @p publisher).
 */
ord_event_sink ord_amqp_publisher_sink(ord_amqp_publisher *publisher);

/**
 * @brief Why the last delivery failed, for logs: static or sanitised broker
 *        text (printable ASCII, never the password); "" after a success.
 * @param publisher the publisher; NULL gives "".
 * @return borrowed text, valid until the next delivery.
 */
const char *ord_amqp_publisher_last_error(const ord_amqp_publisher *publisher);

#ifdef __cplusplus
}
#endif
#endif
