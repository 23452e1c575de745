/* Private parts of the AMQP adapter: the broker object, the connection steps
 * and the helpers the publisher and the probe share. */
#ifndef ORDERS_AMQP_INTERNAL_H
#define ORDERS_AMQP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/time.h>

#include <amqp.h>

#include <orders/adapters/amqp/broker.h>

/* The one channel a connection uses. */
#define ORD_AMQP_CHANNEL 1
/* Largest frame either side may send; bounds every frame read from the broker. */
#define ORD_AMQP_FRAME_MAX 131072
/* Frames one wait for a confirm may read before the broker is judged to be
 * talking nonsense (an honest one sends an ack, maybe after a return and its
 * header and body frames). */
#define ORD_AMQP_WAIT_FRAMES_MAX 64
/* Room for a reason text (sanitised broker text included). */
#define ORD_AMQP_ERROR_MAX 256

/* Where the URL points, decoded; every string owned. */
typedef struct ord_amqp_target {
    char *host;
    int port;
    char *user;
    char *password;
    char *vhost;
} ord_amqp_target;

typedef enum ord_amqp_counter {
    ORD_AMQP_C_ACKED,
    ORD_AMQP_C_UNROUTABLE,
    ORD_AMQP_C_NACKED,
    ORD_AMQP_C_REFUSED,
    ORD_AMQP_C_TIMEOUTS,
    ORD_AMQP_C_UNAVAILABLE,
    ORD_AMQP_C_PROTOCOL,
    ORD_AMQP_C_CONNECTIONS,
    ORD_AMQP_C_CONNECT_FAILURES,
    ORD_AMQP_C_COUNT
} ord_amqp_counter;

/* What the broker last looked like. */
enum { ORD_AMQP_UNKNOWN = 0, ORD_AMQP_DOWN = 1, ORD_AMQP_UP = 2 };

struct ord_amqp_broker {
    ord_amqp_options opt; /* strings point at the owned copies below */
    char *exchange;
    char *queue;
    char *connection_name;
    ord_amqp_target target;
    pthread_mutex_t probe_mu;
    atomic_int state;
    atomic_llong seen_at_ms; /* monotonic time of the last state change or confirmation */
    atomic_ullong counters[ORD_AMQP_C_COUNT];
};

/* Monotonic milliseconds. */
int64_t ord_amqp_now_ms(void);

/* Record what a publisher or the probe saw. */
void ord_amqp_observe(ord_amqp_broker *broker, bool up);

/* Count one event of a kind. */
void ord_amqp_count(ord_amqp_broker *broker, ord_amqp_counter counter);

/* Parse a URL that ord_amqp_url_ok() accepts into owned, decoded parts.
 * ORD_OK, ORD_EINVALID (with err) or ORD_ENOMEM. */
ord_error ord_amqp_target_parse(ord_amqp_target *out, const char *url, char *err, size_t cap);

/* Free the parts (the password is wiped first). Accepts a zeroed target. */
void ord_amqp_target_free(ord_amqp_target *target);

/* Copy untrusted broker text into out: printable ASCII only, cut to cap. */
void ord_amqp_clean_text(char *out, size_t cap, const void *text, size_t len);

/* A struct timeval of @p ms milliseconds. */
struct timeval ord_amqp_timeval(int64_t ms);

/* Open a connection and log in (and, when @p channel, open the channel with
 * confirms on and declare the topology). Bounded by the connect and confirm
 * timeouts. On failure returns NULL, sets *why (ORD_EUNAVAILABLE: the broker
 * is unreachable or closed on us; ORD_ECONTRACT: it refused a step or spoke
 * outside the protocol; ORD_ENOMEM) and writes the reason to err. */
amqp_connection_state_t ord_amqp_connect(ord_amqp_broker *broker, bool channel, ord_error *why,
                                         char *err, size_t cap);

/* Open the channel again after the broker closed it (confirms on; no
 * declarations). ORD_OK, or the failure as ord_amqp_connect() reports it. */
ord_error ord_amqp_reopen_channel(amqp_connection_state_t conn, char *err, size_t cap);

/* Close: politely (connection.close, waiting at most the RPC timeout) when
 * @p polite, else just the socket. Accepts NULL. */
void ord_amqp_disconnect(amqp_connection_state_t conn, bool polite);

/* The reason of a failed RPC, as text; and its class (see ord_amqp_connect). */
ord_error ord_amqp_reply_error(amqp_rpc_reply_t reply, const char *step, char *err, size_t cap);

/* The class of a librabbitmq status: ORD_EUNAVAILABLE for the connection
 * going away, ORD_ETIMEOUT, ORD_ECONTRACT for data outside the protocol,
 * ORD_ENOMEM. */
ord_error ord_amqp_status_error(int status);

#endif
