/* Opening a connection to the broker step by step (TCP, login, channel,
 * confirms, topology), each step bounded in time, and closing it. */
#include "internal.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <amqp_tcp_socket.h>

struct timeval ord_amqp_timeval(int64_t ms)
{
    if (ms < 0)
        ms = 0;
    struct timeval tv = {.tv_sec = (time_t)(ms / 1000), .tv_usec = (suseconds_t)(ms % 1000) * 1000};
    return tv;
}

ord_error ord_amqp_status_error(int status)
{
    switch (status) {
    case AMQP_STATUS_NO_MEMORY:
        return ORD_ENOMEM;
    case AMQP_STATUS_TIMEOUT:
        return ORD_ETIMEOUT;
    case AMQP_STATUS_BAD_AMQP_DATA:
    case AMQP_STATUS_UNKNOWN_CLASS:
    case AMQP_STATUS_UNKNOWN_METHOD:
    case AMQP_STATUS_INCOMPATIBLE_AMQP_VERSION:
    case AMQP_STATUS_TABLE_TOO_BIG:
    case AMQP_STATUS_WRONG_METHOD:
    case AMQP_STATUS_UNEXPECTED_STATE:
    case AMQP_STATUS_BROKER_UNSUPPORTED_SASL_METHOD:
        return ORD_ECONTRACT;
    default:
        return ORD_EUNAVAILABLE; /* closed, reset, unreachable, heartbeat */
    }
}

ord_error ord_amqp_reply_error(amqp_rpc_reply_t reply, const char *step, char *err, size_t cap)
{
    switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
        return ORD_OK;
    case AMQP_RESPONSE_NONE:
        snprintf(err, cap, "%s: no answer", step);
        return ORD_ECONTRACT;
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
        snprintf(err, cap, "%s: %s", step, amqp_error_string2(reply.library_error));
        return ord_amqp_status_error(reply.library_error);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
        break;
    }
    char text[160] = "";
    unsigned code = 0;
    const char *who = "broker";
    if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD && reply.reply.decoded != NULL) {
        const amqp_connection_close_t *m = reply.reply.decoded;
        code = m->reply_code;
        ord_amqp_clean_text(text, sizeof text, m->reply_text.bytes, m->reply_text.len);
        who = "broker closed the connection";
    } else if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD && reply.reply.decoded != NULL) {
        const amqp_channel_close_t *m = reply.reply.decoded;
        code = m->reply_code;
        ord_amqp_clean_text(text, sizeof text, m->reply_text.bytes, m->reply_text.len);
        who = "broker closed the channel";
    }
    snprintf(err, cap, "%s: %s (%u %s)", step, who, code, text);
    /* A connection closed for a broker shutdown (320) is an outage; every
     * other refusal (access, vhost, inequivalent declaration) needs a fix. */
    return reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD && code == 320 ? ORD_EUNAVAILABLE
                                                                         : ORD_ECONTRACT;
}

/* The broker shows this name in its tools (rabbitmqctl list_connections). */
static amqp_table_t client_properties(const ord_amqp_broker *b, amqp_table_entry_t *entry)
{
    entry->key = amqp_cstring_bytes("connection_name");
    entry->value.kind = AMQP_FIELD_KIND_UTF8;
    entry->value.value.bytes = amqp_cstring_bytes(b->connection_name);
    return (amqp_table_t){.num_entries = 1, .entries = entry};
}

static ord_error rpc_step(amqp_connection_state_t conn, const char *step, char *err, size_t cap)
{
    return ord_amqp_reply_error(amqp_get_rpc_reply(conn), step, err, cap);
}

static ord_error open_channel(amqp_connection_state_t conn, char *err, size_t cap)
{
    amqp_channel_open(conn, ORD_AMQP_CHANNEL);
    ord_error rc = rpc_step(conn, "channel.open", err, cap);
    if (rc != ORD_OK)
        return rc;
    amqp_confirm_select(conn, ORD_AMQP_CHANNEL);
    return rpc_step(conn, "confirm.select", err, cap);
}

static ord_error declare(amqp_connection_state_t conn, const ord_amqp_broker *b, char *err,
                         size_t cap)
{
    amqp_bytes_t exchange = amqp_cstring_bytes(b->exchange);
    amqp_exchange_declare(conn, ORD_AMQP_CHANNEL, exchange, amqp_cstring_bytes("topic"), 0, 1, 0,
                          0, amqp_empty_table);
    ord_error rc = rpc_step(conn, "exchange.declare", err, cap);
    if (rc != ORD_OK || b->queue == NULL)
        return rc;
    amqp_bytes_t queue = amqp_cstring_bytes(b->queue);
    amqp_queue_declare(conn, ORD_AMQP_CHANNEL, queue, 0, 1, 0, 0, amqp_empty_table);
    rc = rpc_step(conn, "queue.declare", err, cap);
    if (rc != ORD_OK)
        return rc;
    amqp_queue_bind(conn, ORD_AMQP_CHANNEL, queue, exchange, amqp_cstring_bytes("#"),
                    amqp_empty_table);
    return rpc_step(conn, "queue.bind", err, cap);
}

amqp_connection_state_t ord_amqp_connect(ord_amqp_broker *b, bool channel, ord_error *why,
                                         char *err, size_t cap)
{
    *why = ORD_ENOMEM;
    snprintf(err, cap, "out of memory");
    amqp_connection_state_t conn = amqp_new_connection();
    if (conn == NULL)
        return NULL;
    amqp_socket_t *sock = amqp_tcp_socket_new(conn);
    if (sock == NULL) {
        amqp_destroy_connection(conn);
        return NULL;
    }
    const ord_amqp_target *t = &b->target;
    struct timeval connect_tv = ord_amqp_timeval(b->opt.connect_timeout_ms);
    int status = amqp_socket_open_noblock(sock, t->host, t->port, &connect_tv);
    if (status != AMQP_STATUS_OK) {
        snprintf(err, cap, "cannot connect to %.100s:%d: %s", t->host, t->port,
                 amqp_error_string2(status));
        *why = status == AMQP_STATUS_NO_MEMORY ? ORD_ENOMEM : ORD_EUNAVAILABLE;
        amqp_destroy_connection(conn);
        return NULL;
    }
    /* librabbitmq writes without a deadline; this bounds how long sent data
     * may stay unacknowledged by the broker's host before the kernel drops
     * the connection, so a broker that stops reading cannot hold a write. */
    unsigned int user_timeout = (unsigned int)b->opt.confirm_timeout_ms;
    (void)setsockopt(amqp_socket_get_sockfd(sock), IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout,
                     sizeof user_timeout);
    struct timeval io_tv = ord_amqp_timeval(b->opt.confirm_timeout_ms);
    amqp_set_handshake_timeout(conn, &io_tv);
    amqp_set_rpc_timeout(conn, &io_tv);

    amqp_table_entry_t entry;
    amqp_table_t props = client_properties(b, &entry);
    /* channel_max 1: one channel is all a publisher uses; heartbeats off: the
     * library answers them only inside its calls, and a relay may sit idle
     * for long; a dead connection shows at the next publish instead. */
    amqp_rpc_reply_t reply = amqp_login_with_properties(
        conn, t->vhost, 1, ORD_AMQP_FRAME_MAX, 0, &props, AMQP_SASL_METHOD_PLAIN, t->user,
        t->password);
    *why = ord_amqp_reply_error(reply, "login", err, cap);
    if (*why == ORD_OK && channel) {
        *why = open_channel(conn, err, cap);
        if (*why == ORD_OK)
            *why = declare(conn, b, err, cap);
    }
    amqp_maybe_release_buffers(conn);
    if (*why != ORD_OK) {
        amqp_destroy_connection(conn);
        return NULL;
    }
    err[0] = '\0';
    return conn;
}

ord_error ord_amqp_reopen_channel(amqp_connection_state_t conn, char *err, size_t cap)
{
    ord_error rc = open_channel(conn, err, cap);
    amqp_maybe_release_buffers(conn);
    return rc;
}

void ord_amqp_disconnect(amqp_connection_state_t conn, bool polite)
{
    if (conn == NULL)
        return;
    if (polite)
        (void)amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
}
