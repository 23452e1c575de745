/* What the AMQP tests share: the throwaway node the CTest fixture started
 * (scripts/rabbitmq-node.sh), a consumer that reads messages back with
 * every property, and an operator's hands (delete an exchange, stop and
 * start the node). */
#ifndef ORDERS_TESTS_AMQP_TEST_H
#define ORDERS_TESTS_AMQP_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <amqp.h>

/* The node's URL (from $ORD_RABBITMQ_DIR/url); static text. */
const char *at_url(void);

/* A URL of the node with a wrong password; static text. */
const char *at_url_wrong_password(void);

/* Fails unless @p log (a program's log text) names the AMQP sink, the
 * node with its password masked and @p exchange, and never the password. */
void at_assert_log_hides_the_password(const char *log, const char *exchange);

/* Run "rabbitmq-node.sh CMD DIR" on the fixture's node; fails the test on error. */
void at_node(const char *cmd);

/* A name no other test uses: "t.<pid>.<n>.<what>". */
void at_unique(char *out, size_t cap, const char *what);

/* A connection with channel 1 open; fails the test when it cannot. */
amqp_connection_state_t at_connect(void);
void at_close(amqp_connection_state_t conn);

/* Declare the durable topic exchange, and a durable queue bound to it with "#". */
void at_declare_exchange(amqp_connection_state_t conn, const char *exchange);
void at_declare_bound_queue(amqp_connection_state_t conn, const char *queue,
                            const char *exchange);
/* As an operator would: delete an exchange (and with it its bindings), a queue. */
void at_delete_exchange(amqp_connection_state_t conn, const char *exchange);
void at_delete_queue(amqp_connection_state_t conn, const char *queue);
/* Whether an exchange exists (a passive declare on a channel of its own). */
bool at_exchange_exists(const char *exchange);

/* One message read back, with what the publisher set. */
typedef struct at_message {
    char routing_key[256];
    char message_id[256];
    char type[256];
    char content_type[256];
    int delivery_mode;        /* 0: not set */
    bool has_timestamp;
    uint64_t timestamp;
    bool has_order_id, has_sequence;
    int64_t order_id, sequence;
    bool redelivered;
    char *body;               /* NUL-terminated copy */
    size_t body_len;
} at_message;

/* Take the next message of @p queue (acknowledged at once): true, or false
 * when the queue is empty. */
bool at_get(amqp_connection_state_t conn, const char *queue, at_message *out);
void at_message_free(at_message *m);

#endif
