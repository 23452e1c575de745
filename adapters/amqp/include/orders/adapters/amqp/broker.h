/**
 * @file broker.h
 * @brief A RabbitMQ broker (AMQP 0-9-1, librabbitmq) as the destination of
 *        outbox events: its settings, its health and its counters, shared
 *        by every thread's publisher (see publisher.h).
 *
 * The broker object holds no connection of its own: each relay thread makes
 * an ord_amqp_publisher over it, with one connection and one channel.
 * Everything here is thread-safe.
 */
#ifndef ORDERS_ADAPTERS_AMQP_BROKER_H
#define ORDERS_ADAPTERS_AMQP_BROKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <orders/domain/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Version of ord_amqp_options this header describes. */
#define ORD_AMQP_OPTIONS_VERSION 1

/** Longest URL accepted, in bytes. */
#define ORD_AMQP_URL_MAX 1000

/** Longest event payload published, in bytes (larger ones are ORD_EINVALID). */
#define ORD_AMQP_BODY_MAX (1024 * 1024)

/** @brief Settings of a broker. Fill with ORD_AMQP_OPTIONS_INIT, then change. */
typedef struct ord_amqp_options {
    int version;                /**< ORD_AMQP_OPTIONS_VERSION. */
    const char *url;            /**< amqp://USER:PASSWORD\@HOST:PORT/VHOST; required.
                                     Copied. Its password never appears in any text. */
    const char *exchange;       /**< Durable topic exchange declared at connect;
                                     routing key = event type. Copied. */
    const char *queue;          /**< Durable queue declared and bound with "#" at
                                     connect; NULL: none (queues belong to consumers).
                                     Copied. */
    int64_t confirm_timeout_ms; /**< Limit of waiting for the broker: one publisher
                                     confirm, the login, each declaration. */
    int64_t connect_timeout_ms; /**< Limit of one TCP connection attempt. */
    int64_t reconnect_min_ms;   /**< First wait after a failed connection attempt. */
    int64_t reconnect_max_ms;   /**< Longest wait between attempts (doubling). */
    int64_t probe_interval_ms;  /**< ord_amqp_broker_check() reuses what it last saw
                                     for this long. */
    const char *connection_name; /**< Shown by the broker's tools; NULL: "orders". Copied. */
} ord_amqp_options;

/** Defaults: exchange "orders.events", no queue, confirm 5 s, connect 1 s,
 *  reconnect 200 ms doubling up to 10 s, probe result kept 1 s. */
#define ORD_AMQP_OPTIONS_INIT                                                                      \
    {ORD_AMQP_OPTIONS_VERSION, NULL, "orders.events", NULL, 5000, 1000, 200, 10000, 1000, NULL}

/** @brief Counters of every publisher of a broker since it was made. */
typedef struct ord_amqp_stats {
    uint64_t acked;             /**< Publishes the broker confirmed (unroutable ones included). */
    uint64_t unroutable;        /**< Of those, returned as unroutable (no queue bound). */
    uint64_t nacked;            /**< Publishes the broker refused to take (basic.nack). */
    uint64_t refused;           /**< Publishes answered by closing the channel (e.g. no exchange). */
    uint64_t timeouts;          /**< Publishes not confirmed in time. */
    uint64_t unavailable;       /**< Publishes that found no working connection. */
    uint64_t protocol_errors;   /**< Frames outside the protocol from the broker. */
    uint64_t connections;       /**< Connections opened (with their topology declared). */
    uint64_t connect_failures;  /**< Connection attempts that failed. */
} ord_amqp_stats;

/** @brief A broker's settings, health and counters. Opaque; thread-safe. */
typedef struct ord_amqp_broker ord_amqp_broker;

/**
 * @brief Check a broker URL: amqp://[USER[:PASSWORD]\@]HOST[:PORT][/VHOST],
 *        with percent-encoding in USER, PASSWORD and VHOST (the default vhost
 *        "/" is "%2f", or no path at all). amqps:// is refused (TLS is not
 *        supported).
 * @param url the text; NULL is refused.
 * @param[out] err receives why, without any part of the URL; may be NULL.
 * @param err_cap bytes of @p err.
 * @return true when the URL is usable.
 */
bool ord_amqp_url_ok(const char *url, char *err, size_t err_cap);

/**
 * @brief A copy of a broker URL fit for logs: the password becomes "***".
 * @param url the URL (need not be valid); NULL gives "".
 * @param[out] out receives the text, always NUL-terminated; cut text ends
 *        with "...".
 * @param cap bytes of @p out (> 0).
 * @return @p out.
 */
char *ord_amqp_url_redact(const char *url, char *out, size_t cap);

/**
 * @brief Whether a name is fit for an exchange or a queue: 1..255 bytes of
 *        letters, digits, '-', '_', '.' and ':', and not starting with
 *        "amq." (reserved by the broker).
 * @param name the name; NULL is not.
 * @return true when it is.
 */
bool ord_amqp_name_ok(const char *name);

/**
 * @brief Make a broker object. Connects nowhere (publishers connect).
 * @param[out] out receives it, owned by the caller (ord_amqp_broker_free());
 *        NULL on failure.
 * @param options borrowed; strings are copied.
 * @param[out] err receives why it failed, naming the option; may be NULL.
 * @param err_cap bytes of @p err.
 * @return ORD_OK, ORD_EINVALID (a bad option) or ORD_ENOMEM.
 */
ord_error ord_amqp_broker_new(ord_amqp_broker **out, const ord_amqp_options *options,
                              char *err, size_t err_cap);

/** @brief Free a broker. Every publisher made over it must be freed first. Accepts NULL. */
void ord_amqp_broker_free(ord_amqp_broker *broker);

/**
 * @brief Whether the broker answers: the last connection or publish outcome
 *        of any publisher when it is at most probe_interval_ms old, else a
 *        fresh probe (connect and log in, then close; bounded by the connect
 *        and confirm timeouts). One probe at a time: a caller arriving
 *        meanwhile gets the last state.
 * @param broker the broker.
 * @return true when up.
 */
bool ord_amqp_broker_check(ord_amqp_broker *broker);

/**
 * @brief Read the counters.
 * @param broker the broker.
 * @param[out] out receives them.
 */
void ord_amqp_broker_stats(const ord_amqp_broker *broker, ord_amqp_stats *out);

#ifdef __cplusplus
}
#endif
#endif
