/* The AMQP tests' consumer and node controls (see amqp_test.h). */
#include "amqp_test.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <amqp_tcp_socket.h>

static char url[1100];
static char wrong[1100];

static const char *env_or_fail(const char *name)
{
    const char *v = getenv(name);
    if (v == NULL || v[0] == '\0')
        fail_msg("%s is not set (the CTest fixture sets it)", name);
    return v;
}

const char *at_url(void)
{
    if (url[0] != '\0')
        return url;
    char path[1024];
    snprintf(path, sizeof path, "%s/url", env_or_fail("ORD_RABBITMQ_DIR"));
    FILE *f = fopen(path, "r");
    if (f == NULL)
        fail_msg("cannot read %s: is the node running?", path);
    if (fgets(url, sizeof url, f) == NULL)
        url[0] = '\0';
    fclose(f);
    url[strcspn(url, "\r\n")] = '\0';
    assert_true(strncmp(url, "amqp://", 7) == 0);
    return url;
}

const char *at_url_wrong_password(void)
{
    /* amqp://orders:PASSWORD@host:port -> amqp://orders:wrong-PASSWORD@host:port */
    const char *u = at_url();
    const char *colon = strchr(u + 7, ':');
    assert_non_null(colon);
    snprintf(wrong, sizeof wrong, "%.*swrong-%s", (int)(colon + 1 - u), u, colon + 1);
    return wrong;
}

void at_assert_log_hides_the_password(const char *log, const char *exchange)
{
    const char *node = at_url();
    const char *colon = strchr(node + 7, ':');
    assert_non_null(colon);
    char password[64];
    snprintf(password, sizeof password, "%.*s", (int)strcspn(colon + 1, "@"), colon + 1);
    assert_true(strlen(password) >= 8);
    assert_non_null(log);
    assert_null(strstr(log, password));
    assert_non_null(strstr(log, "\"eventSink\":\"amqp\""));
    assert_non_null(strstr(log, "\"eventBroker\":\"amqp://orders:***@127.0.0.1:"));
    char named[256];
    snprintf(named, sizeof named, "\"eventExchange\":\"%s\"", exchange);
    assert_non_null(strstr(log, named));
}

void at_node(const char *cmd)
{
    char line[2048];
    snprintf(line, sizeof line, "'%s' %s '%s' >/dev/null", env_or_fail("ORD_RABBITMQ_SCRIPT"),
             cmd, env_or_fail("ORD_RABBITMQ_DIR"));
    int rc = system(line);
    if (rc != 0)
        fail_msg("rabbitmq-node.sh %s failed (%d)", cmd, rc);
}

void at_unique(char *out, size_t cap, const char *what)
{
    static unsigned serial;
    snprintf(out, cap, "t.%ld.%u.%s", (long)getpid(), ++serial, what);
}

static void check_reply(amqp_connection_state_t conn, const char *step)
{
    amqp_rpc_reply_t r = amqp_get_rpc_reply(conn);
    if (r.reply_type != AMQP_RESPONSE_NORMAL)
        fail_msg("%s failed (reply type %d, library error %s)", step, (int)r.reply_type,
                 amqp_error_string2(r.library_error));
}

amqp_connection_state_t at_connect(void)
{
    char copy[1100];
    snprintf(copy, sizeof copy, "%s", at_url());
    struct amqp_connection_info info;
    assert_int_equal(amqp_parse_url(copy, &info), AMQP_STATUS_OK);
    amqp_connection_state_t conn = amqp_new_connection();
    assert_non_null(conn);
    amqp_socket_t *sock = amqp_tcp_socket_new(conn);
    assert_non_null(sock);
    struct timeval tv = {10, 0};
    assert_int_equal(amqp_socket_open_noblock(sock, info.host, info.port, &tv), AMQP_STATUS_OK);
    amqp_set_rpc_timeout(conn, &tv);
    amqp_rpc_reply_t r = amqp_login(conn, info.vhost, 0, AMQP_DEFAULT_FRAME_SIZE, 0,
                                    AMQP_SASL_METHOD_PLAIN, info.user, info.password);
    assert_int_equal(r.reply_type, AMQP_RESPONSE_NORMAL);
    amqp_channel_open(conn, 1);
    check_reply(conn, "channel.open");
    return conn;
}

void at_close(amqp_connection_state_t conn)
{
    if (conn == NULL)
        return;
    amqp_connection_close(conn, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn);
}

void at_declare_exchange(amqp_connection_state_t conn, const char *exchange)
{
    amqp_exchange_declare(conn, 1, amqp_cstring_bytes(exchange), amqp_cstring_bytes("topic"), 0,
                          1, 0, 0, amqp_empty_table);
    check_reply(conn, "exchange.declare");
}

void at_declare_bound_queue(amqp_connection_state_t conn, const char *queue,
                            const char *exchange)
{
    at_declare_exchange(conn, exchange);
    amqp_queue_declare(conn, 1, amqp_cstring_bytes(queue), 0, 1, 0, 0, amqp_empty_table);
    check_reply(conn, "queue.declare");
    amqp_queue_bind(conn, 1, amqp_cstring_bytes(queue), amqp_cstring_bytes(exchange),
                    amqp_cstring_bytes("#"), amqp_empty_table);
    check_reply(conn, "queue.bind");
}

void at_delete_exchange(amqp_connection_state_t conn, const char *exchange)
{
    amqp_exchange_delete(conn, 1, amqp_cstring_bytes(exchange), 0);
    check_reply(conn, "exchange.delete");
}

void at_delete_queue(amqp_connection_state_t conn, const char *queue)
{
    amqp_queue_delete(conn, 1, amqp_cstring_bytes(queue), 0, 0);
    check_reply(conn, "queue.delete");
}

bool at_exchange_exists(const char *exchange)
{
    amqp_connection_state_t conn = at_connect();
    amqp_exchange_declare(conn, 1, amqp_cstring_bytes(exchange), amqp_cstring_bytes("topic"), 1,
                          1, 0, 0, amqp_empty_table);
    bool exists = amqp_get_rpc_reply(conn).reply_type == AMQP_RESPONSE_NORMAL;
    /* A failed passive declare closed the channel; the connection closes anyway. */
    at_close(conn);
    return exists;
}

static void copy_bytes(char *out, size_t cap, amqp_bytes_t b)
{
    size_t n = b.len < cap - 1 ? b.len : cap - 1;
    if (n > 0)
        memcpy(out, b.bytes, n);
    out[n] = '\0';
}

static void read_headers(at_message *m, const amqp_table_t *t)
{
    for (int i = 0; i < t->num_entries; i++) {
        const amqp_table_entry_t *e = &t->entries[i];
        int64_t v = 0;
        if (e->value.kind == AMQP_FIELD_KIND_I64)
            v = e->value.value.i64;
        else if (e->value.kind == AMQP_FIELD_KIND_I32)
            v = e->value.value.i32;
        else
            continue;
        if (e->key.len == 7 && memcmp(e->key.bytes, "orderId", 7) == 0) {
            m->has_order_id = true;
            m->order_id = v;
        } else if (e->key.len == 8 && memcmp(e->key.bytes, "sequence", 8) == 0) {
            m->has_sequence = true;
            m->sequence = v;
        }
    }
}

bool at_get(amqp_connection_state_t conn, const char *queue, at_message *out)
{
    memset(out, 0, sizeof *out);
    amqp_rpc_reply_t r = amqp_basic_get(conn, 1, amqp_cstring_bytes(queue), 1);
    assert_int_equal(r.reply_type, AMQP_RESPONSE_NORMAL);
    if (r.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) {
        amqp_maybe_release_buffers(conn);
        return false;
    }
    assert_int_equal(r.reply.id, AMQP_BASIC_GET_OK_METHOD);
    const amqp_basic_get_ok_t *ok = r.reply.decoded;
    copy_bytes(out->routing_key, sizeof out->routing_key, ok->routing_key);
    out->redelivered = ok->redelivered != 0;
    amqp_message_t msg;
    r = amqp_read_message(conn, 1, &msg, 0);
    assert_int_equal(r.reply_type, AMQP_RESPONSE_NORMAL);
    const amqp_basic_properties_t *p = &msg.properties;
    if (p->_flags & AMQP_BASIC_MESSAGE_ID_FLAG)
        copy_bytes(out->message_id, sizeof out->message_id, p->message_id);
    if (p->_flags & AMQP_BASIC_TYPE_FLAG)
        copy_bytes(out->type, sizeof out->type, p->type);
    if (p->_flags & AMQP_BASIC_CONTENT_TYPE_FLAG)
        copy_bytes(out->content_type, sizeof out->content_type, p->content_type);
    if (p->_flags & AMQP_BASIC_DELIVERY_MODE_FLAG)
        out->delivery_mode = p->delivery_mode;
    if (p->_flags & AMQP_BASIC_TIMESTAMP_FLAG) {
        out->has_timestamp = true;
        out->timestamp = p->timestamp;
    }
    if (p->_flags & AMQP_BASIC_HEADERS_FLAG)
        read_headers(out, &p->headers);
    out->body_len = msg.body.len;
    out->body = malloc(msg.body.len + 1);
    assert_non_null(out->body);
    if (msg.body.len > 0)
        memcpy(out->body, msg.body.bytes, msg.body.len);
    out->body[msg.body.len] = '\0';
    amqp_destroy_message(&msg);
    amqp_maybe_release_buffers(conn);
    return true;
}

void at_message_free(at_message *m)
{
    free(m->body);
    m->body = NULL;
}
