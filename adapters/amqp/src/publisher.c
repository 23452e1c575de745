/* One thread's publisher: connects on demand with backoff, publishes one
 * event at a time and waits for its confirm (see publisher.h for outcomes). */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <orders/adapters/amqp/publisher.h>
#include <orders/domain/event.h>

#include "confirm.h"

struct ord_amqp_publisher {
    ord_amqp_broker *broker;
    amqp_connection_state_t conn; /* NULL: not connected */
    bool channel_open;            /* false after the broker closed the channel */
    uint64_t tag;                 /* delivery tag of the last publish on the channel */
    int64_t retry_at_ms;          /* monotonic: no connection attempt before */
    int64_t backoff_ms;           /* wait after the next failed attempt */
    char last_error[ORD_AMQP_ERROR_MAX];
};

/* Drop the connection; unless @p at_once, wait before the next attempt
 * (doubling), so a broker that fails every connection is not hammered and a
 * relay batch fails fast meanwhile. */
static void drop(ord_amqp_publisher *p, bool at_once)
{
    ord_amqp_disconnect(p->conn, false);
    p->conn = NULL;
    p->channel_open = false;
    if (at_once)
        return;
    const ord_amqp_options *o = &p->broker->opt;
    p->retry_at_ms = ord_amqp_now_ms() + p->backoff_ms;
    p->backoff_ms = p->backoff_ms > o->reconnect_max_ms / 2 ? o->reconnect_max_ms
                                                            : p->backoff_ms * 2;
}

static ord_error connect_now(ord_amqp_publisher *p)
{
    int64_t wait = p->retry_at_ms - ord_amqp_now_ms();
    if (wait > 0) {
        snprintf(p->last_error, sizeof p->last_error,
                 "not connected; next attempt in %lld ms", (long long)wait);
        return ORD_EUNAVAILABLE;
    }
    ord_error why = ORD_OK;
    p->conn = ord_amqp_connect(p->broker, true, &why, p->last_error, sizeof p->last_error);
    if (p->conn == NULL) {
        ord_amqp_count(p->broker, ORD_AMQP_C_CONNECT_FAILURES);
        ord_amqp_observe(p->broker, false);
        drop(p, false);
        return why == ORD_ETIMEOUT || why == ORD_ECONTRACT ? why : ORD_EUNAVAILABLE;
    }
    ord_amqp_count(p->broker, ORD_AMQP_C_CONNECTIONS);
    ord_amqp_observe(p->broker, true);
    p->channel_open = true;
    p->tag = 0;
    return ORD_OK;
}

static bool type_known(ord_event_type type)
{
    return type >= ORD_EVENT_ORDER_PLACED && type <= ORD_EVENT_ORDER_DELIVERED;
}

static ord_amqp_outcome publish(ord_amqp_publisher *p, const ord_outbox_event *ev, size_t len)
{
    const char *type = ord_event_type_name(ev->type);
    amqp_table_entry_t headers[2];
    headers[0].key = amqp_cstring_bytes("orderId");
    headers[0].value.kind = AMQP_FIELD_KIND_I64;
    headers[0].value.value.i64 = ev->order_id;
    headers[1].key = amqp_cstring_bytes("sequence");
    headers[1].value.kind = AMQP_FIELD_KIND_I64;
    headers[1].value.value.i64 = ev->sequence;
    amqp_basic_properties_t props;
    memset(&props, 0, sizeof props);
    props._flags = AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG |
                   AMQP_BASIC_MESSAGE_ID_FLAG | AMQP_BASIC_TYPE_FLAG |
                   AMQP_BASIC_TIMESTAMP_FLAG | AMQP_BASIC_HEADERS_FLAG;
    props.content_type = amqp_cstring_bytes("application/json");
    props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
    props.message_id = amqp_cstring_bytes(ev->event_id);
    props.type = amqp_cstring_bytes(type);
    props.timestamp = ev->occurred_at_ms > 0 ? (uint64_t)(ev->occurred_at_ms / 1000) : 0;
    props.headers = (amqp_table_t){.num_entries = 2, .entries = headers};
    amqp_bytes_t body = {.len = len, .bytes = ev->payload};

    /* mandatory: an unroutable message comes back (and is counted) instead
     * of vanishing unseen. */
    int status = amqp_basic_publish(p->conn, ORD_AMQP_CHANNEL,
                                    amqp_cstring_bytes(p->broker->exchange),
                                    amqp_cstring_bytes(type), 1, 0, &props, body);
    if (status != AMQP_STATUS_OK) {
        snprintf(p->last_error, sizeof p->last_error, "publish: %s", amqp_error_string2(status));
        return ord_amqp_status_error(status) == ORD_ECONTRACT ? ORD_AMQP_PROTOCOL
                                                               : ORD_AMQP_LOST;
    }
    p->tag++;
    int64_t deadline = ord_amqp_now_ms() + p->broker->opt.confirm_timeout_ms;
    return ord_amqp_wait_confirm(p->conn, p->tag, len, deadline, p->last_error,
                                 sizeof p->last_error);
}

static ord_error amqp_deliver(void *self, const ord_call_context *ctx,
                              const ord_outbox_event *ev)
{
    (void)ctx; /* AMQP has no place for the HTTP trace headers */
    ord_amqp_publisher *p = self;
    p->last_error[0] = '\0';
    size_t len = ev != NULL && ev->payload != NULL ? strlen(ev->payload) : 0;
    if (ev == NULL || len == 0 || len > ORD_AMQP_BODY_MAX || ev->event_id[0] == '\0' ||
        memchr(ev->event_id, '\0', sizeof ev->event_id) == NULL || !type_known(ev->type)) {
        snprintf(p->last_error, sizeof p->last_error,
                 "not an event to publish (no id, unknown type, or an empty or too long payload)");
        return ORD_EINVALID;
    }
    ord_amqp_broker *b = p->broker;
    for (int attempt = 0;; attempt++) {
        bool fresh = p->conn == NULL;
        if (fresh) {
            ord_error rc = connect_now(p);
            if (rc != ORD_OK) {
                ord_amqp_count(b, ORD_AMQP_C_UNAVAILABLE);
                return rc;
            }
        } else if (!p->channel_open) {
            ord_error rc = ord_amqp_reopen_channel(p->conn, p->last_error, sizeof p->last_error);
            if (rc != ORD_OK) {
                drop(p, attempt == 0 && rc == ORD_EUNAVAILABLE);
                if (attempt == 0 && rc == ORD_EUNAVAILABLE)
                    continue; /* the connection died while idle: a new one */
                ord_amqp_count(b, ORD_AMQP_C_UNAVAILABLE);
                return rc == ORD_ENOMEM ? ORD_EUNAVAILABLE : rc;
            }
            p->channel_open = true;
            p->tag = 0;
        }
        ord_amqp_outcome outcome = publish(p, ev, len);
        if (p->conn != NULL)
            amqp_maybe_release_buffers(p->conn);
        switch (outcome) {
        case ORD_AMQP_RETURNED: /* unroutable, and confirmed all the same */
            ord_amqp_count(b, ORD_AMQP_C_UNROUTABLE);
            /* fall through */
        case ORD_AMQP_ACKED:
            ord_amqp_count(b, ORD_AMQP_C_ACKED);
            ord_amqp_observe(b, true);
            p->backoff_ms = b->opt.reconnect_min_ms;
            p->last_error[0] = '\0';
            return ORD_OK;
        case ORD_AMQP_NACKED:
            ord_amqp_count(b, ORD_AMQP_C_NACKED);
            ord_amqp_observe(b, true);
            return ORD_EUNAVAILABLE;
        case ORD_AMQP_REFUSED:
            p->channel_open = false; /* reopened at the next delivery, topology untouched */
            ord_amqp_count(b, ORD_AMQP_C_REFUSED);
            ord_amqp_observe(b, true);
            return ORD_ECONTRACT;
        case ORD_AMQP_TIMEOUT:
            drop(p, false);
            ord_amqp_count(b, ORD_AMQP_C_TIMEOUTS);
            ord_amqp_observe(b, false);
            return ORD_ETIMEOUT;
        case ORD_AMQP_PROTOCOL:
            drop(p, false);
            ord_amqp_count(b, ORD_AMQP_C_PROTOCOL);
            return ORD_ECONTRACT;
        case ORD_AMQP_LOST:
            /* A connection that sat idle may have been closed by the broker
             * (a restart) without us noticing: one more try on a new one.
             * A duplicate is possible if the broker took the message before
             * closing; consumers de-duplicate on message_id. */
            if (!fresh && attempt == 0) {
                drop(p, true);
                continue;
            }
            drop(p, false);
            ord_amqp_count(b, ORD_AMQP_C_UNAVAILABLE);
            ord_amqp_observe(b, false);
            return ORD_EUNAVAILABLE;
        }
        return ORD_EINTERNAL;
    }
}

static const ord_event_sink_ops amqp_event_sink_ops = {
    .version = ORD_EVENT_SINK_VERSION,
    .deliver = amqp_deliver,
};

ord_error ord_amqp_publisher_new(ord_amqp_publisher **out, ord_amqp_broker *broker)
{
    if (out == NULL)
        return ORD_EINVALID;
    *out = NULL;
    if (broker == NULL)
        return ORD_EINVALID;
    ord_amqp_publisher *p = calloc(1, sizeof *p);
    if (p == NULL)
        return ORD_ENOMEM;
    p->broker = broker;
    p->backoff_ms = broker->opt.reconnect_min_ms;
    *out = p;
    return ORD_OK;
}

void ord_amqp_publisher_free(ord_amqp_publisher *p)
{
    if (p == NULL)
        return;
    ord_amqp_disconnect(p->conn, true);
    free(p);
}

ord_event_sink ord_amqp_publisher_sink(ord_amqp_publisher *p)
{
    return (ord_event_sink){.ops = &amqp_event_sink_ops, .self = p};
}

const char *ord_amqp_publisher_last_error(const ord_amqp_publisher *p)
{
    return p != NULL ? p->last_error : "";
}
