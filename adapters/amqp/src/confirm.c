/* Publisher confirms: the frames a broker may send after a publish, read
 * as untrusted input (a bounded number, each bounded in size, all within
 * one deadline). */
#include "confirm.h"

#include <stdio.h>
#include <string.h>

typedef struct waiter {
    amqp_connection_state_t conn;
    int64_t deadline_ms;
    int frames;
    char *err;
    size_t cap;
} waiter;

/* The next frame, or an outcome to end with (returned through *end). */
static bool next_frame(waiter *w, amqp_frame_t *f, ord_amqp_outcome *end)
{
    if (++w->frames > ORD_AMQP_WAIT_FRAMES_MAX) {
        snprintf(w->err, w->cap, "broker sent more than %d frames for one publish",
                 ORD_AMQP_WAIT_FRAMES_MAX);
        *end = ORD_AMQP_PROTOCOL;
        return false;
    }
    struct timeval tv = ord_amqp_timeval(w->deadline_ms - ord_amqp_now_ms());
    int status = amqp_simple_wait_frame_noblock(w->conn, f, &tv);
    if (status == AMQP_STATUS_OK)
        return true;
    if (status == AMQP_STATUS_TIMEOUT) {
        snprintf(w->err, w->cap, "no publisher confirm in time");
        *end = ORD_AMQP_TIMEOUT;
    } else {
        snprintf(w->err, w->cap, "waiting for the confirm: %s", amqp_error_string2(status));
        *end = ord_amqp_status_error(status) == ORD_ECONTRACT ? ORD_AMQP_PROTOCOL : ORD_AMQP_LOST;
    }
    return false;
}

/* A returned message is followed by its content: one header frame and body
 * frames adding up to its size, which is that of the message we sent. */
static bool skip_returned_content(waiter *w, size_t len, ord_amqp_outcome *end)
{
    amqp_frame_t f;
    if (!next_frame(w, &f, end))
        return false;
    if (f.frame_type != AMQP_FRAME_HEADER || f.channel != ORD_AMQP_CHANNEL ||
        f.payload.properties.body_size != (uint64_t)len) {
        snprintf(w->err, w->cap, "broker returned a message that is not the one sent");
        *end = ORD_AMQP_PROTOCOL;
        return false;
    }
    size_t seen = 0;
    while (seen < len) {
        if (!next_frame(w, &f, end))
            return false;
        if (f.frame_type != AMQP_FRAME_BODY || f.channel != ORD_AMQP_CHANNEL ||
            f.payload.body_fragment.len == 0 || f.payload.body_fragment.len > len - seen) {
            snprintf(w->err, w->cap, "broker returned a message that is not the one sent");
            *end = ORD_AMQP_PROTOCOL;
            return false;
        }
        seen += f.payload.body_fragment.len;
    }
    return true;
}

/* Whether an ack or nack covers @p tag ("multiple" with tag 0 means all). */
static bool covers(uint64_t acked, bool multiple, uint64_t tag)
{
    return acked == tag || (multiple && (acked == 0 || acked >= tag));
}

static void broker_text(char *err, size_t cap, const char *what, unsigned code,
                        amqp_bytes_t text)
{
    char clean[160];
    ord_amqp_clean_text(clean, sizeof clean, text.bytes, text.len);
    snprintf(err, cap, "%s (%u %s)", what, code, clean);
}

ord_amqp_outcome ord_amqp_wait_confirm(amqp_connection_state_t conn, uint64_t tag, size_t len,
                                       int64_t deadline_ms, char *err, size_t cap)
{
    waiter w = {conn, deadline_ms, 0, err, cap};
    bool returned = false;
    ord_amqp_outcome end = ORD_AMQP_PROTOCOL;
    amqp_frame_t f;
    while (next_frame(&w, &f, &end)) {
        if (f.frame_type != AMQP_FRAME_METHOD) {
            snprintf(err, cap, "broker sent content that answers nothing");
            return ORD_AMQP_PROTOCOL;
        }
        amqp_method_number_t id = f.payload.method.id;
        const void *m = f.payload.method.decoded;
        if (f.channel == 0 && id == AMQP_CONNECTION_CLOSE_METHOD) {
            const amqp_connection_close_t *c = m;
            broker_text(err, cap, "broker closed the connection", c->reply_code, c->reply_text);
            amqp_connection_close_ok_t ok = {0};
            (void)amqp_send_method(conn, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
            return ORD_AMQP_LOST;
        }
        if (f.channel != ORD_AMQP_CHANNEL) {
            snprintf(err, cap, "broker sent a method on channel %u", (unsigned)f.channel);
            return ORD_AMQP_PROTOCOL;
        }
        switch (id) {
        case AMQP_BASIC_ACK_METHOD: {
            const amqp_basic_ack_t *a = m;
            if (covers(a->delivery_tag, a->multiple, tag))
                return returned ? ORD_AMQP_RETURNED : ORD_AMQP_ACKED;
            if (a->delivery_tag > tag) {
                snprintf(err, cap, "broker confirmed a message never sent");
                return ORD_AMQP_PROTOCOL;
            }
            break; /* an earlier tag: nothing to do */
        }
        case AMQP_BASIC_NACK_METHOD: {
            const amqp_basic_nack_t *n = m;
            if (covers(n->delivery_tag, n->multiple, tag)) {
                snprintf(err, cap, "broker refused the message (basic.nack)");
                return ORD_AMQP_NACKED;
            }
            if (n->delivery_tag > tag) {
                snprintf(err, cap, "broker refused a message never sent");
                return ORD_AMQP_PROTOCOL;
            }
            break;
        }
        case AMQP_BASIC_RETURN_METHOD:
            if (returned) {
                snprintf(err, cap, "broker returned the message twice");
                return ORD_AMQP_PROTOCOL;
            }
            if (!skip_returned_content(&w, len, &end))
                return end;
            returned = true;
            break;
        case AMQP_CHANNEL_CLOSE_METHOD: {
            const amqp_channel_close_t *c = m;
            broker_text(err, cap, "broker closed the channel", c->reply_code, c->reply_text);
            amqp_channel_close_ok_t ok = {0};
            if (amqp_send_method(conn, ORD_AMQP_CHANNEL, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok) !=
                AMQP_STATUS_OK)
                return ORD_AMQP_LOST;
            return ORD_AMQP_REFUSED;
        }
        default:
            snprintf(err, cap, "broker sent an unexpected method 0x%08x", (unsigned)id);
            return ORD_AMQP_PROTOCOL;
        }
    }
    return end;
}
